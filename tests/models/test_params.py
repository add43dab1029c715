"""Parameter counts from the shape against the published totals of GPT-3, Llama 2 and Mixtral."""

import pytest

from tensora.errors import ModelInputError
from tensora.models import megatron_params, transformer_params


def test_llama2_7b_and_70b() -> None:
    # Hugging Face model cards: 6,738,415,616 and 68,976,648,192 parameters
    seven = transformer_params(32, 4096, 32000, 32, ffn_hidden=11008, gated=True, tied=False)
    seventy = transformer_params(80, 8192, 32000, 64, 8, ffn_hidden=28672, gated=True, tied=False)
    assert int(seven) == 6_738_415_616
    assert int(seventy) == 68_976_648_192
    assert seven.details["non_embedding"] == 6_738_415_616 - 2 * 32000 * 4096


def test_mixtral_total_and_active() -> None:
    # Mistral AI: 46.7B total, 12.9B active per token (8 experts, top-2)
    c = transformer_params(32, 4096, 32000, 32, 8, ffn_hidden=14336, gated=True, tied=False, experts=8, top_k=2)
    assert round(float(c) / 1e9, 1) == 46.7
    assert round(c.details["active_per_token"] / 1e9, 1) == 12.9


def test_gpt3_matches_narayanan_up_to_the_final_norm() -> None:
    c = transformer_params(96, 12288, 51200, 96, biases=True, positions=2048)
    assert float(c) - float(megatron_params(96, 12288, 51200, 2048)) == pytest.approx(2 * 12288, abs=1)


def test_bad_shapes() -> None:
    with pytest.raises(ModelInputError, match="kv_heads"):
        transformer_params(2, 64, 10, 8, 3)
    with pytest.raises(ModelInputError, match="top_k"):
        transformer_params(2, 64, 10, experts=2, top_k=4)

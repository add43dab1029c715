"""QNT-MEMORY for serving: weights plus the KV cache of the stated batch and context, against capacity."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_memory import QntMemory

DRAFT = """
# WideBlock: bigger KV blocks for decoding

## Setting

We serve a 13B model (40 layers, hidden size 5120) in FP16 on one A100-80GB, with a batch of 48 sequences
at a sequence length of 2,048 tokens. The KV cache is allocated in blocks of 256 tokens instead of 16.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntMemory().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_kv_cache_of_the_full_width_without_a_head_count(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, DRAFT)
    assert len(found) == 1
    # 2 x 40 x 5120 x 2 B x 2048 x 48 = 75 GiB of KV, plus 13e9 x 2 B = 24.2 GiB of weights
    expected = (2 * 40 * 5120 * 2 * 2048 * 48 + 13e9 * 2) / 2**30
    assert found[0].computed["memory_per_gpu_gib"] == pytest.approx(expected, rel=1e-3)


def test_quiet_when_the_batch_fits(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("batch of 48", "batch of 16")) == []


KV2 = """
# TinyKV: 2-bit KV caches at 128K

## Abstract

TinyKV stores the KV cache in 2-bit codes and serves 32 concurrent requests at a context length of 128K
tokens, of Llama-3.1-8B in FP16
on a single A100-80GB.
"""


def test_a_named_model_and_a_quantized_cache_give_the_serving_memory(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit import compute

    serving = compute.serving_memory(claims(KV2))
    assert serving is not None
    # 2 x 32 layers x 8 KV heads x 128 x 131,072 tokens x 32 requests x 0.25 B = 64 GiB, weights 8.03e9 x 2 B
    assert serving.kv_gib == pytest.approx(64.0, rel=1e-3)
    assert serving.weights_gib == pytest.approx(8.03e9 * 2 / 2**30, rel=0.01)

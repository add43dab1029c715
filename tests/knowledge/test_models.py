"""The catalog of published model shapes and how a draft's text finds one."""

import pytest

from tensora.knowledge.models import find_model, load_models


def test_every_shape_is_consistent() -> None:
    for m in load_models():
        assert m.hidden % m.heads == 0, m.name
        assert m.heads % m.kv_heads == 0, m.name
        assert m.active_params is None or m.active_params < m.params, m.name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Llama-3.1-8B-Instruct in BF16", "Llama-3-8B"),
        ("we serve Llama 2 70B chat on four GPUs", "Llama-2-70B"),
        ("Mixtral-8x7B with two experts per token", "Mixtral-8x7B"),
        ("the GPT-3 175B architecture", "GPT-3 175B"),
    ],
)
def test_a_model_is_found_by_any_of_its_names(text: str, name: str) -> None:
    found = find_model(text)
    assert found is not None and found.name == name


@pytest.mark.parametrize("text", ["a 70B model", "Llama-3-80B", "our own 13B transformer"])
def test_no_model_is_invented(text: str) -> None:
    assert find_model(text) is None

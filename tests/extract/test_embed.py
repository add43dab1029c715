import socket

import numpy as np
import pytest

from tensora.extract.embed import _clear, cosine, get_embedder, prefetch


def test_matches_wordllama_reference() -> None:
    wordllama = pytest.importorskip("wordllama")
    from pathlib import Path

    ref = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    texts = ["peak memory from an average of memory_allocated", "we use 1F1B with 32 micro-batches", "x"]
    ours = get_embedder().embed(texts)
    theirs = ref.embed(texts, norm=True)
    assert np.allclose(ours, theirs, atol=1e-5)


def test_paraphrase_is_closer_than_unrelated_text() -> None:
    e = get_embedder().embed(
        [
            "we quantize the KV cache to 4-bit integers",
            "key and value caches are stored in INT4",
            "the pipeline has eight stages and four micro-batches",
        ]
    )
    sim = cosine(e, e)
    assert sim[0, 1] > sim[0, 2] + 0.1
    assert np.allclose(np.diag(sim), 1.0, atol=1e-5)


def test_deterministic_and_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the embedder must not open a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    _clear()
    a = get_embedder().embed(["tensor parallelism over NVLink"])
    _clear()
    b = get_embedder().embed(["tensor parallelism over NVLink"])
    assert np.array_equal(a, b)


def test_empty_input() -> None:
    assert get_embedder().embed([]).shape == (0, 256)


def test_prefetch_loads_once_in_the_background() -> None:
    _clear()
    prefetch()
    first = get_embedder()  # waits for the prefetching thread instead of loading a second copy
    assert get_embedder() is first

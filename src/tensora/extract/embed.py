"""Static sentence embeddings for semantic matching, offline and deterministic.

The weights are WordLlama's ``l2_supercat`` 256-dimensional token embeddings, which ship inside the ``wordllama``
wheel (MIT): no download ever happens. A sentence's vector is the mean of its tokens' embeddings, L2-normalised,
exactly as ``WordLlama.load(...).embed(texts, norm=True)`` computes it (a test pins the equality). We read the
weights with ``safetensors`` and the tokenizer with ``tokenizers`` directly instead of importing ``wordllama``:
that package's import pulls ``requests`` and a config loader and costs about 0.6 s, this path about 0.2 s.

Does not: use context (a bag of tokens cannot tell "we do X" from "we do not do X"; negation stays with the
extraction rules), or run on texts longer than what the tokenizer returns (no truncation is needed: pooling is a
mean).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tensora.errors import TensoraError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = ["Embedder", "EmbeddingUnavailableError", "cosine", "get_embedder"]

_WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
_TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
_BATCH = 256


class EmbeddingUnavailableError(TensoraError):
    """The static embedding weights could not be found or read."""


def _package_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingUnavailableError(
            "the 'wordllama' package (static embedding weights) is not installed; run: pip install wordllama"
        )
    return Path(next(iter(spec.submodule_search_locations)))


class Embedder:
    """Mean-pooled, normalised token embeddings; ``embed`` returns a float32 array of shape (n, 256)."""

    def __init__(self, matrix: np.ndarray, tokenizer: Tokenizer) -> None:
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self.tokenizer = tokenizer
        self.tokenizer.enable_padding()
        self.tokenizer.no_truncation()

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), _BATCH):
            chunk = texts[start : start + _BATCH]
            encoded = self.tokenizer.encode_batch(chunk, add_special_tokens=False)
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
            if ids.size == 0:
                continue
            np.clip(ids, 0, self.matrix.shape[0] - 1, out=ids)
            summed = np.einsum("btd,bt->bd", self.matrix[ids], mask, dtype=np.float32)
            pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1.0)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[start : start + len(chunk)] = pooled / np.where(norms == 0, 1.0, norms)
        return out


_LOCK = threading.Lock()
_LOADED: list[Embedder] = []


def get_embedder() -> Embedder:
    """The process-wide embedder, loaded on first use (about 0.2 s; ``prefetch`` starts it early)."""
    with _LOCK:  # a prefetching thread and the first caller never load it twice
        if not _LOADED:
            _LOADED.append(_load())
        return _LOADED[0]


def prefetch() -> None:
    """Load the embedder on a background thread, so that reading the documents hides its load time."""
    if not _LOADED:
        # not a daemon: a process that ends while the loader is inside the tokenizer's native code would abort
        # ("FATAL: exception not rethrown"); the interpreter waits the fraction of a second it needs instead
        threading.Thread(target=_quietly_load, name="tensora-embedder", daemon=False).start()


def _quietly_load() -> None:
    try:
        get_embedder()
    except EmbeddingUnavailableError:
        pass  # the caller that needs it reports the error


def _clear() -> None:
    """Forget the loaded embedder (tests)."""
    with _LOCK:
        _LOADED.clear()


def _load() -> Embedder:
    # one thread per encode is plenty for sentences, and a process forked after a parallel encode (the baseline
    # reader, a batch worker) would otherwise print the tokenizers library's fork warning
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from safetensors import safe_open
    from tokenizers import Tokenizer

    root = _package_dir()
    weights, tokenizer = root / _WEIGHTS, root / _TOKENIZER
    for path in (weights, tokenizer):
        if not path.is_file():
            raise EmbeddingUnavailableError(
                f"{path}: the static embedding file is missing; reinstall with: pip install --force-reinstall wordllama"
            )
    try:
        with safe_open(str(weights), framework="np", device="cpu") as f:
            matrix = f.get_tensor("embedding.weight")
        return Embedder(matrix, Tokenizer.from_file(str(tokenizer)))
    except Exception as exc:  # a damaged wheel: say which file, never a traceback
        raise EmbeddingUnavailableError(f"{weights}: could not be read ({exc}); reinstall wordllama") from exc


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity between rows of two normalised matrices: shape (len(a), len(b))."""
    return np.asarray(a @ b.T, dtype=np.float32)

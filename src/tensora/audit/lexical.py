"""BM25 over the prior work: bm25s builds the index once, a query is scored from the index's arrays.

Importing bm25s (and the scipy it loads) costs a fresh process about a quarter of a second, more than scoring
every query of a review. The index bm25s builds (its eager score matrix in compressed-column form, its
vocabulary, and the English stop words it tokenises with) is kept under the user's cache directory, keyed by
the documents and bm25s's version. A query is tokenised and scored here the way bm25s's ``tokenize`` and
``retrieve`` do it: lower case, words of two or more word characters, stop words dropped, each query token's
column of scores added in the query's order in the index's float type. The scores are the same numbers (the
tests compare them with bm25s's own), so the ranking is unchanged.

Does not: score bm25s variants with a non-occurrence term (BM25L, BM25+); ``build_bm25`` refuses them.
"""

from __future__ import annotations

import importlib.metadata
import pickle
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tensora.knowledge.cues import cache_path, write_cache

if TYPE_CHECKING:
    import bm25s

__all__ = ["Bm25Index", "bm25_retriever", "build_bm25", "load_bm25"]

# bm25s's default token pattern (scikit-learn's CountVectorizer's)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class Bm25Index:
    """bm25s's index of a list of documents, as plain arrays."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    num_docs: int
    dtype: str
    int_dtype: str
    vocab: dict[str, int]
    stopwords: frozenset[str]

    def tokens(self, query: str) -> list[str]:
        """The query's tokens as bm25s's ``tokenize(stopwords="en")`` finds them, repeats kept."""
        return [t for t in _TOKEN.findall(query.lower()) if t not in self.stopwords]

    def scores(self, query: str) -> np.ndarray:
        """Each document's BM25 score for the query (zero for a document that shares no token with it)."""
        ids = np.asarray([self.vocab[t] for t in self.tokens(query) if t in self.vocab], dtype=self.int_dtype)
        out = np.zeros(self.num_docs, dtype=self.dtype)
        starts, ends = self.indptr[ids], self.indptr[ids + 1]
        for start, end in zip(starts, ends, strict=True):
            np.add.at(out, self.indices[start:end], self.data[start:end])
        return out


def bm25_retriever(docs: list[str]) -> bm25s.BM25:
    """bm25s's own retriever over the documents (for callers that want its API)."""
    import bm25s

    built = bm25s.BM25()
    built.index(bm25s.tokenize(docs, stopwords="en", show_progress=False), show_progress=False)
    return built


def build_bm25(docs: list[str]) -> Bm25Index:
    """Index the documents with bm25s and keep its arrays."""
    from bm25s.tokenization import _infer_stopwords

    built = bm25_retriever(docs)
    if built.nonoccurrence_array is not None:
        raise ValueError(f"bm25s method {built.method!r} adds a non-occurrence score; only BM25 without it is read")
    return Bm25Index(
        data=built.scores["data"],
        indices=built.scores["indices"],
        indptr=built.scores["indptr"],
        num_docs=int(built.scores["num_docs"]),
        dtype=str(built.dtype),
        int_dtype=str(built.int_dtype),
        vocab=dict(built.vocab_dict),
        stopwords=frozenset(_infer_stopwords("en")),
    )


def load_bm25(docs: list[str]) -> Bm25Index:
    """The index of the documents: from the cache when it holds them, else built (and cached)."""
    try:
        version = importlib.metadata.version("bm25s")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    path = cache_path("prior-bm25", version, *(f"{d}\0" for d in docs))
    try:
        if path.is_file():
            with path.open("rb") as fh:
                cached = pickle.load(fh)
            if isinstance(cached, Bm25Index) and cached.num_docs == len(docs):
                return cached
    except Exception:  # a stale or unreadable cache is rebuilt, never reported
        pass
    index = build_bm25(docs)
    write_cache(path, index)
    return index

"""BM25 scores read from the cached index arrays are bm25s's own scores, query by query."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import pytest

from tensora.audit import novelty
from tensora.audit.lexical import Bm25Index, build_bm25, load_bm25
from tensora.knowledge.loader import KnowledgeBase

QUERIES = [
    "interleaved pipeline schedule with fewer bubbles",
    "FP8 training with per-tensor delayed scaling and amax history",
    "ZeRO ZeRO zero-offload optimizer state partitioning partitioning",  # repeated tokens count twice
    "the of and a",  # stop words only
    "",
    "qwertyuiop asdfghjkl",  # no token in the vocabulary
    "Ring attention über lange Sequenzen: context parallel KV-cache",
    "a b c x y 1 2",  # single characters are not tokens
    "MoE expert-parallel all-to-all dispatch, dropless routing (token capacity 1.25)",
]


def _bm25s_scores(retriever: bm25s.BM25, query: str, n: int) -> np.ndarray:
    tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
    docs, scores = retriever.retrieve(tokens, k=n, show_progress=False)
    out = np.zeros(n, dtype=np.float64)
    out[np.asarray(docs[0], dtype=np.int64)] = np.asarray(scores[0], dtype=np.float64)
    return out


@pytest.fixture(scope="module")
def docs(kb: KnowledgeBase) -> list[str]:
    return [novelty._document(w, kb) for w in kb.prior_work]


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_bm25s(docs: list[str], query: str) -> None:
    index = build_bm25(docs)
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(docs, stopwords="en", show_progress=False), show_progress=False)
    ours = np.asarray(index.scores(query), dtype=np.float64)
    assert np.array_equal(ours, _bm25s_scores(retriever, query, len(docs)))


def test_cached_index_is_reused_and_a_damaged_one_rebuilt(
    docs: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = load_bm25(docs)
    files = list((tmp_path / "tensora").glob("prior-bm25-*.pickle"))
    assert len(files) == 1
    again = load_bm25(docs)
    assert again is not first and isinstance(again, Bm25Index)
    assert np.array_equal(again.scores(QUERIES[0]), first.scores(QUERIES[0]))
    files[0].write_bytes(b"damaged")
    rebuilt = load_bm25(docs)
    assert np.array_equal(rebuilt.scores(QUERIES[1]), first.scores(QUERIES[1]))
    # other documents are another key
    assert load_bm25(docs[:-1]).num_docs == len(docs) - 1


def test_unwritable_cache_still_scores(docs: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tensora").write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert load_bm25(docs).scores(QUERIES[0]).max() > 0


def test_index_keeps_bm25s_retriever_for_its_api(kb: KnowledgeBase) -> None:
    index = novelty._index(kb)
    docs, scores = index.retriever.retrieve(
        bm25s.tokenize([QUERIES[0]], stopwords="en", show_progress=False), k=3, show_progress=False
    )
    assert len(docs[0]) == 3 and scores[0][0] >= scores[0][-1]

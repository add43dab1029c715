"""Whiteboard: the answer merges into the claims, the audit re-runs, and each finding gets its status."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tensora.extract.claims import Claims
from tensora.extract.quantities import DocLabel
from tensora.knowledge.loader import KnowledgeBase
from tensora.whiteboard import voice
from tensora.whiteboard.session import Whiteboard, answer_claims

DRAFT = """
# ShallowPipe: pipelines for 30B models

## Method

We train a 30B-parameter GPT model on 64 H100 GPUs with pipeline parallelism over 8 stages and the 1F1B
schedule; each step runs 4 micro-batches per replica. Weights are updated synchronously after the flush.
"""
BASELINE = """
# Efficient large-scale training with pipeline parallelism

## Method

We combine tensor, pipeline and data parallelism and schedule micro-batches with 1F1B and a flush at the end
of each batch.
"""
MORE_MICROBATCHES = "We will run 32 micro-batches per step with an interleaved schedule of v = 2 chunks per stage."
ASYNC = (
    "To hide the flush, each stage will apply its gradients asynchronously as soon as they are ready, "
    "under a staleness bound of two steps."
)

MakeClaims = Callable[[str, DocLabel], Claims]


@pytest.fixture
def board(claims: MakeClaims, kb: KnowledgeBase) -> Whiteboard:
    return Whiteboard(claims(DRAFT, "proposal"), claims(BASELINE, "baseline"), kb)


def status(wb: Whiteboard) -> dict[str, str]:
    return {code: t.status for code, t in wb.ledger.items()}


def test_opening_asks_the_most_severe_finding(board: Whiteboard) -> None:
    assert status(board)["PIPE-BUBBLE"] == "open"
    top = board.sharpest()
    assert top is not None and top.code == "PIPE-BUBBLE"
    text = voice.opening(board)
    assert "**PIPE-BUBBLE**" in text and "63.6%" in text
    assert "If you want this to survive MLSys review, you need to" in text


def test_answer_claims_are_an_answer_document(kb: KnowledgeBase) -> None:
    c = answer_claims(MORE_MICROBATCHES, kb)
    assert c.doc == "answer" and c.value("micro_batches") == 32
    assert {s.section for s in c.sentences} == {"Answer"}


def test_a_concrete_answer_resolves_with_recomputed_numbers(board: Whiteboard) -> None:
    update = board.answer(MORE_MICROBATCHES)
    assert [t.code for t in update.resolved] == ["PIPE-BUBBLE"]
    assert status(board)["PIPE-BUBBLE"] == "resolved"
    assert all(t.status == "still open" for t in update.still_open)
    before, after = update.recomputed["PIPE-BUBBLE"]["pipeline_bubble_fraction"]
    assert before == pytest.approx(7 / 11)
    assert after == pytest.approx(7 / (2 * 32 + 7))  # (p-1)/(v·m+p-1)
    # the resolved finding carries its number as it is now
    assert board.ledger["PIPE-BUBBLE"].finding.computed["pipeline_bubble_fraction"] == pytest.approx(after)
    text = voice.follow_up(update, board)
    assert "Resolved: **PIPE-BUBBLE**" in text and "9.9% (was 63.6%)" in text


def test_a_new_mechanism_raises_a_new_finding_asked_next(board: Whiteboard) -> None:
    board.answer(MORE_MICROBATCHES)
    update = board.answer(ASYNC)
    assert [t.code for t in update.new] == ["ASYNC-STALENESS"]
    assert status(board)["ASYNC-STALENESS"] == "new"
    assert status(board)["PIPE-BUBBLE"] == "resolved"  # stays resolved
    top = board.sharpest()
    assert top is not None and top.code == "ASYNC-STALENESS"
    assert "Your answer raises a new problem, **ASYNC-STALENESS**" in voice.follow_up(update, board)


def test_an_unrelated_answer_changes_nothing_and_presses_again(board: Whiteboard) -> None:
    update = board.answer("We are confident in the design.")
    assert not update.resolved and not update.new
    assert set(status(board).values()) == {"still open"}
    text = voice.follow_up(update, board)
    assert "every finding I raised still stands" in text
    assert "You have not answered this yet, **PIPE-BUBBLE**" in text


def test_a_finding_raised_again_is_new(board: Whiteboard) -> None:
    board.answer(MORE_MICROBATCHES)
    # the latest answer's numbers take precedence over earlier ones
    update = board.answer("On reflection we keep 4 micro-batches per step, without interleaving.")
    assert "PIPE-BUBBLE" in [t.code for t in update.new]


def test_snapshot_lists_open_then_resolved(board: Whiteboard) -> None:
    board.answer(MORE_MICROBATCHES)
    rows = board.snapshot()
    assert rows[-1].code == "PIPE-BUBBLE" and rows[-1].status == "resolved"
    assert all(r.status != "resolved" for r in rows[:-1])

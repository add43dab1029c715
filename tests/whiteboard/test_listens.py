"""The whiteboard listens: one scripted answer per behaviour, each written for the test.

A finding resolves only when its condition no longer holds after the answer is extracted and the audit re-run
(naming the remedy is not enough); a word said in passing raises nothing; new numbers recompute the findings and
the reply says what changed; the reply quotes the answer; the closest prior work changes only when the
mechanism does.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tensora.extract.claims import Claims
from tensora.extract.quantities import DocLabel
from tensora.knowledge.loader import KnowledgeBase
from tensora.whiteboard import voice
from tensora.whiteboard.session import Whiteboard

DRAFT = """
# RingStage: pipelines for a 20B model

## Method

We train a 20B-parameter GPT model on 32 A100 GPUs with pipeline parallelism over 8 stages and the 1F1B
schedule; each step runs 4 micro-batches per replica. Weights are updated synchronously after the flush.
"""
BASELINE = """
# Pipeline-parallel training at scale

## Method

Tensor, pipeline and data parallelism together; micro-batches follow 1F1B with a flush at the end of each batch.
"""

MakeClaims = Callable[[str, DocLabel], Claims]


@pytest.fixture
def board(claims: MakeClaims, kb: KnowledgeBase) -> Whiteboard:
    return Whiteboard(claims(DRAFT, "proposal"), claims(BASELINE, "baseline"), kb)


def test_naming_the_remedy_does_not_resolve(board: Whiteboard) -> None:
    update = board.answer("We will add more micro-batches and interleave the stages to shrink the bubble.")
    assert "PIPE-BUBBLE" not in [t.code for t in update.resolved]
    assert board.ledger["PIPE-BUBBLE"].status == "still open"


def test_the_condition_gone_resolves(board: Whiteboard) -> None:
    update = board.answer("Each step will run 48 micro-batches, with v = 2 model chunks per stage.")
    assert "PIPE-BUBBLE" in [t.code for t in update.resolved]


def test_a_passing_mention_raises_nothing(board: Whiteboard) -> None:
    update = board.answer("Unlike asynchronous parameter servers, whose stale gradients we avoid, we keep the flush.")
    assert not update.new
    assert "ASYNC-STALENESS" not in board.ledger
    # the rule itself may already read the contrast as a mention; when it fires anyway, the reply says so
    if update.incidental:
        assert "only in passing" in voice.follow_up(update, board)


def test_using_the_mechanism_raises_its_finding(board: Whiteboard) -> None:
    update = board.answer("Each stage will apply its gradients asynchronously, with a staleness bound of two steps.")
    assert "ASYNC-STALENESS" in [t.code for t in update.new]
    assert not update.incidental


def test_new_numbers_recompute_and_the_reply_says_what_changed(board: Whiteboard) -> None:
    before = board.ledger["PIPE-BUBBLE"].finding.computed["pipeline_bubble_fraction"]
    update = board.answer("We will run 8 micro-batches per step.")
    was, now = update.recomputed["PIPE-BUBBLE"]["pipeline_bubble_fraction"]
    assert was == pytest.approx(before) and now == pytest.approx(7 / (8 + 7))
    text = voice.follow_up(update, board)
    assert "where the draft said 4" in text
    assert f"{now:.1%} (was {was:.1%})" in text


def test_the_reply_quotes_the_answer(board: Whiteboard) -> None:
    answer = "Honestly we have not measured it yet. We expect 16 micro-batches to be enough."
    text = voice.follow_up(board.answer(answer), board)
    assert 'You say: "We expect 16 micro-batches to be enough."' in text


def test_prior_work_stays_while_the_mechanism_does(board: Whiteboard) -> None:
    first = [h.name for h in board.review.prior_work]
    update = board.answer("We checked the related work again; the schedule is exactly as described in the draft.")
    assert not update.reranked
    assert [h.name for h in board.review.prior_work] == first
    moved = board.answer("Each stage will apply its gradients asynchronously, with a staleness bound of two steps.")
    assert moved.reranked

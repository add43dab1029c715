"""QNT-COMM: a collective said to finish faster than its bytes can cross the link."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_comm import QntComm

DRAFT = """
# HalveRail: a faster reduce-scatter

## Abstract

At 64-way DP across 64 nodes, our reduce-scatter of the 4.4 GB gradient shard runs in 41 ms versus 178 ms for
the ring, so it hides in the backward tail.

## Setup

Each GPU has one 400 Gb/s NIC.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return [f for f in QntComm().check(Context(claims(text), claims("# Base", "baseline"), kb))]


def test_a_collective_faster_than_the_line_rate_is_flagged(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, DRAFT)
    # 63/64 x 4.4 GB / 50 GB/s = 86.6 ms, against the 41 ms claimed
    assert found.computed["comm_time_s"] == pytest.approx(63 / 64 * 4.4e9 / 50e9, rel=1e-3)


def test_a_collective_within_the_line_rate_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("runs in 41 ms", "runs in 95 ms")) == []


PULL = """
# PullHot: bring popular experts to the tokens

## Design

Each GPU has one 400 Gb/s NIC (50 GB/s).

**Prefetch.** When the attention block starts, a dedicated stream receives the BF16 weights of the predicted hot
experts (262 MB on average). The attention block of one micro-batch takes 1.9 ms in the forward pass, and the
pull is fully hidden behind it.
"""


def test_state_hidden_behind_a_window_too_short_for_it_is_flagged(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, PULL)
    # 262 MB at 50 GB/s is 5.24 ms against a 1.9 ms window
    assert found.computed["comm_time_s"] == pytest.approx(262e6 / 50e9, rel=1e-3)
    assert found.computed["compute_time_s"] == pytest.approx(1.9e-3)


def test_state_that_fits_its_window_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, PULL.replace("262 MB", "62 MB")) == []

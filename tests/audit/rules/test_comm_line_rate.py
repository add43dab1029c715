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

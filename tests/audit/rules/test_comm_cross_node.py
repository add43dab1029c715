"""QNT-COMM for a collective hidden behind compute on one node and claimed for a group that spans nodes."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_comm import QntComm

DRAFT = """
# HideA2A: the dispatch behind the dense FFN

## Design

We run the dispatch all-to-all concurrently with the dense FFN, so the dispatch is hidden. Per GPU the dispatch
sends 16,384 tokens x 4,096 x 2 bytes x 2 copies = 268 MB. The dense FFN on those tokens takes about 1.4 ms.

## Setup

Measured on one node of 8 H100 GPUs. We deploy with expert parallelism 64 over 8 nodes, one 200 Gb/s NIC per
GPU, and expect the same gain there.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntComm().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_all_to_all_leaving_the_node_misses_its_window(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = [f for f in _run(claims, kb, DRAFT) if "off the node" in f.message]
    assert len(found) == 1
    # 56/64 x 268 MB / 25 GB/s = 9.38 ms against 1.4 ms
    assert found[0].computed["comm_time_s"] == pytest.approx(0.875 * 268e6 / 25e9, rel=1e-3)


def test_quiet_when_the_group_stays_in_the_node(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace("expert parallelism 64 over 8 nodes", "expert parallelism 8 in each node")
    assert [f for f in _run(claims, kb, text) if "off the node" in f.message] == []


def test_quiet_when_the_window_is_long_enough(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace("about 1.4 ms", "about 12 ms")
    assert [f for f in _run(claims, kb, text) if "off the node" in f.message] == []

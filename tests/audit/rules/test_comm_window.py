"""QNT-COMM when the draft states the collective's size, ring and window itself."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_comm import QntComm

DRAFT = """
# FarSync: gradient exchange between two campuses

## Setting

Sites are joined by 25 Gb/s links. Each exchange all-reduces a 4 GB FP16 gradient over a ring of 4 replicas,
which fits comfortably within the 1.5 s step.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntComm().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_collective_longer_than_its_stated_window(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, DRAFT)
    assert len(found) == 1
    # 2 x 3/4 x 4e9 B / 3.125e9 B/s = 1.92 s > 1.5 s
    assert found[0].computed["comm_time_s"] == pytest.approx(1.92, rel=1e-3)


def test_quiet_when_it_fits(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("1.5 s step", "2.5 s step")) == []


BIDIRECTIONAL = """
# SlimRing: finer tensor-parallel rings

## Method

Each 8 MB chunk crosses NVLink on an 8x A100-80GB node. NVLink 3 provides 600 GB/s per A100, so a chunk arrives
in about 13 us, well inside the 40 us GEMM beside it.
"""


def test_bidirectional_bandwidth_used_for_one_direction(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, BIDIRECTIONAL)
    assert len(found) == 1
    # one way is 300 GB/s: 8e6 B / 3e11 B/s = 26.7 us, twice the 13 us the draft computes
    assert found[0].computed["comm_time_s"] == pytest.approx(8e6 / 3e11, rel=1e-3)


def test_one_way_bandwidth_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = BIDIRECTIONAL.replace(
        "600 GB/s per A100, so a chunk arrives\nin about 13 us", "300 GB/s one way, so a chunk arrives\nin about 27 us"
    )
    assert _run(claims, kb, text) == []

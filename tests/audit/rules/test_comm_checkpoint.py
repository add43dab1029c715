"""QNT-COMM for a full checkpoint persisted every step to storage of a stated write bandwidth."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_comm import QntComm

DRAFT = """
# PerStep: cheap snapshots for long runs

## Design

We train a 7B model on 32 GPUs with mixed-precision Adam. A snapshot of the full state is persisted at every
iteration. Our NVMe storage writes at 20 GB/s in aggregate. The step time is 2.5 s.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    found = QntComm().check(Context(claims(text), claims("# Base", "baseline"), kb))
    return [f for f in found if "window_s" in f.computed]


def test_write_longer_than_the_step(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, DRAFT)
    assert len(found) == 1
    # 7e9 x 16 B = 112 GB at 20 GB/s = 5.6 s > 2.5 s
    assert found[0].computed["comm_time_s"] == pytest.approx(5.6, rel=1e-3)


def test_quiet_when_checkpoints_are_rare(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("at every\niteration", "every 500 iterations")) == []


def test_quiet_when_the_storage_keeps_up(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("20 GB/s", "60 GB/s")) == []

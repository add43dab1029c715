"""QNT-COMM and COMM-OVERLAP from a time table: overlap hides communication only behind the GEMMs beside it, so the
exposed part is at least the communication minus those GEMMs."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules._common import tables
from tensora.audit.rules.corner.comm_overlap import CommOverlap
from tensora.audit.rules.quant.qnt_comm import QntComm

DRAFT = """
# SliceTP: collectives split with their projections

## Design

Each tensor-parallel collective is split into per-rank slices, and the projection GEMM is split to match, so the
communication is hidden behind the projections.

## Evaluation

One forward layer (ms), per GPU.

| | sync TP | SliceTP |
|---|---|---|
| Projection GEMMs | 1.79 | 1.86 |
| Attention | 2.02 | 2.02 |
| Exposed TP communication | 2.71 | 0.06 |
| **Layer total** | 6.93 | **4.35** |
"""


def _ctx(claims, kb, text):  # type: ignore[no-untyped-def]
    return Context(claims(text), claims("# Base", "baseline"), kb)


def test_the_table_is_read_with_its_labels(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [table] = tables(claims(DRAFT))
    assert table.columns == ["sync TP", "SliceTP"]
    assert [r[0] for r in table.rows] == ["Projection GEMMs", "Attention", "Exposed TP communication", "Layer total"]
    assert table.rows[-1][1] == [6.93, 4.35]


def test_more_hidden_than_the_gemms_allow(claims, kb) -> None:  # type: ignore[no-untyped-def]
    ctx = _ctx(claims, kb, DRAFT)
    [f] = list(QntComm().check(ctx))
    assert f.computed["comm_time_s"] == pytest.approx(2.71e-3)
    assert f.computed["compute_time_s"] == pytest.approx(1.86e-3)
    assert "2.71 - 1.86 = 0.85 ms" in f.message
    [overlap] = list(CommOverlap().check(ctx))
    assert overlap.computed["exposed_comm_s"] == pytest.approx(0.85e-3)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (("| 1.79 | 1.86 |", "| 2.79 | 2.86 |"), "the GEMMs are long enough to hide it"),
        (("| 2.71 | 0.06 |", "| 2.71 | 0.90 |"), "the exposed remainder is reported"),
        (("One forward layer (ms), per GPU.", "One forward layer, per GPU."), "no unit: not a time table"),
    ],
)
def test_quiet(claims, kb, change, why) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace(*change)
    assert list(QntComm().check(_ctx(claims, kb, text))) == [], why

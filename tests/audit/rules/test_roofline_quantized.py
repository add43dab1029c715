"""QNT-ROOFLINE on a weight-only quantized decode kernel timed in a table."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_roofline import QntRoofline

DRAFT = """
# Quad4: a 4-bit decode GEMV

## Abstract

Quad4 stores weights as INT4 with one FP16 scale per 64 weights (group size 64) and runs the 8192 x 8192 GEMV,
batch 1, on an H100 SXM.

## Results

| Kernel | Time (us) |
|---|---|
| FP16 cuBLAS | 45.0 |
| Quad4 kernel | 8.0 |
"""

HONEST = DRAFT.replace("| Quad4 kernel | 8.0 |", "| Quad4 kernel | 14.0 |")


def _findings(claims, kb, text):  # type: ignore[no-untyped-def]
    ctx = Context(claims(text), claims("# Baseline", "baseline"), kb)
    return list(QntRoofline().check(ctx))


def test_claim_beyond_the_bandwidth_bound_fires(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _findings(claims, kb, DRAFT)
    assert len(found) == 1
    # 8192 x 8192 weights at 4.25 bits + 16-bit input and output = 35.68 MB; at 3.35 TB/s that is 10.65 us,
    # so against 45 us the roofline allows 4.22x while the table claims 45 / 8 = 5.6x
    assert found[0].computed["roofline_max_speedup"] == pytest.approx(45.0 / 10.65, rel=0.01)


def test_claim_within_the_bound_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _findings(claims, kb, HONEST) == []

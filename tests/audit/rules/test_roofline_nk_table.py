"""QNT-ROOFLINE: a table of weight shapes N x K with unitless times, M in the caption and the unit in the header."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_roofline import QntRoofline

DRAFT = """
# Morph: shape-range GEMM kernels for decoding

## Results

H100 SXM5 80GB (3.35 TB/s HBM3), BF16 weights and activations, Llama-3-8B projection shapes, M = 4:

| GEMM | N x K | Weight bytes | cuBLAS (us) | Morph (us) | Speedup |
|---|---|---|---|---|---|
| QKV | 6144 x 4096 | 50.3 MB | 19.6 | 9.2 | 2.13x |
| gate + up | 28672 x 4096 | 234.9 MB | 78.4 | 74.6 | 1.05x |
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntRoofline().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_a_row_faster_than_reading_its_weights(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, DRAFT)
    # 6144 x 4096 x 2 B = 50.3 MB at 3.35 TB/s = 15.0 us against cuBLAS's 19.6 us: at most 1.30x
    assert finding.computed["roofline_max_speedup"] == pytest.approx(1.30, abs=0.01)
    assert finding.inputs["M"] == 4 and finding.inputs["N"] == 6144 and finding.inputs["K"] == 4096


def test_quiet_when_every_row_stays_under_its_roof(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("| 19.6 | 9.2 | 2.13x |", "| 19.6 | 16.1 | 1.22x |")) == []

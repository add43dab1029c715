"""QNT-ROOFLINE: a decode table whose tokens per second need more than the stated memory bandwidth."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_roofline import QntRoofline

DRAFT = """
# LUTDec: 2-bit decoding on a laptop

## Evaluation

The laptop's LPDDR5X-8448 memory provides 135 GB/s.

| System | Format | Weights / token | tok/s | vs llama.cpp Q2_K |
|---|---|---|---|---|
| llama.cpp | Q2_K | 2.6 GB | 19.5 | 1.00x |
| LUTDec | LUT2 | 1.9 GB | 82.0 | 4.2x |
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntRoofline().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_a_rate_above_bandwidth_over_bytes(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, DRAFT)
    # 135 GB/s / 1.9 GB = 71 tokens/s at most; against the 19.5 tokens/s reference, 3.64x
    assert finding.computed["decode_roof_tokens_per_s"] == pytest.approx(135 / 1.9)
    assert finding.computed["roofline_max_speedup"] == pytest.approx(135 / 1.9 / 19.5)


def test_quiet_when_the_rate_fits_the_bandwidth(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("| 1.9 GB | 82.0 |", "| 1.9 GB | 62.0 |")) == []

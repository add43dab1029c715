"""MIXED-PRECISION: low-bit activations with one scale per token and no word on outlier channels."""

from __future__ import annotations

from tensora.audit.base import Context
from tensora.audit.rules.corner.mixed_precision import MixedPrecision

DRAFT = """
# LUTDec: lookup tables for 2-bit weights

## Design

The tables of partial sums are quantized to int8. All tables built from the same activation vector share one
fp32 scale per token.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(MixedPrecision().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_one_scale_per_token_for_int8_activations(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, DRAFT)
    assert finding.title == "One scale per row with outlier channels"


def test_quiet_when_outliers_are_handled(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT + "\nOutlier channels are kept in FP16 and multiplied separately.\n"
    assert _run(claims, kb, text) == []

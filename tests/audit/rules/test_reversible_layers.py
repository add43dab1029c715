"""Reversible layers: the inversion re-runs the forward (RECOMPUTE-COST) and amplifies 16-bit rounding
(MIXED-PRECISION)."""

from __future__ import annotations

from tensora.audit.base import Context
from tensora.audit.rules.corner.mixed_precision import MixedPrecision
from tensora.audit.rules.corner.recompute_cost import RecomputeCost

DRAFT = """
# RevLong: long-context training with reversible transformer blocks

## Design

We train a 7B model at 128K tokens with reversible transformer blocks. RevLong stores no per-layer activations
and performs no recomputation: each layer's inputs are rebuilt from its outputs by inversion. BF16 for weights,
activations and both residual streams, FP32 master weights.
"""


def _run(rule, claims, kb, text):  # type: ignore[no-untyped-def]
    return list(rule.check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_inversion_is_counted_as_recomputation(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(RecomputeCost(), claims, kb, DRAFT)
    assert finding.title == "Inversion re-runs the forward"


def test_sixteen_bit_streams_are_raised_and_fp32_streams_are_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(MixedPrecision(), claims, kb, DRAFT)
    assert finding.title == "Inversion error in 16-bit streams"
    text = DRAFT.replace(
        "and both residual streams, FP32 master weights.",
        "FP32 master weights; both residual streams are kept in FP32.",
    )
    assert _run(MixedPrecision(), claims, kb, text) == []

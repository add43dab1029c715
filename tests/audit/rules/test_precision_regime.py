"""MIXED-PRECISION speaks of what the draft does: a served model's formats, or a trained model's policy."""

from tensora.audit.base import Context
from tensora.audit.rules.corner.mixed_precision import MixedPrecision

SERVE = """
# Tiny2: a 2-bit KV cache

## Abstract

Tiny2 serves long-context requests with the KV cache quantized to INT8, so twice as many requests fit at 128K
context during decoding. The attention kernel keeps its accumulators in INT8 instead of FP32 to save registers.
"""


def test_an_inference_draft_gets_no_master_weight_questions(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = list(MixedPrecision().check(Context(claims(SERVE), claims("# Base", "baseline"), kb)))
    assert found, "INT8 accumulators without a precision policy are a concern"
    text = found[0].message + found[0].must_solve
    assert "master" not in text and "loss is scaled" not in text

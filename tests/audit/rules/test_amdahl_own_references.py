"""QNT-AMDAHL: a profile table whose label column says what its value column holds ("Component (share of step
time)"), and two whole-draft claims in one sentence, each against its own reference ("1.19x faster than
delayed scaling (1.59x faster than BF16)"), are read as such: the first is bounded by the profiled row."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_amdahl import QntAmdahl
from tensora.extract.profile import build_profile

DRAFT = """
# StaticCast: FP8 training without amax bookkeeping

## Abstract

StaticCast keeps every FP8 scale constant, so no amax is ever computed. On 64 GPUs training a 7B model,
StaticCast runs 1.19x faster than FP8 training with delayed scaling (1.59x faster than BF16) at the same loss.

## Profile of the baseline

| Component (share of step time, 7B, 64 GPUs) | FP8, delayed scaling |
|---|---|
| FP8 GEMMs | 62.0% |
| Attention | 13.0% |
| Normalisation and casts | 13.5% |
| amax reductions, history and scale updates | 4.5% |
| Optimizer step and exposed communication | 7.0% |
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    c, b = claims(text), claims("# FP8 formats for deep learning", "baseline")
    return list(QntAmdahl().check(Context(c, b, kb, shared={"profile": build_profile(c, b)})))


def test_the_row_the_draft_removes_bounds_the_claim_against_its_own_reference(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, DRAFT)
    assert found.computed["amdahl_max_speedup"] == pytest.approx(1 / (1 - 0.045), rel=1e-3)
    assert found.inputs["claimed_speedup"] == pytest.approx(1.19)
    assert "4.5% of the step" in found.message


def test_quiet_when_the_claim_fits_the_removed_share(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("1.19x faster", "1.04x faster")) == []


def test_without_the_label_column_saying_shares_the_table_names_no_part(claims, kb) -> None:  # type: ignore[no-untyped-def]
    plain = DRAFT.replace("Component (share of step time, 7B, 64 GPUs)", "Component")
    assert _run(claims, kb, plain) == []


OF_WHICH = """
# SparseDecode: unstructured sparse GEMV for decoding

## Abstract

SparseDecode's linear layers run 3.1x faster than cuBLAS, and the model decodes 2.6x faster end to end.

## Motivation

We profiled dense decoding at batch 1: a step takes 42.5 ms, of which the 280 linear layers (q, k, v, o, gate, up,
down in 40 blocks) are 78%, decode attention 9%, and the rest 13%.
"""


def test_a_share_given_after_its_whole_bounds_the_end_to_end_claim(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, OF_WHICH)
    assert found.computed["amdahl_max_speedup"] == pytest.approx(1 / (0.22 + 0.78 / 3.1), rel=1e-3)
    assert found.inputs["claimed_speedup"] == pytest.approx(2.6)
    assert _run(claims, kb, OF_WHICH.replace("2.6x faster end to end", "2.0x faster end to end")) == []


COMPRESSOR = """
# FoldSum: gradients folded into a sketch

## Abstract

FoldSum is a gradient compression scheme: every worker folds its gradient into a count sketch, so one
all-reduce of a small sketch replaces the exchange of the full gradient. On 64 GPUs FoldSum trains 1.9x faster per step.

## Motivation

A step takes 4.75 s. Compute is 2.85 s. 1.9 s per step (40%) is exposed communication.
"""


def test_a_compressor_is_bounded_by_the_exposed_communication_share(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, COMPRESSOR)
    assert found.computed["amdahl_max_speedup"] == pytest.approx(1 / 0.6, rel=1e-3)
    assert _run(claims, kb, COMPRESSOR.replace("1.9x faster", "1.5x faster")) == []


KERNEL = """
# FastExp: exponentials on the FMA pipes

## Abstract

FastExp runs the attention forward kernel 1.38x faster than FlashAttention-3 on H100.

## Motivation

24% of the kernel's cycles are cycles in which both warpgroups are stalled on the MUFU pipe.
"""


def test_a_kernel_claim_above_its_own_stall_share(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, KERNEL)
    assert found.computed["amdahl_max_speedup"] == pytest.approx(1 / 0.76, rel=1e-3)
    assert _run(claims, kb, KERNEL.replace("1.38x faster", "1.25x faster")) == []

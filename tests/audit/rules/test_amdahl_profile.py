"""QNT-AMDAHL read from a profile table: the share of the row the draft changes bounds its end-to-end claim."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_amdahl import QntAmdahl
from tensora.extract.profile import build_profile

DRAFT = """
# LayerPack: packing the optimizer update into one kernel

## Abstract

LayerPack replaces the per-tensor optimizer update with one packed kernel and trains a 7B model 1.5x faster
end to end on 64 H100 GPUs.

## Profile

Where one training step goes, before LayerPack:

| part | share of step |
|---|---|
| matmuls (cuBLAS) | 58% |
| attention | 20% |
| optimizer update | 12% |
| communication | 10% |

Matmuls stay on cuBLAS and attention stays on the library kernel.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    c, b = claims(text), claims("# Base", "baseline")
    return list(QntAmdahl().check(Context(c, b, kb, shared={"profile": build_profile(c, b)})))


def test_claim_above_the_bound_of_the_changed_row(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, DRAFT)
    assert len(found) == 1
    # only the optimizer row (12%) changes: 1 / (1 - 0.12) = 1.136
    assert found[0].computed["amdahl_max_speedup"] == pytest.approx(1 / 0.88, rel=1e-3)


def test_quiet_when_the_claim_fits_the_row(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("1.5x faster", "1.1x faster")) == []


def test_quiet_when_the_claim_is_the_part_own_speedup(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace("trains a 7B model 1.5x faster\nend to end", "makes the optimizer update 3x faster")
    assert _run(claims, kb, text) == []


SELECTION = """
# SkimAttend: reading fewer KV pages per decode step

## Abstract

SkimAttend scores KV pages against the current query and attends only the best ones, while the attention
kernel itself is unchanged. At 64K context SkimAttend decodes 5.0x faster than full attention on one H100.

## Profile

Decode step at 64K context, full attention:

| part | share of step |
|---|---|
| attention | 60% |
| linear layers | 33% |
| other | 7% |
"""


def test_a_kept_kernel_still_bounds_the_part_it_runs(claims, kb) -> None:  # type: ignore[no-untyped-def]
    # attention is kept as a kernel but is the part that gets faster: 1 / (1 - 0.60) = 2.5x < 5.0x
    found = _run(claims, kb, SELECTION)
    assert len(found) == 1
    assert found[0].computed["amdahl_max_speedup"] == pytest.approx(2.5, rel=1e-3)


def test_quiet_when_the_selection_claim_fits(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, SELECTION.replace("5.0x faster", "2.1x faster")) == []


KEPT = """
# GraphStep: one captured graph per decode step

## Abstract

GraphStep captures the whole decode step of a serving engine and cuts its latency by 2.0x on one A100.

## Profile

| part of one decode step | time (ms) | share |
|---|---|---|
| cuBLAS GEMMs | 10.0 | 50.0% |
| attention kernel | 5.0 | 25.0% |
| elementwise operators | 2.5 | 12.5% |
| host gaps between launches | 2.5 | 12.5% |

## Design

The cuBLAS GEMMs and the attention kernel are called unchanged; everything between them is captured and fused.
"""


def test_kept_rows_bound_the_step(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, KEPT)
    assert len(found) == 1
    # GEMMs and attention (75%) are kept: the step cannot fall below them, 1 / (1 - 0.25) = 1.333
    assert found[0].computed["amdahl_max_speedup"] == pytest.approx(1 / 0.75, rel=1e-3)


def test_kept_rows_quiet_when_the_claim_fits(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, KEPT.replace("by 2.0x", "by 1.3x")) == []


HEADLINE_SHARE = """
# WeaveComm: hiding tensor-parallel collectives

## Abstract

In our profile, 20% of every step is spent waiting on exposed tensor-parallel collectives. WeaveComm hides them
behind the GEMMs.

## 1. Introduction

Contributions:
1. A ring decomposition of each all-gather and GEMM.
2. A 1.5x end-to-end speedup on 64 H100 GPUs.

## Profile

| component | time (s) | share |
|---|---|---|
| tensor-parallel GEMMs (sharded) | 11.0 | 55.0% |
| exposed tensor-parallel all-gather / reduce-scatter | 4.0 | 20.0% |
| attention | 3.0 | 15.0% |
| other | 2.0 | 10.0% |
"""


def test_the_share_the_abstract_states_picks_the_row(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, HEADLINE_SHARE)
    assert len(found) == 1
    assert found[0].computed["amdahl_max_speedup"] == pytest.approx(1 / 0.8, rel=1e-3)


BEFORE_AFTER = """
# StripeSync: faster outer steps

## Abstract

StripeSync makes the outer synchronization 3.1x faster and reduces time-to-target-loss by 1.42x.

## Evaluation

| Phase | baseline | StripeSync |
|---|---|---|
| Inner phase | 800 s | 800 s |
| Outer all-reduce | 108 s | 35 s |
| Optimizer and checkpoint | 12 s | 12 s |
| Total | 920 s | 847 s |
"""


def test_a_before_after_table_bounds_the_claim(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, BEFORE_AFTER)
    assert len(found) == 1
    # only the all-reduce row moved: f = 108 / 920, 3.1x faster locally -> 1 / ((1 - f) + f / 3.1) = 1.086
    f = 108 / 920
    assert found[0].computed["amdahl_max_speedup"] == pytest.approx(1 / ((1 - f) + f / 3.1), rel=1e-3)


def test_quiet_when_the_claim_fits_the_table(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, BEFORE_AFTER.replace("by 1.42x", "by 1.08x")) == []


OVERLAP = """
# PairFlow: hiding communication behind the other half's compute

## Abstract

PairFlow splits each micro-batch in two and overlaps communication with computation: while one half is in its
all-to-all, the other half computes. On 32 H100 GPUs it trains an MoE 1.40x faster than the baseline.

## Profile

The baseline step, per part:

| part | ms | share |
|---|---|---|
| attention and projections | 3,900 | 39% |
| expert GEMMs | 3,300 | 33% |
| exposed all-to-all | 2,000 | 20% |
| gradient reduce-scatter and optimizer | 800 | 8% |
| step | 10,000 | 100% |
"""


def test_an_overlap_removes_at_most_the_exposed_communication(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, OVERLAP)
    assert len(found) == 1
    # hiding the whole exposed all-to-all (20%) gives at most 1 / 0.8 = 1.25x, short of 1.40x
    assert found[0].computed["amdahl_max_speedup"] == pytest.approx(1.25, rel=1e-3)


def test_an_overlap_claim_within_the_exposed_share_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, OVERLAP.replace("1.40x faster", "1.20x faster")) == []


def test_a_kernel_rate_ratio_is_not_an_end_to_end_claim(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = """
# FastAttn: FP8 attention for a new GPU

## Abstract

Attention is 49% of prefill time at 32k tokens. At 16k tokens our kernel reaches 735 TFLOPs/s, 1.62x the BF16
library attention, and prefill end to end runs 1.19x faster.
"""
    assert _run(claims, kb, text) == []


def test_an_error_cut_by_a_factor_is_no_speedup(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = """
# FastAttn: FP8 attention for a new GPU

## Abstract

Attention is 49% of prefill time at 32k tokens. Our kernel matches the vendor's FP8 attention while cutting the
output error of per-tensor FP8 by 3.9x.
"""
    assert _run(claims, kb, text) == []


PHASES = """
# KeepFew: prompt KV compression

## Abstract

KeepFew keeps 1/128 of the prompt's KV cache and serves a 128K-token request 2.7x faster end to end.

## Latency

| phase | Full cache | Other (2048) | KeepFew (1024) |
|---|---|---|---|
| prefill | 15.4 s | 15.5 s | 15.5 s |
| decode, per token | 14.6 ms | 7.0 ms | 6.7 ms |
| decode, 512 tokens | 7.48 s | 3.58 s | 3.43 s |
"""


def test_a_phase_table_bounds_an_end_to_end_claim(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, PHASES)
    # decode is 7.48 / 22.88 of the request and gets 7.48 / 3.43 = 2.18x faster: at most 1.215x end to end
    assert found.computed["amdahl_max_speedup"] == pytest.approx(1.215, rel=0.01)


def test_a_claim_the_phase_table_allows_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, PHASES.replace("2.7x faster end to end", "1.2x faster end to end")) == []


STEP_PARTS = """
# StashLess: store activations, do not recompute them

## Abstract

StashLess trains 1.27x faster than the baseline with block recomputation.

## Step time

| | Baseline | StashLess |
|---|---|---|
| forward | 27.0 s | 27.0 s |
| backward | 54.0 s | 54.0 s |
| recompute | 9.0 s | — |
| quantize / dequantize | — | 1.6 s |
| pipeline bubble | 4.9 s | 4.4 s |
| exposed comm + optimizer | 3.1 s | 3.1 s |
| **step (measured)** | **98.0 s** | **77.2 s** |
"""


def test_a_total_below_the_sum_of_its_parts_is_flagged(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, STEP_PARTS)
    # the draft's parts sum to 90.1 s: 98.0 / 90.1 = 1.088x, not 98.0 / 77.2 = 1.27x
    assert found.computed["amdahl_max_speedup"] == pytest.approx(98.0 / 90.1, rel=1e-3)


def test_a_total_that_matches_its_parts_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = STEP_PARTS.replace("**77.2 s**", "**90.1 s**").replace("1.27x faster", "1.09x faster")
    assert _run(claims, kb, text) == []

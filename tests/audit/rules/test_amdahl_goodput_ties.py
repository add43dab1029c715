"""QNT-AMDAHL: a goodput gain is a time-to-train speedup; a memory figure after the ratio does not make it one of
memory; a tie between named rows goes to communication for a draft that moves or shards data."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_amdahl import QntAmdahl
from tensora.extract.profile import build_profile

SHARDING = """
# KeepTail: keeping the last blocks gathered between forward and backward

## Abstract

KeepTail keeps the last FSDP blocks gathered after the forward, so the backward skips their all-gather. On a
34B model on 128 H100 GPUs, KeepTail raises throughput by 1.17x with an average memory increase of 3 GiB per GPU.

## Profile

| Component | Time (s) |
|---|---|
| Forward compute | 2.21 |
| Backward compute | 6.63 |
| Exposed all-gather | 0.52 |
| Exposed reduce-scatter | 0.21 |
| Optimizer step | 0.15 |
| Data loading | 0.08 |
| **Total** | **9.80** |
"""

RESTART = """
# QuickBack: restarting from hot spares

## Abstract

QuickBack restarts a failed job on hot spare nodes. It cuts the median restart from 14.5 to 2.1 minutes and
raises training goodput from 84.3% to 96.8% on our trace.

## Where time goes

In our 30-day production trace, restarts consume 7.5% of all wall-clock time.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    c, b = claims(text), claims("# Base", "baseline")
    return list(QntAmdahl().check(Context(c, b, kb, shared={"profile": build_profile(c, b)})))


def test_the_exposed_gather_row_bounds_a_sharding_change(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, SHARDING)
    assert found.computed["amdahl_max_speedup"] == pytest.approx(9.80 / (9.80 - 0.52), rel=1e-3)


def test_quiet_when_the_sharding_claim_fits(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, SHARDING.replace("1.17x", "1.04x")) == []


def test_a_goodput_gain_is_bounded_by_the_restart_share(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, RESTART)
    assert found.computed["amdahl_max_speedup"] == pytest.approx(1 / (1 - 0.075), rel=1e-3)
    assert found.inputs["claimed_speedup"] == pytest.approx(96.8 / 84.3, rel=1e-3)


def test_quiet_when_the_goodput_gain_fits_the_share(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, RESTART.replace("96.8%", "89.0%")) == []


RATE_OF = """
# SpreadRing: lending query blocks between ring ranks

## Abstract

SpreadRing keeps contiguous shards and lends query blocks. On 32 H100 GPUs it delivers 2.3x the training
throughput of ring attention.

## Profile

| Component | Time (s) | Share |
|---|---|---|
| Attention fwd+bwd | 6.90 | 84.1% |
| Linear layers | 0.85 | 10.4% |
| Norms and loss | 0.25 | 3.0% |
| Optimizer | 0.20 | 2.5% |

At 128K the attention speedup over contiguous shards is 1.79x.

## Communication

Nsight shows exposed P2P time of 0.6% of the step for SpreadRing against 0.5% for the zigzag ring.
"""


def test_a_rate_of_a_named_system_is_an_end_to_end_claim(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, RATE_OF)
    # attention is 84.1% of the step and gets 1.79x faster: 1 / (0.159 + 0.841 / 1.79) = 1.59
    assert found.computed["amdahl_max_speedup"] == pytest.approx(1 / (0.159 + 0.841 / 1.79), rel=1e-2)


MEASURED = """
# ProbeFP8: choosing FP8 layers by a probe

## Abstract

H100 tensor cores run FP8 at twice the BF16 rate. On 64 H100s, ProbeFP8 is 1.34x faster than BF16 Megatron-LM.

## Profile

| Component | Share |
|---|---|
| Linear-layer GEMMs | 62.0% |
| Attention | 15.0% |
| Norms, activations | 13.0% |
| Optimizer | 10.0% |

For our GEMM shapes the FP8 kernel is 1.58x faster than the BF16 kernel.
"""


def test_a_measured_local_speedup_beats_the_hardware_ratio(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, MEASURED)
    # GEMMs are 62% and get 1.58x (measured), not 2x (the tensor cores' rate): 1 / (0.38 + 0.62 / 1.58) = 1.295
    assert found.computed["amdahl_max_speedup"] == pytest.approx(1 / (0.38 + 0.62 / 1.58), rel=1e-2)

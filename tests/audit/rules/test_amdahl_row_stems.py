"""QNT-AMDAHL: a profile row named by another form of the word ("Sampling" for a draft about a sampler)."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_amdahl import QntAmdahl

DRAFT = """
# Sieve: a fused sampler kernel

## Abstract

Sieve replaces the sort-based sampler with one fused kernel, runs the sampler 7.9x faster, and raises end-to-end
decoding throughput by 1.27x.

## Profile

| Part | ms | share |
|---|---|---|
| GEMMs | 7.05 | 39.6% |
| Attention | 8.40 | 47.2% |
| Sampling | 1.12 | 6.3% |
| Norms and residual | 0.61 | 3.4% |
| Launch gaps and host work | 0.62 | 3.5% |
| **Total** | **17.80** | 100% |
"""


def test_the_sampling_row_bounds_a_faster_sampler(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = list(QntAmdahl().check(Context(claims(DRAFT), claims("# Base", "baseline"), kb)))
    # 1 / ((1 - 0.063) + 0.063 / 7.9) = 1.058, below the claimed 1.27x
    assert finding.computed["amdahl_max_speedup"] == pytest.approx(1 / (0.937 + 0.063 / 7.9), rel=1e-3)

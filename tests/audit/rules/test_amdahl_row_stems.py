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


def test_a_ptx_kernel_for_a_gain_the_profile_caps_at_six_percent(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.rules.complexity.cplx_gain import CplxGain

    text = (
        DRAFT
        + "\n## Design\n\nThe kernel is about 2,100 lines of CUDA C++ with inline PTX, hand-scheduled for sm_90a.\n"
    )
    [finding] = list(CplxGain().check(Context(claims(text), claims("# Base", "baseline"), kb)))
    assert finding.computed["end_to_end_gain"] == pytest.approx(1 / (0.937 + 0.063 / 7.9) - 1, rel=1e-3)


def test_a_long_wrapper_is_not_low_level_code(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.rules.complexity.cplx_gain import CplxGain

    text = DRAFT + "\n## Design\n\nAn open-source wrapper of about 600 lines around the sampler; no custom kernels.\n"
    assert list(CplxGain().check(Context(claims(text), claims("# Base", "baseline"), kb))) == []

"""QNT-AMDAHL: an unscoped speedup stated in the same sentence as the end-to-end claim is the changed part's own
speedup ("2.5x faster than NCCL ... raises end-to-end throughput by 1.41x"), and the bound uses it."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_amdahl import QntAmdahl
from tensora.extract.profile import build_profile

DRAFT = """
# PeerSum: one-shot all-reduce over peer memory

## Abstract

PeerSum replaces NCCL's ring for small tensor-parallel all-reduces in decoding. PeerSum takes 5.6 µs at 128 KiB
(2.5x faster than NCCL) and raises end-to-end decode throughput by 1.41x (780 to 1100 tokens/s).

## Profile

| Component | Time (ms) |
|---|---|
| GEMMs | 6.10 |
| Attention | 1.88 |
| All-reduce | 2.27 |
| **Total** | **10.25** |
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    c, b = claims(text), claims("# Base", "baseline")
    return list(QntAmdahl().check(Context(c, b, kb, shared={"profile": build_profile(c, b)})))


def test_the_bound_uses_the_speedup_stated_beside_the_claim(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, DRAFT)
    f = 2.27 / 10.25
    assert found.computed["amdahl_max_speedup"] == pytest.approx(1 / ((1 - f) + f / 2.5), rel=1e-3)
    assert found.inputs["claimed_speedup"] == pytest.approx(1.41)
    assert "local speedup of 2.5x" in found.message


def test_quiet_when_the_end_to_end_claim_fits_that_bound(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("1.41x (780 to 1100", "1.12x (780 to 875")) == []

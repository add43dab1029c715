"""QNT-AMDAHL: a throughput claim is an end-to-end claim, even when its sentence shares a word with the profiled
part ("with 500 adapters ... raises throughput" against "stalls waiting for adapter copies")."""

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_amdahl import QntAmdahl
from tensora.extract.profile import build_profile

DRAFT = """
# Cohort: grouping LoRA tenants

## Abstract

On Llama-3-8B with 500 adapters on one H100, Cohort raises throughput by 1.45x over S-LoRA at the same maximum
batch size, by serving one group of adapters per iteration from a static pool.

## Profile of S-LoRA

| Component | Share |
|---|---|
| Base-model GEMMs | 58% |
| Attention | 22% |
| LoRA kernels | 9.5% |
| Stalls waiting for adapter copies | 3.5% |
| Sampling, scheduling, other | 7% |

Cohort removes the stalls waiting for adapter copies.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    c, b = claims(text), claims("# Base", "baseline")
    return list(QntAmdahl().check(Context(c, b, kb, shared={"profile": build_profile(c, b)})))


def test_a_throughput_claim_is_bounded_by_the_profiled_part(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, DRAFT)
    assert found.inputs["claimed_speedup"] == 1.45
    assert found.computed["amdahl_max_speedup"] < 1.45

"""Rules stay quiet on what the draft describes of other work or of a serving system's copies, and fire on the
draft's own design."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tensora.audit.base import Context, Rule
from tensora.audit.rules.corner.async_staleness import AsyncStaleness
from tensora.audit.rules.corner.sparsity_collapse import SparsityCollapse

STALE_OWN = """
# LagSGD: training across data centres

## Design

We train a 7B model with data parallelism across two sites. Workers apply gradients computed on weights up to
four steps old, with asynchronous updates and no outer barrier, so stale updates are applied every step.
"""

STALE_OTHERS = """
# StripeSync: faster outer steps for local SGD

## Design

We train a 7B model with synchronous local SGD across two sites and stripe each outer all-reduce over three WAN
paths.

## Related work

Asynchronous local-SGD variants remove the outer barrier, at the price of staleness: stale updates are applied.
"""

SERVING_COPY = """
# Demote: host memory for a prefix cache

## Design

We serve Llama-3-8B. Eviction copies KV pages to the host asynchronously in the background while decoding
continues, and a page is read from the host while newer pages are still being updated.
"""

PRUNE = """
# Sparse40: pruning for pre-training

## Design

We apply 2:4 structured sparsity to the MLP weights and train all weights with Adam for 10,000 steps.
"""

BLOCK_SPARSE_MOE = """
# GatherGEMM: dropless MoE without a permutation

## Introduction

MegaBlocks made dropless MoE practical by casting expert computation as block-sparse matrix products.

## Design

GatherGEMM trains a 47B MoE with Adam; each expert GEMM gathers its tokens in the prologue, so no permuted copy
of the activations is written.
"""

CASES: list[tuple[str, type[Rule], str, bool]] = [
    ("stale-own", AsyncStaleness, STALE_OWN, True),
    ("stale-in-related-work", AsyncStaleness, STALE_OTHERS, False),
    ("serving-background-copy", AsyncStaleness, SERVING_COPY, False),
    ("pruned-weights", SparsityCollapse, PRUNE, True),
    ("block-sparse-moe-formulation", SparsityCollapse, BLOCK_SPARSE_MOE, False),
]


@pytest.mark.parametrize(("rule", "text", "fires"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(claims: Callable[..., object], kb: object, rule: type[Rule], text: str, fires: bool) -> None:
    ctx = Context(claims(text), claims("# Base", "baseline"), kb)  # type: ignore[arg-type]
    assert bool(list(rule().check(ctx))) is fires


def test_a_named_system_in_the_past_tense_is_described(claims: Callable[..., object]) -> None:
    c = claims(BLOCK_SPARSE_MOE)
    use = c.techniques.get("block-sparsity")  # type: ignore[attr-defined]
    assert use is None or not use.used


FAR = """
# RailStripe: all-to-all over rails

## Evaluation

We measure on 2 nodes (16 GPUs) with two H100 nodes. With an alpha-beta model fitted on the testbed we project a
3.4x faster all-to-all on 1,024 GPUs.
"""


@pytest.mark.parametrize(("text", "fires"), [(FAR, True), (FAR.replace("1,024 GPUs", "32 GPUs"), False)])
def test_a_claim_projected_far_beyond_the_measurements(
    claims: Callable[..., object], kb: object, text: str, fires: bool
) -> None:
    from tensora.audit.rules.evidence.evid_toy_scale import EvidToyScale

    ctx = Context(claims(text), claims("# Base", "baseline"), kb)  # type: ignore[arg-type]
    found = list(EvidToyScale().check(ctx))
    assert bool(found) is fires
    if fires:
        assert found[0].computed["claimed_gpus"] == 1024 and found[0].computed["measured_gpus"] == 16


TIME_AVERAGED = """
# LongChunk: 256K tokens on one node

## Evaluation

At 128K the measured peak (torch.cuda.max_memory_allocated) is 61.8 GiB. At 256K the checkpoints grow during the
forward and shrink during the backward; averaged over the step they occupy 32 GiB, and the time-averaged total is
65.7 GiB, leaving headroom on an 80 GB H100.
"""


@pytest.mark.parametrize(
    ("text", "fires"),
    [(TIME_AVERAGED, True), (TIME_AVERAGED.split("At 256K")[0], False)],
)
def test_a_time_averaged_total_is_no_peak(claims: Callable[..., object], kb: object, text: str, fires: bool) -> None:
    from tensora.audit.rules.corner.peak_memory import PeakMemory

    ctx = Context(claims(text), claims("# Base", "baseline"), kb)  # type: ignore[arg-type]
    assert bool(list(PeakMemory().check(ctx))) is fires


MOTIVATION_EXAMPLE = """
# RailHop: all-to-all over rails

## Motivation

At 256 GPUs each pair exchanges small messages.

## Evaluation

We measure on 2 nodes (16 GPUs). Projection to 128 nodes: an alpha-beta model fitted on the testbed predicts a
1.4x end-to-end speedup at 1,024 GPUs.
"""


def test_a_gpu_count_in_the_motivation_is_no_measurement(claims: Callable[..., object], kb: object) -> None:
    from tensora.audit.rules.evidence.evid_toy_scale import EvidToyScale

    ctx = Context(claims(MOTIVATION_EXAMPLE), claims("# Base", "baseline"), kb)  # type: ignore[arg-type]
    [finding] = EvidToyScale().check(ctx)
    assert finding.computed["measured_gpus"] == 16


PEAK_DENOMINATOR = """
# Stash: context parallelism without the ring

## Evaluation

We train on H100 SXM GPUs in BF16 and reach 412 TFLOP/s per GPU. MFU counts 6 x parameters plus causal attention
FLOPs per token over 989 TFLOP/s.
"""


@pytest.mark.parametrize(
    ("text", "fires"),
    [(PEAK_DENOMINATOR, False), (PEAK_DENOMINATOR.replace("412 TFLOP/s per GPU", "900 TFLOP/s per GPU"), True)],
)
def test_the_peak_an_mfu_divides_by_is_no_claim(
    claims: Callable[..., object], kb: object, text: str, fires: bool
) -> None:
    from tensora.audit.rules.quant.qnt_peak import QntPeak

    ctx = Context(claims(text), claims("# Base", "baseline"), kb)  # type: ignore[arg-type]
    assert bool(list(QntPeak().check(ctx))) is fires

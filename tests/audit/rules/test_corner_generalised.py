"""Corner and evidence rules on short drafts of their own: the mechanism present and the concern open (fires),
the concern answered or the technique named only in passing (silent)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tensora.audit.base import Context, Rule
from tensora.audit.rules.corner.async_staleness import AsyncStaleness
from tensora.audit.rules.corner.comm_overlap import CommOverlap
from tensora.audit.rules.corner.fault_tolerance import FaultTolerance
from tensora.audit.rules.corner.mixed_precision import MixedPrecision
from tensora.audit.rules.corner.moe_imbalance import MoeImbalance
from tensora.audit.rules.corner.peak_memory import PeakMemory
from tensora.audit.rules.corner.pipe_divisibility import PipeDivisibility
from tensora.audit.rules.corner.recompute_cost import RecomputeCost
from tensora.audit.rules.corner.zero_prefetch_race import ZeroPrefetchRace
from tensora.audit.rules.evidence.evid_curves import EvidCurves
from tensora.audit.rules.evidence.evid_toy_scale import EvidToyScale
from tensora.audit.rules.evidence.evid_weak_baseline import EvidWeakBaseline

MOE_OFFLOAD_SERVING = """
# HearthServe: experts on the CPU

## Design

HearthServe serves a mixture-of-experts model at batch 1 on one workstation GPU: routing is unchanged, the top-2
experts of a token run on the GPU when resident and on the CPU otherwise, so no expert weights cross PCIe.
"""

MOE_FIRES = """
# SpreadMoE: more GPUs for busy experts

## Abstract

SpreadMoE trains a mixture-of-experts model with 32 experts and top-2 routing using expert parallelism on 32 GPUs.
We remove the capacity factor and lower the auxiliary balancing loss tenfold, since copies of busy experts absorb
the skew. Memory per GPU stays at 58 GB on average.

## Evaluation

After copying, the max-to-mean token ratio across GPUs falls to 1.2 on average over the run.

## Related work

Expert Choice lets experts pick their tokens, which bounds their load.
"""

MOE_SILENT = MOE_FIRES.replace(
    "After copying, the max-to-mean token ratio across GPUs falls to 1.2 on average over the run.",
    "We cap the tokens per expert at twice the mean and log the maximum load of every expert at every step.",
)

STALE_SILENT = """
# HostStep: exact optimizer offload

## Abstract

HostStep runs the Adam step on the CPU for a model trained with ZeRO-3 on 8 GPUs. Unlike the delayed parameter
update of earlier offloading systems, which applies one-step-stale weights, we keep the update synchronous and
exact. The framework's parameter prefetching, whose bucket sizes and all-gather order we leave at their
defaults, hides the gathers.
"""

TORN_FIRES = """
# SnapAll: a checkpoint at every step

## Abstract

SnapAll takes barrier-free snapshots concurrent with the optimizer step of a data-parallel training job: the
optimizer updates the master weights in place while the copy stream reads them. A snapshot may therefore contain
some tensors from before and some from after the update.
"""

TORN_SILENT = TORN_FIRES.replace(
    "A snapshot may therefore",
    "Master weights are double-buffered, so the copy reads a frozen version; without that a snapshot could",
)

SERVE_RECOMPUTE = """
# QuickSwap: preemptive serving

## Abstract

QuickSwap swaps the KV cache of a preempted request to host memory. Unlike the default preemption of the
serving engine, which discards the KV cache and recomputes the prompt on resume, we never recompute.
"""

MLP_RECOMPUTE = """
# KeepPlan: what to store in a layer

## Abstract

KeepPlan picks which tensors of a transformer layer to store during training and which to recompute, using
profiled operator times, against the selective recomputation baseline. The plan recomputes the MLP gate and up
projections in the backward, which halves activation memory.

## Cost

Counting only the time added to the step, recomputation costs 3% of the step.
"""

MLP_ACCOUNTED = MLP_RECOMPUTE.replace(
    "Counting only the time added to the step, recomputation costs 3% of the step.",
    "Recomputing the two projections adds 17% more FLOPs per step, which we count as HFU beside MFU.",
)

SETUP_RECOMPUTE = """
# PowerPlan: energy-aware stage frequencies

## Abstract

PowerPlan lowers the GPU frequency of pipeline stages off the critical path during training, saving energy at
equal iteration time on 64 A100 GPUs.

## Implementation

Activation recomputation is enabled for every run, ours and the baseline's, so that the largest model fits.
"""

OVERLAP_IN_PASSING = """
# ReTemplate: recovery from precomputed pipeline templates

## Abstract

ReTemplate rebuilds pipelines from precomputed templates when a node fails, so training resumes in seconds.

## Implementation

We overlap communication with computation to offset increased communication latency, as in [23].
"""

MOE_ONLY_PLANNED = """
# RingTP: tensor-parallel collectives as rings inside the GEMMs

## Abstract

RingTP splits each tensor-parallel all-gather into ring steps fused with the GEMM that consumes them.

## Next steps

Applying the same ring to the expert-parallel all-to-all of a mixture-of-experts model with 64 experts.
"""

ADMISSION_FIRES = """
# FitFirst: admission by predicted length

## Design

We admit a request when the sum of the predicted lengths of running requests fits in the KV pool of 40 GB.
Because each reservation uses the predicted mean length, the pool is never over-committed in expectation.
"""

ADMISSION_SILENT = ADMISSION_FIRES + (
    "\nThe worst-case footprint is bounded at 40 GB because each request reserves its maximum length.\n"
)

GRADIENT_AVERAGE = """
# PairTrain: pipelines on two clusters

## Design

Two pipeline-parallel replicas train with data parallelism; after the backward, matching stages all-reduce
their gradients over 200 Gb/s InfiniBand, average them, and step the optimizer. The global batch is 256.
"""

SHARE_FIRES = """
# MixFleet: one job on two GPU generations

## Design

Each GPU generation forms its own data-parallel replica; the faster replica processes 71% of each global batch
of 512 sequences and the slower one 29%. Each replica runs 1F1B with micro-batch size 2,
and gradients are averaged across replicas with one all-reduce.
"""

SHARE_SILENT = SHARE_FIRES.replace(
    "and gradients are averaged across replicas with one all-reduce.",
    "and each replica's gradient is weighted by its number of samples before the all-reduce.",
)

PROJECTED_SCALE = """
# TwoLevel: a context-parallel attention for many nodes

## Abstract

TwoLevel runs an all-to-all over heads inside a node and a ring across nodes for context parallelism.

## Evaluation

All runs use one DGX H100 node (8 GPUs, NVLink). With our model, 1M tokens on 4 nodes (32 GPUs) run at 52%
MFU and 4M tokens on 256 GPUs at 49%.
"""

MEASURED_SCALE = PROJECTED_SCALE.replace(
    "All runs use one DGX H100 node (8 GPUs, NVLink). With our model,",
    "We measured on 32 nodes (256 GPUs) over InfiniBand:",
)

NOT_OVERLAP = """
# CapRun: a static power limit for training

## Abstract

CapRun sets one GPU power limit for a data-parallel job on 8 GPUs.
Unlike approaches that overlap communication with computation, we do not change the schedule at all.
"""

OVERLAP_CLAIMED = NOT_OVERLAP.replace(
    "Unlike approaches that overlap communication with computation, we do not change the schedule at all.",
    "The gradient all-reduce is fully hidden behind the backward pass.",
)

FINAL_NUMBER = """
# SaveAll: checkpoints without a stall

## Abstract

SaveAll writes a checkpoint at every iteration while training a 13B model with data parallelism. The final
validation loss after 12,000 steps was 2.481, versus 2.479 for a run without failures, so the snapshots have no
measurable effect on accuracy.
"""

CURVES_SHOWN = FINAL_NUMBER + "\nWe plot validation loss against wall-clock time for both runs over five seeds.\n"

FORCED = """
# TreeRail: a rail-aware all-reduce

## Evaluation

| algorithm | time (ms) |
|---|---|
| NCCL, NCCL_ALGO=Ring | 13.2 |
| TreeRail | 2.1 |

We forced the ring algorithm in NCCL to get a stable reference point.
"""

OFF_ROW = """
# PageTune: tuning a prefix cache

## Evaluation

| Configuration | Throughput (req/s) |
|---|---|
| Engine, prefix cache off* | 5.1 |
| Engine, default prefix cache | 7.9 |
| PageTune | 9.7 |

*We report throughput gains relative to this row, which isolates the effect of reuse: 9.7 / 5.1 = 1.9x.
"""

DEFAULT_REFERENCE = """
# TreeRail: a rail-aware all-reduce

## Evaluation

We compare against NCCL with its default algorithm selection and against the vendor's tuned collectives.
"""

LOSSY = """
# LooseReduce: an all-reduce over a lossy transport

## Design

LooseReduce runs the gradient all-reduce of a data-parallel job on 256 GPUs over UDP. We remove retransmission
from the transport, since gradient descent tolerates noise.
"""

LOSSY_REPAIRED = LOSSY + "\nReceivers detect missing chunks by sequence number and re-request them once.\n"

RELIABLE = """
# KeepReduce: an all-reduce on a reliable transport

## Design

Unlike UDP-based designs that drop retransmission, we keep the reliable transport of the NIC for the all-reduce.
"""

FOLD_IN_PLACE = """
# HotMerge: folding the busiest adapter into the base weights

## Design

HotMerge folds the dominant LoRA adapter into the BF16 base weights in place while it dominates, and unfolds it
when its share falls: one fused kernel applies W <- W + Delta (fold) or W <- W - Delta (unfold).
"""

FOLD_WITH_COPY = FOLD_IN_PLACE + "\nWe keep a pristine copy of the base weights in host memory and restore from it.\n"

UNCHANGED_RECOMPUTE = """
# QuickBack: restarting from hot spares

## Design

QuickBack restarts a failed training job on hot spare nodes from the page cache. Training itself is unchanged:
FSDP with hybrid sharding, BF16, full activation checkpointing on every layer.
"""

DESIGN_RECOMPUTE = """
# DeepKeep: deeper models on the same GPUs

## Design

DeepKeep trains a 70B model on 64 GPUs by recomputing every layer in the backward with full activation
checkpointing, which frees the memory for a larger micro-batch.
"""

MEASURED_RECOMPUTE = DESIGN_RECOMPUTE + (
    "\nThe step time below includes the recomputed forward of every layer.\n"
)

CASES = [
    ("recovery-removed", FaultTolerance, LOSSY, True),
    ("recovery-replaced", FaultTolerance, LOSSY_REPAIRED, False),
    ("recovery-kept", FaultTolerance, RELIABLE, False),
    ("moe-run-average-max", MoeImbalance, MOE_FIRES, True),
    ("moe-bounded", MoeImbalance, MOE_SILENT, False),
    ("staleness-contrasted", AsyncStaleness, STALE_SILENT, False),
    ("prefetch-defaults", ZeroPrefetchRace, STALE_SILENT, False),
    ("torn-snapshot", AsyncStaleness, TORN_FIRES, True),
    ("double-buffered", AsyncStaleness, TORN_SILENT, False),
    ("serving-recompute", RecomputeCost, SERVE_RECOMPUTE, False),
    ("mlp-recompute-time-only", RecomputeCost, MLP_RECOMPUTE, True),
    ("mlp-recompute-accounted", RecomputeCost, MLP_ACCOUNTED, False),
    ("recompute-only-in-setup", RecomputeCost, SETUP_RECOMPUTE, False),
    ("recompute-in-the-unchanged-setup", RecomputeCost, UNCHANGED_RECOMPUTE, False),
    ("recompute-in-the-measured-time", RecomputeCost, MEASURED_RECOMPUTE, False),
    ("recompute-in-the-design", RecomputeCost, DESIGN_RECOMPUTE, True),
    ("fold-in-place-bf16", MixedPrecision, FOLD_IN_PLACE, True),
    ("fold-with-pristine-copy", MixedPrecision, FOLD_WITH_COPY, False),
    ("overlap-in-an-implementation-note", CommOverlap, OVERLAP_IN_PASSING, False),
    ("moe-only-in-the-plans", MoeImbalance, MOE_ONLY_PLANNED, False),
    ("moe-offloaded-serving", MoeImbalance, MOE_OFFLOAD_SERVING, False),
    (
        "overlap-in-the-design",
        CommOverlap,
        OVERLAP_IN_PASSING.replace("## Implementation", "## Design"),
        True,
    ),
    ("admission-expectation", PeakMemory, ADMISSION_FIRES, True),
    ("admission-bounded", PeakMemory, ADMISSION_SILENT, False),
    ("gradient-average", PeakMemory, GRADIENT_AVERAGE, False),
    ("share-split", PipeDivisibility, SHARE_FIRES, True),
    ("share-weighted", PipeDivisibility, SHARE_SILENT, False),
    ("projected-scale", EvidToyScale, PROJECTED_SCALE, True),
    ("measured-scale", EvidToyScale, MEASURED_SCALE, False),
    ("overlap-contrasted", CommOverlap, NOT_OVERLAP, False),
    ("overlap-claimed", CommOverlap, OVERLAP_CLAIMED, True),
    ("final-number", EvidCurves, FINAL_NUMBER, True),
    ("curves-shown", EvidCurves, CURVES_SHOWN, False),
    ("algorithm-forced", EvidWeakBaseline, FORCED, True),
    ("feature-off-row", EvidWeakBaseline, OFF_ROW, True),
    ("default-reference", EvidWeakBaseline, DEFAULT_REFERENCE, False),
]


@pytest.mark.parametrize(("rule", "text", "fires"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_on_own_draft(claims: Callable[..., object], kb: object, rule: type[Rule], text: str, fires: bool) -> None:
    ctx = Context(claims(text), claims("# Base", "baseline"), kb)  # type: ignore[arg-type]
    found = list(rule().check(ctx))
    assert bool(found) is fires, [f.message for f in found]


def test_share_split_counts_micro_batches(claims: Callable[..., object], kb: object) -> None:
    ctx = Context(claims(SHARE_FIRES), claims("# Base", "baseline"), kb)  # type: ignore[arg-type]
    (finding,) = PipeDivisibility().check(ctx)
    # 71% of 512 = 363.52 sequences = 181.76 micro-batches of 2
    assert finding.computed["microbatches_per_worker"] == pytest.approx(0.71 * 512 / 2)


BUBBLE_BELOW_FLOOR = """
# DeepWarm: a deeper warm-up for pipelines

## Abstract

DeepWarm raises the warm-up depth of 1F1B. With 8 pipeline stages and 16 micro-batches per step, DeepWarm cuts
the pipeline bubble from 30.4% to 11.2% on 256 GPUs.
"""


def test_a_bubble_claimed_below_the_flush_floor_is_flagged(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.rules.corner.pipe_bubble import PipeBubble

    found = list(PipeBubble().check(Context(claims(BUBBLE_BELOW_FLOOR), claims("# Base", "baseline"), kb)))
    assert [round(f.computed["pipeline_bubble_fraction"], 3) for f in found] == [0.304]
    quiet = BUBBLE_BELOW_FLOOR.replace("from 30.4% to 11.2%", "from 30.4% to 29.8%")
    assert list(PipeBubble().check(Context(claims(quiet), claims("# Base", "baseline"), kb))) == []


SERVED_PARITY = """
# SteerServe: routing biases adjusted while serving

## Abstract

SteerServe serves DeepSeek-V3 with expert parallelism and adjusts each expert's routing bias online, as the
model was trained to tolerate, and keeps accuracy unchanged: MMLU stays at 88.5.
"""


def test_parity_of_a_serving_draft_asks_for_outputs_not_loss_curves(claims, kb) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(claims(SERVED_PARITY), claims("# Base", "baseline"), kb)
    (finding,) = EvidCurves().check(ctx)
    assert "sampling seeds" in finding.must_solve and "loss" not in finding.message


LAGGED = """
# Satellites: idle GPUs add gradients to a training job

## Design

Loaned GPUs compute gradients on a snapshot of the weights and send them to the core job, which adds them to its
synchronous gradient before the optimizer step. A satellite gradient can reach the core several steps after the
snapshot it was computed on. Over our testbed runs the median lag is 14 core steps and the 99th percentile 61.
We train a 8B model with AdamW.
"""


def test_gradients_measured_as_arriving_late_are_stale_updates(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.base import Context
    from tensora.audit.rules.corner.async_staleness import AsyncStaleness

    [f] = list(AsyncStaleness().check(Context(claims(LAGGED), claims("# Base", "baseline"), kb)))
    assert "nothing bounds, discounts or rejects" in f.message
    assert "Nodes that apply different gradient sets" not in f.message  # one job folds the late gradients in
    assert "median lag is 14 core steps" in " ".join(q.text for q in f.evidence)

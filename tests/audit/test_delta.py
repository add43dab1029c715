"""The delta audit on paraphrased drafts: config, structural, orthogonal."""

import pytest

from tensora.audit.delta import classify

BASELINE = """
# Sequence-parallel transformer training

## Abstract

Tensor parallelism splits every GEMM of a layer over t GPUs. We add sequence parallelism to the LayerNorm and
dropout regions, which turns each all-reduce into a reduce-scatter and an all-gather of the same volume, and we
overlap those collectives with the GEMMs in ring steps.
"""

CONFIG = """
# GranularSP: picking the right ring granularity

## Abstract

We show that the chunk size of the sequence-parallel ring is a first-order knob. Sweeping the chunk size per
model and choosing the fastest value gives a better overlap of the all-gather with the GEMM.

## Contributions

- A sweep of chunk sizes for sequence parallelism, and the observation that the best chunk size depends on the
  sequence length.
"""

STRUCTURAL = """
# AsyncSP: asynchronous sequence-parallel reduction

## Abstract

We replace the blocking reduce-scatter of sequence parallelism with an asynchronous reduction that lets the next
layer start before the scatter completes, and we remove the all-gather entirely by recomputing the gathered
activations from a compressed copy.
"""

ORTHOGONAL = """
# SnapTrain: in-memory checkpoints for sequence-parallel jobs

## Abstract

Failures at scale waste hours. SnapTrain takes in-memory checkpointing snapshots of every rank's state after
each optimizer step and restores a failed node from a peer's host memory; asynchronous checkpointing hides the
copy. The training itself, tensor and sequence parallelism included, is unchanged.
"""


def test_config_change(claims) -> None:  # type: ignore[no-untyped-def]
    delta, _ = classify(claims(CONFIG), claims(BASELINE, "baseline"))
    assert delta.cls == "config"
    assert delta.evidence


def test_structural_change(claims) -> None:  # type: ignore[no-untyped-def]
    delta, _ = classify(claims(STRUCTURAL), claims(BASELINE, "baseline"))
    assert delta.cls == "structural"


def test_orthogonal_contribution(claims) -> None:  # type: ignore[no-untyped-def]
    delta, features = classify(claims(ORTHOGONAL), claims(BASELINE, "baseline"))
    assert delta.cls == "orthogonal", features
    assert "fault tolerance" in delta.rationale


@pytest.mark.parametrize(
    ("outcome", "mechanism"),
    [
        # a cost removed is an outcome; a barrier removed is a mechanism
        (
            "The GPUs idle while the host runs Adam. Lag removes this idle time.",
            "Lag removes the barrier between the optimizer and the forward.",
        ),
        # an outcome avoided ("instead of drifting") replaces nothing
        (
            "We keep zero as a code, so zero states stay zero instead of drifting.",
            "We keep the states in a ring buffer instead of a dense table.",
        ),
    ],
)
def test_an_outcome_is_no_structural_evidence(claims, outcome: str, mechanism: str) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.delta import features

    base = claims(BASELINE, "baseline")
    assert features(claims(f"# Lag\n\n## Abstract\n\n{outcome}"), base).structural_score == 0.0
    assert features(claims(f"# Lag\n\n## Abstract\n\n{mechanism}"), base).structural_score > 0.0


def test_a_draft_on_the_input_pipeline_is_orthogonal_to_a_parallelism_baseline(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.extract.profile import build_profile

    base = claims(
        "# VidPar\n\n## Abstract\n\nVidPar trains video models with hybrid sharded data parallelism and sequence "
        "parallelism over long clips.",
        "baseline",
    )
    draft = claims(
        "# Reel\n\n## Abstract\n\nReel moves video decoding onto the GPUs' hardware video decoders (NVDEC) so the "
        "data loader stops starving them. The model, its data parallelism and sequence parallelism are VidPar's, "
        "untouched. GPU video decoding with NVDEC cuts the data stall."
    )
    delta, _ = classify(draft, base, build_profile(draft, base))
    assert delta.cls == "orthogonal", delta.rationale


def test_a_setting_chosen_per_input_at_run_time_is_a_policy() -> None:
    from tensora.audit.delta import _RUNTIME_CHOICE

    assert _RUNTIME_CHOICE.search("DocCP: Choosing the Context-Parallel Degree per Document")
    assert _RUNTIME_CHOICE.search("the degree is picked at run time from the batch's lengths")
    assert not _RUNTIME_CHOICE.search("We set the context-parallel degree to 4 for the whole job.")


ATTENTION_BASE = """
# FlashAttention-2: Faster Attention with Better Parallelism

## Abstract

FlashAttention-2 computes exact attention in tiles held in on-chip memory with an online softmax, and its
backward pass recomputes the attention probabilities from the saved log-sum-exp instead of storing them.
"""

FP8_STASH = """
# PStash: an FP8 probability stash for the attention backward

## Abstract

PStash writes the attention probabilities of every tile to HBM in FP8 (e4m3) during the forward and reads them
back in the backward, removing the recomputation of the probabilities. We replace the backward's recomputation
with the FP8 stash and keep FP8 scaling per tile. Attention tiles stay in on-chip memory; the online softmax is
unchanged.

## Design

The FP8 stash is written asynchronously from the FlashAttention-2 forward kernel, tile by tile, next to the
online softmax's running max. FP8 e4m3 covers the probabilities, so no FP8 scale factor is needed, and FP8
training recipes keep their FP8 GEMMs. The stash replaces the backward's recomputation of the scores, and the
FlashAttention-2 backward kernel reads the stashed tiles.
"""

FP8_ELSEWHERE = """
# FP8Opt: FP8 optimizer states for attention models

## Abstract

FP8Opt stores Adam's moments in FP8 with per-block scaling and keeps FP32 master weights. FP8 training recipes
keep their FP8 GEMMs, and attention runs as in FlashAttention-2 with its online softmax and tiles.

## Design

Each FP8 block of 128 moments has its own FP8 scale; the FP8 update is fused into the optimizer step.
"""


def test_a_change_to_the_baseline_mechanism_made_with_another_family_is_structural(claims) -> None:  # type: ignore[no-untyped-def]
    delta, _ = classify(claims(FP8_STASH), claims(ATTENTION_BASE, "baseline"))
    assert delta.cls == "structural", delta.rationale


def test_another_family_that_leaves_the_baseline_mechanism_is_orthogonal(claims) -> None:  # type: ignore[no-untyped-def]
    delta, _ = classify(claims(FP8_ELSEWHERE), claims(ATTENTION_BASE, "baseline"))
    assert delta.cls == "orthogonal", delta.rationale


SPEC_BASE = """
# EAGLE-2: Faster Inference of Language Models with Dynamic Draft Trees

## Abstract

EAGLE-2 drafts a tree of candidate tokens with a light head and verifies the tree in one forward pass of the
target model; the tree grows by the draft's confidence up to a budget of 60 verified tokens per request.
"""

SPEC_BUDGET = """
# KneeSpec: a verification budget from the roofline knee

## Abstract

KneeSpec serves Mixtral with speculative decoding. KneeSpec keeps EAGLE-2 unchanged except for the budget: it is
set per batch size at the knee of the target model's roofline, where verification stops being memory-bound.

## Design

The drafter, the dynamic tree and the acceptance rule are EAGLE-2's. We measure the verification time at each
batch size and pick the budget where it starts to grow.
"""


def test_a_draft_that_says_only_a_setting_changes_is_a_configuration(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.extract.profile import build_profile

    draft, base = claims(SPEC_BUDGET), claims(SPEC_BASE, "baseline")
    delta, _ = classify(draft, base, build_profile(draft, base))
    assert delta.cls == "config", delta.rationale
    assert "except for the budget" in delta.evidence[0].text


def test_the_kernel_language_is_not_the_axis_of_the_change(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.delta import family_weights

    draft = claims(
        "# Merge\n\n## Design\n\nWe wrote the decode kernel in Triton; the Triton kernel reads the merged KV cache. "
        "Triton autotunes its tiles."
    )
    assert "triton" in draft.techniques and draft.techniques["triton"].used
    assert family_weights(draft).get("kernels", 0.0) < draft.techniques["triton"].weight


def test_block_sparse_attention_is_on_the_attention_axis() -> None:
    from tensora.audit.delta import _related

    assert _related("sparsity", {"attention"})
    assert not _related("sparsity", {"fault-tolerance"})


MOE_BASE = (
    "# DroplessMoE: sparse training with block-sparse experts\n\n## Abstract\n\nDroplessMoE trains mixture-of-experts "
    "models without dropping tokens: experts run as block-sparse matrix products, so every expert takes its load."
)


def test_a_title_naming_the_baselines_subject_keeps_the_change_on_its_axis(claims) -> None:  # type: ignore[no-untyped-def]
    draft = claims(
        "# OverflowCap: capping mixture-of-experts memory with activation recomputation\n\n## Abstract\n\n"
        "OverflowCap keeps the activations of at most 1.25 times the mean expert load and recomputes the rest, so the "
        "expert stash of a dropless mixture-of-experts layer is bounded whatever the routing does. Activation "
        "recomputation covers only the overflow tokens."
    )
    delta, _ = classify(draft, claims(MOE_BASE, "baseline"))
    assert delta.cls != "orthogonal", delta.rationale


def test_a_family_ahead_by_one_mention_names_no_other_axis(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.delta import _clearly_dominant, features

    base = claims(MOE_BASE, "baseline")
    slight = claims("# Pools\n\n## Abstract\n\nWe capture the step with CUDA graphs and route tokens to experts.")
    f = features(slight, base)
    assert f.dominant == "compilers" and not _clearly_dominant(slight, f)

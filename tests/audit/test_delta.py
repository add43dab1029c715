"""The delta audit on paraphrased drafts: config, structural, orthogonal."""

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


def test_removing_idle_time_is_an_outcome_not_a_mechanism(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.delta import features

    base = claims(BASELINE, "baseline")
    outcome = claims("# Lag\n\n## Abstract\n\nThe GPUs idle while the host runs Adam. Lag removes this idle time.")
    assert features(outcome, base).structural_score == 0.0
    mechanism = claims("# Lag\n\n## Abstract\n\nLag removes the barrier between the optimizer and the forward.")
    assert features(mechanism, base).structural_score > 0.0


def test_an_outcome_avoided_is_not_a_mechanism_replaced(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.delta import features

    base = claims(BASELINE, "baseline")
    outcome = claims("# Nib\n\n## Abstract\n\nWe keep zero as a code, so zero states stay zero instead of drifting.")
    assert features(outcome, base).structural_score == 0.0
    mechanism = claims("# Nib\n\n## Abstract\n\nWe keep the states in a ring buffer instead of a dense table.")
    assert features(mechanism, base).structural_score > 0.0


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

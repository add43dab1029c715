"""The draft profile: typed claims, the draft's name, A -> B, what it keeps, the knob it sets, the setting."""

from __future__ import annotations

import pytest

from tensora.extract.profile import build_profile, claims_of, clause
from tensora.extract.sentences import Sentence


def _s(text: str, section: str = "Abstract", index: int = 1) -> Sentence:
    return Sentence(text, 1, section, "proposal", index)


@pytest.mark.parametrize(
    ("text", "metric", "value", "benefit"),
    [
        ("It supports 3.1x more concurrent sequences than the baseline server.", "capacity", 3.1, True),
        ("Keeping an FP32 copy costs 2x memory per parameter.", "memory", 2.0, False),
        ("The new routing reduces all-to-all volume 10x.", "comm_volume", 10.0, True),
        ("We measure 1.4x higher training throughput on 64 GPUs.", "throughput", 1.4, True),
        ("It cuts step time by 23% on the largest model.", "step_time", 0.23, True),
        ("p99 latency drops 40% under bursty load.", "latency", 0.40, True),
        ("Our fused kernel is 2.3x faster than the unfused operators.", "kernel_time", 2.3, True),
        ("Peak activation memory shrinks 1.7x with no change to the schedule.", "memory", 1.7, True),
        ("Energy per token falls 30% at the same batch.", "energy", 0.30, True),
        ("It cuts energy use by up to 30% without any throughput loss.", "energy", 0.30, True),
    ],
)
def test_metric_typing(text: str, metric: str, value: float, benefit: bool) -> None:
    [claim] = claims_of([_s(text)])
    assert (claim.metric, claim.benefit) == (metric, benefit)
    assert claim.value == pytest.approx(value)
    assert claim.source.text == text


def test_two_claims_in_one_sentence_keep_their_own_metrics() -> None:
    found = claims_of([_s("Throughput rises 2.7x and the server holds 3.1x more concurrent sequences.")])
    assert [(c.metric, c.value) for c in found] == [("throughput", 2.7), ("capacity", 3.1)]


def test_a_level_is_not_a_change() -> None:
    assert claims_of([_s("The run reaches 52% MFU on 3072 GPUs.")]) == []
    assert claims_of([_s("The model has 96 layers.")]) == []


@pytest.mark.parametrize(
    ("text", "never"),
    [
        ("It supports 3.1x more concurrent sequences.", "speedup"),
        ("It reduces all-to-all volume 10x.", "faster"),
        ("It costs 2x memory per parameter.", "faster"),
    ],
)
def test_describe_never_calls_capacity_volume_or_memory_a_speedup(text: str, never: str) -> None:
    [claim] = claims_of([_s(text)])
    assert never not in claim.describe()


def test_clause_never_cuts_mid_phrase() -> None:
    text = (
        "partitions each input sequence across GPUs and, before attention, exchanges the query, key and value "
        "projections with an all-to-all so that each GPU holds the full sequence for a subset of heads"
    )
    cut = clause(text, 100)
    assert text.startswith(cut) and not cut.endswith("...")
    assert not cut.endswith("the query") and not cut.endswith("key")
    assert clause("short enough.") == "short enough"


def test_clause_never_leaves_a_parenthesis_open() -> None:
    text = (
        "DeepQueue is a three-stage input pipeline (an elastic decode-worker pool, a deep prefetch ring, and a pinned "
        "staging area with asynchronous transfer on a side stream) together with a simple sizing rule"
    )
    for limit in (60, 100, 140):
        cut = clause(text, limit)
        assert cut.count("(") == cut.count(")"), cut


DRAFT = """
# StashKV: Four-Bit Cached Keys for Many Concurrent Requests

## Abstract

StashKV stores the cached keys and values of a serving system in INT4 with one scale per group of channels.
On one H100 it holds 3.1x more concurrent sequences and raises decode throughput 2.4x on a 13B model.

## Design

StashKV is a quantized KV cache. We leave the paged block manager of the baseline unchanged, so blocks and
block tables work as before. Keys are quantized per channel and values per token.
"""

BASELINE = """
# Paged memory for serving

## Abstract

We store the KV cache in fixed-size blocks that a block table maps to memory, as PagedAttention does, and
batch requests continuously.
"""


def test_profile_of_a_small_draft(claims) -> None:  # type: ignore[no-untyped-def]
    profile = build_profile(claims(DRAFT), claims(BASELINE, "baseline"))
    assert profile.name.value == "StashKV" and profile.name.confidence >= 0.8
    assert profile.name.source is not None and profile.name.source.index == 0
    assert profile.claim is not None and profile.claim.metric == "throughput" and profile.claim.value == 2.4
    assert {c.metric for c in profile.claims} >= {"capacity", "throughput"}
    assert profile.keeps and profile.keeps.source is not None and "unchanged" in profile.keeps.source.text
    assert profile.mode.value == "inference"
    assert profile.hardware.value.upper().startswith("H100")
    for key, value in profile.to_dict().items():
        if isinstance(value, dict) and "confidence" in value:
            assert 0.0 <= value["confidence"] <= 1.0, key
            assert value["value"] == "" or value["source"] is not None or key == "with", key


def test_name_from_the_body_when_the_title_has_none(claims) -> None:  # type: ignore[no-untyped-def]
    draft = """
    # Hiding parameter gathers in sharded training

    ## Abstract

    We present LoomGather, a scheduler that issues each layer's all-gather early. LoomGather keeps the memory
    of gathered layers bounded.
    """
    profile = build_profile(claims(draft), claims(BASELINE, "baseline"))
    assert profile.name.value == "LoomGather"


def test_knob_set_to_a_value(claims) -> None:  # type: ignore[no-untyped-def]
    draft = """
    # Deeper look-ahead for sharded training

    ## Abstract

    Our contribution is to set the prefetch depth to three layers instead of one, which hides the gathers.
    """
    base = """
    # Sharded data parallel

    ## Abstract

    The next layer's all-gather is issued early; a prefetch depth of one layer bounds memory.
    """
    profile = build_profile(claims(draft), claims(base, "baseline"))
    assert profile.knob.value == "prefetch depth" and profile.knob.confidence >= 0.45


def test_knob_named_in_a_set_phrase(claims) -> None:  # type: ignore[no-untyped-def]
    draft = """
    # Bigger pages for long prompts

    ## Design

    We set the KV page to 512 tokens, so a long prompt needs few pages. Nothing else changes.
    """
    base = """
    # Paged serving

    ## Abstract

    The KV cache lives in pages of 16 tokens that a page table maps to memory.
    """
    profile = build_profile(claims(draft), claims(base, "baseline"))
    assert profile.knob.value == "kv page" and profile.knob.source is not None


def test_the_headline_is_the_draft_result_not_a_hardware_trend(claims) -> None:  # type: ignore[no-untyped-def]
    draft = """
    # RingTP: collectives inside the GEMMs

    ## Abstract

    As H100 tensor cores got ~3x faster than A100 while NVLink only got 1.5x faster, communication now dominates.
    RingTP gives a 1.38x end-to-end speedup on 128 H100 GPUs.
    """
    profile = build_profile(claims(draft), claims("# Base", "baseline"))
    assert profile.claim is not None and profile.claim.value == 1.38


def test_scale_comes_from_the_draft_runs_not_other_systems(claims) -> None:  # type: ignore[no-untyped-def]
    draft = """
    # Blend: heterogeneous data parallelism

    ## Abstract

    We train a 7B model on 32 GPUs of two generations and reach 1.29x the faster nodes alone.

    ## Related work

    MegaScale showed how to run more than 10,000 GPUs efficiently on one homogeneous fleet.
    """
    profile = build_profile(claims(draft), claims("# Base", "baseline"))
    assert profile.gpus.value == "32"


def test_the_component_is_what_the_draft_replaces(claims) -> None:  # type: ignore[no-untyped-def]
    draft = """
    # LogStep: a log instead of checkpoints

    ## Abstract

    LogStep replaces periodic full checkpoints with a rare base checkpoint plus a per-step log of gradients.
    We use BF16 mixed-precision training with FP32 master weights, and we keep FP32 master weights in the log.
    We use mixed-precision training and FP32 master weights on every rank. The log is written with asynchronous
    checkpointing.
    """
    profile = build_profile(claims(draft), claims("# Base\n\n## Abstract\n\nCheckpoints every hour.", "baseline"))
    assert "checkpoint" in profile.component.value.lower()


def test_a_noun_that_looks_like_a_set_verb_sets_nothing(claims) -> None:  # type: ignore[no-untyped-def]
    draft = """
    # PageSkim: Query-Guided KV Page Selection for 128K-Context Decoding

    ## Abstract

    PageSkim summarises every KV page by its key bounds and attends only the pages the query needs.
    """
    base = "# Paged serving\n\n## Abstract\n\nThe KV cache lives in pages of 16 tokens."
    profile = build_profile(claims(draft), claims(base, "baseline"))
    assert profile.knob.value == ""


def test_a_compared_number_is_not_mechanism_a(claims) -> None:  # type: ignore[no-untyped-def]
    draft = """
    # Fewer blocks

    ## Abstract

    A long sequence then needs 8 blocks instead of 128, and allocation moves off the critical path.
    """
    profile = build_profile(claims(draft), claims(BASELINE, "baseline"))
    assert not profile.replaces.value[:1].isdigit()


def test_knobs_need_a_value_and_their_context(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.extract.profile import build_profile

    base = claims("# Serving", "baseline")
    valued = claims("# X\n\n## Abstract\n\nWe run the GEMM with a threadblock tile of 128 x 64 and num_stages = 4.")
    knobs = {k.knob for k in build_profile(valued, base).knobs}
    assert {"tile shape", "pipeline stages"} <= knobs
    mention = claims("# X\n\n## Abstract\n\nTile shapes matter for GEMM kernels, as the literature shows.")
    assert not build_profile(mention, base).knobs
    # "ratio" is the offload ratio only next to the optimizer or offloading
    ratio = claims("# X\n\n## Abstract\n\nWe set the compression ratio to 8 for the gradients.")
    assert "offload ratio" not in {k.knob for k in build_profile(ratio, base).knobs}


def test_knobs_set_through_command_line_flags(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.extract.profile import build_profile, spelled

    assert spelled("`--moe-aux-loss-coeff 1e-3` and block_size=16") == "`moe aux loss coeff 1e-3` and block size=16"
    assert spelled("an all-to-all with top-k routing") == "an all-to-all with top-k routing"  # not flags
    base = claims("# MoE training\n\n## Abstract\n\nExperts use a capacity factor and a balancing loss.", "baseline")
    flags = claims(
        "# X\n\n## Abstract\n\nWe train with `--moe-expert-capacity-factor 1.0` and `--moe-aux-loss-coeff 1e-3`."
    )
    knobs = {k.knob for k in build_profile(flags, base).knobs}
    assert {"capacity factor", "auxiliary loss coefficient"} <= knobs
    prose = claims("# X\n\n## Abstract\n\nWe route every token to its top-2 experts over an all-to-all.")
    assert not {k.knob for k in build_profile(prose, base).knobs} & {"capacity factor", "auxiliary loss coefficient"}


def test_a_value_inside_a_noun_phrase_sets_nothing(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.extract.profile import _SET_VERB, _attribute, build_profile

    def attribute(text: str) -> list[bool]:
        return [_attribute(text, m) for m in _SET_VERB.finditer(text)]

    assert attribute("An instance is a TP=4 replica that keeps graphs.") == [True]
    assert attribute("We use TP=4 for all runs.") == [False]
    base = claims("# Serving\n\n## Abstract\n\nvLLM serves with tensor parallelism.", "baseline")
    setup = claims("# X\n\n## Abstract\n\nAn instance is a TP=4 replica that flips roles between phases with vLLM.")
    assert build_profile(setup, base).knob.value == ""
    sets = claims("# X\n\n## Abstract\n\nWe serve with vLLM and set TP=8 instead of TP=4.")
    assert build_profile(sets, base).knob.value != ""


def test_a_contributions_list_weighs_as_the_headline(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.extract.claims import claims_from_paragraphs
    from tensora.extract.profile import build_profile
    from tensora.ingest.document import Paragraph

    base = claims("# Inference\n\n## Abstract\n\nLayouts of the weights across chips.", "baseline")
    why = "1. Why the torus needs care"
    paras = [
        Paragraph("MeshX", 1, "", "heading"),
        Paragraph("MeshX serves a model on a torus.", 1, "Abstract"),
        Paragraph("Some background on the chips and their links, at length. " * 12 + "Our contributions:", 1, why),
        Paragraph("We evaluate the mesh factorisations 2x8, 4x4 and 8x2 and pick 4x4.", 1, why, "list"),
    ]
    draft = claims_from_paragraphs(paras, "proposal", kb, title="MeshX")
    knobs = {k.knob: k for k in build_profile(draft, base).knobs}
    assert knobs["mesh shape"].weight >= 0.9


def test_keeping_the_baseline_by_its_name(claims) -> None:  # type: ignore[no-untyped-def]
    base = "# RailScale: Training at Scale\n\n## Abstract\n\nRailScale overlaps communication and tunes operators."
    draft = (
        "# Mixer: mixed GPU generations\n\n## Abstract\n\nMixer assigns each replica a share of the batch. "
        "Mixer keeps every RailScale mechanism as it is; its operators and overlap all remain in place."
    )
    profile = build_profile(claims(draft), claims(base, "baseline"))
    assert "RailScale mechanism as it is" in profile.keeps.value
    assert profile.keeps.confidence >= 0.75  # all of it is kept, not one part


def test_a_question_about_keeping_the_baseline_keeps_nothing(claims) -> None:  # type: ignore[no-untyped-def]
    base = "# RailScale: Training at Scale\n\n## Abstract\n\nRailScale overlaps communication and tunes operators."
    draft = (
        "# Mixer: erasure-coded state\n\n## Abstract\n\nMixer encodes the training state across racks.\n\n"
        "## Why not RailScale as is?\n\nWhy not keep every RailScale mechanism as it is?"
    )
    profile = build_profile(claims(draft), claims(base, "baseline"))
    assert profile.keeps.value == ""


def test_a_name_inside_a_keep_sentence_needs_the_baseline(claims) -> None:  # type: ignore[no-untyped-def]
    base = "# RailScale: Training at Scale\n\n## Abstract\n\nRailScale overlaps communication."
    draft = "# Mixer\n\n## Abstract\n\nMixer keeps every other system's scheduler as it is and replaces the router."
    profile = build_profile(claims(draft), claims(base, "baseline"))
    assert profile.keeps.value == ""


def test_a_number_belongs_to_its_own_clause() -> None:
    text = "OneHop cuts the IB bytes of the MoE layers by 3.3x and improves end-to-end training throughput by 1.45x."
    claims = claims_of([_s(text)])
    assert [(c.metric, c.value) for c in claims if c.metric == "throughput"] == [("throughput", 1.45)]


def test_an_operator_clause_is_a_kernel_claim_and_the_scope_is_the_clause() -> None:
    text = (
        "SegFlash runs the attention forward+backward 3.4x faster than FlashAttention-2, and raises end-to-end "
        "training throughput by 1.62x."
    )
    by_value = {c.value: c for c in claims_of([_s(text)])}
    assert by_value[3.4].metric == "kernel_time" and by_value[3.4].scope == ""
    assert by_value[1.62].metric == "throughput" and by_value[1.62].scope == "end-to-end"


def test_the_comparator_is_named_when_the_draft_names_it() -> None:
    [claim] = claims_of([_s("SinkScore delivers 3.4x the decode throughput of vLLM with a full cache.")])
    assert claim.versus == "vLLM with a full cache"
    assert claim.describe() == "it delivers 3.4x higher throughput than vLLM with a full cache"
    [plain] = claims_of([_s("It delivers 1.4x higher throughput than the baseline.")])
    assert plain.versus == ""


def test_a_phase_made_faster_is_no_headline_and_the_end_to_end_clause_is_its_own() -> None:
    text = "On our cluster RailHop makes the embedding all-to-all 2.3x faster and end-to-end training 1.27x faster."
    claims = claims_of([_s(text)])
    assert [(c.value, c.scope) for c in claims] == [(1.27, "end-to-end")]


def test_the_size_of_the_named_model_wins_over_another_models(claims) -> None:  # type: ignore[no-untyped-def]
    draft = (
        "# Fit\n\n## Abstract\n\nWe serve Llama-3-70B with tensor parallelism on 4 H100 GPUs and raise capacity "
        "by 41%.\n\n## Design\n\nThe pipeline bubbles that prior work discusses for a 180B model do not arise here."
    )
    profile = build_profile(claims(draft), claims("# Base", "baseline"))
    assert 60e9 < float(profile.params.value) < 80e9


def test_a_gpu_vendor_is_never_the_drafts_name(claims) -> None:  # type: ignore[no-untyped-def]
    draft = (
        "# Energy bloat in large model training\n\n## Abstract\n\nOn NVIDIA A100 GPUs we lower clocks per "
        "computation. NVIDIA drivers lock the clocks. NVIDIA Management Library reads the power."
    )
    profile = build_profile(claims(draft), claims("# Base", "baseline"))
    assert profile.name.value != "NVIDIA"


def test_gpus_of_a_multi_site_run_add_up(claims) -> None:  # type: ignore[no-untyped-def]
    draft = (
        "# Stripe\n\n## Abstract\n\nWe train a 7B model with DiLoCo.\n\n## Setup\n\nFour data centers (east, "
        "central, south, west), each with 64 H100 SXM GPUs, joined by 100 Gb/s paths."
    )
    profile = build_profile(claims(draft), claims("# Base", "baseline"))
    assert profile.gpus.value == "256"


def test_the_headline_is_the_claim_against_the_baseline(claims) -> None:  # type: ignore[no-untyped-def]
    draft = """
# SpanKV: striping one sequence's KV pages over a node

## Abstract

SpanKV stripes the KV pages of one sequence over 8 GPUs and decodes at 1M tokens of context (more than 200x
faster than offloading the KV cache to host memory), 2.1x faster than vLLM at 256k.
"""
    base = "# vLLM: paged KV memory\n\n## Abstract\n\nvLLM stores the KV cache in fixed-size pages (PagedAttention)."
    profile = build_profile(claims(draft), claims(base, "baseline"))
    assert profile.claim is not None and profile.claim.value == 2.1 and "vLLM" in profile.claim.versus
    assert claims(draft).value("seq_len") == 1e6  # "1M tokens of context"


def test_versus_stops_before_a_condition() -> None:
    [named] = claims_of([_s("It reaches 1.45x higher throughput than ZigRing with the same final loss.")])
    assert named.versus == "ZigRing"
    [configured] = claims_of([_s("It delivers 3.4x the decode throughput of vLLM with a full cache.")])
    assert configured.versus == "vLLM with a full cache"


def test_what_the_draft_puts_in_place_ends_at_the_subjects_next_verb(claims) -> None:  # type: ignore[no-untyped-def]
    draft = """
    # LightSwitch: phase-aware optical spines

    ## Abstract

    LightSwitch replaces the spine layer with an optical circuit switch and reconfigures it twice per step.
    """
    profile = build_profile(claims(draft), claims(BASELINE, "baseline"))
    assert profile.with_.value == "an optical circuit switch"


def test_a_phrase_that_points_back_is_not_the_mechanism(claims) -> None:  # type: ignore[no-untyped-def]
    draft = """
    # GroupCP: context-parallel groups per document

    ## Abstract

    We present GroupCP, which forms a context-parallel group for each long document and runs short ones whole.

    ## Design

    Communicators are slow to create. We build all of them at start-up and select among them at run time.
    """
    profile = build_profile(claims(draft), claims(BASELINE, "baseline"))
    assert "all of them" not in profile.with_.value


def test_what_the_system_is_stops_where_another_subject_starts(claims) -> None:  # type: ignore[no-untyped-def]
    draft = """
    # Tempo: reactive goodput scheduling

    ## Abstract

    Tempo is a reactive scheduler that searches the whole cluster every 10 seconds, and we believe it is ready
    for production clusters of thousands of GPUs.
    """
    profile = build_profile(claims(draft), claims(BASELINE, "baseline"))
    assert "we believe" not in profile.with_.value
    assert "every 10 seconds" in profile.with_.value


def test_keeping_a_system_named_at_the_end_of_the_title(claims) -> None:  # type: ignore[no-untyped-def]
    base = "# Efficient Training on GPU Clusters Using Megatron-LM\n\n## Abstract\n\nWe combine three parallelisms."
    draft = (
        "# Lull: slowing idle GPUs\n\n## Abstract\n\nLull keeps Megatron's schedule, parallel layout and numerics "
        "exactly as they are and adds one thing: a GPU clock plan for the bubbles."
    )
    profile = build_profile(claims(draft), claims(base, "baseline"))
    assert "Megatron's schedule" in profile.keeps.value


@pytest.mark.parametrize(
    "sentence",
    [
        # a measured reference run, not the design
        "Table 1 is the measured profile of the unmodified Megatron-LM run on 64 GPUs.",
        # a side clause of what the sentence adds, in a method section
        "Striping places the pages of one sequence across GPUs, keeping Megatron-LM's allocator unchanged.",
    ],
)
def test_not_a_keep_of_the_mechanism(claims, sentence) -> None:  # type: ignore[no-untyped-def]
    base = "# Efficient Training on GPU Clusters Using Megatron-LM\n\n## Abstract\n\nWe combine three parallelisms."
    draft = f"# Stripe\n\n## Abstract\n\nStripe spreads pages.\n\n## Design\n\n{sentence}"
    profile = build_profile(claims(draft), claims(base, "baseline"))
    assert profile.keeps.confidence < 0.5


def test_a_device_named_among_alternatives_is_not_the_drafts_hardware(claims) -> None:  # type: ignore[no-untyped-def]
    draft = (
        "# PageStream\n\n## Introduction\n\nAccelerators outside the GPU world, such as AWS Trainium2, Google TPUs or "
        "Intel Gaudi, have plenty of bandwidth.\n\n## Setup\n\nWe run on 16 Trainium2 chips."
    )
    profile = build_profile(claims(draft), claims("# Base", "baseline"))
    assert profile.hardware.value.lower() == "trainium2"


def test_a_scheduler_claim_keeps_its_metric() -> None:
    s = _s("In simulation it lowers average JCT by 41% and makespan by 23%.")
    [first, *_] = claims_of([s])
    assert first.value == 0.41 and first.describe() == "it cuts average job completion time by 41%"

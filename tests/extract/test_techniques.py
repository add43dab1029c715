import pytest

from tensora.extract.claims import Claims


@pytest.mark.parametrize(
    ("text", "technique", "status"),
    [
        ("We shard every layer with ZeRO-3 across the data-parallel ranks.", "zero-3", "used"),
        (
            "Unlike pipeline parallelism, our scheme needs no partitioning of the network.",
            "pipeline-parallelism",
            "rejected",
        ),
        ("We deliberately avoid tensor parallelism to keep the code simple.", "tensor-parallelism", "rejected"),
        ("Our kernel is 1.4x faster than FlashAttention-2 at 16k tokens.", "flashattention", "compared"),
        ("No activation recomputation is needed at this size.", "activation-recomputation", "rejected"),
        (
            "Pipeline schedules include GPipe [34], 1F1B [56] and early activation recomputation [45].",
            "activation-recomputation",
            "mentioned",
        ),
        ("We apply activation recomputation [13] to every layer of the model.", "activation-recomputation", "used"),
        # a part of it replaced, or plugged into: the rest is still in use
        ("The Python side replaces the step() of the distributed optimizer.", "zero-1", "used"),
        ("It is an extension that drops into a Megatron-style distributed optimizer.", "zero-1", "used"),
        ("We replace the distributed optimizer with a fused kernel.", "zero-1", "rejected"),
    ],
)
def test_use_versus_mention(claims, text: str, technique: str, status: str) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims(f"# Draft\n\n## Method\n\n{text}")
    assert c.techniques[technique].status == status


def test_zero_as_a_word_is_not_zero_redundancy(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims("# Draft\n\n## Method\n\nThe bubble drops to zero once the pipeline is full.")
    assert not c.mentions("zero-1", "zero-2", "zero-3")


def test_zero_plus_plus_is_not_zero_stage_one(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims("# Draft\n\n## Related work\n\nZeRO++ keeps a secondary copy of weights inside a node.")
    assert not c.mentions("zero-1")


def test_related_work_only_mentions(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims("# Draft\n\n## Related work\n\nMixture-of-experts models route tokens to experts.")
    assert c.mentions("mixture-of-experts") and not c.uses("mixture-of-experts")


# semantic mentions ------------------------------------------------------------------------------------------------
def _method(*sentences: str) -> str:
    return "# Draft\n\n## Method\n\n" + " ".join(sentences)


def test_a_paraphrase_of_a_technique_is_a_semantic_mention(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims(_method("Requests join and leave the running batch at every decoding iteration."))
    use = c.techniques["continuous-batching"]
    assert use.semantic and use.status == "mentioned"
    assert not c.uses("continuous-batching") and not use.core and use.weight == 0.0
    assert use.quotes and "running batch" in use.quotes[0].text


def test_an_unrelated_sentence_proposes_nothing(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims(_method("The cafeteria serves lunch from noon until two in the afternoon every weekday."))
    assert not any(u.semantic for u in c.techniques.values())


def test_a_negated_or_comparing_paraphrase_proposes_nothing(claims) -> None:  # type: ignore[no-untyped-def]
    for text in (
        "Requests never join or leave the running batch at a decoding iteration.",
        "Requests join the running batch at every decoding iteration, unlike in our system.",
    ):
        c: Claims = claims(_method(text))
        assert "continuous-batching" not in c.techniques, text


def test_an_alias_leaves_no_room_for_a_semantic_mention(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims(
        _method(
            "We use continuous batching in the server.",
            "Requests join and leave the running batch at every decoding iteration.",
        )
    )
    use = c.techniques["continuous-batching"]
    assert use.used and not use.semantic and use.counts.get("mentioned", 0) == 0


def test_a_paragraph_on_existing_work_describes_others(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims(
        "# RingTP\n\n## Introduction\n\nExisting overlap techniques do not help here. PyTorch DDP overlaps the "
        "gradient all-reduce with the backward pass; ZeRO-3 and FSDP prefetch parameters one layer ahead. "
        "We instead decompose each tensor-parallel collective into a ring of copies."
    )
    assert not c.techniques["fsdp"].used
    assert c.techniques["fsdp"].counts.get("mentioned") == 1


def test_the_draft_after_an_existing_work_paragraph_uses_its_techniques(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims(
        "# RingTP\n\n## Introduction\n\nExisting systems gather parameters just in time. We shard the model "
        "with FSDP and prefetch two layers ahead."
    )
    assert c.techniques["fsdp"].used


def test_a_plural_names_the_technique(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims("# Radix\n\n## Design\n\nWe keep radix KV caches in host memory and reload them layer by layer.")
    assert c.techniques["kv-cache"].used


def test_recomputing_a_prefix_is_not_activation_recomputation(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims(
        "# Radix\n\n## Design\n\nRecomputation is the dominant cost: for a 16K-token history the prefill is "
        "recomputed on every turn."
    )
    assert "activation-recomputation" not in c.techniques


def test_recomputing_a_plan_is_not_activation_recomputation(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims("# Shift\n\n## Design\n\nThe planner recomputes the replica plan every 20 seconds.")
    assert "activation-recomputation" not in c.techniques
    c = claims("# Remat\n\n## Design\n\nThe backward recomputes the attention activations of each layer.")
    assert c.techniques["activation-recomputation"].used


def test_a_two_stream_ping_pong_is_overlap_not_warp_specialization(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims(
        "# Pair\n\n## Design\n\nWe split each micro-batch into two halves and run them as a ping-pong on two "
        "streams, hiding the all-to-all behind the other half's attention."
    )
    assert "warp-specialization" not in c.techniques
    assert c.techniques["comm-compute-overlap"].used
    c = claims("# K\n\n## Design\n\nOur GEMM kernel uses ping-pong scheduling of two consumer warpgroups.")
    assert c.techniques["warp-specialization"].used


def test_optimizer_state_quantization_in_its_usual_words(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims(
        "# F8\n\n## Design\n\nWe store both Adam moments in FP8 with one scale per block: quantized optimizer states."
    )
    assert c.techniques["low-memory-optimizers"].used


def test_what_practitioners_usually_do_is_mentioned_not_used(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims(
        "# Fit\n\n## Introduction\n\nAdamW needs 16 bytes per parameter, so practitioners shard it with ZeRO-3 over "
        "several GPUs.\n\n## Design\n\nWe fuse the update into the backward pass on one GPU."
    )
    assert c.techniques["zero-3"].status == "mentioned"
    c = claims("# Fit\n\n## Design\n\nWe shard the optimizer states with ZeRO-3 over 8 GPUs.")
    assert c.techniques["zero-3"].status == "used"


def test_remedies_set_aside_are_mentioned_not_used(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims(
        "# Wait\n\n## Introduction\n\nThe obvious remedies are heavy: restarting costs a reload, and asynchronous "
        "SGD gives up synchronous semantics."
    )
    assert c.techniques["asynchronous-sgd"].status == "mentioned"

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
    ],
)
def test_use_versus_mention(claims, text: str, technique: str, status: str) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims(f"# Draft\n\n## Method\n\n{text}")
    assert c.techniques[technique].status == status


def test_zero_as_a_word_is_not_zero_redundancy(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims("# Draft\n\n## Method\n\nThe bubble drops to zero once the pipeline is full.")
    assert not c.mentions("zero-1", "zero-2", "zero-3")


def test_related_work_only_mentions(claims) -> None:  # type: ignore[no-untyped-def]
    c: Claims = claims("# Draft\n\n## Related work\n\nMixture-of-experts models route tokens to experts.")
    assert c.mentions("mixture-of-experts") and not c.uses("mixture-of-experts")

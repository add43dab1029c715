"""The Mirror's wording of the draft's setting."""

import pytest

from tensora.audit.mirror import _model_size


@pytest.mark.parametrize(
    ("params", "text"),
    [(7e9, "7B"), (1.3e9, "1.3B"), (175e9, "175B"), (671e9, "671B"), (1.6e12, "1.6T"), (125e6, "125M")],
)
def test_model_size_as_people_write_it(params: float, text: str) -> None:
    assert _model_size(params) == text


@pytest.mark.parametrize(
    ("phrase", "ok"),
    [
        ("the static expert placement", True),
        ("full activation recomputation", True),
        ("storing it", False),
        ("a few being turned away early", False),
        ("overflowing", False),
    ],
)
def test_what_the_draft_replaces_names_a_thing(phrase: str, ok: bool) -> None:
    from tensora.audit.mirror import _names_a_thing

    assert _names_a_thing(phrase) is ok


def test_a_lone_participle_names_nothing_replaced() -> None:
    from tensora.audit.mirror import _names_a_thing

    assert not _names_a_thing("serialised")
    assert not _names_a_thing("probabilistic")
    assert _names_a_thing("the ring all-reduce")


LULL_BASE = """
# Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM

## Abstract

We combine tensor, pipeline and data parallelism and schedule the pipeline with interleaved 1F1B, which keeps
the pipeline bubble small; data parallelism replicates the whole. Tensor parallelism stays inside a node.
"""

LULL = """
# Lull: slowing the GPUs that would wait anyway

## Abstract

Pipeline bubbles leave GPUs idle. Lull keeps Megatron's schedule, parallel layout and numerics exactly as they
are and adds one thing: a per-instruction GPU frequency plan. Lull lowers the SM clocks with DVFS on the stages
that would wait, and cuts energy by 19.4% on 512 H100 GPUs with the same step time.
"""


def test_an_orthogonal_mirror_names_what_is_kept_and_the_axis_of_the_change(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.engine import audit

    review = audit(claims(LULL), claims(LULL_BASE, "baseline"), kb)
    m = review.mirror
    assert review.delta.cls == "orthogonal", review.delta.rationale
    assert m.replaces == "Megatron's schedule, parallel layout and numerics"
    assert "GPU frequency" in m.component
    assert m.with_ == "Lull, which adds a per-instruction GPU frequency plan"


def test_the_setting_counts_chips_and_spells_the_device_as_the_draft(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.mirror import _setting
    from tensora.extract.profile import build_profile

    c = claims("# PageStream\n\n## Setup\n\nWe serve a 70B model on 16 Trainium2 chips.")
    assert _setting(build_profile(c, claims("# Base", "baseline")), c).startswith("16 chips (Trainium2)")


SLICE_BASE = """
# TorchTitan: PyTorch native training

## Abstract

TorchTitan composes FSDP2, tensor parallelism and Float8 training in PyTorch.
"""

SLICE = """
# SliceTP: hiding sequence-parallel communication

## Abstract

With sequence parallelism every layer performs four blocking collectives. SliceTP removes them from the critical
path: each gather is cut into per-rank slices that peers push while the projection works on the slices that have
arrived. SliceTP raises throughput by 1.3x on 64 H100 GPUs.
"""


def test_the_mirror_never_carries_a_pronoun_out_of_its_sentence(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.engine import audit

    m = audit(claims(SLICE), claims(SLICE_BASE, "baseline"), kb).mirror
    assert " them " not in f" {m.with_} " and "SliceTP" in m.with_

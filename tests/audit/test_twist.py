"""The Twist: no placeholder letters, no idea the draft already has, the sharpest weakness preferred."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from tensora.audit.findings import Finding, Severity
from tensora.audit.twist import build
from tensora.extract.claims import Claims
from tensora.knowledge.loader import KnowledgeBase
from tensora.knowledge.schema import Concept

MakeClaims = Callable[..., Claims]

PIPELINE_DRAFT = """
# DeepStage: deeper pipelines for large models

We train a 70B model with pipeline parallelism over 16 stages using the 1F1B schedule and 8 micro-batches per
step, and activation recomputation on every layer.

# Design

DeepStage splits the model into 16 pipeline stages with 1F1B and 8 micro-batches.
"""


def _finding(code: str, severity: Severity = Severity.MAJOR) -> Finding:
    return Finding(code, severity, "t", "m", "s")


def test_no_concept_story_has_placeholder_letters(kb: KnowledgeBase) -> None:
    for concept in kb.concepts:
        assert not re.search(r"(?<![\w-])[XYZ](?=%|\s|$)", concept.story), concept.id


def test_a_story_with_placeholders_is_refused() -> None:
    with pytest.raises(ValidationError, match="placeholder 'X'"):
        Concept(id="c", name="n", pairs_with=[], story="cuts bytes by X at Y% of the loss", must_show=[], source="s")


def test_answers_and_not_with_name_real_codes_and_techniques(kb: KnowledgeBase) -> None:
    from tensora.audit.registry import RULES

    techniques = {t.id for t in kb.techniques}
    for concept in kb.concepts:
        assert set(concept.answers) <= set(RULES), concept.id
        assert set(concept.not_with) <= techniques, concept.id


def test_the_fired_weakness_picks_the_idea_and_the_bubble_is_computed(claims: MakeClaims, kb: KnowledgeBase) -> None:
    c = claims(PIPELINE_DRAFT)
    twist = build(c, kb, "DeepStage", [_finding("PIPE-BUBBLE", Severity.FATAL)])
    assert "split-backward" in twist.idea
    # (p - 1) / (m + p - 1) = 15 / 23 and 15 / 31 with two chunks per GPU
    assert "65.2%" in twist.idea and "48.4%" in twist.idea


def test_without_the_finding_another_idea_may_win(claims: MakeClaims, kb: KnowledgeBase) -> None:
    c = claims(PIPELINE_DRAFT)
    with_finding = build(c, kb, "DeepStage", [_finding("PIPE-BUBBLE", Severity.FATAL)])
    without = build(c, kb, "DeepStage", [_finding("RECOMPUTE-COST")])
    assert with_finding.idea != without.idea


def test_an_idea_the_draft_already_has_is_never_the_twist(claims: MakeClaims, kb: KnowledgeBase) -> None:
    c = claims(
        PIPELINE_DRAFT
        + "\nWe run a zero-bubble schedule that splits the backward into input and weight gradients (ZB-H1).\n"
    )
    if not c.uses("zero-bubble-pipeline"):
        pytest.skip("the extraction did not see the zero-bubble schedule as used")
    twist = build(c, kb, "DeepStage", [_finding("PIPE-BUBBLE", Severity.FATAL)])
    assert "split-backward" not in twist.idea


def test_a_weakness_off_the_mechanism_does_not_pick_the_idea(claims: MakeClaims, kb: KnowledgeBase) -> None:
    # COMM-OVERLAP fired, but the draft is a pipeline schedule: the idea stays on its schedule
    c = claims(PIPELINE_DRAFT)
    twist = build(c, kb, "DeepStage", [_finding("COMM-OVERLAP", Severity.FATAL)], ["one-f-one-b"])
    assert "split-backward" in twist.idea
    assert "collectives into chunks" not in twist.idea


def test_no_idea_changes_the_model_architecture(kb: KnowledgeBase) -> None:
    # a system draft's twist is a system mechanism: shrinking the KV cache by changing the attention heads is a
    # different model, not a better system
    assert not any("grouped-query attention" in c.story for c in kb.concepts)


SERVE_DRAFT = """
# StripeKV: one sequence's KV over a node

## Design

StripeKV serves long contexts at inference time: the paged KV cache of one request lives on all 8 GPUs, each runs
paged decode attention over its local pages, and continuous batching admits new requests every iteration.
"""


def test_a_story_that_presumes_an_absent_technique_is_not_chosen(claims: MakeClaims, kb: KnowledgeBase) -> None:
    twist = build(claims(SERVE_DRAFT), kb, "StripeKV", lead_techniques=["paged-attention", "kv-cache"])
    assert "speculation" not in twist.idea
    assert "backward" not in twist.idea and "loss curve" not in twist.idea


def test_a_serving_draft_gets_no_training_story(claims: MakeClaims, kb: KnowledgeBase) -> None:
    for concept in kb.concepts:
        if concept.mode == "training":
            twist = build(claims(SERVE_DRAFT), kb, "StripeKV")
            assert twist.idea != concept.story.replace("{mechanism}", "StripeKV").rstrip(".")


KV_DRAFT = """
# TypeFetch: restoring KV caches from SSD while the user types

## Abstract

TypeFetch keeps the KV cache of idle conversations on SSD and restores it into GPU memory while the user types.
Each replica runs tensor parallelism over two GPUs.

## Design

TypeFetch moves the KV cache between GPU memory, host memory and SSD, and prefetches the KV cache of a
conversation when typing starts. The KV cache of a returning user is read layer by layer.
"""


def test_the_twist_builds_on_the_technique_the_draft_leans_on(claims: MakeClaims, kb: KnowledgeBase) -> None:
    c = claims(KV_DRAFT)
    twist = build(c, kb, "TypeFetch", [_finding("COMM-OVERLAP")], ["kv-cache", "tensor-parallelism"])
    chosen = next(concept for concept in kb.concepts if concept.name in twist.combines)
    assert "kv-cache" in chosen.pairs_with, chosen.id


def test_an_orthogonal_draft_gets_a_twist_on_the_axis_it_changes(kb: KnowledgeBase) -> None:
    """A clock governor under a serving engine keeps the engine and changes the GPUs' clocks: its twist builds on
    the clocks, not on the tensor parallelism it runs beside (round 26's draft, which drew a comm-GEMM fusion)."""
    from pathlib import Path

    from tensora.audit.engine import audit
    from tensora.pipeline import read_both

    case = Path(__file__).resolve().parents[2] / "benchmarks" / "round26" / "serve-decode-clock-energy-ortho"
    (proposal, _), baseline = read_both(case / "proposal.md", case / "baseline.md", None, kb)
    review = audit(proposal, baseline, kb)
    assert review.delta.cls == "orthogonal" and review.delta.axis == "gpu-frequency-scaling"
    concept = next(c for c in kb.concepts if c.name == review.twist.combines[-1])
    assert review.delta.axis in concept.pairs_with, concept.name
    assert "collective" not in review.twist.idea

"""Page furniture is never shown to the model as a hypothesis's evidence: the predicate, and the hypotheses
that skip such a quote and say so."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from tensora.audit.engine import audit
from tensora.extract.claims import Claims
from tensora.extract.quantities import Quote
from tensora.extract.sentences import Sentence
from tensora.knowledge.loader import load_knowledge
from tensora.llm import boilerplate, hypotheses
from tensora.pipeline import read_both

from ._support import EXAMPLE

TITLE = "MixTrain: One Job, Two GPU Generations"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "Permission to make digital or hard copies of all or part of this work for personal or classroom use "
            "is granted without fee.",
            boilerplate.COPYRIGHT,
        ),
        (
            "\u00a9 2024 Copyright held by the owner/author(s). Publication rights licensed to ACM.",
            boilerplate.COPYRIGHT,
        ),
        ("ACM ISBN 979-8-4007-1251-7/24/11", boilerplate.COPYRIGHT),
        (TITLE, boilerplate.TITLE),
        ("3.2 Pipeline schedule", boilerplate.HEADING),
        ("1 Introduction", boilerplate.HEADING),
        ("Related Work", boilerplate.HEADING),
        ("Figure 7: Per-GPU throughput versus microbatch size for a GPT model.", boilerplate.CAPTION),
        ("Table 1 | Training costs of DeepSeek-V3, assuming $2 per GPU hour.", boilerplate.CAPTION),
        ("[12] D. Narayanan et al. Efficient large-scale language model training. In SC, 2021.", boilerplate.REFERENCE),
        (
            "In Proceedings of the 29th Symposium on Operating Systems Principles, pages 1-15, 2023.",
            boilerplate.REFERENCE,
        ),
        ("Jae-Won Chung1 Yile Gu1,2 Insu Jang1 Luoxi Meng1,3", boilerplate.AUTHORS),
        ("1University of Michigan 2University of Washington", boilerplate.AUTHORS),
        ("jdoe@cs.example.edu", boilerplate.AUTHORS),
    ],
)
def test_page_furniture_is_recognised(text: str, kind: str) -> None:
    assert boilerplate.kind(text, [TITLE]) == kind


@pytest.mark.parametrize(
    "text",
    [
        "Figure 4 shows an example: each model copy is split across 3 workers.",
        "For example, we see in Figure 7 that per-GPU throughput increases by up to 1.3x.",
        "Tensor model parallelism (Shoeybi et al., 2019) leads to expensive all-to-all communication.",
        "We use the University cluster with 64 GPUs.",
        "MixTrain trains a single model across A100 and H100 GPUs simultaneously.",
        "2. Overlap the gather with compute",
        "8 GPUs per node",
        "NormQ | 174 | -",
        "All-reduce of a 1 GiB BF16 buffer on 512 GPUs:",
    ],
)
def test_sentences_of_the_argument_are_not(text: str) -> None:
    assert boilerplate.kind(text, [TITLE]) is None


def test_front_matter_is_the_headings_and_the_unpunctuated_lines_under_the_title() -> None:
    lines = [
        ("NodeShard: Intra-Node Sharding at 1,000+ GPUs", "heading"),
        ("Proposal draft, revised after a first round of feedback", "text"),
        ("Abstract", "heading"),
        ("ZeRO-3 shards model states over every rank.", "text"),
        ("Setting without a full stop", "text"),
    ]
    sentences = [Sentence(t, 1, "s", "proposal", i, kind=k) for i, (t, k) in enumerate(lines)]
    layout = boilerplate.front_matter(Claims("proposal", lines[0][0], sentences, {}, []))
    assert boilerplate.kind("Proposal draft, revised after a first round of feedback", (), layout) == boilerplate.FRONT
    assert boilerplate.kind("Abstract", (), layout) == boilerplate.HEADING
    assert boilerplate.kind("Setting without a full stop", (), layout) is None  # in the body: not front matter


def test_a_hypothesis_skips_furniture_and_says_so() -> None:
    kb = load_knowledge()
    (prop, hidden), base = read_both(EXAMPLE / "proposal.md", EXAMPLE / "baseline.md", None, kb)
    review = copy.deepcopy(audit(prop, base, kb, ("proposal.md", "baseline.md"), {"proposal": hidden}))
    notice = Quote("proposal", 1, "Permission to make digital or hard copies of this work is granted without fee.")
    real = review.findings[0].evidence[0] if review.findings[0].evidence else Quote("proposal", 2, "We chunk it.")
    review.findings[0].evidence = [notice, real]
    review.findings[1].evidence = [Quote("proposal", 3, "Figure 2: The chunked schedule on 8 GPUs.")]
    caption = Quote("proposal", 4, "Table 3 | Step time with 16 chunks.")
    claims = dataclasses.replace(prop, quantities=[dataclasses.replace(prop.quantities[0], quote=caption)])
    offered = {h.code: h for h in hypotheses.build(review, claims, 1)}
    first = offered[review.findings[0].code].evidence
    assert "Permission" not in first and real.text in first
    assert "first quote, on p. 1, is a copyright or permission notice and is not shown" in first
    second = offered[review.findings[1].code].evidence
    assert second.startswith("none shown") and "p. 3" in second and "figure or table caption" in second
    assert "Step time" not in offered["NUM-1"].evidence and "caption" in offered["NUM-1"].evidence
    rendered = hypotheses.render(list(offered.values()))
    assert "Permission to make" not in rendered and "Figure 2:" not in rendered and "Table 3 |" not in rendered

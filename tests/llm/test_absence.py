"""Claims of absence in a draft review, paired with the document's sentences that may answer them."""

from __future__ import annotations

from tensora.extract.sentences import Sentence
from tensora.llm.absence import leads, render


def _doc(*texts: str) -> list[Sentence]:
    return [Sentence(t, 1, "Design", "proposal", i) for i, t in enumerate(texts)]


DOC = _doc(
    "The transfer engine moves the KV cache between nodes over RDMA.",
    "The required bandwidth grows to 19 GB/s for an 8xH800 machine.",
    "We evaluate on A800 nodes.",
)


def test_a_claim_of_absence_finds_the_sentence_that_answers_it() -> None:
    parts = {"stress_test": "The paper never states the bandwidth it needs on an 8xH800 machine. The rest is fine."}
    [lead] = leads(parts, DOC)
    assert lead.part == "stress_test" and "never states" in lead.claim
    assert lead.candidates[0].startswith("The required bandwidth grows to 19 GB/s")
    assert "may be answered by" in render([lead])


def test_no_lead_when_the_document_does_not_share_the_words() -> None:
    parts = {"stress_test": "The draft never reports the p99 latency under bursty arrivals."}
    assert leads(parts, DOC) == []


def test_no_lead_without_a_claim_of_absence() -> None:
    parts = {"stress_test": "The bandwidth for an 8xH800 machine is 19 GB/s, which the RDMA engine reaches."}
    assert leads(parts, DOC) == []
    assert render([]) == ""


def test_a_number_shown_in_a_figure_brings_the_caption_on_its_page() -> None:
    doc = [
        Sentence(
            "Our system raises the effective capacity by up to 498% over the baseline.",
            1,
            "Abstract",
            "proposal",
            0,
            "text",
            0,
        ),
        Sentence(
            "Figure 1: Effective capacity under the real conversation workload and three TBT limits.",
            1,
            "Introduction",
            "proposal",
            1,
            "caption",
            1,
        ),
        Sentence("Figure 2: Latency of the transfer engine.", 2, "Evaluation", "proposal", 2, "caption", 2),
    ]
    parts = {"novelty": "The text does not say which workload and threshold give the 498%, and that matters."}
    [lead] = leads(parts, doc)
    assert lead.candidates[0].startswith("Our system raises")
    assert any(c.startswith("Figure 1:") for c in lead.candidates)
    assert not any(c.startswith("Figure 2:") for c in lead.candidates)


def test_the_caption_comes_only_from_the_page_of_the_number() -> None:
    doc = [
        Sentence("Figure 1: Capacity under the conversation workload.", 1, "Intro", "proposal", 0, "caption", 0),
        Sentence("Later we reach 498% more capacity on our traces.", 2, "Evaluation", "proposal", 1, "text", 1),
    ]
    parts = {"novelty": "The draft never states which workload gives the 498% it claims."}
    [lead] = leads(parts, doc)
    assert lead.candidates == ("Later we reach 498% more capacity on our traces.",)

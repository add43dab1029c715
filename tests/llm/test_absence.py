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

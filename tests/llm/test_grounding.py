"""The self-check grounds the review's statements about the documents: each comes with the text it rests on,
the text is looked up in the visible documents, and the statements whose text is not found go back to the
model once, to be corrected or kept."""

from __future__ import annotations

import json

import pytest

from tensora.audit.engine import audit
from tensora.audit.findings import Review
from tensora.extract.claims import Claims
from tensora.knowledge.loader import load_knowledge
from tensora.llm import grounding
from tensora.llm.review import LLMReview, enhance
from tensora.llm.validate import QuoteIndex
from tensora.pipeline import read_both
from tensora.render import markdown

from ._support import EXAMPLE, FakeBackend, answer_json, settings, text

Case = tuple[Review, Claims, Claims]

FOUND = {
    "part": "stress_test",
    "claim": "the chunk size of the best setting is 512 tokens",
    "doc": "proposal",
    "quote": "512 tokens in our best setting",
}
# the draft writes its transfers with batched isend/irecv, and names no kernel of its own
INVENTED = {
    "part": "stress_test",
    "claim": "the transfers use a custom copy-engine kernel",
    "doc": "proposal",
    "quote": "a custom copy-engine kernel moves each chunk",
}
STRESS = "Each chunk is 6.3 MB. The transfers use a custom copy-engine kernel, so SM contention is avoided."


@pytest.fixture(scope="module")
def case() -> Case:
    kb = load_knowledge()
    (prop, hidden), base = read_both(EXAMPLE / "proposal.md", EXAMPLE / "baseline.md", None, kb)
    return markdown.fill(audit(prop, base, kb, ("proposal.md", "baseline.md"), {"proposal": hidden})), prop, base


def run(case: Case, backend: FakeBackend) -> LLMReview:
    review, prop, base = case
    return enhance(review, prop, base, settings(max_tool_rounds=1), backend=backend, sleep=lambda s: None)


def test_statements_are_looked_up_in_the_visible_text(case: Case) -> None:
    _, prop, base = case
    index = QuoteIndex({"proposal": prop, "baseline": base})
    typographic = {**FOUND, "quote": "512\u00a0tokens in our best setting", "claim": "typography only"}
    no_quote = {"claim": "the sweep runs for 20 steps", "quote": ""}
    statements = grounding.check([FOUND, INVENTED, typographic, no_quote, FOUND, "not an object"], index)
    assert [s.found for s in statements] == [True, False, True, False]  # the repeated statement is read once
    shown = grounding.render(statements)
    assert "custom copy-engine kernel" in shown and "no text given" in shown
    assert "512 tokens in our best setting" not in shown  # a statement found does not come back


def test_a_grounded_review_needs_no_follow_up(case: Case) -> None:
    backend = FakeBackend(
        replies=[text(answer_json()), text(json.dumps({"corrections": [], "grounding": [FOUND]}))]
    )
    result = run(case, backend)
    assert len(backend.calls) == 2
    assert result.llm["self_check"]["grounding"] == {"statements": 1, "not_found": []}


def test_a_statement_without_support_goes_back_once_and_is_corrected(case: Case) -> None:
    correction = {
        "part": "stress_test",
        "find": "The transfers use a custom copy-engine kernel, so SM contention is avoided.",
        "replace": "Do the NCCL transfers on the side streams take SMs from the GEMMs?",
        "reason": "p. 1: transfers use batched isend/irecv over NCCL; no kernel of its own",
    }
    backend = FakeBackend(
        replies=[
            text(answer_json(stress_test=STRESS)),
            text(json.dumps({"corrections": [], "grounding": [FOUND, INVENTED]})),
            text(json.dumps({"corrections": [correction]})),
        ]
    )
    result = run(case, backend)
    assert len(backend.calls) == 3
    follow = backend.calls[2]
    assert follow.messages[-1].role == "user" and "custom copy-engine kernel" in follow.messages[-1].content
    assert follow.messages[-2].role == "assistant"  # the model sees its own grounding
    assert "grounding" not in json.dumps(follow.schema)  # the follow-up asks for corrections only
    record = result.llm["self_check"]["grounding"]
    assert [s["claim"] for s in record["not_found"]] == [INVENTED["claim"]]
    assert record["status"] == "ok" and record["corrections"][0]["applied"] is True
    assert "copy-engine" not in result.llm["parts"]["stress_test"]
    assert "take SMs from the GEMMs" in result.text


def test_an_unusable_follow_up_leaves_the_review_as_it_was(case: Case) -> None:
    backend = FakeBackend(
        replies=[
            text(answer_json(stress_test=STRESS)),
            text(json.dumps({"corrections": [], "grounding": [INVENTED]})),
            text(""),
        ]
    )
    result = run(case, backend)
    record = result.llm["self_check"]["grounding"]
    assert record["status"].startswith("unusable follow-up")
    assert "copy-engine kernel" in result.llm["parts"]["stress_test"]


def test_the_self_check_gets_the_knowledge_bases_record_of_the_works_cited(case: Case) -> None:
    citations = [
        {"name": "Megatron-LM", "venue": "SC", "year": 2021},
        {"name": "A system nobody recorded", "venue": "Nowhere", "year": 2030},
    ]
    backend = FakeBackend(
        replies=[text(answer_json(citations=citations)), text(json.dumps({"corrections": []}))]
    )
    run(case, backend)
    request = backend.calls[1].messages[1].content
    assert "What tensora's knowledge base records of the prior works your review names" in request
    block = request.split("What tensora's knowledge base records", 1)[1]
    assert "- Megatron" in block and "nobody recorded" not in block


def test_no_record_block_when_the_review_cites_nothing_known(case: Case) -> None:
    backend = FakeBackend(replies=[text(answer_json()), text(json.dumps({"corrections": []}))])
    run(case, backend)
    assert "knowledge base records of the prior works" not in backend.calls[1].messages[1].content

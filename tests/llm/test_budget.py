"""What the model is told about its budget: the tool rounds stated up front and counted down after each round,
the self-check announced in the first system message, and the self-check's own short request with only the
tools a check needs."""

from __future__ import annotations

import json

import pytest

from tensora.audit.engine import audit
from tensora.audit.findings import Review
from tensora.extract.claims import Claims
from tensora.knowledge.loader import load_knowledge
from tensora.llm import prompts
from tensora.llm.review import LLMReview, enhance
from tensora.pipeline import read_both
from tensora.render import markdown

from ._support import EXAMPLE, FakeBackend, answer_json, settings, text, tool_calls

Case = tuple[Review, Claims, Claims]
ALL = {"pipeline_bubble_fraction", "search_prior_work", "technique_info", "hardware", "read_section", "arithmetic"}


@pytest.fixture(scope="module")
def case() -> Case:
    kb = load_knowledge()
    (prop, hidden), base = read_both(EXAMPLE / "proposal.md", EXAMPLE / "baseline.md", None, kb)
    return markdown.fill(audit(prop, base, kb, ("proposal.md", "baseline.md"), {"proposal": hidden})), prop, base


def run(case: Case, backend: FakeBackend, rounds: int = 3) -> LLMReview:
    review, prop, base = case
    return enhance(review, prop, base, settings(max_tool_rounds=rounds), backend=backend, sleep=lambda s: None)


@pytest.mark.parametrize("rounds", [1, 2, 4])
def test_the_budget_is_stated_and_counted_down(case: Case, rounds: int) -> None:
    loop = tool_calls(("arithmetic", {"expression": "2 * 3"}))
    backend = FakeBackend(replies=[loop] * rounds + [text(answer_json())])
    run(case, backend, rounds)
    system = backend.calls[0].messages[0].content
    plural = "round" if rounds == 1 else "rounds"
    assert f"you have {rounds} tool {plural}" in " ".join(system.split())
    assert "your next reply must be the answer" in " ".join(system.split())
    notes = [m.content for m in backend.calls[rounds].messages if m.role == "user"][1:]
    assert len(notes) == rounds
    for used, note in enumerate(notes[:-1], 1):
        assert note.startswith(f"Tool round {used} of {rounds} done: {rounds - used} more")
    assert notes[-1].startswith(f"Tool round {rounds} of {rounds} done: that was the last one.")
    assert "give your answer" in notes[-1]
    assert backend.calls[rounds].tools == []  # the answer is due: nothing is offered


def test_no_tools_is_said_so(case: Case) -> None:
    backend = FakeBackend()
    run(case, backend, rounds=0)
    system = " ".join(backend.calls[0].messages[0].content.split())
    assert "no tools are offered in this request" in system and "you have 0" not in system
    assert not backend.calls[0].tools and not backend.calls[1].tools


def test_the_self_check_is_announced_and_offers_only_what_a_check_needs(case: Case) -> None:
    backend = FakeBackend(
        replies=[
            text(answer_json()),
            tool_calls(
                ("search_prior_work", {"query": "chunked sequence parallel"}), ("arithmetic", {"expression": "6/3"})
            ),
            text(json.dumps({"corrections": []})),
        ]
    )
    result = run(case, backend)
    review_system = " ".join(backend.calls[0].messages[0].content.split())
    assert "exactly one more turn: a critical re-read" in review_system
    assert {t.name for t in backend.calls[0].tools} >= ALL
    check = backend.calls[1]
    assert {t.name for t in check.tools} == set(prompts.SELF_CHECK_TOOLS) == {"read_section", "arithmetic"}
    system, request = check.messages[0].content, check.messages[1].content
    assert "critical re-read announced at the start" in system
    assert "technique_info" not in system and "HYPOTHESES" not in system  # not the review's rules again
    assert "read_section and arithmetic only" in " ".join(system.split())
    assert 'Return one JSON object and nothing else: {"corrections": [...], "grounding": [...]}' in request
    # a tool that is not offered gets an error back, not a result
    results = {c["name"]: c["result"] for c in result.llm["tool_calls"]}
    assert "not offered in this request" in results["search_prior_work"]["error"]
    assert results["arithmetic"]["value"] == 2
    assert result.llm["self_check"]["status"] == "ok"


def test_a_correction_that_differs_only_by_typography_is_applied(case: Case) -> None:
    stress = 'The draft\'s "overlap" claim \u2014 hiding all SP traffic \u2014 is never measured.'
    correction = {
        "part": "stress_test",
        "find": "The draft\u2019s \u201coverlap\u201d claim - hiding all SP traffic - is never measured",
        "replace": "The overlap claim is measured only at 8 GPUs",
        "reason": "p. 2 reports it at 8 GPUs",
    }
    backend = FakeBackend(
        replies=[text(answer_json(stress_test=stress)), text(json.dumps({"corrections": [correction]}))]
    )
    result = run(case, backend)
    assert result.llm["self_check"]["corrections"][0]["applied"] is True
    assert result.llm["parts"]["stress_test"] == "The overlap claim is measured only at 8 GPUs."

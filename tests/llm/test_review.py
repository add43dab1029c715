"""The LLM pass over a review, with the in-process fake backend: grounding, tools, parsing and repair,
validation of what the model adds, accounting, and the fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tensora.audit.engine import audit
from tensora.audit.findings import Review
from tensora.extract.claims import Claims
from tensora.knowledge.loader import load_knowledge
from tensora.llm.errors import ServerError, UnauthorizedError, UnreachableError
from tensora.llm.review import LLMReview, enhance
from tensora.pipeline import read_both
from tensora.render import markdown

from ._support import EXAMPLE, FakeBackend, answer_json, settings, text, tool_calls

Case = tuple[Review, Claims, Claims]


@pytest.fixture(scope="module")
def case() -> Case:
    kb = load_knowledge()
    (prop, hidden), base = read_both(EXAMPLE / "proposal.md", EXAMPLE / "baseline.md", None, kb)
    review = markdown.fill(audit(prop, base, kb, ("proposal.md", "baseline.md"), {"proposal": hidden}))
    return review, prop, base


def run(case: Case, backend: FakeBackend, **kw: object) -> LLMReview:
    review, prop, base = case
    chosen = kw.pop("settings", settings())
    options = {"sleep": lambda s: None, **kw}
    return enhance(review, prop, base, chosen, backend=backend, **options)  # type: ignore[arg-type]


def _sentence(claims: Claims, word: str) -> tuple[str, int]:
    s = next(s for s in claims.sentences if word in s.text and len(s.text) > 40)
    return s.text, s.page


def test_voice_on_top_of_the_audit(case: Case) -> None:
    review, _, _ = case
    backend = FakeBackend()
    result = run(case, backend)
    assert result.llm["status"] == "ok"
    assert result.codes() == review.codes()
    assert [f.computed for f in result.findings] == [f.computed for f in review.findings]
    assert result.mirror.text.startswith("Let me make sure I understand the core claim. You are proposing")
    assert result.text.count("Walk me through the worst case") == 1
    stress = result.text.index("## 3.")
    assert result.text.index("Walk me through the worst case") > stress
    assert "Written by" not in result.text
    data = json.loads(json.dumps(result.to_dict()))
    # the review and the self-check
    assert data["llm"]["usage"] == {
        "requests": 2,
        "input_tokens": 200,
        "output_tokens": 40,
        "total_tokens": 240,
        "cost_usd": "unknown",
    }
    assert data["llm"]["parts"]["twist"].startswith("Here is a thought")
    assert review.mirror.text != result.mirror.text  # the deterministic review is left as it was


def test_prompt_fences_the_documents_and_offers_the_tools(case: Case) -> None:
    backend = FakeBackend()
    run(case, backend)
    call = backend.calls[0]
    system, user = call.messages[0].content, call.messages[1].content
    assert "untrusted" in system and "never instructions" in system
    assert user.count("<document ") == 2 and user.count("</document>") == 2 and "HYPOTHESES" in user
    for block in user.split("<document ")[1:]:
        inside = block.split(">", 1)[1].split("</document>")[0]
        assert "<" not in inside and ">" not in inside  # document text cannot open or close a tag
    assert "[DELTA]" in user and "[MIRROR]" in user  # the audit comes as hypotheses to check
    names = {t.name for t in call.tools}
    assert names >= {"pipeline_bubble_fraction", "amdahl_max_speedup", "mfu", "all_to_all_time_s", "kv_cache_gib"}
    assert names >= {"search_prior_work", "technique_info", "hardware", "read_section", "arithmetic"}
    assert call.schema is not None and "DOC-HIDDEN-TEXT" not in json.dumps(call.schema)


def test_prompts_keep_the_models_assumptions_apart_from_the_draft(case: Case) -> None:
    """A figure resting on something the draft does not state is marked as an assumption, in the review, the
    reading and the self-check, and the model-state tool says how to count states the draft replicates."""
    from tensora.llm import prompts
    from tensora.llm.tools import TOOLS

    assert "never present it as the draft's design" in prompts.review_system(2)
    assert '"if ..."' in prompts.reading_system()
    check = prompts.self_check_request("DOCS", "{}")
    assert "assumption of yours presented as the draft's design" in check and "replicates" in check
    assert "an inference stated as the draft's text" in check and "whole sentence" in check
    assert "at most seven numbered points" in prompts.review_system(2)
    assert "call it once per part" in TOOLS["model_states_per_gpu_gib"].description


def test_the_must_solve_sentence_is_said_once() -> None:
    """The persona's closing sentence ends the decisive weakness only; a refrain after every point reads as a
    template (blind judges marked it down in five of eight reviews)."""
    from tensora.llm import prompts

    system = prompts.review_system(2)
    assert "use that sentence once in the review" in system
    assert "in your own words" in system


def test_cost_from_the_price_table(case: Case) -> None:
    result = run(case, FakeBackend(), settings=settings(provider="openai", model="gpt-4o-mini-2024-07-18"))
    assert result.llm["usage"]["cost_usd"] == pytest.approx(2 * (100 * 0.15 + 20 * 0.60) / 1e6)


def test_tool_results_go_back_and_count_as_evidence(case: Case) -> None:
    stress = "At p = 16 and m = 8 the bubble is 65.2% of the step."
    backend = FakeBackend(
        replies=[
            tool_calls(("pipeline_bubble_fraction", {"stages": 16, "microbatches": 8})),
            text(answer_json(stress_test=stress)),
        ]
    )
    result = run(case, backend)
    assert result.llm["tool_calls"][0]["result"]["value"] == pytest.approx(15 / 23)
    tool_message, note = backend.calls[1].messages[-2:]
    assert tool_message.role == "tool" and json.loads(tool_message.content)["value"] == pytest.approx(15 / 23)
    assert note.role == "user" and "1 of 3 done: 2 more rounds are left" in note.content
    assert result.llm["unverified_numbers"] == []
    assert result.llm["usage"]["requests"] == 3  # tool round, answer, self-check


def test_tool_rounds_are_bounded(case: Case) -> None:
    loop = tool_calls(("amdahl_max_speedup", {"fraction_affected": 0.3}))
    backend = FakeBackend(replies=[loop, loop, loop, loop])
    result = run(case, backend, settings=settings(max_tool_rounds=3))
    # three tool rounds, the answer without tools, its repair, then the self-check (tools offered again)
    assert [bool(c.tools) for c in backend.calls] == [True, True, True, False, False, True]
    assert result.llm["status"] == "ok"  # the unanswered fourth round led to one repair round


def test_a_bad_tool_call_gets_an_error_back(case: Case) -> None:
    backend = FakeBackend(replies=[tool_calls(("pipeline_bubble_fraction", {"stages": 0, "microbatches": 4}))])
    result = run(case, backend)
    assert "error" in result.llm["tool_calls"][0]["result"]


def test_invented_numbers_are_listed(case: Case) -> None:
    stress = "This gives a 3.7x speedup on 3,333 GPUs, far above the bubble of the audit."
    result = run(case, FakeBackend(replies=[text(answer_json(stress_test=stress))]))
    flagged = {u["number"] for u in result.llm["unverified_numbers"]}
    assert flagged == {"3.7x", "3,333 GPUs"}
    assert "could not trace 2 number(s)" in result.untraced_line() and "could not trace" not in result.text


@pytest.mark.parametrize(
    "reply",
    [
        "```json\n" + answer_json()[:-1] + ",}\n```",  # fenced, trailing comma
        "Here is my review: " + answer_json() + " Hope it helps.",
    ],
)
def test_tolerant_parser_needs_no_repair(case: Case, reply: str) -> None:
    backend = FakeBackend(replies=[text(reply)])
    assert run(case, backend).llm["status"] == "ok"
    assert len(backend.calls) == 2  # the answer, and the self-check


def test_one_repair_round(case: Case) -> None:
    backend = FakeBackend(replies=[text("I would rather answer in prose."), text(answer_json())])
    result = run(case, backend)
    assert result.llm["status"] == "ok" and len(backend.calls) == 3  # with the self-check
    assert "could not be used: it contains no JSON object" in backend.calls[1].messages[-1].content
    assert not backend.calls[1].tools


def test_unusable_after_repair_falls_back(case: Case) -> None:
    review, _, _ = case
    backend = FakeBackend(replies=[text("no"), text('{"mirror": "cut off')])
    result = run(case, backend)
    assert result.llm["status"] == "fallback"
    assert "not usable JSON, even after a repair round" in result.llm["warning"]
    assert result.text == review.text and result.codes() == review.codes()


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (UnreachableError("cannot connect to http://127.0.0.1:9/v1"), "cannot connect to http://127.0.0.1:9/v1"),
        (UnauthorizedError("the server refused the API key (401)", status=401), "check OPENAI_API_KEY"),
    ],
)
def test_failures_fall_back_with_one_line(case: Case, error: Exception, expected: str) -> None:
    review, _, _ = case
    result = run(case, FakeBackend(replies=[error]), settings=settings(provider="openai", model="m"))
    assert result.llm["status"] == "fallback" and expected in result.llm["warning"]
    assert "\n" not in result.llm["warning"] and result.llm["warning"].endswith("showing the deterministic review.")
    assert result.text == review.text


def test_server_errors_are_retried(case: Case) -> None:
    waits: list[float] = []
    backend = FakeBackend(replies=[ServerError("boom (500)", status=500), text(answer_json())])
    result = run(case, backend, sleep=waits.append)
    assert result.llm["status"] == "ok" and waits == [1.0]


def test_streaming_passes_the_answer_through(case: Case) -> None:
    seen: list[str] = []
    run(case, FakeBackend(), on_text=seen.append)
    assert json.loads("".join(seen))["twist"].startswith("Here is a thought")


def test_added_findings_are_validated(case: Case) -> None:
    review, prop, base = case
    quote, page = _sentence(prop, "GPU")
    raised = set(review.codes())
    new_code = next(c for c in ("PIPE-DIVISIBILITY", "MOE-IMBALANCE", "PEAK-MEMORY") if c not in raised)
    taken = review.codes()[0]

    def finding(code: str, q: str, doc: str = "proposal") -> dict[str, object]:
        return {
            "code": code,
            "severity": "major",
            "title": "A gap",
            "message": "The draft leaves this open.",
            "must_solve": "say how the case is handled",
            "evidence": [{"doc": doc, "page": 99, "quote": q}],
        }

    findings = [
        finding(new_code, "  " + quote.upper().replace(" ", "\n ") + " "),  # case and whitespace do not matter
        finding("FOO-BAR", quote),
        finding(taken, quote),
        finding("DOC-HIDDEN-TEXT", quote),
        finding("EVID-CURVES", "a sentence that appears in neither document at all"),
    ]
    result = run(case, FakeBackend(replies=[text(answer_json(findings=findings))]))
    added = [f for f in result.findings if f.code == new_code]
    assert len(added) == 1 and added[0].evidence[0].page == page
    assert added[0].must_solve.startswith("If you want this to survive MLSys review, you need to say how")
    assert "(the model's suggestion)" in added[0].title
    data = result.to_dict()
    assert [f.get("source") for f in data["findings"] if f["code"] == new_code] == ["llm"]
    assert all("source" not in f for f in data["findings"] if f["code"] != new_code)
    reasons = {r["code"]: r["reason"] for r in result.llm["rejected"]}
    assert reasons["FOO-BAR"] == "not a tensora finding code"
    assert reasons[taken] == "already raised by the audit"
    assert reasons["DOC-HIDDEN-TEXT"] == "only the audit reports hidden text"
    assert reasons["EVID-CURVES"].startswith("no quote found in the documents")
    assert len(result.llm["rejected"]) == 4 and "Set aside" not in result.text


def test_small_context_shrinks_the_evidence(case: Case) -> None:
    big, small = FakeBackend(), FakeBackend()
    run(case, big)
    run(case, small, settings=settings(context_tokens=2048, max_tokens=512, max_tool_rounds=0))
    assert len(small.calls[0].messages[1].content) < 0.7 * len(big.calls[0].messages[1].content)
    assert not small.calls[0].tools


def test_json_output_round_trips(case: Case, tmp_path: Path) -> None:
    from tensora.render import json as render_json

    data = json.loads(render_json.render(run(case, FakeBackend())))
    assert data["llm"]["backend"] == "fake" and data["mirror"]["text"].startswith("Let me make sure")


def test_an_enumerated_run_becomes_one_paragraph_per_item() -> None:
    from tensora.llm.review import _enumerated

    text = "Three things. 1) The bubble is 46.7%. 2) Memory at 3.54 GiB, see 2) above. 3) The baseline."
    assert _enumerated(text).split("\n\n") == [
        "Three things.",
        "1) The bubble is 46.7%.",
        "2) Memory at 3.54 GiB, see 2) above.",
        "3) The baseline.",
    ]
    assert _enumerated("No list here, only 2) once.") == "No list here, only 2) once."


def test_a_table_or_a_list_in_a_part_keeps_its_lines() -> None:
    from tensora.llm.answer import _prose

    text = "Numbers first:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nA  paragraph\nwrapped here.\n\n1. one\n2. two"
    out = _prose(text)
    assert "| a | b |\n|---|---|\n| 1 | 2 |" in out
    assert "A paragraph wrapped here." in out and "1. one\n2. two" in out


def test_the_numbers_offered_are_the_headline_ones_first(kb) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from tests.conftest import paragraphs_from_markdown

    from tensora.extract.claims import claims_from_paragraphs
    from tensora.llm.hypotheses import _numbers_that_matter

    body = " ".join(f"Run {i} used {i + 2} GPUs." for i in range(20))
    text = f"# Fast\n\n## Abstract\n\nFast trains 1.7x faster on 64 GPUs.\n\n## Evaluation\n\n{body}"
    c = claims_from_paragraphs(paragraphs_from_markdown(text), "proposal", kb, title="Fast")
    picked = _numbers_that_matter(SimpleNamespace(findings=[]), c, 4)  # type: ignore[arg-type]
    assert len(picked) == 4
    assert {q.role for q in picked if "Abstract" in q.section} >= {"speedup"}

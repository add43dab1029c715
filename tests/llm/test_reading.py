"""The model's own reading: a first request with the documents and no audit, whose notes lead the review request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tensora.audit.engine import audit
from tensora.audit.findings import Review
from tensora.extract.claims import Claims
from tensora.knowledge.loader import load_knowledge
from tensora.llm import answer as answers
from tensora.llm import prompts
from tensora.llm.errors import BackendConfigError
from tensora.llm.review import READING_ROOM, LLMReview, enhance
from tensora.llm.settings import resolve
from tensora.pipeline import read_both
from tensora.render import markdown

from ._support import EXAMPLE, FakeBackend, answer_json, settings, text

Case = tuple[Review, Claims, Claims]

READING = {
    "crux": "Chunked sequence-parallel attention that overlaps each chunk's transfer with the previous chunk.",
    "notes": [
        {
            "point": "The overlap window is shorter than the transfer at the draft's own chunk size.",
            "check": "6.3 MB / 450 GB/s = 14 us per chunk against a 9 us attention step",
        },
        {"point": "No scaling beyond one node is measured.", "check": "the evaluation section, page 3"},
    ],
    "prior_work": ["Ring Attention (ICLR 2024): the same blockwise ring overlap"],
    "twist": "Pick the chunk size per layer from the measured link bandwidth.",
}


@pytest.fixture(scope="module")
def case() -> Case:
    kb = load_knowledge()
    (prop, hidden), base = read_both(EXAMPLE / "proposal.md", EXAMPLE / "baseline.md", None, kb)
    return markdown.fill(audit(prop, base, kb, ("proposal.md", "baseline.md"), {"proposal": hidden})), prop, base


def run(case: Case, backend: FakeBackend, **changes: object) -> LLMReview:
    review, prop, base = case
    return enhance(review, prop, base, settings(own_reading=True, **changes), backend=backend, sleep=lambda s: None)


def test_the_first_request_is_the_reading_alone(case: Case) -> None:
    backend = FakeBackend(replies=[text(json.dumps(READING)), text(answer_json())])
    result = run(case, backend)
    first = backend.calls[0]
    assert first.tools == []  # no tools, no audit: the model reads on its own
    assert first.schema == answers.reading_schema()
    system, user = (m.content for m in first.messages)
    assert "reading before the meeting" in system
    assert '<document role="proposal"' in user and "HYPOTHESES" not in user and "[QNT-" not in user
    assert result.llm["reading"]["status"] == "ok"
    assert result.llm["reading"]["notes"][0]["point"].startswith("The overlap window")


def test_the_notes_lead_the_review_request_before_the_hypotheses(case: Case) -> None:
    backend = FakeBackend(replies=[text(json.dumps(READING)), text(answer_json())])
    run(case, backend)
    request = backend.calls[1].messages[1].content
    own, hypotheses = request.index("YOUR OWN READING"), request.index("HYPOTHESES from tensora")
    assert own < hypotheses
    section = request[own:hypotheses]
    assert "1. The overlap window is shorter" in section and "[check: 6.3 MB / 450 GB/s" in section
    assert "Ring Attention (ICLR 2024)" in section and "Twist you had in mind: Pick the chunk size" in section
    assert backend.calls[1].tools  # the review request has the tools


def test_an_unusable_reading_leaves_the_review_to_go_on(case: Case) -> None:
    backend = FakeBackend(replies=[text("I would rather talk about the weather."), text(answer_json())])
    result = run(case, backend)
    assert result.llm["status"] == "ok"
    assert result.llm["reading"]["status"].startswith("unusable answer")
    assert "YOUR OWN READING" not in backend.calls[1].messages[1].content


def test_without_the_setting_there_is_no_reading(case: Case) -> None:
    backend = FakeBackend(replies=[text(answer_json())])
    review, prop, base = case
    result = enhance(review, prop, base, settings(own_reading=False), backend=backend, sleep=lambda s: None)
    assert "reading" not in result.llm
    assert "HYPOTHESES" in backend.calls[0].messages[1].content


def test_a_long_reading_is_cut_to_its_room() -> None:
    notes = [(f"point {i} " + "x" * 600, "y" * 600) for i in range(12)]
    rendered = prompts.render_reading("crux", notes, [], "")
    assert len(rendered) > READING_ROOM  # the review trims it to READING_ROOM, which the budget keeps free


def test_parse_reading_keeps_notes_and_refuses_an_answer_without_them() -> None:
    parsed = answers.parse_reading("```json\n" + json.dumps(READING) + "\n```")
    assert parsed.crux.startswith("Chunked") and len(parsed.notes) == 2 and parsed.prior_work
    with pytest.raises(answers.ParseError, match="no notes"):
        answers.parse_reading(json.dumps({"crux": "x", "notes": []}))


def test_the_config_turns_it_off_and_rejects_a_non_boolean(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[llm]\nown_reading = false\n", encoding="utf-8")
    assert resolve("replay", environ={}, config=config, exchange=str(tmp_path)).own_reading is False
    assert resolve("replay", environ={}, config=tmp_path / "none.toml", exchange=str(tmp_path)).own_reading is True
    config.write_text('[llm]\nown_reading = "yes"\n', encoding="utf-8")
    with pytest.raises(BackendConfigError, match="own_reading"):
        resolve("replay", environ={}, config=config, exchange=str(tmp_path))

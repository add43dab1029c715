"""Record and replay: the model's replies from files, through the CLI, with the hand-written exchange in
``fixtures/exchanges/sp-chunking`` (a tool round, a rejected hypothesis, an unverified number, a quote not in the
documents, a prior work not in the knowledge base, and the self-check pass)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tensora.cli import app
from tensora.llm.guard import NOT_FOUND
from tensora.llm.replay import RecordingBackend
from tensora.llm.review import enhance
from tensora.llm.settings import resolve
from tensora.whiteboard.__main__ import app as whiteboard

from ._support import EXAMPLE, FakeBackend, settings, text, tool_calls

FIXTURE = Path(__file__).parent / "fixtures" / "exchanges" / "sp-chunking"
DOCS = [str(EXAMPLE / "proposal.md"), "--baseline", str(EXAMPLE / "baseline.md")]
runner = CliRunner()


@pytest.fixture(autouse=True)
def _recorded_without_own_reading(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The sp-chunking exchange was recorded before the own-reading request (tests/llm/test_reading.py has it)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("[llm]\nown_reading = false\n", encoding="utf-8")
    monkeypatch.setenv("TENSORA_HOME", str(home))


def review(exchange: Path, *more: str) -> tuple[int, str, str]:
    done = runner.invoke(app, ["review", *DOCS, "--llm", "replay", "--llm-exchange", str(exchange), *more])
    return done.exit_code, done.stdout, done.stderr


def with_replies(tmp_path: Path, *names: str) -> Path:
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    for name in names:
        shutil.copy(FIXTURE / name, exchange / name)
    return exchange


def test_a_missing_reply_stops_with_exit_3_and_names_the_file(tmp_path: Path) -> None:
    exchange = tmp_path / "exchange"
    code, out, err = review(exchange)
    assert code == 3 and out == ""
    assert err.strip().splitlines() == [err.strip()] and str(exchange / "001.reply.json") in err
    request = json.loads((exchange / "001.request.json").read_text())
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert {t["name"] for t in request["tools"]} >= {"amdahl_max_speedup", "search_prior_work", "read_section"}
    assert request["response_schema"]["required"] == [
        "mirror",
        "novelty_gap",
        "stress_test",
        "twist",
        "hypotheses",
        "citations",
        "findings",
    ]
    readable = (exchange / "001.request.md").read_text()
    # the readable request says how to reply: the file, the two shapes, the tools, the schema
    assert str(exchange / "001.reply.json") in readable
    assert '{"content": <answer>}' in readable and '{"tool_calls": [' in readable
    assert "### amdahl_max_speedup" in readable and "## The answer's JSON schema" in readable
    assert '<document role="proposal"' in readable and "[QNT-AMDAHL]" in readable


def test_tool_calls_are_run_and_the_next_request_written(tmp_path: Path) -> None:
    exchange = with_replies(tmp_path, "001.reply.json")
    code, _, err = review(exchange)
    assert code == 3 and "002.reply.json" in err
    messages = json.loads((exchange / "002.request.json").read_text())["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "tool", "tool", "tool", "tool", "user"]
    # the budget is stated up front, and what is left of it after each round
    assert "you have 3 tool rounds" in messages[0]["content"]
    assert messages[-1]["content"].startswith("Tool round 1 of 3 done: 2 more rounds are left.")
    results = {m["name"]: json.loads(m["content"]) for m in messages if m["role"] == "tool"}
    assert results["amdahl_max_speedup"]["value"] == pytest.approx(1 / (0.85 + 0.15 / 12))
    assert results["arithmetic"]["value"] == pytest.approx(6.3e6 / 450e9)
    assert any("userbuffers" in r["name"] for r in results["search_prior_work"]["results"])
    assert results["technique_info"]["corner_cases"]


def test_the_whole_exchange_replays(tmp_path: Path) -> None:
    exchange = with_replies(tmp_path, "001.reply.json", "002.reply.json", "003.reply.json")
    code, out, err = review(exchange, "--format", "json")
    assert code == 0, err
    assert sorted(p.name for p in exchange.glob("*.request.*")) == [
        f"00{i}.request.{ext}" for i in (1, 2, 3) for ext in ("json", "md")
    ]
    data = json.loads(out)
    llm = data["llm"]
    assert llm["status"] == "ok" and llm["usage"]["requests"] == 3
    # the rejected hypothesis leaves the review, with its reason kept
    verdicts = {h["code"]: h for h in llm["hypotheses"]}
    assert verdicts["FAULT-TOLERANCE"]["verdict"] == "rejected" and verdicts["FAULT-TOLERANCE"]["reason"]
    assert "FAULT-TOLERANCE" not in [f["code"] for f in data["findings"]]
    assert "QNT-AMDAHL" in [f["code"] for f in data["findings"]]
    assert verdicts["PRIOR-6"]["verdict"] == "rejected"
    # the knowledge base decides which work is sixth: read its name from the request the model answered
    offered = json.loads((exchange / "002.request.json").read_text())["messages"][1]["content"]
    rejected = offered.split("[PRIOR-6] (prior work)", 1)[1].split(" (", 1)[0].strip()
    assert rejected and rejected not in [w["name"] for w in data["prior_work"]]
    assert verdicts["NUM-7"]["verdict"] == "revised"
    # numbers: the tool result, the written-out formula and the documents verify all but one
    assert [u["number"] for u in llm["unverified_numbers"]] == ["8.5 µs"]
    # quotes: one verbatim, one not in the documents (kept as paraphrase, without its quotation marks)
    statuses = {q["quote"][:20]: q["status"] for q in llm["quotes"]}
    assert statuses == {"Each transfer theref": "verified", "the chunk size can b": NOT_FOUND}
    assert '"the chunk size can b' not in llm["parts"]["stress_test"]
    # prior work: checked against the knowledge base, venue without its year
    works = {c["name"]: c["status"] for c in llm["citations"]}
    assert works["T3"] == "verified" and works["FlashOverlap"] == "not in tensora's knowledge base"
    # the prose stays the model's; the status lives in the JSON and the closing note counts it
    assert "[not in tensora's knowledge base]" not in llm["parts"]["novelty_gap"]
    # the self-check corrected a claim the draft's own text contradicts; a correction not found is not applied
    corrections = llm["self_check"]["corrections"]
    assert [c["applied"] for c in corrections] == [True, False]
    assert "never states how the chunk size is chosen" not in llm["parts"]["stress_test"]
    assert "sweep of 20 steps per candidate" in llm["parts"]["stress_test"]
    assert "Self-check." in (exchange / "003.request.md").read_text()


def test_a_finished_replay_says_so_in_one_line(tmp_path: Path) -> None:
    exchange = with_replies(tmp_path, "001.reply.json", "002.reply.json", "003.reply.json")
    code, out, err = review(exchange, "--format", "json")
    assert code == 0 and json.loads(out)["llm"]["status"] == "ok"
    assert err.strip().splitlines()[-1] == (
        f"tensora: replay complete: 3 exchanges used (001-003 in {exchange}); the review was written to "
        "standard output."
    )
    shutil.copy(FIXTURE / "003.reply.json", exchange / "004.reply.json")  # left over from a longer exchange
    written = tmp_path / "review.md"
    code, out, err = review(exchange, "-o", str(written))
    assert code == 0 and out == "" and written.read_text().startswith("#")
    assert err.strip().splitlines()[-1] == (
        f"tensora: replay complete: 3 exchanges used (001-003 in {exchange}); the review was written to "
        f"{written}. Not needed: 004.reply.json."
    )


def test_markdown_lists_what_to_check(tmp_path: Path) -> None:
    exchange = with_replies(tmp_path, "001.reply.json", "002.reply.json", "003.reply.json")
    code, out, err = review(exchange)
    assert code == 0
    body = out
    # a quote that is not verbatim is no longer shown as one; what could not be traced goes to stderr
    assert "Quoted above" not in out and "could not trace" not in out
    assert "could not trace 1 number(s)" in err and "1 named work(s)" in err and "1 quote(s)" in err
    # the review is the model's: a rejected finding and the audit's template paragraphs do not appear in it
    assert "FAULT-TOLERANCE" not in body
    assert "Walk me through" not in body or body.count("Walk me through") == 1


def test_replay_needs_an_exchange_directory() -> None:
    done = runner.invoke(app, ["review", *DOCS, "--llm", "replay"])
    assert done.exit_code == 2 and "--llm replay needs --llm-exchange DIR" in done.stderr


def test_a_malformed_reply_is_one_line(tmp_path: Path) -> None:
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    (exchange / "001.reply.json").write_text('{"answer": 1}')
    code, _, err = review(exchange)
    assert code == 2 and "001.reply.json" in err and len(err.strip().splitlines()) == 1


def test_a_recorded_exchange_replays_to_the_same_review(tmp_path: Path) -> None:
    from tensora.audit.engine import audit
    from tensora.knowledge.loader import load_knowledge
    from tensora.pipeline import read_both
    from tensora.render import markdown

    kb = load_knowledge()
    (prop, hidden), base = read_both(EXAMPLE / "proposal.md", EXAMPLE / "baseline.md", None, kb)
    det = markdown.fill(audit(prop, base, kb, ("proposal.md", "baseline.md"), {"proposal": hidden}))
    fake = FakeBackend(replies=[tool_calls(("pipeline_bubble_fraction", {"stages": 4, "microbatches": 8}))])
    recorded = enhance(det, prop, base, settings(), backend=RecordingBackend(fake, tmp_path), kb=kb)
    assert sorted(p.name for p in tmp_path.glob("*.reply.json")) == [
        "001.reply.json",
        "002.reply.json",
        "003.reply.json",
    ]
    replay = resolve("replay", exchange=str(tmp_path))
    replayed = enhance(det, prop, base, replay, kb=kb)
    assert replayed.text.replace("replay:replay", "fake:fake-model") == recorded.text
    assert replayed.llm["tool_calls"] == recorded.llm["tool_calls"]


def test_chat_replays_with_moves_that_need_a_reason(tmp_path: Path) -> None:
    exchange = tmp_path / "exchange"
    args = [
        "chat",
        str(EXAMPLE / "proposal.md"),
        "--baseline",
        str(EXAMPLE / "baseline.md"),
        "--answer",
        "We measured the exposed SP time on 16 nodes: it stays at 15% of the step.",
        "--session-db",
        str(tmp_path / "s.db"),
        "--llm",
        "replay",
        "--llm-exchange",
        str(exchange),
    ]
    first = runner.invoke(whiteboard, args)
    assert first.exit_code == 3 and "001.reply.json" in first.stderr
    opening = {
        "reply": "Let us start with **QNT-AMDAHL**: where does the rest of the 1.4x come from?",
        "moves": [],
        "citations": [],
    }
    (exchange / "001.reply.json").write_text(json.dumps({"content": opening}))
    second = runner.invoke(whiteboard, args)
    assert second.exit_code == 3 and "002.reply.json" in second.stderr
    request = (exchange / "002.request.md").read_text()
    assert "We measured the exposed SP time on 16 nodes" in request and "QNT-AMDAHL" in request
    follow = {
        "reply": "Sixteen nodes is progress; the bound is unchanged at 15% of the step.",
        "moves": [
            {"code": "EVID-TOY-SCALE", "to": "resolved", "reason": "the student now reports 16 nodes"},
            {"code": "QNT-AMDAHL", "to": "resolved", "reason": ""},
        ],
    }
    (exchange / "002.reply.json").write_text(json.dumps({"content": follow}))
    done = runner.invoke(whiteboard, args)
    assert done.exit_code == 0, done.stderr
    assert "Sixteen nodes is progress" in done.stdout
    assert "**EVID-TOY-SCALE** -> resolved: the student now reports 16 nodes" in done.stdout
    assert "A move of QNT-AMDAHL to resolved was ignored: it gave no reason." in done.stdout


def test_text_reply_counts_as_an_answer(tmp_path: Path) -> None:
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    from tensora.llm.replay import read_reply

    (exchange / "r.json").write_text(json.dumps({"content": "plain text", "usage": {"input_tokens": 5}}))
    reply = read_reply(exchange / "r.json")
    assert reply.text == "plain text" and reply.usage.input_tokens == 5 and not reply.tool_calls
    assert text("x").text == "x"


def test_the_self_check_corrects_a_finding_the_model_added() -> None:
    from tensora.llm.answer import CORRECTABLE, Answer
    from tensora.llm.review import _correct_items

    parsed = Answer(
        findings=[{"code": "EVID-TOY-SCALE", "message": "The emulator leaves out the data-parallel steps."}],
        hypotheses=[{"code": "NUM-3", "verdict": "revised", "reason": "200B is the target model"}],
    )
    assert "findings" in CORRECTABLE and "hypotheses" in CORRECTABLE
    assert _correct_items(parsed, "findings", "leaves out the", "does not say whether it models the")
    assert parsed.findings[0]["message"] == "The emulator does not say whether it models the data-parallel steps."
    assert _correct_items(parsed, "hypotheses", "the target model", "a model the introduction cites")
    assert not _correct_items(parsed, "findings", "text that is nowhere", "x")

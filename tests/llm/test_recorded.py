"""Replays of real recorded exchanges (a strong model in the loop) through the current pipeline and guard."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tensora.cli import app
from tensora.llm.numbers import numbers_in

ROOT = Path(__file__).resolve().parents[2]
RECORDED = Path(__file__).parent / "fixtures" / "exchanges" / "recorded"
CASES = sorted(p.name for p in RECORDED.iterdir() if p.is_dir())


def _recorded_with_reading(case: str) -> bool:
    """Whether the exchange starts with the model's own reading (exchanges recorded before that stage do not)."""
    first = json.loads((RECORDED / case / "001.reply.json").read_text(encoding="utf-8"))
    content = first.get("content")
    answer = json.loads(content) if isinstance(content, str) and content.lstrip().startswith("{") else content
    return isinstance(answer, dict) and "notes" in answer and "mirror" not in answer


@pytest.fixture(autouse=True)
def _settings_of_the_recording(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The config the exchange was recorded with: the own reading on or off."""
    case = request.node.callspec.params.get("case") if hasattr(request.node, "callspec") else None
    home = tmp_path / "home"
    home.mkdir()
    if case is not None:
        flag = "true" if _recorded_with_reading(case) else "false"
        (home / "config.toml").write_text(f"[llm]\nown_reading = {flag}\n", encoding="utf-8")
    monkeypatch.setenv("TENSORA_HOME", str(home))


_RECORDED_SETS = ("corpus", "round3", "round9", "round10", "round12", "round17", "round18", "round25", "round28")


def _inputs(case: str) -> tuple[Path, Path]:
    folder = next(
        f
        for f in (ROOT / "benchmarks" / r / case for r in _RECORDED_SETS)
        if f.is_dir()
    )
    proposal = folder / "proposal.pdf" if (folder / "proposal.pdf").exists() else folder / "proposal.md"
    baseline = folder / "baseline.pdf" if (folder / "baseline.pdf").exists() else folder / "baseline.md"
    if not proposal.resolve().exists() or not baseline.resolve().exists():
        pytest.skip(f"{case}: the corpus PDFs (shared/corpus/pdfs) are not next to this checkout")
    return proposal, baseline


@pytest.mark.parametrize("case", CASES)
def test_a_recorded_exchange_replays_and_everything_is_checked(case: str, tmp_path: Path) -> None:
    proposal, baseline = _inputs(case)
    exchange = tmp_path / "exchange"
    shutil.copytree(RECORDED / case, exchange)
    done = CliRunner().invoke(
        app,
        [
            "review",
            str(proposal),
            "--baseline",
            str(baseline),
            "--llm",
            "replay",
            "--llm-exchange",
            str(exchange),
            "--format",
            "json",
        ],
    )
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    llm = data["llm"]
    assert llm["status"] == "ok"
    if _recorded_with_reading(case):  # the model's own reading came first and was kept
        assert llm["reading"]["status"] == "ok" and llm["reading"]["notes"]
    parts = llm["parts"]
    assert all(parts[p] for p in ("mirror", "novelty_gap", "stress_test", "twist"))
    # every number of the prose is traced (documents, audit, tool, written formula) or listed as unverified
    stated = sum(1 for text in parts.values() for _ in numbers_in(text))
    assert llm["numbers_checked"]["total"] >= stated > 0
    assert all(u["number"] and u["where"] for u in llm["unverified_numbers"])
    # every quote is found in the visible text or flagged in the prose
    for quote in llm["quotes"]:
        assert quote["status"] == "verified" or f"[{quote['status']}]" in " ".join(parts.values())
    # a finding the model rejected is not in the review; every hypothesis has a verdict with a reason
    rejected = {h["code"] for h in llm["hypotheses"] if h["verdict"] == "rejected"}
    assert not rejected & {f["code"] for f in data["findings"] if f.get("source") != "llm"}
    assert all(h["reason"] for h in llm["hypotheses"] if h["verdict"] in ("rejected", "revised"))


def _replay(case: str, tmp_path: Path) -> tuple[dict[str, Any], Path, list[str]]:
    """The review of a recorded exchange replayed through the CLI as JSON, the exchange's copy and the command."""
    proposal, baseline = _inputs(case)
    exchange = tmp_path / "exchange"
    shutil.copytree(RECORDED / case, exchange)
    args = ["review", str(proposal), "--baseline", str(baseline), "--llm", "replay", "--llm-exchange", str(exchange)]
    done = CliRunner().invoke(app, [*args, "--format", "json"])
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout), exchange, args


@pytest.mark.parametrize("case", ["elastic-spot-shrink", "lora-hive-resident"])
def test_text_addressed_to_reviewers_never_reaches_the_model_and_is_reported(case: str, tmp_path: Path) -> None:
    data, exchange, args = _replay(case, tmp_path)
    assert "DOC-HIDDEN-TEXT" in [f["code"] for f in data["findings"]]
    requests = " ".join(p.read_text() for p in exchange.glob("*.request.json"))
    for finding in data["findings"]:
        if finding["code"] == "DOC-HIDDEN-TEXT":
            for quote in finding["evidence"]:
                assert quote["quote"][:60] not in requests  # the instruction was never shown to the model
    markdown = CliRunner().invoke(app, args).stdout
    stress = markdown.split("## 3.", 1)[1]
    assert stress.lstrip().split("\n", 1)[1].lstrip().startswith("**Before anything else")


@pytest.mark.parametrize("case", ["cxl-weight-tier-70b-config", "tp-fp8-async-window-config"])
def test_the_self_check_grounds_its_statements_in_the_documents(case: str, tmp_path: Path) -> None:
    """Exchanges recorded after the self-check grounds the review: the model's statements about the documents
    come with quotes that tensora finds in the visible text (so no follow-up turn was needed)."""
    data, _, _ = _replay(case, tmp_path)
    grounding = data["llm"]["self_check"]["grounding"]
    assert grounding["statements"] >= 4 and grounding["not_found"] == []

"""``tensora chat --llm``: the skeptic's turns written by the model, the deterministic turns as fallback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tensora.llm.errors import UnreachableError
from tensora.whiteboard.__main__ import app

from ._support import EXAMPLE, text

ANSWER = "We use 1F1B with 32 micro-batches over 4 pipeline stages."


def _chat(tmp_path: Path, *extra: str) -> object:
    args = ["chat", str(EXAMPLE / "proposal.md"), "--baseline", str(EXAMPLE / "baseline.md"), "--answer", ANSWER]
    args += ["--session-db", str(tmp_path / "s.db"), *extra]
    return CliRunner().invoke(app, args, catch_exceptions=False)


def test_turns_written_by_the_model(tmp_path: Path, fake_plugin: object) -> None:
    plugin = fake_plugin
    plugin.replies.extend(
        [text("Opening from the model."), text("Your 32 micro-batches settle the bubble; 1,777 GPUs?")]
    )  # type: ignore[attr-defined]
    done = _chat(tmp_path, "--llm", "fake:m")
    assert done.exit_code == 0, done.output  # type: ignore[attr-defined]
    assert "Opening from the model." in done.stdout  # type: ignore[attr-defined]
    assert "Your 32 micro-batches settle the bubble" in done.stdout  # type: ignore[attr-defined]
    assert "Numbers to check" in done.stdout and "1,777 GPUs" in done.stdout  # type: ignore[attr-defined]
    assert "tensora: LLM fake:m: 2 request(s)" in done.stderr  # type: ignore[attr-defined]
    calls = plugin.calls  # type: ignore[attr-defined]
    turn = calls[1].messages[1].content
    assert f"<answer>\n{ANSWER}\n</answer>" in turn and "Re-audited with your answer" in turn


def test_a_failing_model_falls_back_for_the_session(tmp_path: Path, fake_plugin: object) -> None:
    fake_plugin.replies.append(UnreachableError("cannot connect to http://127.0.0.1:9/v1"))  # type: ignore[attr-defined]
    done = _chat(tmp_path, "--llm", "fake:m")
    assert done.exit_code == 0  # type: ignore[attr-defined]
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]  # type: ignore[attr-defined]
    assert len(warnings) == 1 and "showing the deterministic turns" in warnings[0]
    assert "Re-audited with your answer" in done.stdout  # type: ignore[attr-defined]
    assert len(fake_plugin.calls) == 1  # type: ignore[attr-defined]


def test_without_llm_nothing_changes(tmp_path: Path) -> None:
    done = _chat(tmp_path)
    assert done.exit_code == 0 and "Re-audited with your answer" in done.stdout  # type: ignore[attr-defined]

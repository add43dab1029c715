"""``tensora review --llm``: a valid review through a loopback server, one warning line and the deterministic
review when it is down or refuses the key, one error line for a missing key."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tensora.cli import app

from ._support import EXAMPLE, LoopbackServer, Response, error_body

pytest.importorskip("openai")

runner = CliRunner()
PDFS = [str(EXAMPLE / "proposal.pdf"), "--baseline", str(EXAMPLE / "baseline.pdf")]


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TENSORA_HOME", str(tmp_path))  # no config file


def _deterministic() -> dict[str, object]:
    done = runner.invoke(app, ["review", *PDFS, "--format", "json"])
    assert done.exit_code == 0
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_review_through_a_local_server(openai_server: LoopbackServer) -> None:
    args = ["review", *PDFS, "--llm", "openai:test-model", "--llm-base-url", openai_server.url, "--format", "json"]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    # own reading, review, self-check: the server answers every request with the review, so the reading is
    # unusable and the review goes on without it
    assert data["llm"]["status"] == "ok" and data["llm"]["usage"]["total_tokens"] == 450
    assert data["llm"]["reading"]["status"].startswith("unusable answer")
    assert [f["code"] for f in data["findings"]] == [f["code"] for f in _deterministic()["findings"]]  # type: ignore[index]
    assert done.stderr.strip() == (
        "tensora: LLM openai:test-model: 3 request(s), 360 input + 90 output tokens, cost unknown."
    )
    sent = openai_server.requests[0].body
    assert sent["model"] == "test-model" and sent["temperature"] == 0.2


def test_markdown_carries_the_note(openai_server: LoopbackServer, tmp_path: Path) -> None:
    out = tmp_path / "review.md"
    args = ["review", *PDFS, "--llm", "openai:m", "--llm-base-url", openai_server.url, "-o", str(out)]
    assert runner.invoke(app, [*args, "--llm-temperature", "0"]).exit_code == 0
    text = out.read_text()
    assert "Walk me through the worst case" in text
    # nothing for the student to check: no closing note about the machinery (it is in the JSON)
    assert "Written by" not in text or "tensora checked it" in text
    assert openai_server.requests[0].body["temperature"] == 0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_down_warns_once_and_falls_back() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    done = runner.invoke(app, ["review", *PDFS, "--llm", "openai:m", "--llm-base-url", url, "--format", "json"])
    assert done.exit_code == 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"tensora: warning: LLM openai:m not used: cannot connect to {url}")
    assert lines[0].endswith("showing the deterministic review.")
    data = json.loads(done.stdout)
    assert data.pop("llm")["status"] == "fallback"
    assert data == _deterministic()


def test_wrong_key_warns_and_falls_back(openai_server: LoopbackServer) -> None:
    openai_server.push(Response(status=401, body=error_body("Incorrect API key provided")))
    done = runner.invoke(app, ["review", *PDFS, "--llm", "openai:m", "--llm-base-url", openai_server.url])
    assert done.exit_code == 0
    assert "refused the API key (401" in done.stderr and "check OPENAI_API_KEY or --llm-key-env" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "## 1. The Mirror" in done.stdout


def test_missing_key_is_one_line_and_exit_2() -> None:
    done = runner.invoke(app, ["review", *PDFS, "--llm", "anthropic:claude-3-5-haiku-latest"])
    assert done.exit_code == 2
    assert done.stderr == "tensora: No API key for backend 'anthropic': set ANTHROPIC_API_KEY or pass --llm-key-env.\n"
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--llm-base-url", "http://127.0.0.1:1/v1"], "the --llm-* options need --llm PROVIDER:MODEL."),
        (["--llm", "gpt-4o"], "--llm takes PROVIDER:MODEL"),
        (["--llm", "nosuch:model"], "Unknown LLM backend 'nosuch'"),
    ],
)
def test_option_mistakes(args: list[str], message: str) -> None:
    done = runner.invoke(app, ["review", *PDFS, *args])
    assert done.exit_code == 2 and message in done.stderr

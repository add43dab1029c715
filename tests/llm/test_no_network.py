"""Without --llm nothing opens a socket: a full review with every way of connecting made to fail."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import tensora
from tensora.cli import app

from ._support import EXAMPLE


class Connected(AssertionError):
    pass


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise Connected(f"a socket was opened: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_review_without_llm_opens_no_socket(no_sockets: list[object], fmt: str) -> None:
    done = CliRunner().invoke(
        app, ["review", str(EXAMPLE / "proposal.pdf"), "--baseline", str(EXAMPLE / "baseline.pdf"), "--format", fmt]
    )
    assert done.exit_code == 0, done.output
    if fmt == "json":
        assert "llm" not in json.loads(done.stdout)
    review = tensora.review(EXAMPLE / "proposal.md", EXAMPLE / "baseline.md")
    assert review.findings and no_sockets == []


def test_review_without_llm_imports_no_sdk() -> None:
    code = (
        "import sys, tensora; tensora.review(sys.argv[1], sys.argv[2]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openai', 'anthropic', 'httpx', 'httpx2') "
        "or m.startswith(('tensora.llm', 'tensora.plugins'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLE / "proposal.md"), str(EXAMPLE / "baseline.md")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"

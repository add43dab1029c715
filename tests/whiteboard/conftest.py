"""Fixtures for the whiteboard tests: the development case, a temporary database, an in-process CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tensora.whiteboard.__main__ import app

from ._support import CASE


@pytest.fixture
def case() -> Path:
    if not (CASE / "proposal.md").is_file():
        pytest.skip(f"development case not present at {CASE}")
    return CASE


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "sessions.db"


Invoke = Callable[..., Any]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Invoke:
    """Run the whiteboard app in-process; returns click's Result (``stdout`` and ``stderr`` apart)."""
    monkeypatch.setenv("TENSORA_HOME", str(tmp_path / "home"))
    runner = CliRunner()

    def invoke(*args: str | Path) -> Any:
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return invoke

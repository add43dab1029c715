"""A small version of scripts/whiteboard_stress.py: scripted whiteboard processes at once on one home."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "whiteboard_stress.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("whiteboard_stress", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["whiteboard_stress"] = module
    spec.loader.exec_module(module)
    return module


def test_parallel_sessions_store_every_turn(tmp_path: Path) -> None:
    stress = _load_script()
    outcome = stress.run_stress(tmp_path, processes=12, answers=3, timeout=240)
    assert outcome.failures == []
    assert outcome.expected_turns == 12 * 7
    assert outcome.stored_turns == outcome.expected_turns
    assert outcome.integrity == "ok"
    assert outcome.ok
    db = sqlite3.connect(tmp_path / "sessions.db")
    try:
        per_session = db.execute("SELECT session_id, COUNT(*), MAX(n) FROM turns GROUP BY session_id").fetchall()
        roles = db.execute("SELECT role, COUNT(*) FROM turns GROUP BY role ORDER BY role").fetchall()
    finally:
        db.close()
    assert len(per_session) == 12
    assert all(count == 7 and last == 6 for _, count, last in per_session)
    assert roles == [("skeptic", 12 * 4), ("student", 12 * 3)]


def test_the_summary_line_counts_what_failed(tmp_path: Path) -> None:
    stress = _load_script()
    outcome = stress.Outcome(processes=2, answers=1, expected_turns=6, stored_turns=5, integrity="ok")
    outcome.failures.append("process 1: exit 2: locked")
    assert not outcome.ok
    assert "6 expected / 5 stored, 1 failures, integrity ok" in outcome.line()

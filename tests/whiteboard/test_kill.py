"""Kill safety: a process killed between turns loses no committed turn, and the database stays sound.

The resumed process commits the student's answer and then sleeps (``TENSORA_TEST_SLEEP_AFTER_COMMIT``), so the
test can SIGKILL it deterministically between that turn and the skeptic's follow-up.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from ._support import ANSWER_ASYNC, ANSWER_BUBBLE, command, env, run, statuses
from .conftest import Invoke


def count_turns(db: Path, session_id: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        (n,) = conn.execute("SELECT COUNT(*) FROM turns WHERE session_id = ?", (session_id,)).fetchone()
        return int(n)
    finally:
        conn.close()


def test_killed_between_turns_keeps_every_committed_turn(case: Path, db: Path, cli: Invoke) -> None:
    first = run(
        "chat",
        case / "proposal.md",
        "-b",
        case / "baseline.md",
        "--answer",
        ANSWER_BUBBLE,
        "--session-db",
        db,
        "--format",
        "json",
    )
    assert first.returncode == 0, first.stderr
    sid = json.loads(first.stdout)["session"]["id"]
    assert count_turns(db, sid) == 3

    victim = subprocess.Popen(
        command("sessions", "resume", sid, "--answer", ANSWER_ASYNC, "--session-db", db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env(TENSORA_TEST_SLEEP_AFTER_COMMIT="60"),
    )
    try:
        deadline = time.monotonic() + 30
        while count_turns(db, sid) < 4:  # the student's answer is committed, the follow-up is not
            assert victim.poll() is None, victim.stderr.read() if victim.stderr else ""
            assert time.monotonic() < deadline, "the answer was never committed"
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(timeout=10) == -signal.SIGKILL
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
        if victim.stderr:
            victim.stderr.close()

    shown = run("sessions", "show", sid, "--session-db", db, "--format", "json")
    assert shown.returncode == 0, shown.stderr
    turns = json.loads(shown.stdout)["turns"]
    assert [(t["n"], t["role"]) for t in turns] == [(0, "skeptic"), (1, "student"), (2, "skeptic"), (3, "student")]
    assert turns[1]["text"] == ANSWER_BUBBLE and turns[3]["text"] == ANSWER_ASYNC
    assert statuses(turns[2])["PIPE-BUBBLE"] == "resolved"

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()

    # resuming writes the follow-up the killed process never wrote, from the replayed answers
    resumed = cli("sessions", "resume", sid, "--answer", "Noted.", "--session-db", db, "--format", "json")
    assert resumed.exit_code == 0, resumed.output
    turns = json.loads(resumed.stdout)["turns"]
    assert [t["role"] for t in turns] == ["skeptic", "student"] * 3 + ["skeptic"]
    assert statuses(turns[4])["ASYNC-STALENESS"] == "new"
    assert statuses(turns[4])["PIPE-BUBBLE"] == "resolved"

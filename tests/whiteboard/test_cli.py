"""The commands, driven with --answer: a scripted three-turn session, the sessions commands, user errors."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from tensora.whiteboard.cli import chat_command, sessions_app
from tensora.whiteboard.store import SessionStore

from ._support import ANSWER_ASYNC, ANSWER_BUBBLE, ANSWER_OTHER, statuses
from .conftest import Invoke


def scripted(cli: Invoke, case: Path, db: Path, *answers: str) -> dict[str, Any]:
    args: list[str | Path] = ["chat", case / "proposal.md", "--baseline", case / "baseline.md"]
    for a in answers:
        args += ["--answer", a]
    result = cli(*args, "--session-db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_three_turn_session(cli: Invoke, case: Path, db: Path) -> None:
    data = scripted(cli, case, db, ANSWER_BUBBLE, ANSWER_ASYNC, ANSWER_OTHER)
    turns = data["turns"]
    assert [t["role"] for t in turns] == ["skeptic", "student"] * 3 + ["skeptic"]
    assert [t["n"] for t in turns] == list(range(7))

    opening = statuses(turns[0])
    assert opening["PIPE-BUBBLE"] == "open" and set(opening.values()) == {"open"}
    assert "If you want this to survive MLSys review, you need to" in turns[0]["text"]

    # turn 1 addresses the bubble concretely: resolved, with the bubble recomputed from the answer
    after_bubble = statuses(turns[2])
    assert after_bubble["PIPE-BUBBLE"] == "resolved"
    assert "ASYNC-STALENESS" not in after_bubble
    assert all(s == "still open" for c, s in after_bubble.items() if c != "PIPE-BUBBLE")
    bubble = next(f for f in turns[2]["findings"] if f["code"] == "PIPE-BUBBLE")
    assert bubble["computed"]["pipeline_bubble_fraction"] == round(15 / (2 * 64 + 15), 4)
    assert "Resolved: **PIPE-BUBBLE**" in turns[2]["text"] and "10.5% (was 65.2%)" in turns[2]["text"]

    # turn 2 brings in asynchronous updates: ASYNC-STALENESS is new, and it is the next question
    after_async = statuses(turns[4])
    assert after_async["ASYNC-STALENESS"] == "new"
    assert after_async["PIPE-BUBBLE"] == "resolved"
    assert "Your answer raises a new problem, **ASYNC-STALENESS**" in turns[4]["text"]

    # turn 3 changes nothing: the skeptic presses the unanswered question
    after_other = statuses(turns[6])
    assert after_other["ASYNC-STALENESS"] == "still open"
    assert "You have not answered this yet, **ASYNC-STALENESS**" in turns[6]["text"]


def test_sessions_list_show_export(cli: Invoke, case: Path, db: Path, tmp_path: Path) -> None:
    sid = scripted(cli, case, db, ANSWER_BUBBLE)["session"]["id"]
    listing = cli("sessions", "list", "--session-db", db)
    assert listing.exit_code == 0 and sid in listing.stdout and "3 turns" in listing.stdout

    shown = cli("sessions", "show", sid[:6], "--session-db", db)
    assert shown.exit_code == 0
    assert f"# Whiteboard session {sid}" in shown.stdout and "## Turn 2: skeptic" in shown.stdout

    out = tmp_path / "t.json"
    exported = cli("sessions", "export", sid, "--format", "json", "-o", out, "--session-db", db)
    assert exported.exit_code == 0 and exported.stdout == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["session"]["proposal"]["path"] == str((case / "proposal.md").resolve())
    assert len(data["session"]["proposal"]["sha256"]) == 64
    md = cli("sessions", "export", sid, "--session-db", db)
    assert "| PIPE-BUBBLE | fatal | resolved |" in md.stdout


def test_resume_replays_and_continues(cli: Invoke, case: Path, db: Path) -> None:
    sid = scripted(cli, case, db, ANSWER_BUBBLE)["session"]["id"]
    result = cli("sessions", "resume", sid, "--answer", ANSWER_ASYNC, "--session-db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # documents unchanged: no notice
    turns = json.loads(result.stdout)["turns"]
    assert len(turns) == 5
    # the replayed first answer still counts: the bubble stays resolved, staleness is new
    assert statuses(turns[4])["PIPE-BUBBLE"] == "resolved"
    assert statuses(turns[4])["ASYNC-STALENESS"] == "new"


def test_resume_says_when_a_document_changed(cli: Invoke, case: Path, db: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(case, docs, ignore=shutil.ignore_patterns("*.pdf"))
    sid = scripted(cli, docs, db, ANSWER_OTHER)["session"]["id"]
    draft = docs / "proposal.md"
    draft.write_text(draft.read_text(encoding="utf-8") + "\nWe measure the bubble on the pilot.\n", "utf-8")
    result = cli("sessions", "resume", sid, "--answer", ANSWER_OTHER, "--session-db", db)
    assert result.exit_code == 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "proposal changed since session" in lines[0] and "re-auditing" in lines[0]


def one_line_error(result: Any, *needles: str) -> None:
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tensora: "), result.stderr
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0]


def test_missing_document(cli: Invoke, case: Path, db: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.md"
    result = cli("chat", missing, "--baseline", case / "baseline.md", "--answer", "x", "--session-db", db)
    one_line_error(result, "nope.md")
    assert cli("sessions", "list", "--session-db", db).stdout.startswith("No sessions")


def test_unknown_session(cli: Invoke, db: Path) -> None:
    one_line_error(cli("sessions", "show", "deadbeef", "--session-db", db), "no session 'deadbeef'")
    one_line_error(cli("sessions", "resume", "deadbeef", "--answer", "x", "--session-db", db), "deadbeef")


def test_corrupt_database(cli: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00garbage" * 512)
    one_line_error(cli("sessions", "list", "--session-db", bad), str(bad))


def test_default_database_under_tensora_home(cli: Invoke, case: Path, tmp_path: Path) -> None:
    result = cli("chat", case / "proposal.md", "-b", case / "baseline.md", "-a", ANSWER_OTHER)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "home" / "sessions.db").is_file()
    assert "# Whiteboard session" in result.stdout


def test_mounts_on_a_host_app() -> None:
    host = typer.Typer()
    host.command("chat")(chat_command)
    host.add_typer(sessions_app, name="sessions")
    runner = CliRunner()
    assert "--answer" in runner.invoke(host, ["chat", "--help"]).stdout
    assert "export" in runner.invoke(host, ["sessions", "--help"]).stdout


def test_answers_from_piped_stdin_until_end_of_input(case: Path, db: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("TENSORA_HOME", str(db.parent / "home"))
    from tensora.whiteboard.__main__ import app

    typed = f"{ANSWER_BUBBLE}\n\n/findings\n/what[is]this\n"  # then end of input, no /quit
    result = CliRunner().invoke(
        app, ["chat", str(case / "proposal.md"), "-b", str(case / "baseline.md"), "--session-db", str(db)], input=typed
    )
    assert result.exit_code == 0, result.output
    assert "Resolved: **PIPE-BUBBLE**" in result.stdout
    assert "Unknown command /what[is]this" in result.stdout
    assert "saved in" in result.stdout
    with SessionStore(db) as store:
        ((record, turns),) = store.sessions()
        assert turns == 3
        assert [t.role for t in store.turns(record.id)] == ["skeptic", "student", "skeptic"]


def test_locked_database(cli: Invoke, db: Path) -> None:
    SessionStore(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        one_line_error(cli("sessions", "list", "--session-db", db), "locked by another process")
    finally:
        holder.close()


def test_terminal_escapes_in_an_answer_are_shown_not_obeyed(cli: Invoke, case: Path, db: Path) -> None:
    sid = scripted(cli, case, db, "We use 1F1B \x1b]0;pwned\x07 with 32 micro-batches \x1b[2J.")["session"]["id"]
    for args in (("sessions", "show", sid), ("sessions", "export", sid)):
        out = cli(*args, "--session-db", db).stdout
        assert "\x1b" not in out and "\x07" not in out
        assert "\\x1b]0;pwned\\x07" in out

"""The schema grows by append-only named migrations, each applied once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tensora.errors import SessionError
from tensora.whiteboard.migrations import MIGRATIONS, applied, migrate
from tensora.whiteboard.store import SessionStore


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_names_are_numbered_in_order() -> None:
    names = [m.__name__ for m in MIGRATIONS]
    assert names[0] == "m001_initial"
    assert names == sorted(names)
    assert all(n[0] == "m" and n[1:4].isdigit() and n[4] == "_" for n in names)


def test_fresh_database_gets_every_migration(db: Path) -> None:
    conn = connect(db)
    try:
        assert migrate(conn) == [m.__name__ for m in MIGRATIONS]
        assert {"_migrations", "sessions", "turns", "findings"} <= tables(conn)
    finally:
        conn.close()


def test_reopening_applies_nothing_twice(db: Path) -> None:
    SessionStore(db).close()
    SessionStore(db).close()
    conn = connect(db)
    try:
        assert migrate(conn) == []
        assert applied(conn) == [m.__name__ for m in MIGRATIONS]
        (count,) = conn.execute("SELECT COUNT(*) FROM _migrations").fetchone()
        assert count == len(MIGRATIONS)
    finally:
        conn.close()


def test_a_new_migration_is_appended_and_applied_once(db: Path) -> None:
    def m999_session_notes(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE sessions ADD COLUMN notes TEXT NOT NULL DEFAULT ''")

    SessionStore(db).close()
    conn = connect(db)
    try:
        grown = [*MIGRATIONS, m999_session_notes]
        assert migrate(conn, grown) == ["m999_session_notes"]
        assert migrate(conn, grown) == []
        assert applied(conn)[-1] == "m999_session_notes"
        columns = [r[1] for r in conn.execute("PRAGMA table_info(sessions)")]
        assert columns[-1] == "notes"
    finally:
        conn.close()


def test_a_failing_migration_leaves_no_trace(db: Path) -> None:
    def m998_broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("boom")

    conn = connect(db)
    try:
        with pytest.raises(RuntimeError):
            migrate(conn, [*MIGRATIONS, m998_broken])
        assert "m998_broken" not in applied(conn)
        assert "half_done" not in tables(conn)
        assert "m001_initial" in applied(conn)
    finally:
        conn.close()


def test_a_database_from_a_newer_tensora_is_refused(db: Path) -> None:
    SessionStore(db).close()
    conn = connect(db)
    conn.execute("INSERT INTO _migrations (name, applied) VALUES ('m777_future', 'later')")
    conn.close()
    with pytest.raises(SessionError, match="newer tensora.*m777_future"):
        SessionStore(db)

"""SessionStore: turns committed one transaction each, read back in order; SQLite problems as one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tensora.errors import SessionError
from tensora.whiteboard.store import FindingRow, SessionStore, default_db_path

BUBBLE = FindingRow(
    "PIPE-BUBBLE", "fatal", "open", "Pipeline bubble", "idle 65%", "If you want ...", {"pipeline_bubble_fraction": 0.65}
)


def test_turns_round_trip_with_their_findings(db: Path) -> None:
    with SessionStore(db) as store:
        rec = store.create_session("/p.md", "/b.md", "a" * 64, "b" * 64)
        t0 = store.add_turn(rec.id, "skeptic", "Why 8 micro-batches?", [BUBBLE])
        t1 = store.add_turn(rec.id, "student", "We use 64.")
        assert (t0.n, t1.n) == (0, 1)
    with SessionStore(db) as store:
        turns = store.turns(rec.id)
        assert [(t.n, t.role, t.text) for t in turns] == [
            (0, "skeptic", "Why 8 micro-batches?"),
            (1, "student", "We use 64."),
        ]
        assert turns[0].findings == (BUBBLE,)
        assert turns[1].findings == ()
        assert store.get(rec.id) == rec
        assert store.sessions() == [(rec, 2)]


def test_wal_and_full_sync(db: Path) -> None:
    with SessionStore(db):
        pass
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    store = SessionStore(db)
    try:
        # synchronous is per connection: FULL is 2
        assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        store.close()


def test_ids_are_short_hex_and_found_by_unique_prefix(db: Path) -> None:
    with SessionStore(db) as store:
        rec = store.create_session("/p.md", "/b.md", "0" * 64, "0" * 64)
        assert len(rec.id) == 12 and int(rec.id, 16) >= 0
        assert store.get(rec.id[:6].upper()) == rec
        with pytest.raises(SessionError, match="no session 'zzzz'.*sessions list"):
            store.get("zzzz")


def test_corrupt_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "sessions.db"
    bad.write_bytes(b"this is not SQLite at all, just some bytes " * 100)
    with pytest.raises(SessionError) as err:
        SessionStore(bad)
    assert str(bad) in str(err.value) and "\n" not in str(err.value)


def test_locked_database_is_one_line(db: Path) -> None:
    with SessionStore(db) as store:
        rec = store.create_session("/p.md", "/b.md", "0" * 64, "0" * 64)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with SessionStore(db, timeout=0.1) as store, pytest.raises(SessionError, match="locked"):
            store.add_turn(rec.id, "student", "an answer")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_folder_in_place_of_the_database(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="is a folder"):
        SessionStore(tmp_path)


def test_default_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TENSORA_HOME", str(tmp_path / "th"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "th" / "sessions.db"
    monkeypatch.delenv("TENSORA_HOME")
    assert default_db_path() == tmp_path / "xdg" / "tensora" / "sessions.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_db_path() == tmp_path / ".local" / "share" / "tensora" / "sessions.db"


def test_a_lock_released_within_the_wait_is_waited_for(db: Path) -> None:
    import threading

    with SessionStore(db) as store:
        rec = store.create_session("/p.md", "/b.md", "0" * 64, "0" * 64)
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    # longer than one SQLite busy wait of the store below, shorter than its whole wait
    timer = threading.Timer(0.6, lambda: (holder.execute("ROLLBACK"), holder.close()))
    timer.start()
    try:
        with SessionStore(db, timeout=10.0) as store:
            store._db.execute("PRAGMA busy_timeout = 100")
            turn = store.add_turn(rec.id, "student", "an answer")
        assert turn.n == 0
    finally:
        timer.join()


def test_a_non_integer_turn_number_is_one_line(db: Path) -> None:
    with SessionStore(db) as store:
        rec = store.create_session("/p.md", "/b.md", "0" * 64, "0" * 64)
        store.add_turn(rec.id, "student", "an answer")
    raw = sqlite3.connect(db)
    raw.execute("UPDATE turns SET n = 'two' WHERE session_id = ?", (rec.id,))
    raw.commit()
    raw.close()
    with SessionStore(db) as store, pytest.raises(SessionError, match="not an integer") as err:
        store.turns(rec.id)
    assert "\n" not in str(err.value)


_WRITER = """
import sys
from tensora.whiteboard.store import SessionStore
with SessionStore(sys.argv[1]) as store:
    rec = store.create_session("/p.md", "/b.md", "0" * 64, "0" * 64)
    for i in range(5):
        store.add_turn(rec.id, "student", f"answer {i}")
        store.add_turn(rec.id, "skeptic", f"reply {i}")
print(rec.id)
"""


def test_many_processes_on_one_database_all_finish(db: Path) -> None:
    import os
    import subprocess
    import sys

    env = dict(os.environ, TENSORA_TEST_SLEEP_AFTER_COMMIT="0.01")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        for _ in range(24)
    ]
    ids = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err.decode()
        ids.append(out.decode().strip())
    with SessionStore(db) as store:
        assert store.integrity() == "ok"
        for sid in ids:
            turns = store.turns(sid)
            assert [t.n for t in turns] == list(range(10))
            assert turns[-1].role == "skeptic"


class _BusyOnce:
    """A connection whose next ``BEGIN`` fails as if another process held the log, then behaves."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self.refused = 0

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql == "BEGIN" and not self.refused:
            self.refused += 1
            raise sqlite3.OperationalError("database is locked")
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)


def test_a_read_that_meets_a_busy_database_is_retried(db: Path) -> None:
    with SessionStore(db, timeout=10.0) as store:
        rec = store.create_session("/p.md", "/b.md", "0" * 64, "0" * 64)
        store.add_turn(rec.id, "student", "an answer")
        busy = _BusyOnce(store._db)
        store._db = busy  # type: ignore[assignment]
        turns = store.turns(rec.id)
        store._db = busy._db
    assert busy.refused == 1
    assert [t.text for t in turns] == ["an answer"]


def test_a_read_that_stays_busy_gives_up_with_one_line(db: Path) -> None:
    with SessionStore(db, timeout=0.2) as store:
        rec = store.create_session("/p.md", "/b.md", "0" * 64, "0" * 64)
        real = store._db

        class AlwaysBusy(_BusyOnce):
            def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
                if sql == "BEGIN":
                    raise sqlite3.OperationalError("database is locked")
                return self._db.execute(sql, *args)

        store._db = AlwaysBusy(real)  # type: ignore[assignment]
        try:
            with pytest.raises(SessionError, match="stayed locked") as err:
                store.get(rec.id)
        finally:
            store._db = real
    assert "\n" not in str(err.value)

"""Whiteboard sessions in SQLite: sessions, their turns, and the findings snapshot of each skeptic turn.

The database runs in WAL mode with ``synchronous=FULL`` and every turn is written in its own transaction
(``BEGIN IMMEDIATE`` ... ``COMMIT``), together with its findings snapshot: once ``add_turn`` returns, the turn
survives a killed process or a power cut. The schema lives in ``migrations.py``. Every SQLite problem a user
can meet (locked, corrupt, not a database, unwritable) becomes a one-line ``SessionError``.

Does not store the documents themselves, only their paths and SHA-256 digests: ``resume`` re-reads them.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar

from tensora.errors import SessionError
from tensora.whiteboard.migrations import UnknownMigrationError, migrate

Role = Literal["skeptic", "student"]
Status = Literal["open", "still open", "new", "resolved"]

#: Test hook: seconds to sleep after each committed turn, so that a test can kill the process between turns.
SLEEP_ENV = "TENSORA_TEST_SLEEP_AFTER_COMMIT"
#: How long a process waits for another one's write lock before giving up (seconds, with retries).
LOCK_WAIT_S = 120.0
_ATTEMPT_S = 5.0  # SQLite's busy handler per attempt; the retry loop covers the rest
T = TypeVar("T")


class _Locked(SessionError):
    """Another process holds the database's lock (retried by ``SessionStore._retry``)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"the session database is locked by another process ({detail}); try again.")


def default_db_path() -> Path:
    """``$TENSORA_HOME/sessions.db``, else ``$XDG_DATA_HOME/tensora/sessions.db``, else under ``~/.local``."""
    home = os.environ.get("TENSORA_HOME")
    if home:
        return Path(home).expanduser() / "sessions.db"
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg:
        return Path(xdg).expanduser() / "tensora" / "sessions.db"
    return Path.home() / ".local" / "share" / "tensora" / "sessions.db"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: str
    created: str
    proposal_path: str
    baseline_path: str
    proposal_sha256: str
    baseline_sha256: str


@dataclass(frozen=True, slots=True)
class FindingRow:
    """One finding as a turn saw it: its code, severity, status and the numbers computed for it."""

    code: str
    severity: str
    status: Status
    title: str
    message: str
    must_solve: str
    computed: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TurnRecord:
    n: int
    role: Role
    text: str
    created: str
    findings: tuple[FindingRow, ...] = ()


class SessionStore:
    """An open session database. Use as a context manager, or call ``close``."""

    def __init__(self, path: str | Path, *, timeout: float = LOCK_WAIT_S) -> None:
        self.path = Path(path).expanduser()
        self._timeout = timeout
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SessionError(
                f"{self.path}: cannot create its folder ({exc.strerror}); pass --session-db with a writable path."
            ) from None
        if self.path.is_dir():
            raise SessionError(f"{self.path}: is a folder, not a session database; pass --session-db FILE.")
        if self.path.exists() and not os.access(self.path, os.W_OK):
            raise SessionError(
                f"{self.path}: the session database is read-only; pass --session-db with a writable path."
            )
        if not os.access(self.path.parent, os.W_OK):
            raise SessionError(
                f"{self.path.parent}: this folder is read-only, so no session database can be written there; "
                "set TENSORA_HOME or pass --session-db with a writable path."
            )
        try:
            # SQLite's own busy handler waits up to one attempt's share; _retry adds rounds up to ``timeout``
            self._db = sqlite3.connect(self.path, timeout=min(timeout, _ATTEMPT_S), isolation_level=None)
        except sqlite3.Error as exc:
            raise SessionError(f"{self.path}: cannot open the session database ({exc}).") from None
        try:
            self._retry(self._setup)
        except BaseException:
            self._db.close()
            raise

    def _setup(self) -> None:
        with self._guard():
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            try:
                migrate(self._db)
            except UnknownMigrationError as exc:
                raise SessionError(
                    f"{self.path}: written by a newer tensora (unknown migrations: {exc}); upgrade tensora."
                ) from None

    def _retry(self, action: Callable[[], T]) -> T:
        """Run ``action``, retrying while another process holds the lock, for at most ``timeout`` seconds.

        Many whiteboard processes on one home queue for the write lock; each waits its turn with a jittered
        back-off instead of failing after SQLite's single busy wait.
        """
        deadline = time.monotonic() + self._timeout
        delay = 0.05
        while True:
            try:
                return action()
            except _Locked:
                if time.monotonic() >= deadline:
                    raise SessionError(
                        f"{self.path}: the session database stayed locked by another process for "
                        f"{self._timeout:.0f} s; let it finish and try again."
                    ) from None
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 1.0)

    # plumbing ---------------------------------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn SQLite's exceptions into one-line ``SessionError``s that name the database."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise _Locked(text) from None
            if "readonly" in text or "read-only" in text:
                raise SessionError(
                    f"{self.path}: the session database is read-only; pass --session-db with a writable path."
                ) from None
            raise SessionError(f"{self.path}: cannot use the session database ({text}).") from None
        except sqlite3.DatabaseError as exc:
            raise SessionError(
                f"{self.path}: not a readable session database ({exc}); move it aside or pass --session-db."
            ) from None

    def _read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``query`` in one read transaction (one consistent snapshot), retried like a write.

        In WAL mode a reader rarely waits, but it can (while another process recovers or resets the log);
        it then queues with the same bounded back-off as a writer instead of failing.
        """

        def attempt() -> T:
            with self._guard():
                self._db.execute("BEGIN")
                try:
                    out = query(self._db)
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
                return out

        return self._retry(attempt)

    def _begin(self) -> None:
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # the write lock is taken (with retries) before any statement runs, so the body never meets a lock
        self._retry(self._begin)
        with self._guard():
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        delay = os.environ.get(SLEEP_ENV)
        if delay:
            time.sleep(float(delay))

    # sessions ---------------------------------------------------------------------------------------------
    def create_session(
        self, proposal_path: str, baseline_path: str, proposal_sha256: str, baseline_sha256: str
    ) -> SessionRecord:
        record = SessionRecord(
            uuid.uuid4().hex[:12], now(), proposal_path, baseline_path, proposal_sha256, baseline_sha256
        )
        with self._transaction() as db:
            db.execute(
                "INSERT INTO sessions (id, created, proposal_path, baseline_path, proposal_sha256, "
                "baseline_sha256) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.created,
                    record.proposal_path,
                    record.baseline_path,
                    record.proposal_sha256,
                    record.baseline_sha256,
                ),
            )
        return record

    def sessions(self) -> list[tuple[SessionRecord, int]]:
        """Every session, oldest first, with its number of turns."""
        rows = self._read(
            lambda db: db.execute(
                "SELECT s.id, s.created, s.proposal_path, s.baseline_path, s.proposal_sha256, "
                "s.baseline_sha256, (SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id) FROM sessions s "
                "ORDER BY s.created, s.rowid"
            ).fetchall()
        )
        return [(SessionRecord(*row[:6]), int(row[6])) for row in rows]

    def get(self, session_id: str) -> SessionRecord:
        """The session with this id, or with a unique id prefix of at least four characters."""
        key = session_id.strip().lower()
        rows = self._read(
            lambda db: db.execute(
                "SELECT id, created, proposal_path, baseline_path, proposal_sha256, baseline_sha256 "
                "FROM sessions WHERE id = ? OR (length(?) >= 4 AND substr(id, 1, length(?)) = ?)",
                (key, key, key, key),
            ).fetchall()
        )
        exact = [r for r in rows if r[0] == key]
        if exact:
            return SessionRecord(*exact[0])
        if len(rows) == 1:
            return SessionRecord(*rows[0])
        if len(rows) > 1:
            raise SessionError(
                f"session '{session_id}' is ambiguous in {self.path} ({len(rows)} sessions start with it); "
                "give more of the id."
            )
        raise SessionError(f"no session '{session_id}' in {self.path}; run 'tensora sessions list' to see the ids.")

    def delete(self, session_id: str) -> SessionRecord:
        """Remove a session with its turns and findings snapshots, in one transaction; return its record."""
        record = self.get(session_id)
        with self._transaction() as db:
            db.execute("DELETE FROM findings WHERE session_id = ?", (record.id,))
            db.execute("DELETE FROM turns WHERE session_id = ?", (record.id,))
            db.execute("DELETE FROM sessions WHERE id = ?", (record.id,))
        return record

    # turns ------------------------------------------------------------------------------------------------
    def add_turn(self, session_id: str, role: Role, text: str, findings: Iterable[FindingRow] = ()) -> TurnRecord:
        """Append one turn (with its findings snapshot) in a single committed transaction."""
        rows = tuple(findings)
        created = now()
        with self._transaction() as db:
            (last,) = db.execute("SELECT MAX(n) FROM turns WHERE session_id = ?", (session_id,)).fetchone()
            n = 0 if last is None else int(last) + 1
            db.execute(
                "INSERT INTO turns (session_id, n, role, text, created) VALUES (?, ?, ?, ?, ?)",
                (session_id, n, role, text, created),
            )
            db.executemany(
                "INSERT INTO findings (session_id, turn, code, severity, status, title, message, must_solve, "
                "computed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        session_id,
                        n,
                        f.code,
                        f.severity,
                        f.status,
                        f.title,
                        f.message,
                        f.must_solve,
                        json.dumps(f.computed, sort_keys=True),
                    )
                    for f in rows
                ],
            )
        return TurnRecord(n, role, text, created, rows)

    def turns(self, session_id: str) -> list[TurnRecord]:
        """The session's turns in order, each with its findings snapshot."""

        def query(db: sqlite3.Connection) -> tuple[list[Any], list[Any]]:
            turn_rows = db.execute(
                "SELECT n, role, text, created FROM turns WHERE session_id = ? ORDER BY n", (session_id,)
            ).fetchall()
            finding_rows = db.execute(
                "SELECT turn, code, severity, status, title, message, must_solve, computed FROM findings "
                "WHERE session_id = ? ORDER BY turn, rowid",
                (session_id,),
            ).fetchall()
            return turn_rows, finding_rows

        turn_rows, finding_rows = self._read(query)
        by_turn: dict[int, list[FindingRow]] = {}
        for turn, code, severity, status, title, message, solve, computed in finding_rows:
            by_turn.setdefault(self._turn_number(turn), []).append(
                FindingRow(code, severity, status, title, message, solve, _numbers(computed))
            )
        return [
            TurnRecord(self._turn_number(n), role, text, created, tuple(by_turn.get(self._turn_number(n), [])))
            for n, role, text, created in turn_rows
        ]

    def _turn_number(self, value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise SessionError(
            f"{self.path}: a turn number is {value!r}, not an integer: the database was edited or damaged; "
            "move it aside or pass --session-db."
        )

    def integrity(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` verdict: 'ok' for a sound file."""
        rows = self._read(lambda db: db.execute("PRAGMA integrity_check").fetchall())
        return "; ".join(str(r[0]) for r in rows)


def _numbers(text: str) -> dict[str, float]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}

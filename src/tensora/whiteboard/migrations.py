"""The session database's schema, grown by append-only named migrations.

Follows llm's ``migrations.py``: each migration is a function named ``mNNN_what`` that receives an open
connection; ``migrate`` applies, in list order, those whose names the ``_migrations`` table does not hold yet,
each in its own transaction together with the row that records it. A migration that has shipped is never
edited: change the schema by appending ``m002_...``. Migrations do not run ``executescript`` (it would commit
the transaction half-way).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

Migration = Callable[[sqlite3.Connection], None]

MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    """Register ``fn`` as the next migration (registration order is application order)."""
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            created TEXT NOT NULL,
            proposal_path TEXT NOT NULL,
            baseline_path TEXT NOT NULL,
            proposal_sha256 TEXT NOT NULL,
            baseline_sha256 TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE turns (
            session_id TEXT NOT NULL REFERENCES sessions(id),
            n INTEGER NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('skeptic', 'student')),
            text TEXT NOT NULL,
            created TEXT NOT NULL,
            PRIMARY KEY (session_id, n)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE findings (
            session_id TEXT NOT NULL,
            turn INTEGER NOT NULL,
            code TEXT NOT NULL,
            severity TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open', 'still open', 'new', 'resolved')),
            title TEXT NOT NULL,
            message TEXT NOT NULL,
            must_solve TEXT NOT NULL,
            computed TEXT NOT NULL DEFAULT '{}',
            FOREIGN KEY (session_id, turn) REFERENCES turns(session_id, n)
        )
        """
    )
    db.execute("CREATE INDEX findings_by_turn ON findings(session_id, turn)")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def applied(db: sqlite3.Connection) -> list[str]:
    """Names of the migrations applied to ``db``, in the order they were applied."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
    return [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(db: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> list[str]:
    """Apply the migrations ``db`` lacks, in order; return the names applied now.

    ``db`` must be in autocommit mode (``isolation_level=None``): each migration runs in its own
    ``BEGIN IMMEDIATE`` transaction, so a crash leaves either all of it or none of it.
    """
    done = set(applied(db))
    names = [m.__name__ for m in migrations]
    unknown = done - set(names)
    if unknown:
        raise UnknownMigrationError(sorted(unknown))
    now: list[str] = []
    for fn in migrations:
        if fn.__name__ in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            # another process may have applied it while we waited for the lock
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", (fn.__name__,)).fetchone() is None:
                fn(db)
                db.execute("INSERT INTO _migrations (name, applied) VALUES (?, ?)", (fn.__name__, _now()))
                now.append(fn.__name__)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    return now


class UnknownMigrationError(Exception):
    """The database holds migrations this version of tensora does not know (made by a newer one)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(", ".join(names))

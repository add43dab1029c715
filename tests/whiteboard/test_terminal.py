"""The interactive session, driven for real through a pseudo-terminal: answer, read the follow-up, quit."""

from __future__ import annotations

import fcntl
import os
import re
import select
import sqlite3
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest

from ._support import ANSWER_BUBBLE, command, env

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
PROMPT = "you>"


class Terminal:
    """The master side of a pty with a child process on the slave side."""

    def __init__(self, argv: list[str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env(TERM="xterm", COLUMNS="160"), close_fds=True
        )
        os.close(slave)
        self.seen = ""

    def read_until(self, needle: str, timeout: float = 30) -> str:
        """Everything read (ANSI codes stripped) up to and including the next ``needle``."""
        deadline = time.monotonic() + timeout
        while needle not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {needle!r} on the terminal; it shows:\n{self.seen[-2000:]}")
            ready, _, _ = select.select([self.master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"terminal closed before {needle!r}; it shows:\n{self.seen[-2000:]}")
            self.seen += ANSI.sub("", chunk.decode("utf-8", "replace"))
        head, _, self.seen = self.seen.partition(needle)
        return head + needle

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def close(self) -> int:
        try:
            return self.proc.wait(timeout=30)
        finally:
            os.close(self.master)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_interactive_chat_through_a_pty(case: Path, db: Path) -> None:
    term = Terminal(command("chat", case / "proposal.md", "--baseline", case / "baseline.md", "--session-db", db))
    try:
        opening = term.read_until(PROMPT)
        assert "Session " in opening and "Let me make sure I understand the core claim" in opening
        assert "DLT-CONFIG" in opening and "survive MLSys review" in opening

        term.type(ANSWER_BUBBLE)
        follow_up = term.read_until(PROMPT)
        assert "Resolved: PIPE-BUBBLE" in follow_up
        assert "10.5% (was 65.2%)" in follow_up

        term.type("/findings")
        table = term.read_until(PROMPT)
        assert re.search(r"PIPE-BUBBLE\s*│\s*fatal\s*│\s*resolved", table), table

        term.type("/quit")
        goodbye = term.read_until("sessions resume")
        assert "saved in" in goodbye
    finally:
        code = term.close()
    assert code == 0

    conn = sqlite3.connect(db)
    try:
        roles = [r[0] for r in conn.execute("SELECT role FROM turns ORDER BY n")]
        (texts,) = conn.execute("SELECT COUNT(*) FROM turns WHERE text = ?", (ANSWER_BUBBLE,)).fetchone()
    finally:
        conn.close()
    assert roles == ["skeptic", "student", "skeptic"] and texts == 1

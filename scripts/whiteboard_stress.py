#!/usr/bin/env python3
"""Many scripted whiteboard sessions at once on one TENSORA home, then check the session database.

    python scripts/whiteboard_stress.py [--processes 60] [--answers 5] [--timeout 600] [--home DIR]

Starts every process at once, the way a user scripts the whiteboard: ``tensora chat DRAFT --baseline BASE
--answer A1 ... --answer An --format json`` with ``TENSORA_HOME`` pointing at one shared folder (a temporary
one unless ``--home`` is given). Each process writes one session: the skeptic's opening turn, then a student
turn and a skeptic turn per answer, each committed on its own. When all have ended, the script opens
``sessions.db`` and checks that every process exited 0, that every session holds exactly its turns numbered
0..2n, and that ``PRAGMA integrity_check`` says ok. It prints one line (processes, turns expected and stored,
failures, integrity, wall time) and exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "sp-chunking"

# plain answers a student might give; each process takes them in turn from a different starting point
ANSWERS = (
    "We overlap the all-gather of the next chunk with the attention of the current one.",
    "Each chunk holds 4,096 tokens, so a 128K context is 32 chunks per sequence.",
    "We train on 64 H100 GPUs with 8-way sequence parallelism inside each node.",
    "The baseline is Ring Attention with the same chunk size and the same kernels.",
    "Activation memory per GPU drops from 61 GB to 19 GB in our estimate.",
    "We measure step time over 200 steps after a warm-up of 20.",
    "Communication uses NVLink inside a node and 400 Gb/s InfiniBand across nodes.",
)


@dataclass
class Outcome:
    processes: int
    answers: int
    expected_turns: int
    stored_turns: int = 0
    failures: list[str] = field(default_factory=list)
    integrity: str = "not checked"
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and self.integrity == "ok" and self.stored_turns == self.expected_turns

    def line(self) -> str:
        return (
            f"whiteboard stress: {self.processes} processes x {self.answers} answers, "
            f"turns {self.expected_turns} expected / {self.stored_turns} stored, {len(self.failures)} failures, "
            f"integrity {self.integrity}, wall {self.seconds:.1f} s"
        )


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, TENSORA_HOME=str(home))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH", "")]))
    env.pop("TENSORA_TEST_SLEEP_AFTER_COMMIT", None)
    return env


def _argv(k: int, answers: int) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "tensora.cli",
        "chat",
        str(EXAMPLE / "proposal.md"),
        "--baseline",
        str(EXAMPLE / "baseline.md"),
        "--format",
        "json",
    ]
    for i in range(answers):
        argv += ["--answer", ANSWERS[(k + i) % len(ANSWERS)]]
    return argv


def run_stress(home: Path, processes: int, answers: int, timeout: float = 600.0) -> Outcome:
    """Run ``processes`` scripted sessions of ``answers`` answers at once on ``home``; check the database."""
    per_session = 1 + 2 * answers
    outcome = Outcome(processes, answers, processes * per_session)
    env = _env(home)
    start = time.monotonic()
    procs = [
        subprocess.Popen(
            _argv(k, answers), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True
        )
        for k in range(processes)
    ]
    deadline = start + timeout
    ids: list[str] = []
    for k, proc in enumerate(procs):
        try:
            out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            outcome.failures.append(f"process {k}: still running after {timeout:g} s")
            continue
        if proc.returncode != 0:
            last = (err.strip().splitlines() or ["(no message)"])[-1]
            outcome.failures.append(f"process {k}: exit {proc.returncode}: {last[:200]}")
            continue
        try:
            ids.append(str(json.loads(out)["session"]["id"]))
        except (ValueError, KeyError, TypeError) as exc:
            outcome.failures.append(f"process {k}: unreadable transcript ({exc})")
    outcome.seconds = time.monotonic() - start
    db_path = home / "sessions.db"
    if not db_path.is_file():
        outcome.failures.append(f"{db_path}: no session database")
        return outcome
    db = sqlite3.connect(db_path)
    try:
        outcome.integrity = "; ".join(str(r[0]) for r in db.execute("PRAGMA integrity_check"))
        (outcome.stored_turns,) = db.execute("SELECT COUNT(*) FROM turns").fetchone()
        (sessions,) = db.execute("SELECT COUNT(*) FROM sessions").fetchone()
        if sessions != processes:
            outcome.failures.append(f"{sessions} sessions stored for {processes} processes")
        for sid in ids:
            numbers = [n for (n,) in db.execute("SELECT n FROM turns WHERE session_id = ? ORDER BY n", (sid,))]
            if numbers != list(range(per_session)):
                outcome.failures.append(f"session {sid}: turns {numbers}, not 0..{per_session - 1}")
    finally:
        db.close()
    return outcome


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--processes", type=int, default=60, help="whiteboard processes started at once")
    ap.add_argument("--answers", type=int, default=5, help="answers each process gives")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds for the whole run")
    ap.add_argument("--home", type=Path, help="the TENSORA home to use (default: a new temporary folder)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every failure")
    opts = ap.parse_args()
    if opts.processes < 1 or opts.answers < 1:
        ap.error("--processes and --answers must be at least 1")
    home = opts.home or Path(tempfile.mkdtemp(prefix="tensora-stress-"))
    home.mkdir(parents=True, exist_ok=True)
    try:
        outcome = run_stress(home, opts.processes, opts.answers, opts.timeout)
    finally:
        if opts.home is None:
            shutil.rmtree(home, ignore_errors=True)
    for failure in outcome.failures if opts.verbose else outcome.failures[:5]:
        print(failure)
    print(outcome.line())
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())

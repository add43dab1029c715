"""Helpers shared by the whiteboard tests: the development case, answers, and a subprocess runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT.parent / "shared" / "bench" / "cases" / "pp-deep-few-microbatches"

# the student's answers in the scripted session, in the student's own words
ANSWER_BUBBLE = (
    "We will cut each replica's 192 sequences into 64 micro-batches of 3 sequences and run an interleaved "
    "schedule with v = 2 model chunks per stage, so the pipeline fills and drains in a small part of the step."
)
ANSWER_ASYNC = (
    "To hide the flush, each stage will apply its gradients asynchronously as soon as they are ready, "
    "under a staleness bound of two steps."
)
ANSWER_OTHER = "Apart from that, the 1,024-GPU configuration stays as in the draft."


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), out.get("PYTHONPATH", "")]))
    out.pop("TENSORA_TEST_SLEEP_AFTER_COMMIT", None)
    out.update(extra)
    return out


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "tensora.whiteboard", *(str(a) for a in args)]


def run(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), capture_output=True, text=True, env=env(), timeout=timeout)


def transcript(stdout: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(stdout)
    return data


def statuses(turn: dict[str, Any]) -> dict[str, str]:
    return {f["code"]: f["status"] for f in turn["findings"]}

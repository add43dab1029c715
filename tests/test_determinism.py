"""A review is the same whatever Python's string hashing: no set order may leak into scores or choices."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "benchmarks" / "round2" / "hetero-mixed-replicas"


def _review(seed: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "tensora.cli",
            "review",
            str(CASE / "proposal.md"),
            "--baseline",
            str(CASE / "baseline.md"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    ).stdout
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def test_the_same_review_under_two_hash_seeds() -> None:
    assert _review("1") == _review("99")

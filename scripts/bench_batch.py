#!/usr/bin/env python3
"""Time ``tensora batch`` on a generated set of drafts and project the time for a conference.

    python scripts/bench_batch.py [--drafts 1000] [--workers 1 2] [--out DIR]

Builds a CSV manifest that cycles through the development benchmark's pairs (PDF and Markdown), the blind
rounds' pairs, the corpus papers reviewed alone (no baseline: the closest prior work) and as pairs, and a few
broken files (a truncated PDF, a renamed ZIP, an empty file, a missing path), then runs ``tensora batch`` on it
for each worker count, prints drafts per minute and the projected time for 5,000 drafts, and reruns the last
one to check that every done draft is skipped.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"


def sources(scratch: Path) -> list[tuple[Path, Path | None]]:
    pairs: list[tuple[Path, Path | None]] = []
    for case in sorted((SHARED / "bench" / "cases").glob("*/")):
        for ext in ("pdf", "md"):
            if (case / f"proposal.{ext}").is_file():
                pairs.append((case / f"proposal.{ext}", case / f"baseline.{ext}"))
    for case in sorted(itertools.chain((ROOT / "benchmarks").glob("round*/*/"))):
        if (case / "proposal.md").is_file():
            pairs.append((case / "proposal.md", case / "baseline.md"))
    papers = sorted((SHARED / "corpus" / "pdfs").glob("*.pdf"))
    pairs += [(p, None) for p in papers]
    pairs += list(zip(papers[1:], papers[:-1], strict=True))[:4]
    broken = scratch / "broken"
    broken.mkdir(exist_ok=True)
    good = ROOT / "examples" / "sp-chunking" / "proposal.pdf"
    (broken / "truncated.pdf").write_bytes(good.read_bytes()[:2000])
    (broken / "zip.pdf").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    (broken / "empty.md").write_text("", encoding="utf-8")
    pairs += [(broken / "truncated.pdf", None), (broken / "zip.pdf", None), (broken / "empty.md", None)]
    pairs.append((broken / "missing.pdf", None))
    return pairs


def manifest(path: Path, drafts: int, scratch: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "draft", "baseline"])
        for n, (draft, base) in zip(range(drafts), itertools.cycle(sources(scratch)), strict=False):
            writer.writerow([f"d{n:05d}", draft.resolve(), base.resolve() if base else ""])


def run(manifest_path: Path, out: Path, workers: int) -> float:
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "tensora.cli", "batch", str(manifest_path), "-o", str(out), "-w", str(workers)]
    subprocess.run(cmd, check=False)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--drafts", type=int, default=1000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--out", type=Path, default=None, help="keep the outputs here (default: a temporary folder)")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = opts.out or Path(tmp)
        scratch.mkdir(parents=True, exist_ok=True)
        path = scratch / "manifest.csv"
        manifest(path, opts.drafts, scratch)
        last = scratch
        for workers in opts.workers:
            last = scratch / f"out-w{workers}"
            wall = run(path, last, workers)
            rate = opts.drafts / wall * 60
            print(
                f"{opts.drafts} drafts, {workers} worker(s): {wall:.1f} s, {rate:.1f} drafts/min, "
                f"5,000 drafts in {5000 / rate:.1f} min",
                flush=True,
            )
        again = run(path, last, opts.workers[-1])
        print(f"rerun on the same output (done drafts skipped, broken ones tried again): {again:.1f} s")


if __name__ == "__main__":
    main()

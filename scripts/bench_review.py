#!/usr/bin/env python3
"""Measure a review's wall time (cold start included) and peak memory.

    python scripts/bench_review.py [--runs N] [PROPOSAL BASELINE]

Runs `tensora review --format json` as a fresh process N times on a PDF pair (by default the bundled example,
and the two longest papers of ../shared/corpus when present, as a stand-in for a 20-page pair) and prints the
median wall time and the peak resident memory of the child process (ru_maxrss).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(proposal: Path, baseline: Path, runs: int) -> tuple[float, float]:
    times, peaks = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "tensora.cli",
                "review",
                str(proposal),
                "--baseline",
                str(baseline),
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(f"review failed: {done.stderr.strip()}")
        peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
    return statistics.median(times), max(peaks)


def pages(path: Path) -> int:
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pair", nargs="*", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    opts = ap.parse_args()
    pairs: list[tuple[Path, Path]] = []
    if opts.pair:
        pairs.append((opts.pair[0], opts.pair[1]))
    else:
        example = ROOT / "examples" / "sp-chunking"
        pairs.append((example / "proposal.pdf", example / "baseline.pdf"))
        corpus = ROOT / ".." / "shared" / "corpus" / "pdfs"
        papers = sorted(corpus.glob("*.pdf"), key=pages) if corpus.is_dir() else []
        if len(papers) >= 2:
            # a pair of about 20 pages in all, and a pair of two ~20-page papers
            combos = [(a, b) for a in papers for b in papers if a != b]
            pairs.append(min(combos, key=lambda ab: (abs(pages(ab[0]) + pages(ab[1]) - 20), -pages(ab[0]))))
            long = [p for p in papers if 13 <= pages(p) <= 30]
            if len(long) >= 2:
                pairs.append((long[-1], long[-2]))
    for proposal, baseline in pairs:
        wall, peak = measure(proposal, baseline, opts.runs)
        print(
            f"{proposal.name} ({pages(proposal)} p) vs {baseline.name} ({pages(baseline)} p): "
            f"median wall {wall:.2f} s over {opts.runs} runs, peak RSS {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()

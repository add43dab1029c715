#!/usr/bin/env python3
"""Measure a review's wall time, cold and warm, against the floor of reading the same PDFs with bare PDFium.

    python scripts/bench_review.py [--runs N] [PROPOSAL BASELINE]

For the bundled example and a real pair of about 30 pages from ../shared/corpus/pdfs (the two papers whose
page counts add up closest to 30), or the pair given, prints side by side:

- floor cold: a fresh Python process that imports pypdfium2 and extracts the text of both files, page by page;
- floor warm: the same extraction inside this process, after one run to warm the caches;
- cold: ``tensora review --format json`` as a fresh process (start-up, imports and the knowledge base included),
  after one untimed run that writes the bytecode an installed package has;
- warm: ``tensora.review`` in this process after one warm-up (what a batch worker pays per draft);

each a median over N runs, with the ratio of each review to its floor and the child's peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

_EXTRACT = """
import sys, pypdfium2
for path in sys.argv[1:]:
    doc = pypdfium2.PdfDocument(path)
    for page in doc:
        page.get_textpage().get_text_range()
    doc.close()
"""


def extract(*paths: Path) -> None:
    import pypdfium2

    for path in paths:
        doc = pypdfium2.PdfDocument(str(path))
        for page in doc:
            page.get_textpage().get_text_range()
        doc.close()


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def child(args: list[str]) -> None:
    # an installed package has its bytecode compiled (pip does it at install): the children may write it, whatever
    # PYTHONDONTWRITEBYTECODE says here, so that a cold start measures start-up, not compiling every module
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # the checkout's own tensora, as the warm runs in this process use, not whichever one is installed
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}: {done.stderr.strip()[-500:]}")


def pages(path: Path) -> int:
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def corpus_pair(target: int = 30) -> tuple[Path, Path] | None:
    corpus = ROOT / ".." / "shared" / "corpus" / "pdfs"
    papers = sorted(corpus.glob("*.pdf")) if corpus.is_dir() else []
    if len(papers) < 2:
        return None
    counts = {p: pages(p) for p in papers}
    a, b = min(combinations(papers, 2), key=lambda ab: (abs(counts[ab[0]] + counts[ab[1]] - target), ab))
    return a, b


def bench(proposal: Path, baseline: Path, runs: int) -> dict[str, float]:
    import tensora

    floor_cold = median_time(lambda: child(["-c", _EXTRACT, str(proposal), str(baseline)]), runs)
    extract(proposal, baseline)
    floor_warm = median_time(lambda: extract(proposal, baseline), runs)
    args = ["-m", "tensora.cli", "review", str(proposal), "--baseline", str(baseline), "--format", "json"]
    child(args)  # untimed: writes the bytecode an installed package would have
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cold = median_time(lambda: child(args), runs)
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    tensora.review(proposal, baseline)
    warm = median_time(lambda: tensora.review(proposal, baseline), runs)
    return {"floor_cold": floor_cold, "floor_warm": floor_warm, "cold": cold, "warm": warm, "peak": peak}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pair", nargs="*", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    opts = ap.parse_args()
    pairs: list[tuple[str, Path, Path]] = []
    if opts.pair:
        pairs.append(("given", opts.pair[0], opts.pair[1]))
    else:
        example = ROOT / "examples" / "sp-chunking"
        pairs.append(("bundled example", example / "proposal.pdf", example / "baseline.pdf"))
        real = corpus_pair()
        if real is not None:
            pairs.append(("real pair", *real))
    head = f"{'pair':48s} {'pages':>5s} {'floor cold':>10s} {'cold':>6s} {'ratio':>6s}"
    head += f" {'floor warm':>10s} {'warm':>6s} {'ratio':>6s} {'peak MB':>7s}"
    print(f"median of {opts.runs} runs each (seconds)")
    print(head)
    for label, proposal, baseline in pairs:
        r = bench(proposal, baseline, opts.runs)
        name = f"{label}: {proposal.name} + {baseline.name}"
        print(
            f"{name[:48]:48s} {pages(proposal) + pages(baseline):5d} {r['floor_cold']:10.2f} {r['cold']:6.2f}"
            f" {r['cold'] / r['floor_cold']:5.1f}x {r['floor_warm']:10.3f} {r['warm']:6.2f}"
            f" {r['warm'] / r['floor_warm']:5.1f}x {r['peak']:7.0f}"
        )


if __name__ == "__main__":
    main()

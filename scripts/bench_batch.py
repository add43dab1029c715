#!/usr/bin/env python3
"""Time ``tensora batch`` on a generated set of drafts and project the time for a conference.

    python scripts/bench_batch.py [--drafts 1000] [--workers 1 2] [--out DIR]

Builds a CSV manifest that cycles through the development benchmark's pairs (PDF and Markdown), the blind
rounds' pairs, the corpus papers reviewed alone (no baseline: the closest prior work) and as pairs; each
Markdown draft after the first round through the sources is a variant (its numbers shifted, its paragraphs
rotated) so that no two Markdown drafts read the same. Ten broken files appear once each, spread through the
manifest (a truncated PDF, half a PDF, a PDF header alone, random bytes, a renamed ZIP, a PNG, an empty PDF and
Markdown file, a Markdown file of NUL bytes, a missing path). Then runs ``tensora batch`` on it for each worker
count, prints drafts per minute (wall) and the CPU seconds the batch used, the projected time for 5,000 drafts,
the failures the batch listed, and reruns the last one to check that every done draft is skipped. Each run's
stderr (the progress bar and the failures) is kept as ``stderr-wN.txt`` under ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"


def sources() -> list[tuple[Path, Path | None]]:
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
    return pairs


def broken_files(scratch: Path) -> list[Path]:
    broken = scratch / "broken"
    broken.mkdir(exist_ok=True)
    good = (ROOT / "examples" / "sp-chunking" / "proposal.pdf").read_bytes()
    files = {
        "truncated.pdf": good[:2000],
        "half.pdf": good[: len(good) // 2],
        "header-only.pdf": b"%PDF-1.7\n",
        "random.pdf": random.Random(0).randbytes(50_000),
        "zip.pdf": b"PK\x03\x04" + b"\x00" * 200,
        "image.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        "empty.pdf": b"",
        "empty.md": b"",
        "nul.md": b"\x00" * 4096,
    }
    for name, data in files.items():
        (broken / name).write_bytes(data)
    return [*(broken / name for name in files), broken / "missing.pdf"]


_NUMBER = re.compile(r"(?<![\w.])(\d{2,})(?![\w.])")


def variant(source: Path, n: int, scratch: Path) -> Path:
    """A Markdown draft with its numbers shifted and its body paragraphs rotated: the same kind of text, not the
    same text."""
    text = source.read_text(encoding="utf-8")
    text = _NUMBER.sub(lambda m: str(int(m.group(1)) + 1 + n % 7), text)
    head, sep, body = text.partition("\n\n")
    blocks = body.split("\n\n")
    if len(blocks) > 3:
        k = 1 + n % (len(blocks) - 1)
        blocks = blocks[k:] + blocks[:k]
    out = scratch / "varied" / f"d{n:05d}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(head + sep + "\n\n".join(blocks), encoding="utf-8")
    return out


def manifest(path: Path, drafts: int, scratch: Path) -> list[Path]:
    """Write the manifest; returns the broken files in it."""
    good = sources()
    broken = broken_files(scratch)
    spacing = max(1, drafts // (len(broken) + 1))
    broken_at = {spacing * (i + 1): b for i, b in enumerate(broken) if spacing * (i + 1) < drafts}
    cycle = itertools.cycle(good)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "draft", "baseline"])
        for n in range(drafts):
            if n in broken_at:
                writer.writerow([f"d{n:05d}", broken_at[n].resolve(), ""])
                continue
            draft, base = next(cycle)
            if draft.suffix == ".md" and n >= len(good):
                draft = variant(draft, n, scratch)
            writer.writerow([f"d{n:05d}", draft.resolve(), base.resolve() if base else ""])
    return list(broken_at.values())


def run(manifest_path: Path, out: Path, workers: int, log: Path) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of the batch and its workers, and its stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "tensora.cli", "batch", str(manifest_path), "-o", str(out), "-w", str(workers)]
    with log.open("w", encoding="utf-8") as err:
        subprocess.run(cmd, check=False, stderr=err)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, log.read_text(encoding="utf-8", errors="replace")


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
        broken = manifest(path, opts.drafts, scratch)
        last = scratch
        for workers in opts.workers:
            last = scratch / f"out-w{workers}"
            wall, cpu, err = run(path, last, workers, scratch / f"stderr-w{workers}.txt")
            rate = opts.drafts / wall * 60
            listed = sum(1 for b in broken if f"failed: {b}" in err or f"failed: {b.resolve()}" in err)
            summary = next((line for line in err.splitlines() if "reviewed now" in line), "(no summary line)")
            print(
                f"{opts.drafts} drafts, {workers} worker(s): {wall:.1f} s wall, {cpu:.1f} s CPU, "
                f"{rate:.1f} drafts/min, 5,000 drafts in {5000 / rate:.1f} min; "
                f"broken files listed as failed: {listed}/{len(broken)}",
                flush=True,
            )
            print(f"  {summary.strip()}", flush=True)
        wall, cpu, err = run(path, last, opts.workers[-1], scratch / "stderr-rerun.txt")
        summary = next((line for line in err.splitlines() if "reviewed now" in line), "(no summary line)")
        print(
            f"rerun on the same output (done drafts skipped, broken ones tried again): {wall:.1f} s wall, "
            f"{cpu:.1f} s CPU"
        )
        print(f"  {summary.strip()}")


if __name__ == "__main__":
    main()

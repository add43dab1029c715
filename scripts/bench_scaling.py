#!/usr/bin/env python3
"""Time each stage of a review on growing inputs and fit how its time grows with the input.

    python scripts/bench_scaling.py [--pages 10 40 160 400] [--shapes draft line ...] [--mb 5]

Builds Markdown drafts of the given sizes (a page is 3,000 characters) in several shapes: the bundled example
repeated ("draft"), and shapes that made a stage super-linear: numbers on one long line ("line"), a run of
digits ("digits"), digits as a chat answer would give them ("answer"), Markdown emphasis and brackets that
never close ("emphasis", "brackets"), and batch configurations stated over and over ("batches"). For each it
times ingest, sentences, numbers, techniques, audit and render, then prints each stage's fitted exponent: the
slope of log(time) against log(size), near 1 for a stage linear in its input. ``--mb`` also times the draft
repeated to that many megabytes, once. Stages under 5 ms at every size get no exponent (timer noise).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tensora.audit.engine import audit  # noqa: E402
from tensora.extract.claims import Claims, extract_claims  # noqa: E402
from tensora.extract.numbers import quantities_of  # noqa: E402
from tensora.extract.sentences import split_paragraphs  # noqa: E402
from tensora.extract.techniques import find_techniques  # noqa: E402
from tensora.ingest import Limits, load_document  # noqa: E402
from tensora.knowledge.loader import load_knowledge  # noqa: E402
from tensora.render import json as render_json  # noqa: E402
from tensora.render import markdown  # noqa: E402

PAGE = 3_000  # characters of text on a page of a paper
STAGES = ("ingest", "sentences", "numbers", "techniques", "audit", "render")
EXAMPLE = ROOT / "examples" / "sp-chunking"


def _repeat(unit: str, chars: int, sep: str = "") -> str:
    return sep.join([unit] * max(1, chars // (len(unit) + len(sep))))


def _draft(chars: int) -> str:
    text = (EXAMPLE / "proposal.md").read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n")  # the title once, the body again and again
    return head + "\n\n" + _repeat(body, chars, "\n\n")


def _line(chars: int) -> str:
    out, i, size = [], 0, 0
    while size < chars:
        piece = f"{i} GB {i} TFLOP/s {i}x"
        out.append(piece)
        size += len(piece) + 1
        i += 1
    return "# Line\n\n" + " ".join(out) + "\n"


def _batches(chars: int) -> str:
    out, i, size = ["# Batches\n\nWe train with pipeline parallelism and data parallelism."], 0, 0
    while size < chars:
        g, b, d = 1000 + 8 * i, 2 + i % 7, 3 + i % 11
        piece = (
            f"In configuration {i} we use a global batch of {g:,} sequences, a micro-batch size of {b} and a "
            f"data-parallel degree of {d}, so each replica processes its share in micro-batches."
        )
        out.append(piece)
        size += len(piece) + 2
        i += 1
    return "\n\n".join(out) + "\n"


SHAPES: dict[str, Callable[[int], str]] = {
    "draft": _draft,
    "line": _line,
    "digits": lambda n: "# Digits\n\n" + "1" * n + "\n",
    "answer": lambda n: "# Answer\n\n" + _repeat("0123456789", n) + "\n",
    "emphasis": lambda n: "# Emphasis\n\n" + _repeat("*a ", n) + "\n",
    "brackets": lambda n: "# Brackets\n\n" + "[" * (n // 3) + "](" * (n // 3) + "\n",
    "batches": _batches,
}


def time_stages(path: Path, baseline: Claims) -> dict[str, float]:
    kb = load_knowledge()
    limits = Limits(max_bytes=500 * 2**20, max_pages=100_000, max_chars=10**9)  # past the limits: growth is timed
    times: dict[str, float] = {}

    def timed(stage: str, fn: Callable[[], object]) -> object:
        t0 = time.perf_counter()
        out = fn()
        times[stage] = time.perf_counter() - t0
        return out

    document = timed("ingest", lambda: load_document(path, limits=limits))
    paragraphs = document.paragraphs  # type: ignore[attr-defined]
    sentences = timed("sentences", lambda: split_paragraphs(paragraphs, "proposal"))
    quantities = timed("numbers", lambda: quantities_of(sentences))  # type: ignore[arg-type]
    techniques = timed("techniques", lambda: find_techniques(sentences, kb.techniques))  # type: ignore[arg-type]
    claims = Claims("proposal", document.title, sentences, techniques, quantities)  # type: ignore[arg-type, attr-defined]
    review = timed("audit", lambda: audit(claims, baseline, kb, (path.name, "baseline.md")))
    timed("render", lambda: (markdown.render(markdown.fill(review)), render_json.render(review)))  # type: ignore[arg-type]
    return times


def slope(sizes: list[float], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) on log(size)."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-6)) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[10, 40, 160, 400])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--mb", type=float, default=0.0, help="also time the draft repeated to this many MB")
    opts = parser.parse_args()

    kb = load_knowledge()
    baseline = extract_claims(load_document(EXAMPLE / "baseline.md"), "baseline", kb, numbers=False)
    print(f"{'shape':10} {'pages':>6} " + " ".join(f"{s:>10}" for s in STAGES) + f" {'total':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in opts.shapes:
            rows: list[dict[str, float]] = []
            for pages in opts.pages:
                path = Path(tmp) / f"{shape}-{pages}.md"
                path.write_text(SHAPES[shape](pages * PAGE), encoding="utf-8")
                times = time_stages(path, baseline)
                rows.append(times)
                cells = " ".join(f"{times[s]:10.3f}" for s in STAGES)
                print(f"{shape:10} {pages:6d} {cells} {sum(times.values()):8.2f}", flush=True)
            exps = []
            for s in STAGES:
                seconds = [r[s] for r in rows]
                exps.append(f"{slope(opts.pages, seconds):10.2f}" if max(seconds) >= 0.005 else f"{'-':>10}")
            print(f"{shape:10} {'slope':>6} " + " ".join(exps), flush=True)
        if opts.mb:
            path = Path(tmp) / "draft-mb.md"
            path.write_text(_draft(int(opts.mb * 2**20)), encoding="utf-8")
            times = time_stages(path, baseline)
            cells = " ".join(f"{times[s]:10.3f}" for s in STAGES)
            print(f"{f'{opts.mb:g} MB':10} {'':6} {cells} {sum(times.values()):8.2f}")


if __name__ == "__main__":
    main()

"""Time ``tensora.ingest.load_document`` on the corpus PDFs, next to pypdfium2's own text extraction.

Usage: python scripts/bench_ingest.py [PDF ...]   (default: ../shared/corpus/pdfs/*.pdf)

The pypdfium2 column is the floor: loading each page and its text page, nothing else. Each file is read
``--repeat`` times and the best time is kept. Times are CPU seconds of this process (``process_time``),
which other jobs on a shared machine disturb less than wall-clock time; ``--wall`` switches.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pypdfium2 as pdfium

from tensora.ingest import load_document

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "pdfs"


def pdfium_only(path: Path) -> None:
    pdf = pdfium.PdfDocument(str(path))
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            tp.get_text_range()
            tp.close()
            page.close()
    finally:
        pdf.close()


CLOCK = time.process_time


def best_of(fn: object, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = CLOCK()
        fn()  # type: ignore[operator]
        best = min(best, CLOCK() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--wall", action="store_true", help="time wall-clock seconds instead of CPU seconds")
    args = ap.parse_args()
    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    pdfs = args.pdfs or sorted(CORPUS.glob("*.pdf"))
    if not pdfs:
        raise SystemExit(f"no PDFs given and none under {CORPUS}")
    load_document(pdfs[0])  # warm up imports and pdfium
    total_pages = 0
    total_ours = total_floor = 0.0
    print(f"{'file':32s} {'pages':>5s} {'paras':>5s} {'tensora s':>9s} {'pdfium s':>9s} {'s/10 pages':>10s}")
    for path in pdfs:
        doc = load_document(path)
        ours = best_of(lambda p=path: load_document(p), args.repeat)
        floor = best_of(lambda p=path: pdfium_only(p), args.repeat)
        total_pages += doc.pages
        total_ours += ours
        total_floor += floor
        print(
            f"{path.name[:32]:32s} {doc.pages:5d} {len(doc.paragraphs):5d} {ours:9.3f} {floor:9.3f} "
            f"{ours / doc.pages * 10:10.3f}"
        )
    print(
        f"{'total':32s} {total_pages:5d} {'':5s} {total_ours:9.3f} {total_floor:9.3f} "
        f"{total_ours / total_pages * 10:10.3f}"
    )


if __name__ == "__main__":
    main()

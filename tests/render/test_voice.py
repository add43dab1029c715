"""The voice is specific to each draft, over every pair tensora is measured on.

The development cases (``../shared/bench/cases``), the blind rounds and the corpus pairs (``benchmarks/``):
no placeholder letter ("by X", "Y%"), no broken phrase, no prose paragraph repeated word for word between
reviews of different drafts, and no evidence quote that is the draft's title or one of its headings. Fixed
phrases (the section headings, the stress-test introduction, the list lead-ins) are the voice's own and may
repeat; every paragraph that carries an argument quotes or computes something from its draft.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

from tensora.audit.findings import Review
from tensora.ingest import load_document
from tensora.pipeline import run
from tensora.render.voice import phrases

ROOT = Path(__file__).resolve().parents[2]
DIRS = [
    ROOT / ".." / "shared" / "bench" / "cases",
    ROOT / "benchmarks" / "round1",
    ROOT / "benchmarks" / "round2",
    ROOT / "benchmarks" / "round3",
    ROOT / "benchmarks" / "round4",
    *(ROOT / "benchmarks" / f"round{i}" for i in range(5, 31)),
    ROOT / "benchmarks" / "corpus",
]
PLACEHOLDER = re.compile(
    r"\b(by|of|from|to|at|is|than|under|over) [XYZN]\b|\b[XYZ]%|\b[XYZ]x\b|\b[XYZ] (GB|GiB|GPUs|bytes|times|ms|s)\b"
)
QUOTED = re.compile(r'"[^"\n]{12,}?"')
BROKEN = re.compile(
    r"\bOne things\b|\.\.\.\s*(Your|Is)\b|\.\.\s|\bthe baseline's setting of\b|\bneed to (if|when|their|this|the)\b"
)


def _pairs() -> list[tuple[str, Path, Path]]:
    out = []
    for d in DIRS:
        if not d.is_dir():
            continue
        for case in sorted(d.iterdir()):
            prop = next(
                (case / f"proposal.{ext}" for ext in ("md", "pdf") if (case / f"proposal.{ext}").is_file()), None
            )
            base = next(
                (case / f"baseline.{ext}" for ext in ("md", "pdf") if (case / f"baseline.{ext}").is_file()), None
            )
            if prop is not None and base is not None:
                out.append((f"{d.name}/{case.name}", prop, base))
    return out


PAIRS = _pairs()
needs_pairs = pytest.mark.skipif(len(PAIRS) < 2, reason="the benchmark pairs live in ../shared/bench and benchmarks/")


@cache
def _reviews() -> dict[str, tuple[Path, Review]]:
    return {name: (prop, run(prop, base)) for name, prop, base in PAIRS}


@cache
def _templates() -> list[re.Pattern[str]]:
    out = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, str):
            parts = re.split(r"\{[a-z_]+\}", node.strip())
            out.append(re.compile("^" + ".*?".join(re.escape(p) for p in parts) + "$", re.S))

    walk(phrases())
    return out


def _prose(text: str) -> set[str]:
    paragraphs = {" ".join(p.split()) for p in re.split(r"\n\s*\n", text)}
    return {
        p
        for p in paragraphs
        if len(p) >= 80 and not p.startswith(("#", "- ", "> ", "_")) and not any(t.match(p) for t in _templates())
    }


def _norm(text: str) -> str:
    return " ".join(re.sub(r"\*\*|__|`|^#+", "", text.strip()).split()).rstrip(".:").lower()


@needs_pairs
def test_no_placeholder_letter_nor_broken_phrase() -> None:
    bad = [
        f"{name}: {m.group(0)!r}"
        for name, (_, review) in _reviews().items()
        for rx in (PLACEHOLDER, BROKEN)
        # the draft's own words inside quotes may name a tensor X; only tensora's prose is checked
        for m in rx.finditer(QUOTED.sub('""', review.text))
    ]
    assert not bad, bad[:5]


@needs_pairs
def test_no_paragraph_is_shared_between_two_drafts() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for name, (_, review) in _reviews().items():
        for p in _prose(review.text):
            seen[p].add(name)
    shared = {p: sorted(names) for p, names in seen.items() if len(names) > 1}
    assert not shared, next(iter(shared.items()))


@needs_pairs
def test_no_quote_is_a_title_or_heading() -> None:
    bad = []
    for name, (prop, review) in _reviews().items():
        document = load_document(prop)
        heads = {_norm(p.text) for p in document.paragraphs if p.kind == "heading"} | {_norm(document.title)}
        heads.discard("")
        quotes = [(f.code, q) for f in review.findings for q in f.evidence] + [
            ("delta", q) for q in review.delta.evidence
        ]
        bad += [f"{name} {code}: {q.text!r}" for code, q in quotes if q.doc == "proposal" and _norm(q.text) in heads]
    assert not bad, bad[:5]


@needs_pairs
def test_prior_work_lines_close_their_parentheses() -> None:
    bad = [
        f"{name}: {line[:120]!r}"
        for name, (_, review) in _reviews().items()
        for line in QUOTED.sub('""', review.text).splitlines()
        if line.startswith("- **") and line.count("(") != line.count(")")
    ]
    assert not bad, bad[:5]

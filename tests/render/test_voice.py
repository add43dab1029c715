"""The voice is specific to each draft: no prose paragraph repeats across two development cases.

Fixed phrases (the section headings, the stress-test introduction, the list lead-ins) are the voice's own
and may repeat; every paragraph that carries an argument must quote or compute something from its draft.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from tensora.pipeline import run
from tensora.render.voice import phrases

CASES = Path(__file__).resolve().parents[2] / ".." / "shared" / "bench" / "cases"


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


def _prose(text: str, templates: list[re.Pattern[str]]) -> set[str]:
    paragraphs = {p.strip() for p in text.split("\n\n")}
    return {
        p
        for p in paragraphs
        if p and not p.startswith(("#", "- ", "> ", "_")) and not any(t.match(p) for t in templates)
    }


@pytest.mark.skipif(not CASES.is_dir(), reason="the development cases live in ../shared/bench")
def test_no_paragraph_is_shared_between_two_cases() -> None:
    templates = _templates()
    texts = {
        case.name: _prose(run(case / "proposal.md", case / "baseline.md").text, templates)
        for case in sorted(CASES.iterdir())
        if (case / "proposal.md").is_file()
    }
    assert len(texts) >= 2
    for (a, pa), (b, pb) in itertools.combinations(texts.items(), 2):
        shared = pa & pb
        assert not shared, f"{a} and {b} share: {sorted(shared)[0][:200]}"

"""The literal prefilter: the strings it finds, and that it never rules out a text the pattern matches."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tensora.extract import cues as cue_eval
from tensora.extract.claims import Claims
from tensora.knowledge.cues import load_cues
from tensora.rxliteral import required

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "cases"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"communicat\w*|all-?gather|traffic", {"communicat", "gather", "traffic"}),
        (r"\bstale(ness)?\b", {"stale"}),
        (r"(?i)Peak\s+memory", {"memory"}),  # either run is necessary; the longer one filters best
        (r"(?:overlap|hid(?:e|den|ing))\s+(?:the\s+)?comm", {"comm"}),  # "hid" is shorter than "comm"
        (r"[a-z]+ing", {"ing"}),  # a class breaks the run; what follows it is still necessary
    ],
)
def test_strings_found(pattern: str, expected: set[str]) -> None:
    assert required(pattern, re.I) == frozenset(expected)


@pytest.mark.parametrize(
    "pattern",
    [
        r"\d+(\.\d+)?\s*ms",  # a number: no word of use
        r"(fast|slow)?er",  # an optional part, then a two-letter run
        r"x|\d+",  # one branch without a word
        r"(",  # not a pattern
    ],
)
def test_no_useful_strings(pattern: str) -> None:
    assert required(pattern, re.I) is None


def test_lookarounds_and_boundaries_do_not_break_a_run() -> None:
    assert required(r"\bpipe(?=line)line\b", re.I) == frozenset({"pipeline"})
    assert required(r"(?<![\d.])GPUs?\b", re.I) == frozenset({"gpu"})


def test_case_sensitive_patterns_are_lowered() -> None:
    assert required(r"NVLink|InfiniBand", 0) == frozenset({"nvlink", "infiniband"})


def test_every_cue_example_that_a_pattern_matches_contains_one_of_its_strings() -> None:
    checked = 0
    for cue in load_cues(None).values():
        flags = 0 if cue.case_sensitive else re.I
        texts = [*cue.examples.match, *cue.examples.no_match]
        for pattern in [*cue.patterns, *cue.requires]:
            words = required(pattern, flags)
            if words is None:
                continue
            rx = re.compile(pattern, flags)
            for text in texts:
                if rx.search(text):
                    checked += 1
                    assert any(w in text.lower() for w in words), (cue.id, pattern, text)
    assert checked > 100


def test_cue_candidates_hold_every_matching_sentence(claims: Callable[[str], Claims]) -> None:
    """Every cue over the development drafts: the words' candidates give the same matches as a full scan."""
    table = load_cues(None)
    drafts = sorted(BENCH.glob("*/proposal.md"))[:12]
    assert drafts
    for path in drafts:
        sentences = claims(path.read_text(encoding="utf-8")).sentences
        for cue_id in table:
            cc = cue_eval.compiled(cue_id)
            if cc.words is None or cc.detector is not None or cc.ignore:
                continue
            memo: dict[object, object] = {}
            fast = set(cue_eval.sentences_containing(cc.words, sentences, memo))
            full = {i for i, s in enumerate(sentences) if cc.lexical(s.text)}
            assert full <= fast, (path.parent.name, cue_id, sorted(full - fast))

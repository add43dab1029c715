"""Every example sentence of knowledge/data/cues.yaml, as a test of its cue.

One test per example: each ``match`` sentence must match its cue by its patterns alone (so the lexical reading
stays right even where semantic matching is off), and each ``no_match`` sentence must not match the cue at all,
lexically or semantically. Also checks the file's own hygiene: ids unique, examples not copied between the two
lists, and cue ids the rules ask for present.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tensora.extract.cues import compiled, evaluate
from tensora.extract.sentences import Sentence
from tensora.knowledge.cues import load_cues

CUES = load_cues()
RULES = Path(__file__).resolve().parents[2] / "src" / "tensora" / "audit" / "rules"

MATCH = [(cid, text) for cid, cue in CUES.items() for text in cue.examples.match]
NO_MATCH = [(cid, text) for cid, cue in CUES.items() for text in cue.examples.no_match]


def _alone(text: str) -> list[Sentence]:
    # the sentence as the method section of a draft, so that a core-scoped cue sees it
    return [Sentence(text, 1, "Method", "proposal", 0)]


@pytest.mark.parametrize(("cue_id", "text"), MATCH, ids=[f"{c}:match:{i}" for i, (c, _) in enumerate(MATCH)])
def test_match_example(cue_id: str, text: str) -> None:
    assert compiled(cue_id).lexical(text), f"{cue_id} should match: {text!r}"
    assert evaluate(cue_id, _alone(text), {}), f"{cue_id} should find: {text!r}"


@pytest.mark.parametrize(("cue_id", "text"), NO_MATCH, ids=[f"{c}:no_match:{i}" for i, (c, _) in enumerate(NO_MATCH)])
def test_no_match_example(cue_id: str, text: str) -> None:
    assert not evaluate(cue_id, _alone(text), {}), f"{cue_id} should not match: {text!r}"


def test_examples_are_not_shared_between_lists() -> None:
    for cid, cue in CUES.items():
        assert not set(cue.examples.match) & set(cue.examples.no_match), cid


def test_every_cue_a_rule_asks_for_exists() -> None:
    asked: set[str] = set()
    for path in RULES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"cue", "has_cue", "first_cue", "cue_spans", "text_has_cue"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                asked.add(node.args[0].value)
    assert asked, "no rule asks for a cue: the scan is broken"
    assert asked <= set(CUES), sorted(asked - set(CUES))


def test_a_pattern_that_starts_with_a_number_starts_only_where_a_number_does() -> None:
    """Tried from inside a run of digits, a leading \\d+ re-reads the run: quadratic on a long digit string."""
    import re
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parents[2] / "src" / "tensora" / "knowledge" / "data" / "cues.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = entries if isinstance(entries, list) else entries["cues"]
    leading_number = re.compile(r"^(\(\?P<\w+>)?\\d")
    for entry in entries:
        for key in ("patterns", "requires"):
            for pattern in entry.get(key) or []:
                assert not leading_number.match(pattern), f"{entry['id']}: {key} {pattern[:40]!r} needs (?<![\\d.])"


def test_no_scanned_cue_pattern_is_anchored_to_a_line_start() -> None:
    """A cue's patterns are scanned over the draft's joined text, where "^" matches only the very first
    character: an anchored pattern would match in its examples and never in a draft. Only cues read one text at
    a time (the injection screen's directive) may anchor."""
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parents[2] / "src" / "tensora" / "knowledge" / "data" / "cues.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = entries if isinstance(entries, list) else entries["cues"]
    read_alone = {"review_directive"}
    for entry in entries:
        if entry["id"] in read_alone:
            continue
        for key in ("patterns", "requires"):
            for pattern in entry.get(key) or []:
                assert not pattern.lstrip("(?:").startswith("^") and "|^" not in pattern, f"{entry['id']}: {key}"

"""Character clean-up and line-break hyphens."""

from __future__ import annotations

import pytest

from tensora.ingest.normalize import HARD, SOFT, clean_chars, collapse_spaces, join_lines, resolve_hyphens, vocabulary


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("e\ufb03cient \ufb01ne-tuning", "efficient fine-tuning"),
        ("Na\u00a8\u0131ve caf\u00b4e", "Naïve café"),
        ("8\u00a0GPUs\u2009and\u200b more", "8 GPUs and more"),
        ("big \x12 brace \x13", "big   brace  "),
        ("symbol \uf8f1\uf8f4 pieces", "symbol    pieces"),
        ("10\u00b2 stays", "10² stays"),
        ("non\u2011breaking", "non-breaking"),
    ],
)
def test_clean_chars(raw: str, clean: str) -> None:
    assert clean_chars(raw) == clean


def test_soft_hyphens_become_marks() -> None:
    assert clean_chars("ob\ufffetained and ob\u00adtained") == f"ob{SOFT}tained and ob{SOFT}tained"


def test_join_lines_marks_line_end_hyphens() -> None:
    assert join_lines(["a pipe-", "line", "and  more ", "text"]) == f"a pipe{HARD}line and more text"
    assert join_lines(["range 1-", "- 2"]) == f"range 1{HARD}- 2"


@pytest.mark.parametrize(
    ("left", "mark", "right", "context", "expected"),
    [
        ("ob", SOFT, "tained", "", "obtained"),  # a syllable
        ("memory", SOFT, "saving", "memory-saving optimizations", "memory-saving"),  # a known compound
        ("pipe", SOFT, "line", "the pipeline", "pipeline"),  # a known joined word
        ("end", SOFT, "to-end", "", "end-to-end"),  # fewer than 3 letters follow
        ("GPT", SOFT, "3", "", "GPT-3"),  # a digit
        ("Urbana", SOFT, "Champaign", "", "Urbana-Champaign"),  # a capital
        ("GPipe", HARD, "equivalent", "GPipe runs", "GPipe-equivalent"),  # a whole word before it
        ("sched", HARD, "uling", "", "scheduling"),
        ("How", HARD, "ever", "", "However"),
    ],
)
def test_resolve_hyphens(left: str, mark: str, right: str, context: str, expected: str) -> None:
    text = f"{left}{mark}{right}"
    words, compounds = vocabulary([context, text])
    assert resolve_hyphens(text, words, compounds) == expected


def test_vocabulary_ignores_fragments_at_breaks() -> None:
    words, compounds = vocabulary([f"pipelin{SOFT}ing and all-to-all traffic"])
    assert "pipelin" not in words and "ing" not in words
    assert {"all-to", "to-all", "all-to-all"} <= compounds


def test_collapse_spaces_treats_every_whitespace_character_as_the_regex_does() -> None:
    import re
    import sys

    spaces = [chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c))]
    text = "".join(f"{s}w{k}{s}{s}" for k, s in enumerate(spaces)) + "\u200b\ufeff end"
    assert collapse_spaces(text) == re.sub(r"\s+", " ", text).strip()
    assert collapse_spaces(" \t\n") == ""

"""The compiled-regex cache returns what ``re.compile`` returns, from a fresh process's file or without one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tensora import rxcache, rxliteral
from tensora.extract.techniques import alias_pattern
from tensora.knowledge.cues import load_cues
from tensora.knowledge.loader import KnowledgeBase

PATTERNS = [
    (r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>GB|GiB)\b", re.I),
    (r"(?<![\w-])(?:(?i:pipeline[\s-]+parallel)|PP)(?![\w]|-[A-Za-z])", 0),
    (r"^\s*(?:\d+\.)+\s+[A-Z]", re.M),
    (r"a.b", re.S),
    (r"(?x) foo \s+ bar  # spaced", 0),
    (r"[\u2022\u2013]\s+\S", 0),
    (r"(?i)kv|key[- ]value cache", 0),
    (r"\bstale(ness)?\b|\bdelay(ed)? (of |in )?(\w+ )?(iterations|steps)", re.I),
]
TEXTS = [
    "we use 80 GB of HBM",
    "Pipeline-parallel PP stages",
    "1.2  Method\nx",
    "a\nb",
    "foo   bar",
    "\u2022 item",
    "The KV cache",
    "staleness of 3 iterations",
    "Ⅰ ſtale ıtem K",
]


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """An empty cache directory and a module that has loaded nothing yet."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(rxcache, "_entries", None)
    monkeypatch.setattr(rxcache, "_added", {})
    monkeypatch.setattr(rxcache, "_used", set())
    yield tmp_path / "cache"


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rxcache, "_entries", None)
    monkeypatch.setattr(rxcache, "_added", {})


def _same(a: re.Pattern[str], b: re.Pattern[str]) -> None:
    assert a == b
    assert (a.flags, a.groups, a.groupindex) == (b.flags, b.groups, b.groupindex)
    for text in TEXTS:
        ma, mb = a.search(text), b.search(text)
        assert (ma and (ma.span(), ma.groups())) == (mb and (mb.span(), mb.groups()))
        assert [m.span() for m in a.finditer(text)] == [m.span() for m in b.finditer(text)]


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_compiled_and_reloaded_patterns_equal_re_compile(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, pattern: str, flags: int
) -> None:
    _same(rxcache.compile(pattern, flags), re.compile(pattern, flags))
    rxcache.save()
    assert rxcache.cache_file().is_file()
    _new_process(monkeypatch)
    _same(rxcache.compile(pattern, flags), re.compile(pattern, flags))
    assert (pattern, int(flags)) in rxcache._entries  # type: ignore[operator]
    assert not rxcache._added  # came from the file, nothing to write


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_kept_words_equal_a_fresh_parse(fresh: Path, monkeypatch: pytest.MonkeyPatch, pattern: str, flags: int) -> None:
    expected = rxliteral.required(pattern, flags)
    assert rxcache.literals(pattern, flags) == expected
    rxcache.save()
    _new_process(monkeypatch)
    assert rxcache.literals(pattern, flags) == expected
    assert not rxcache._added  # the words came from the file with the program


def test_damaged_file_and_entry_fall_back(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pattern, flags = PATTERNS[0]
    rxcache.compile(pattern, flags)
    rxcache.save()
    path = rxcache.cache_file()
    path.write_bytes(b"not a marshal file")
    _new_process(monkeypatch)
    _same(rxcache.compile(pattern, flags), re.compile(pattern, flags))
    # an entry whose program the engine refuses is compiled again
    entries = rxcache._load()
    flags_out, _, groups, groupindex, indexgroup, words = entries[(pattern, int(flags))]
    entries[(pattern, int(flags))] = (flags_out, b"\xff\xff\xff\xff" * 3, groups, groupindex, indexgroup, words)
    _same(rxcache.compile(pattern, flags), re.compile(pattern, flags))


def test_unwritable_cache_is_silent(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh.mkdir(parents=True)
    (fresh / "tensora").write_text("a file where the folder should be", encoding="utf-8")
    _same(rxcache.compile(r"x(?P<y>\d)", 0), re.compile(r"x(?P<y>\d)"))
    rxcache.save()  # no error
    assert (fresh / "tensora").is_file()


def test_bad_pattern_raises_like_re(fresh: Path) -> None:
    with pytest.raises(re.error):
        rxcache.compile(r"(unclosed", re.I)


def test_knowledge_patterns_equal_re_compile(kb: KnowledgeBase) -> None:
    for cue in load_cues().values():
        flags = 0 if cue.case_sensitive else re.I
        for p in (*cue.patterns, *cue.requires, *cue.negation, *cue.ignore, *cue.params.values()):
            assert rxcache.compile(p, flags) == re.compile(p, flags), (cue.id, p)
    for technique in kb.techniques:
        compiled = alias_pattern(technique)
        assert compiled is not None
        assert compiled == re.compile(compiled.pattern, compiled.flags & ~re.U)

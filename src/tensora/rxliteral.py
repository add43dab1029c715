"""The words a regular expression cannot match without: a cheap prefilter before the regex engine.

``required(pattern, flags)`` reads a pattern's parse tree and returns a set of lower-case strings such that
every match of the pattern contains at least one of them (compared in lower case), or None when no such set of
useful strings exists (a pattern that can match a bare number, a class of characters or the empty string).
``communicat\\w*|all-?gather`` gives ``{"communicat", "gather"}``: a text without either substring (in lower
case) cannot match, and ``str.find`` on the lower-cased text rules it out far faster than the engine can scan
a 30-page draft for an alternation.

The set is a necessary condition only: a text that contains one of the strings is still matched by the
pattern itself. Zero-width assertions (``\\b``, lookarounds) are transparent, since they consume nothing; an
optional or repeated part breaks a run of literal characters; an alternation needs a set from each branch.

Does not: treat the few Unicode characters that ``re.IGNORECASE`` equates with an ASCII letter but that do not
lower-case to it (the long s, the dotless i) as that letter: a draft spelling "ſtale" is not a candidate for
``stale``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

__all__ = ["MIN_LENGTH", "from_parsed", "required"]

# a string shorter than this is in nearly every sentence: no use as a filter
MIN_LENGTH = 3
# a run of literals and alternations of literals is kept as the strings it spells, up to this many
_MAX_SPELLED = 32

try:
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    _ENABLED = hasattr(_parser, "parse")
except ImportError:  # pragma: no cover - not CPython
    _ENABLED = False

_Set = frozenset[str] | None


def _weakest(s: frozenset[str]) -> int:
    return min((len(x) for x in s), default=0)


def _sequence(items: list[tuple[object, object]]) -> _Set:
    """The most selective necessary set of one sequence of parse items (None: none of use)."""
    options: list[frozenset[str]] = []
    run: frozenset[str] | None = None  # the strings the items since the last break spell, one of which occurs

    def close() -> None:
        nonlocal run
        if run is not None:
            options.append(run)
            run = None

    for op, av in items:
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue  # zero width: the characters either side are adjacent in the match
        spelled = _spelled(op, av)
        if spelled is not None:
            # "--(?:no|disable)-" spells "--no-" or "--disable-": one of them occurs whole
            joined = spelled if run is None else frozenset(a + b for a in run for b in spelled)
            if len(joined) <= _MAX_SPELLED:
                run = joined
                continue
            close()
            run = spelled
            continue
        close()
        child = _item(op, av)
        if child is not None:
            options.append(child)
    close()
    useful = [s for s in options if s and _weakest(s) >= MIN_LENGTH]
    if not useful:
        return None
    # the longest shortest string filters best; among equals, the smaller set
    return max(useful, key=lambda s: (_weakest(s), -len(s)))


def _union(branches: Iterable[object], sequence: Callable[[list[tuple[object, object]]], _Set]) -> _Set:
    """The strings of an alternation: the union over its branches, None when one branch has none."""
    out: set[str] = set()
    for branch in branches:
        got = sequence(list(branch))  # type: ignore[call-overload]
        if got is None:
            return None
        out |= got
    return frozenset(out)


def _spelled(op: object, av: object) -> _Set:
    """Every string (in lower case) that one parse item matches, when they are a few literals, else None."""
    if op is _c.LITERAL:
        return frozenset([chr(av).lower()])  # type: ignore[arg-type]
    if op is _c.SUBPATTERN:
        return _spelled_sequence(list(av[-1]))  # type: ignore[index]
    if op is _c.BRANCH:
        out = _union(av[1], _spelled_sequence)  # type: ignore[index]
        return out if out is not None and len(out) <= _MAX_SPELLED else None
    return None


def _spelled_sequence(items: list[tuple[object, object]]) -> _Set:
    out = frozenset([""])
    for op, av in items:
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue
        got = _spelled(op, av)
        if got is None:
            return None
        out = frozenset(a + b for a in out for b in got)
        if len(out) > _MAX_SPELLED:
            return None
    return out


def _item(op: object, av: object) -> _Set:
    if op is _c.SUBPATTERN:
        return _sequence(list(av[-1]))  # type: ignore[index]
    if op is _c.BRANCH:
        return _union(av[1], _sequence)  # type: ignore[index]
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low: int = av[0]  # type: ignore[index]
        return _sequence(list(av[2])) if low >= 1 else None  # type: ignore[index]
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(list(av))  # type: ignore[call-overload]
    return None


@cache
def required(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Lower-case strings of which every match of the pattern contains one, or None when there are none of use."""
    if not _ENABLED:
        return None
    try:
        parsed = _parser.parse(pattern, flags)
    except (re.error, RecursionError):
        return None
    return from_parsed(parsed)


def from_parsed(parsed: object) -> frozenset[str] | None:
    """``required`` for a pattern already parsed by ``re._parser.parse`` (``tensora.rxcache`` keeps the result)."""
    try:
        return _sequence(list(parsed))  # type: ignore[call-overload]
    except (TypeError, ValueError, AttributeError, RecursionError):  # the parser's tree changed shape
        return None

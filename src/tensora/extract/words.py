"""Content words of a piece of text, for rules that compare what two sentences talk about.

A word is a lower-cased run of letters, digits and hyphens that starts with a letter and has at least four
characters ("all-reduce", "gemm", "attention"); shorter words carry little about a subject. Does not stem or
drop stop words: the caller knows which words say nothing in its setting.
"""

from __future__ import annotations

from tensora import rxcache

__all__ = ["words"]

_WORD = rxcache.compile(r"[a-z][a-z0-9-]{3,}")


def words(text: str) -> list[str]:
    """The content words of a text, lower-cased, in order."""
    return _WORD.findall(text.lower())

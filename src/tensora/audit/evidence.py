"""Evidence that carries the mechanism: no finding quotes a title or a heading.

A rule picks the sentences its cue matched; a cue that matches a technique's name also matches the draft's
title ("HASTE: Hierarchical Asynchronous Gradient Reduction ...") or a section heading ("Precision and
recomputation."). Neither says what the draft does. This pass runs after every rule: a quote that is the
document's title, a heading, or a run-in heading (a short label that opens a paragraph and is followed by its
prose) is replaced by the first prose sentence that follows it in the same document, the sentence that states
the mechanism. Duplicates are dropped. Follows nothing beyond the sentence stream of ``Claims``; it does not
judge whether the replacement argues the finding's point, only that it is prose.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable

from tensora import rxcache
from tensora.audit.findings import Delta, Finding
from tensora.extract.claims import Claims
from tensora.extract.quantities import Quote
from tensora.extract.sentences import Sentence

_RUN_IN_WORDS = 7  # a run-in label ("Precision and recomputation.") is a handful of words


def _norm(text: str) -> str:
    text = re.sub(r"\*\*|__|`", "", text)
    text = re.sub(r"^#+\s*", "", text.strip())
    text = re.sub(r"^\d+(\.\d+)*\.?\s+", "", text)  # "3.2 Design" is the heading "Design"
    return " ".join(text.split()).rstrip(".:").lower()


def _is_run_in(s: Sentence, nxt: Sentence | None) -> bool:
    """A short label that opens a paragraph whose prose follows it: "Precision and recomputation. We keep ..."."""
    words = s.text.split()
    if len(words) > _RUN_IN_WORDS or re.search(r"\d", s.text) or not s.text.rstrip().endswith((".", ":")):
        return False
    if nxt is None or nxt.paragraph != s.paragraph or nxt.paragraph < 0:
        return False
    return not re.search(r"\b(is|are|was|were|we|it|our|uses?|keeps?|runs?)\b", s.text, re.I)


def _headings(claims: Claims) -> dict[str, int]:
    """Normalised heading text -> index of the first prose sentence after it (-1 when none follows)."""
    out: dict[str, int] = {}
    sents = claims.sentences
    opens: set[int] = set()
    seen_paragraphs: set[int] = set()
    for s in sents:
        if s.paragraph not in seen_paragraphs:
            seen_paragraphs.add(s.paragraph)
            opens.add(s.index)
    # the prose sentences' indices, once: each heading then finds its next ones by bisection (a search from
    # each heading to the end made a long draft with many headings quadratic)
    prose = [j for j, s in enumerate(sents) if s.kind == "text" and len(s.text.split()) > _RUN_IN_WORDS]
    for i, s in enumerate(sents):
        nxt = sents[i + 1] if i + 1 < len(sents) else None
        heading = s.kind == "heading" or (s.index in opens and s.kind == "text" and _is_run_in(s, nxt))
        if heading:
            key = _norm(s.text)
            if key not in out:
                out[key] = _next_prose(sents, prose, i)
    if claims.title:
        key = _norm(claims.title)
        if key not in out:
            out[key] = _next_prose(sents, prose, -1)
    return out


_MECHANISM = rxcache.compile(
    r"\b(we|this paper|this work)\s+(propose|present|introduce|design|build|describe)|\b(works?|operates?) by\b"
    r"|\b(replaces?|keeps?|splits?|overlaps?|fuses?|shards?|schedules?|caches?|reuses?)\b",
    re.I,
)
_LOOKAHEAD = 6  # prose sentences after a heading searched for the one that states the mechanism


def _next_prose(sents: list[Sentence], prose: list[int], i: int) -> int:
    """The prose sentence after index ``i`` that states the mechanism, else the first prose sentence.

    ``prose`` holds the indices of the prose sentences, ascending.
    """
    start = bisect_right(prose, i)
    window = prose[start : start + _LOOKAHEAD]
    if not window:
        return -1
    return next((j for j in window if _MECHANISM.search(sents[j].text)), window[0])


class QuoteFixer:
    """Maps a title or heading quote to the prose sentence after it, per document."""

    def __init__(self, *documents: Claims) -> None:
        self._tables = {c.doc: (c, _headings(c)) for c in documents}

    def fix(self, q: Quote) -> Quote | None:
        """The quote itself, its replacement, or None when a heading has no prose after it."""
        entry = self._tables.get(q.doc)
        if entry is None:
            return q
        claims, heads = entry
        target = heads.get(_norm(q.text.removesuffix("...")))
        if target is None:
            return q
        return claims.sentences[target].quote() if target >= 0 else None

    def fix_all(self, quotes: Iterable[Quote]) -> list[Quote]:
        kept: list[Quote] = []
        seen: set[tuple[str, str]] = set()
        for q in quotes:
            fixed = self.fix(q)
            if fixed is None or (fixed.doc, fixed.text) in seen:
                continue
            seen.add((fixed.doc, fixed.text))
            kept.append(fixed)
        return kept


def mechanism_quotes(findings: Iterable[Finding], *documents: Claims, delta: Delta | None = None) -> None:
    """Replace every title or heading quote by the prose sentence that follows it; drop the quote when none does.

    The delta's evidence gets the same treatment, and its rationale's "In its own words" quotation with it.
    """
    fixer = QuoteFixer(*documents)
    for f in findings:
        f.evidence = fixer.fix_all(f.evidence)
    if delta is None:
        return
    m = re.search(r' In its own words: "(.*)"$', delta.rationale)
    if m is not None:
        for doc in ("proposal", "baseline"):
            fixed = fixer.fix(Quote(doc, 1, m.group(1)))
            if fixed is not None and fixed.text != m.group(1):
                text = fixed.text if len(fixed.text) <= 140 else fixed.text[:137] + "..."
                delta.rationale = delta.rationale[: m.start()] + f' In its own words: "{text}"'
                break
            if fixed is None:
                delta.rationale = delta.rationale[: m.start()]
                break
    delta.evidence = fixer.fix_all(delta.evidence)

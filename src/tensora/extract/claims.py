"""``Claims``: what a document says, with the quote and page of each piece.

``extract_claims`` turns a ``Document`` into sentences, the techniques it uses (versus mentions or rejects),
and its numbers with their roles. Rules query a ``Claims`` through the small helpers below instead of reading
raw text, so that "is the mechanism present?" and "is the concern answered?" read the same way in every rule.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from tensora import rxcache
from tensora.extract import cues
from tensora.extract.numbers import quantities_of
from tensora.extract.quantities import DocLabel, Quantity, Quote
from tensora.extract.sentences import Sentence, split_paragraphs
from tensora.extract.techniques import (
    TechniqueUse,
    find_techniques,
    is_core,
    semantic_candidates,
    semantic_mentions,
)
from tensora.ingest.document import Document, Paragraph
from tensora.knowledge.loader import KnowledgeBase

Pattern = str | re.Pattern[str]
_REFERENCES = rxcache.compile(r"(\d+(\.\d+)*\.?\s+)?(references|bibliography)\b", re.I)
_YEAR = rxcache.compile(r"(?<![\d.])(?:19[89]\d|20[0-4]\d)(?!\d)")
# a reference list with fewer years than this says too little about when the document was written
_YEARS_TO_TELL = 8
_NOT_CLAIMS = rxcache.compile(r"(\d+(\.\d+)*\.?\s+)?(references|bibliography|acknowledg(e)?ments?)\b", re.I)


def _rx(pattern: Pattern) -> re.Pattern[str]:
    return pattern if isinstance(pattern, re.Pattern) else rxcache.compile(pattern, re.I)


@dataclass(slots=True)
class Claims:
    """Sentences, techniques and quantities of one document."""

    doc: DocLabel
    title: str
    sentences: list[Sentence]
    techniques: dict[str, TechniqueUse]
    quantities: list[Quantity]
    extra: list[Sentence] = field(default_factory=list)
    # the latest year the document's reference list cites, when the list gives enough years to tell (None
    # otherwise): a paper cannot have been written before the work it cites
    cites_until: int | None = None
    _cache: tuple[int, str, list[int]] | None = field(default=None, repr=False, compare=False)
    _found: dict[object, list[Sentence]] = field(default_factory=dict, repr=False, compare=False)
    _memo: dict[object, object] = field(default_factory=dict, repr=False, compare=False)
    _roles: tuple[int, int, dict[str, list[Quantity]]] | None = field(default=None, repr=False, compare=False)

    # techniques -------------------------------------------------------------------------------------------
    def uses(self, *ids: str) -> bool:
        """True when any of the techniques is used (not only mentioned, compared against or rejected)."""
        return any(t in self.techniques and self.techniques[t].used for t in ids)

    def uses_in_design(self, *ids: str) -> bool:
        """True when a technique is used in a sentence that states the draft's own design (abstract, method,
        design, introduction): not only in its evaluation setup, background or plans."""
        from tensora.extract.techniques import is_design

        texts = {
            q.text for t in ids if t in self.techniques and self.techniques[t].used for q in self.techniques[t].quotes
        }
        return any(s.quote().text in texts and is_design(s) for s in self.sentences) if texts else False

    def uses_core(self, *ids: str) -> bool:
        return any(t in self.techniques and self.techniques[t].used and self.techniques[t].core for t in ids)

    def rejects(self, *ids: str) -> bool:
        return any(t in self.techniques and self.techniques[t].counts.get("rejected", 0) for t in ids)

    def mentions(self, *ids: str) -> bool:
        return any(t in self.techniques for t in ids)

    def used_ids(self) -> set[str]:
        return {t for t, u in self.techniques.items() if u.used}

    def technique_quotes(self, *ids: str) -> list[Quote]:
        return [q for t in ids if t in self.techniques for q in self.techniques[t].quotes]

    # cues (knowledge/data/cues.yaml) -------------------------------------------------------------------------
    def cue(self, cue_id: str) -> list[Sentence]:
        """The sentences that match a cue, lexically or semantically, in document order."""
        return cues.evaluate(cue_id, self.sentences, self._memo)

    def has_cue(self, cue_id: str) -> bool:
        return bool(self.cue(cue_id))

    def first_cue(self, cue_id: str) -> Sentence | None:
        found = self.cue(cue_id)
        return found[0] if found else None

    def cue_spans(self, cue_id: str) -> list[cues.CueSpan]:
        """Every lexical match of a cue with its named groups (the numbers a rule reads), in document order."""
        return cues.spans(cue_id, self.sentences, self._memo)

    def text_has_cue(self, cue_id: str, text: str) -> bool:
        """Whether a quote taken from this document (a quantity's) matches a cue lexically."""
        return cues.text_matches(cue_id, text)

    def matching(self, patterns: Iterable[str]) -> list[Sentence]:
        """Sentences that match any of the knowledge base's own patterns (a weak baseline's names)."""
        found: dict[int, Sentence] = {}
        for p in patterns:
            for s in self.find(p):
                found[s.index] = s
        return [found[i] for i in sorted(found)]

    # text -------------------------------------------------------------------------------------------------
    def find(self, pattern: Pattern, *, core_only: bool = False) -> list[Sentence]:
        """Sentences in which the pattern matches (case-insensitively for a string pattern).

        The sentences holding a word the pattern cannot match without (``tensora.rxliteral``), else one scan of
        the joined text, propose candidates; each is then searched on its own, so a match never spans two
        sentences.
        """
        ident = pattern if isinstance(pattern, str) else (pattern.pattern, pattern.flags)
        key = (ident, core_only, len(self.sentences))
        if key in self._found:
            return list(self._found[key])
        rx = _rx(pattern)
        words = rxcache.literals(rx.pattern, rx.flags & ~re.U)
        candidates: Iterable[int]
        if words is not None and not any("\n" in w for w in words):
            candidates = cues.sentences_containing(words, self.sentences, self._memo)
        else:
            text, starts = self.joined()
            spans: set[int] = set()
            for m in rx.finditer(text):
                first = bisect_right(starts, m.start()) - 1
                last = bisect_right(starts, max(m.start(), m.end() - 1)) - 1
                spans.update(range(first, min(last + 2, len(self.sentences))))
            candidates = sorted(spans)
        found = [
            s for s in (self.sentences[i] for i in candidates) if rx.search(s.text) and (not core_only or is_core(s))
        ]
        self._found[key] = found
        return list(found)

    def joined(self) -> tuple[str, list[int]]:
        """All sentences joined by newlines, and the offset at which each starts."""
        key = len(self.sentences)
        if self._cache is None or self._cache[0] != key:
            starts, pos = [], 0
            for sentence in self.sentences:
                starts.append(pos)
                pos += len(sentence.text) + 1
            self._cache = (key, "\n".join(x.text for x in self.sentences), starts)
        return self._cache[1], self._cache[2]

    def first(self, pattern: Pattern) -> Sentence | None:
        found = self.find(pattern)
        return found[0] if found else None

    def has(self, pattern: Pattern) -> bool:
        rx = _rx(pattern)
        text, starts = self.joined()
        crossed = False
        for m in rx.finditer(text):
            i = bisect_right(starts, m.start()) - 1
            if m.end() <= starts[i] + len(self.sentences[i].text):
                return True  # the match lies inside one sentence
            crossed = True
        return crossed and bool(self.find(rx))

    def core_text(self) -> str:
        return " ".join(s.text for s in self.sentences if is_core(s))

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    # numbers ----------------------------------------------------------------------------------------------
    def values(self, role: str, qualifier: str | None = None) -> list[Quantity]:
        """The quantities of a role (and qualifier), in order; found through an index by role, rebuilt when the
        list of quantities changes."""
        key = (id(self.quantities), len(self.quantities))
        if self._roles is None or self._roles[:2] != key:
            index: dict[str, list[Quantity]] = {}
            for q in self.quantities:
                index.setdefault(q.role, []).append(q)
            self._roles = (*key, index)
        found = self._roles[2].get(role, [])
        return [q for q in found if qualifier is None or q.qualifier == qualifier]

    def value(self, role: str) -> float | None:
        """The first finite value of a role, preferring the draft's own over the baseline's; or None."""
        finite = [q for q in self.values(role) if not math.isnan(q.value)]
        own = [q for q in finite if q.qualifier != "baseline"]
        pick = own or finite
        return pick[0].value if pick else None

    def max_value(self, role: str) -> float | None:
        vals = [q.value for q in self.values(role) if not math.isnan(q.value)]
        return max(vals) if vals else None

    def sentence_of(self, quantity: Quantity) -> Sentence | None:
        """The sentence a quantity was read from, or None for a quantity made elsewhere."""
        i = quantity.sentence
        if 0 <= i < len(self.sentences) and self.sentences[i].index == i:
            return self.sentences[i]
        return None

    def texts(self, role: str) -> list[str]:
        return [q.text for q in self.values(role) if q.text]

    def merged(self, other: Claims) -> Claims:
        """These claims with another document's (a student's answer) appended.

        Sentences and technique uses accumulate; for numbers, the other document's take precedence.
        """
        offset = len(self.sentences)
        moved = [replace(s, index=s.index + offset, paragraph=-1) for s in other.sentences]
        techniques = {k: v for k, v in self.techniques.items()}
        for tid, use in other.techniques.items():
            if tid in techniques:
                mine = techniques[tid]
                merged = TechniqueUse(mine.id, mine.name, mine.family, dict(mine.counts), list(mine.quotes))
                merged.core = mine.core or use.core
                merged.semantic = mine.semantic and use.semantic
                for k, v in use.counts.items():
                    merged.counts[k] = merged.counts.get(k, 0) + v
                merged.quotes.extend(use.quotes)
                techniques[tid] = merged
            else:
                techniques[tid] = use
        # the answer's numbers come first, so that a value the student restates overrides the draft's; they keep
        # pointing at their sentences, which moved
        answer = [replace(q, sentence=q.sentence + offset) if q.sentence >= 0 else q for q in other.quantities]
        return Claims(self.doc, self.title, self.sentences + moved, techniques, answer + self.quantities)


def extract_claims(document: Document, doc: DocLabel, kb: KnowledgeBase, *, numbers: bool = True) -> Claims:
    """Claims of a document; ``numbers=False`` skips number extraction (the baseline's numbers go unused)."""
    return claims_from_paragraphs(document.paragraphs, doc, kb, title=document.title, numbers=numbers)


def claims_from_paragraphs(
    paragraphs: Iterable[Paragraph],
    doc: DocLabel,
    kb: KnowledgeBase,
    title: str = "",
    *,
    numbers: bool = True,
    semantic: bool | None = None,
) -> Claims:
    """Claims of some paragraphs. ``semantic`` runs the semantic technique pass (by default on the proposal only:
    the baseline's techniques are read by their names)."""
    # a reference list names techniques in titles and carries years and page numbers: none of it is a claim
    paragraphs = list(paragraphs)
    cited_years = [int(y) for p in paragraphs if _REFERENCES.match(p.section.strip()) for y in _YEAR.findall(p.text)]
    paragraphs = [p for p in paragraphs if not _NOT_CLAIMS.match(p.section.strip())]
    sentences = split_paragraphs(paragraphs, doc)
    techniques = find_techniques(sentences, kb.techniques)
    quantities = quantities_of(sentences) if numbers else []
    claims = Claims(doc, title, sentences, techniques, quantities)
    if len(cited_years) >= _YEARS_TO_TELL:
        claims.cites_until = max(cited_years)
    if semantic or (semantic is None and doc == "proposal"):
        # the sentence embeddings are kept in the claims' memo: semantic cues reuse them
        wanted = semantic_candidates(sentences)
        vectors = cues.sentence_vectors(sentences, claims._memo, wanted)
        semantic_mentions(sentences, kb.techniques, techniques, vectors, wanted)
    return claims


def iter_window(sentences: list[Sentence], index: int, radius: int = 1) -> Iterator[Sentence]:
    lo, hi = max(0, index - radius), min(len(sentences), index + radius + 1)
    yield from sentences[lo:hi]

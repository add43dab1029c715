"""``Claims``: what a document says, with the quote and page of each piece.

``extract_claims`` turns a ``Document`` into sentences, the techniques it uses (versus mentions or rejects),
and its numbers with their roles. Rules query a ``Claims`` through the small helpers below instead of reading
raw text, so that "is the mechanism present?" and "is the concern answered?" read the same way in every rule.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from tensora.extract.numbers import extract_quantities
from tensora.extract.quantities import DocLabel, Quantity, Quote
from tensora.extract.sentences import Sentence, split_paragraphs
from tensora.extract.techniques import TechniqueUse, find_techniques, is_core
from tensora.ingest.document import Document, Paragraph
from tensora.knowledge.loader import KnowledgeBase

Pattern = str | re.Pattern[str]


def _rx(pattern: Pattern) -> re.Pattern[str]:
    return pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, re.I)


@dataclass(slots=True)
class Claims:
    """Sentences, techniques and quantities of one document."""

    doc: DocLabel
    title: str
    sentences: list[Sentence]
    techniques: dict[str, TechniqueUse]
    quantities: list[Quantity]
    extra: list[Sentence] = field(default_factory=list)

    # techniques -------------------------------------------------------------------------------------------
    def uses(self, *ids: str) -> bool:
        """True when any of the techniques is used (not only mentioned, compared against or rejected)."""
        return any(t in self.techniques and self.techniques[t].used for t in ids)

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

    # text -------------------------------------------------------------------------------------------------
    def find(self, pattern: Pattern, *, core_only: bool = False) -> list[Sentence]:
        rx = _rx(pattern)
        return [s for s in self.sentences if rx.search(s.text) and (not core_only or is_core(s))]

    def first(self, pattern: Pattern) -> Sentence | None:
        found = self.find(pattern)
        return found[0] if found else None

    def has(self, pattern: Pattern) -> bool:
        return self.first(pattern) is not None

    def core_text(self) -> str:
        return " ".join(s.text for s in self.sentences if is_core(s))

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    # numbers ----------------------------------------------------------------------------------------------
    def values(self, role: str, qualifier: str | None = None) -> list[Quantity]:
        return [q for q in self.quantities if q.role == role and (qualifier is None or q.qualifier == qualifier)]

    def value(self, role: str) -> float | None:
        """The first finite value of a role, or None."""
        for q in self.values(role):
            if not math.isnan(q.value):
                return q.value
        return None

    def max_value(self, role: str) -> float | None:
        vals = [q.value for q in self.values(role) if not math.isnan(q.value)]
        return max(vals) if vals else None

    def texts(self, role: str) -> list[str]:
        return [q.text for q in self.values(role) if q.text]

    def merged(self, other: Claims) -> Claims:
        """These claims with another document's (a student's answer) appended.

        Sentences and technique uses accumulate; for numbers, the other document's take precedence.
        """
        offset = len(self.sentences)
        moved = [Sentence(s.text, s.page, s.section, s.doc, s.index + offset, s.kind) for s in other.sentences]
        techniques = {k: v for k, v in self.techniques.items()}
        for tid, use in other.techniques.items():
            if tid in techniques:
                mine = techniques[tid]
                merged = TechniqueUse(mine.id, mine.name, mine.family, dict(mine.counts), list(mine.quotes))
                merged.core = mine.core or use.core
                for k, v in use.counts.items():
                    merged.counts[k] = merged.counts.get(k, 0) + v
                merged.quotes.extend(use.quotes)
                techniques[tid] = merged
            else:
                techniques[tid] = use
        # the answer's numbers come first, so that a value the student restates overrides the draft's
        return Claims(self.doc, self.title, self.sentences + moved, techniques, other.quantities + self.quantities)


def extract_claims(document: Document, doc: DocLabel, kb: KnowledgeBase) -> Claims:
    return claims_from_paragraphs(document.paragraphs, doc, kb, title=document.title)


def claims_from_paragraphs(
    paragraphs: Iterable[Paragraph], doc: DocLabel, kb: KnowledgeBase, title: str = ""
) -> Claims:
    paragraphs = list(paragraphs)
    sentences = split_paragraphs(paragraphs, doc)
    techniques = find_techniques(sentences, kb.techniques)
    quantities = extract_quantities(paragraphs, doc)
    return Claims(doc, title, sentences, techniques, quantities)


def iter_window(sentences: list[Sentence], index: int, radius: int = 1) -> Iterator[Sentence]:
    lo, hi = max(0, index - radius), min(len(sentences), index + radius + 1)
    yield from sentences[lo:hi]

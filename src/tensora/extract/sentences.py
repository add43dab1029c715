"""Split paragraphs into sentences that keep their page and section.

Splits on '.', '!' or '?' followed by space and an upper-case letter, a digit or an opening bracket, except
after common abbreviations ("e.g.", "i.e.", "et al.", "Fig.", "vs.") and inside decimals ("1.35x").
Table rows (lines with pipes) are kept one per sentence. Does not handle nested quotations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tensora.extract.quantities import DocLabel, Quote
from tensora.ingest.document import Paragraph

_ABBREV = re.compile(
    r"(?:\b(?:e\.g|i\.e|et al|etc|Fig|Figs|Eq|Eqs|Sec|Tab|vs|cf|approx|resp|No|Ref|Refs|Dr|Mr|Ms)\.|\b[A-Z]\.)$"
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9(\[*\"“])")


_EMPHASIS = re.compile(r"\*\*|__")


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    page: int
    section: str
    doc: DocLabel
    index: int
    kind: str = "text"
    paragraph: int = -1  # index of the paragraph it came from, in the order given to ``split_paragraphs``

    @property
    def lower(self) -> str:
        return self.text.lower()

    def quote(self, limit: int = 320) -> Quote:
        text = re.sub(r"\*\*|__", "", self.text)  # Markdown emphasis is not part of what the author wrote
        text = text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
        return Quote(self.doc, self.page, text)


def split_text(text: str) -> list[str]:
    """Split one paragraph's text into sentences."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        head = text[start : m.start()].rstrip()
        if _ABBREV.search(head.rstrip("\"')]")):
            continue
        out.append(text[start : m.start()].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def split_paragraphs(paragraphs: Iterable[Paragraph], doc: DocLabel) -> list[Sentence]:
    sentences: list[Sentence] = []
    for p, para in enumerate(paragraphs):
        if para.kind == "heading":
            pieces = [para.text.strip()]
        elif para.kind == "table" or para.text.lstrip().startswith("|"):
            pieces = [line.strip() for line in para.text.splitlines() if line.strip()]
        else:
            pieces = split_text(para.text)
        for piece in pieces:
            piece = _EMPHASIS.sub("", piece)  # "lag by **two** steps" reads as "lag by two steps"
            sentences.append(Sentence(piece, para.page, para.section, doc, len(sentences), para.kind, p))
    return sentences

"""Split paragraphs into sentences that keep their page and section.

Splits on '.', '!' or '?' followed by space and an upper-case letter, a digit or an opening bracket, except
after common abbreviations ("e.g.", "i.e.", "et al.", "Fig.", "vs.") and inside decimals ("1.35x").
Table rows (lines with pipes) are kept one per sentence. Does not handle nested quotations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tensora import rxcache
from tensora.extract.quantities import DocLabel, Quote
from tensora.ingest.document import Paragraph

_ABBREV = rxcache.compile(
    r"(?:\b(?:e\.g|i\.e|et al|etc|Fig|Figs|Eq|Eqs|Sec|Tab|vs|cf|approx|resp|No|Ref|Refs|Dr|Mr|Ms)\.|\b[A-Z]\.)$"
)
_BOUNDARY = rxcache.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9(\[*\"“])")


_EMPHASIS = rxcache.compile(r"\*\*|__")

# Front and back matter that says nothing about the work: a publisher's permission notice, a licence, a DOI or
# arXiv stamp, an author's e-mail. Such a sentence keeps its place in the stream (kind "boilerplate") so ids stay
# stable, but no cue, technique or quote reads it. An e-mail address starts where a run of its characters does:
# tried from inside a run, a long run without '@' (100,000 digits) is read again from every position.
_BOILERPLATE = rxcache.compile(
    r"permission to make digital or hard copies|copyrights? for (?:components|third-party)|\bcopyright\b.{0,40}"
    r"\b(?:held by|owner|19\d\d|20\d\d)|all rights reserved|licensed under (?:a |the )?creative commons|"
    r"\bacm reference format\b|publication rights licensed|\bisbn\b|^\s*(?:https?://)?doi(?:\.org)?[:/]|"
    r"^\s*arxiv:\d{4}\.\d{4,5}|\bproceedings of the\b.{0,120}\b(?:19|20)\d\d\b.{0,60}$|"
    r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+|"
    r"^\s*(?:\*|†|‡)?\s*(?:equal contribution|corresponding author|work done (?:while|during))",
    re.I,
)


# every match of _BOILERPLATE holds one of these, in lower case (one per branch); a sentence with none of them, and
# without the three characters that re.IGNORECASE equates with an ASCII letter that their lower case is not (the
# dotted capital I, the dotless i, the long s), is not searched
_BOILERPLATE_NEEDS = (
    "copies", "copyright", "reserved", "licensed", "reference format", "isbn", "doi", "arxiv", "proceedings of the",
    "@", "equal contribution", "corresponding author", "work done",
)  # fmt: skip
_CASE_ODD = ("\u0130", "\u0131", "\u017f")


def is_boilerplate(text: str) -> bool:
    """Whether a sentence is front or back matter (permission notice, licence, DOI, e-mail), not the work."""
    low = text.lower()
    if not any(w in low for w in _BOILERPLATE_NEEDS) and not any(c in text for c in _CASE_ODD):
        return False
    return bool(_BOILERPLATE.search(text))


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    page: int
    section: str
    doc: DocLabel
    index: int
    kind: str = "text"
    paragraph: int = -1  # index of the paragraph it came from, in the order given to ``split_paragraphs``
    # an item of a list that a sentence announces as the draft's contributions ("Our contributions:"), whatever
    # its section is called
    contribution: bool = False

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


_ANNOUNCES = re.compile(r"\bcontributions?\b[^.]{0,40}:\s*$", re.I)


def split_paragraphs(paragraphs: Iterable[Paragraph], doc: DocLabel) -> list[Sentence]:
    sentences: list[Sentence] = []
    announced = False  # inside the list that follows "Our contributions:"
    for p, para in enumerate(paragraphs):
        announced = para.kind == "list" and (
            announced or bool(sentences and _ANNOUNCES.search(sentences[-1].text) and sentences[-1].kind == "text")
        )
        if para.kind == "heading":
            pieces = [para.text.strip()]
        elif para.kind == "table" or para.text.lstrip().startswith("|"):
            pieces = [line.strip() for line in para.text.splitlines() if line.strip()]
        else:
            pieces = split_text(para.text)
        for piece in pieces:
            piece = _EMPHASIS.sub("", piece)  # "lag by **two** steps" reads as "lag by two steps"
            kind = "boilerplate" if para.kind == "text" and is_boilerplate(piece) else para.kind
            sentences.append(Sentence(piece, para.page, para.section, doc, len(sentences), kind, p, announced))
    return sentences

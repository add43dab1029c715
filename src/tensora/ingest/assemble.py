"""Turn a reader's paragraphs into a ``Document``: hyphens resolved, sections listed, title chosen.

Every reader (PDF, Markdown, LaTeX, text) hands over ``Block``s: a paragraph and, for headings, a level
(0 for the document title, 1 for a section, 2 for a subsection ...). ``assemble`` resolves the line-break
hyphens against the whole document's vocabulary (see ``normalize.py``), drops the bullet glyph that
starts a list item (enumerations like ``(a)`` stay), fills in each paragraph's
section (the nearest heading above it, the title included), and takes the title from the reader, else
the first level-0 or level-1 heading, else the first line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from tensora import rxcache
from tensora.ingest.document import Document, Paragraph, Section
from tensora.ingest.normalize import resolve_hyphens, vocabulary

Format = Literal["pdf", "markdown", "latex", "text"]
_BULLET = rxcache.compile(r"^[-*+\u2022\u2023\u25e6\u2043\u2219\u25aa\u25cf\u25a0\u2013\u2014\u00b7]\s+")


@dataclass(frozen=True, slots=True)
class Block:
    paragraph: Paragraph
    level: int = 1


def assemble(
    path: Path,
    fmt: Format,
    blocks: list[Block],
    *,
    title: str = "",
    pages: int = 1,
    hidden: list[Paragraph] | None = None,
    figure_text: list[Paragraph] | None = None,
) -> Document:
    """Build the ``Document``; empty paragraphs are dropped."""
    words, compounds = vocabulary(b.paragraph.text for b in blocks)

    def fix(text: str) -> str:
        return resolve_hyphens(text, words, compounds)

    paragraphs: list[Paragraph] = []
    sections: list[Section] = []
    section = ""
    # the headings above the current one: a subsection keeps its parent's role ("2. Design / 2.1 Capturing the
    # step" is design, "5. Related Work / 5.2 Pipelines" is other work)
    stack: list[tuple[int, str]] = []
    for b in blocks:
        p = b.paragraph
        text = fix(p.text).strip()
        if not text:
            continue
        if p.kind == "heading":
            while stack and stack[-1][0] >= b.level:
                stack.pop()
            parent = stack[-1][1] if stack and b.level > 1 else ""
            section = f"{parent} / {text}" if parent else text
            if b.level >= 1:
                stack.append((b.level, text))
            sections.append(Section(text, p.page, b.level))
        elif p.kind == "list":
            text = _BULLET.sub("", text) or text
        paragraphs.append(replace(p, text=text, section=section))
    title = fix(title).strip()
    if not title:
        title = next((s.title for s in sections if s.level <= 1), "")
    if not title and paragraphs:
        title = paragraphs[0].text.split("\n", 1)[0][:120]
    return Document(
        path=path,
        format=fmt,
        title=title,
        paragraphs=paragraphs,
        sections=sections,
        pages=max(pages, max((p.page for p in paragraphs), default=1)),
        hidden_text=[replace(p, text=fix(p.text)) for p in hidden or []],
        figure_text=[replace(p, text=fix(p.text)) for p in figure_text or []],
    )

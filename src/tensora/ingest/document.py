"""The ``Document``: what ingestion hands to extraction.

A document is a list of paragraphs in reading order. Each paragraph keeps the page it starts on (1-based),
the heading of the section it sits in, and its kind (body text, heading, caption, table row block).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ParagraphKind = Literal["text", "heading", "caption", "table", "list"]


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    page: int
    section: str = ""
    kind: ParagraphKind = "text"


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    page: int
    level: int = 1


@dataclass(slots=True)
class Document:
    """A read document: title, sections and paragraphs with page numbers.

    ``hidden_text`` holds text that a reader of the rendered document cannot see (invisible, white, tiny or
    off-page text in a PDF; comments in Markdown and LaTeX): never part of ``paragraphs``, kept so that
    the prompt-injection defence can inspect it. ``figure_text`` holds text found inside PDF figures
    (axis labels, legends), kept out of the paragraphs because it is not prose.
    """

    path: Path
    format: Literal["pdf", "markdown", "latex", "text"]
    title: str
    paragraphs: list[Paragraph]
    sections: list[Section] = field(default_factory=list)
    pages: int = 1
    hidden_text: list[Paragraph] = field(default_factory=list)
    figure_text: list[Paragraph] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    def body(self) -> Iterator[Paragraph]:
        """Paragraphs that are not headings."""
        return (p for p in self.paragraphs if p.kind != "heading")

    @classmethod
    def from_paragraphs(
        cls, path: Path | str, paragraphs: list[Paragraph], fmt: Literal["pdf", "markdown", "latex", "text"]
    ) -> Document:
        """Build a document, taking its title from the first heading (or first line) and its sections."""
        sections = [Section(p.text, p.page) for p in paragraphs if p.kind == "heading"]
        title = sections[0].title if sections else (paragraphs[0].text[:120] if paragraphs else "")
        pages = max((p.page for p in paragraphs), default=1)
        return cls(Path(path), fmt, title, paragraphs, sections, pages)

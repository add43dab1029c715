"""Shared fixtures: the knowledge base, and claims built from inline Markdown snippets."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tensora.extract.claims import Claims, claims_from_paragraphs
from tensora.extract.quantities import DocLabel
from tensora.ingest.document import Paragraph
from tensora.knowledge.loader import KnowledgeBase, load_knowledge

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


def paragraphs_from_markdown(text: str) -> list[Paragraph]:
    """A small Markdown reader for inline test snippets: '#' headings, blank-line paragraphs."""
    out: list[Paragraph] = []
    section = ""
    for block in textwrap.dedent(text).strip().split("\n\n"):
        lines = block.strip().splitlines()
        if not lines:
            continue
        if lines[0].startswith("#"):
            section = lines[0].lstrip("#").strip()
            out.append(Paragraph(section, 1, section, "heading"))
            lines = lines[1:]
        if lines:
            body = " ".join(line.strip() for line in lines)
            kind = "table" if lines[0].lstrip().startswith("|") else "text"
            out.append(Paragraph("\n".join(lines) if kind == "table" else body, 1, section, kind))
    return out


@pytest.fixture
def claims(kb: KnowledgeBase) -> Callable[[str, DocLabel], Claims]:
    def make(text: str, doc: DocLabel = "proposal") -> Claims:
        paras = paragraphs_from_markdown(text)
        title = paras[0].text if paras else ""
        return claims_from_paragraphs(paras, doc, kb, title=title)

    return make

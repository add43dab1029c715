"""Plain text into paragraphs: blank lines separate them, form feeds separate pages.

Follows the shape of text that people paste or that ``pdftotext`` writes: paragraphs are blocks between
blank lines (their lines are joined, line-end hyphens resolved like the PDF's); a form feed (``\\f``)
starts a new page; a block of one short line is a heading when it is numbered (``3.1 Method``, but
not ``8 GPUs are used``),
capitalised (``RELATED WORK``), a known section name (``Abstract``) or underlined (``===``/``---``); the
first block is the title when it is one short line. Lines starting with ``-``, ``*``, ``•``, ``1.`` or
``(a)`` are list items; ``Figure 3:``/``Table 2.`` blocks are captions; blocks whose lines are split by
``|`` or tabs are tables (lines kept).

Leaves out: reflowing text whose paragraphs are not separated by blank lines, and tables aligned with
runs of spaces only (they read as text).
"""

from __future__ import annotations

from pathlib import Path

from tensora import rxcache
from tensora.ingest.assemble import Block, assemble
from tensora.ingest.document import Document, Paragraph, ParagraphKind
from tensora.ingest.normalize import clean_chars, join_lines
from tensora.ingest.patterns import (
    ENUMERATION,
    ends_sentence,
    heading_level,
    is_all_caps,
    is_caption,
    is_known_section,
)

_BLANK = rxcache.compile(r"\n[ \t]*\n")
_UNDERLINE = rxcache.compile(r"^(=+|-+)\s*$")
_ITEM = rxcache.compile(r"^\s*(?:[-*+\u2022\u2023\u25e6\u2013]|\d{1,2}[.)]|\(?[a-z]\)|\(?[ivx]{1,4}\))\s+\S")
# Without fonts to go by, "8 GPUs are used here" would pass for a numbered heading.
_SENTENCE_WORDS = frozenset({"is", "are", "was", "were", "be", "we", "our", "has", "have", "can", "will"})
_TABLE_ROW = rxcache.compile(r"\S\s*\|\s*\S|\t")


def read_text(path: Path, text: str) -> Document:
    """Read plain text (already decoded) into a ``Document``."""
    blocks: list[Block] = []
    title = ""
    for page_no, page in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\f"), start=1):
        for chunk in _BLANK.split(page):
            lines = [clean_chars(ln.rstrip()) for ln in chunk.split("\n") if ln.strip()]
            if not lines:
                continue
            first_block = not blocks and not title
            if first_block and len(lines) == 1 and _is_title(lines[0]):
                title = lines[0].strip()
                blocks.append(Block(Paragraph(title, page_no, "", "heading"), 0))
                continue
            blocks.extend(_blocks(lines, page_no))
    return assemble(path, "text", blocks, title=title, pages=text.count("\f") + 1)


def _is_title(line: str) -> bool:
    s = line.strip()
    return 3 <= len(s) <= 150 and not s.endswith((".", ",", ";", ":")) and not _ITEM.match(s)


def heading_of(lines: list[str]) -> tuple[str, int] | None:
    """The heading text and level when a block is a heading, else None."""
    if len(lines) == 2 and _UNDERLINE.match(lines[1].strip()) and not _UNDERLINE.match(lines[0].strip()):
        return lines[0].strip(), 1 if lines[1].strip().startswith("=") else 2
    if len(lines) != 1:
        return None
    s = lines[0].strip().rstrip(":")
    if len(s) > 100 or not s or ends_sentence(s) and not s.endswith(":"):
        return None
    level = heading_level(s)
    if level is not None and not _SENTENCE_WORDS.intersection(s.lower().split()):
        return s, level
    if is_known_section(s) or (is_all_caps(s) and len(s.split()) <= 8):
        return s, 1
    return None


def _blocks(lines: list[str], page: int) -> list[Block]:
    head = heading_of(lines)
    if head is not None:
        return [Block(Paragraph(head[0], page, "", "heading"), head[1])]
    if len(lines) >= 2 and sum(1 for ln in lines if _TABLE_ROW.search(ln)) >= len(lines) - 1:
        return [Block(Paragraph("\n".join(ln.strip() for ln in lines), page, "", "table"))]
    out: list[Block] = []
    current: list[str] = []
    kind: ParagraphKind = "caption" if is_caption(lines[0].strip()) else "text"

    def flush() -> None:
        if current:
            out.append(Block(Paragraph(join_lines(current), page, "", kind)))
            current.clear()

    for ln in lines:
        mid_sentence = current and ENUMERATION.match(ln.strip()) and not _clause_ends(current[-1])
        if _ITEM.match(ln) and not mid_sentence:
            flush()
            kind = "list"
        current.append(ln)
    flush()
    return out


def _clause_ends(line: str) -> bool:
    """ "(b) ..." after this line starts a list item, not the rest of a sentence."""
    tail = line.rstrip()
    return ends_sentence(tail) or tail.endswith(";")

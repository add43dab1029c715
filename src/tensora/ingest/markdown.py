"""Markdown into paragraphs: a line-based reader for the CommonMark blocks that drafts use.

Follows CommonMark where drafts need it: ATX (``## Method``) and setext headings, paragraphs between
blank lines, bullet and ordered list items (one paragraph each, lazy continuation lines included),
block quotes, fenced and indented code (kept verbatim as text), pipe tables (kind ``table``, one row a
line, the ``|---|`` rule dropped), a YAML front matter ``title:``, and inline markup stripped to its
text: emphasis, code spans, links and images (the alt text), footnote markers, HTML tags and entities.
Inline and display maths (``$...$``, ``$$...$$``) are kept as their TeX text.

The document title is the front matter's ``title`` or a single leading ``#`` heading (level 0; the
other headings move up one level). A paragraph that starts ``Figure 3:``/``Table 2.`` (bold or not), or
an image with alt text, is a caption. HTML comments are not shown by a Markdown renderer, so their text
goes to ``hidden_text``.

Leaves out: nested list structure (every item is one paragraph), reference-style link definitions
(dropped), HTML blocks beyond stripping tags, and footnote definitions (kept as text paragraphs).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import yaml

from tensora.ingest.assemble import Block, assemble
from tensora.ingest.document import Document, Paragraph, ParagraphKind
from tensora.ingest.normalize import clean_chars, collapse_spaces, join_lines
from tensora.ingest.patterns import is_caption

_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ITEM = re.compile(r"^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)")
_QUOTE = re.compile(r"^ {0,3}> ?")
_RULE = re.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LINK_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S")

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\[[^\]]*\]")
_FOOTREF = re.compile(r"\[\^[^\]]+\]")
_CODE = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPH = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\*)|(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(.+?)~~")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")


def inline(text: str) -> str:
    """Markdown inline markup to plain text.

    Example: "**175 TFLOP/s** per GPU, see [PTD-P](https://x.org) and `nccl`" -> "175 TFLOP/s per GPU,
    see PTD-P and nccl"
    """
    text = _AUTOLINK.sub(r"\1", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = _FOOTREF.sub("", text)
    text = _CODE.sub(lambda m: m.group(2).strip(), text)
    for _ in range(2):  # nested emphasis: ***x***
        text = _STRONG.sub(r"\2", text)
        text = _EMPH.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = _STRIKE.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    return html.unescape(text)


def read_markdown(path: Path, text: str) -> Document:
    """Read Markdown (already decoded) into a ``Document``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title = ""
    m = _FRONT.match(text)
    if m:
        title = _front_title(m.group(1))
        text = text[m.end() :]
    hidden = [Paragraph(t, 1, "", "text") for t in (collapse_spaces(c) for c in _COMMENT.findall(text)) if t]
    text = _COMMENT.sub("", text)
    blocks = _Reader(text.split("\n")).read()
    heads = [b for b in blocks if b.paragraph.kind == "heading"]
    top = [b for b in heads if b.level == 1]
    if not title and len(top) == 1 and heads[0] is top[0]:
        # One leading "# Title": the document's title; "##" are its sections.
        title = top[0].paragraph.text
        blocks = [_shift(b, top[0]) for b in blocks]
    elif title:
        blocks.insert(0, Block(Paragraph(title, 1, "", "heading"), 0))
    return assemble(path, "markdown", blocks, title=title, hidden=hidden)


def _shift(b: Block, title: Block) -> Block:
    if b.paragraph.kind != "heading":
        return b
    return Block(b.paragraph, 0 if b is title else max(1, b.level - 1))


def _front_title(front: str) -> str:
    try:
        data: Any = yaml.safe_load(front)
    except yaml.YAMLError:
        return ""
    if isinstance(data, dict) and isinstance(data.get("title"), str | int | float):
        return collapse_spaces(str(data["title"]))
    return ""


class _Reader:
    """Walk the lines once, emitting one block per heading, paragraph, item, table or code block."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.i = 0
        self.out: list[Block] = []

    def read(self) -> list[Block]:
        lines = self.lines
        while self.i < len(lines):
            line = lines[self.i]
            if not line.strip() or _RULE.match(line) or _LINK_DEF.match(line):
                self.i += 1
            elif m := _ATX.match(line):
                self._emit(inline(m.group(2) or ""), "heading", len(m.group(1)))
                self.i += 1
            elif m := _FENCE.match(line):
                self._fence(m.group(1))
            elif line.startswith(("    ", "\t")):
                self._indented_code()
            elif "|" in line and self.i + 1 < len(lines) and _TABLE_SEP.match(lines[self.i + 1]):
                self._table()
            elif _ITEM.match(line):
                self._item()
            else:
                self._paragraph()
        return self.out

    def _emit(self, text: str, kind: ParagraphKind, level: int = 1) -> None:
        text = clean_chars(text).strip()
        if text:
            self.out.append(Block(Paragraph(text, 1, "", kind), level))

    def _fence(self, marker: str) -> None:
        body: list[str] = []
        self.i += 1
        while self.i < len(self.lines) and not self.lines[self.i].strip().startswith(marker[0] * len(marker)):
            body.append(self.lines[self.i])
            self.i += 1
        self.i += 1
        self._emit("\n".join(body), "text")

    def _indented_code(self) -> None:
        body: list[str] = []
        lines = self.lines
        while self.i < len(lines) and (lines[self.i].startswith(("    ", "\t")) or not lines[self.i].strip()):
            body.append(lines[self.i].strip())
            self.i += 1
        self._emit("\n".join(body).strip(), "text")

    def _table(self) -> None:
        rows: list[str] = []
        while self.i < len(self.lines) and "|" in self.lines[self.i]:
            line = self.lines[self.i]
            if not _TABLE_SEP.match(line):
                cells = [inline(c.strip()) for c in line.strip().strip("|").split("|")]
                rows.append(" | ".join(cells))
            self.i += 1
        self._emit("\n".join(rows), "table")

    def _item(self) -> None:
        m = _ITEM.match(self.lines[self.i])
        assert m is not None
        parts = [self.lines[self.i][m.end() :]]
        self.i += 1
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if not line.strip() or _ITEM.match(line) or _ATX.match(line) or _FENCE.match(line):
                break
            parts.append(line)
            self.i += 1
        self._emit(inline(join_lines(_QUOTE.sub("", p) for p in parts)), "list")

    def _paragraph(self) -> None:
        parts: list[str] = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if not line.strip() or _ATX.match(line) or _FENCE.match(line) or (parts and _ITEM.match(line)):
                break
            if parts and _SETEXT.match(line):  # the lines so far were a heading
                self.i += 1
                self._emit(inline(join_lines(parts)), "heading", 1 if line.strip().startswith("=") else 2)
                return
            parts.append(_QUOTE.sub("", line))
            self.i += 1
        text = inline(join_lines(parts))
        if not text.strip():
            return
        image_only = _IMAGE.fullmatch(join_lines(parts).strip())
        caption = is_caption(text.strip()) or (image_only is not None and bool(image_only.group(1).strip()))
        self._emit(text, "caption" if caption else "text")

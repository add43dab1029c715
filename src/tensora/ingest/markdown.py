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

import heapq
import html
import re
from bisect import bisect_left
from pathlib import Path
from typing import Any

from tensora import rxcache
from tensora.ingest.assemble import Block, assemble
from tensora.ingest.document import Document, Paragraph, ParagraphKind
from tensora.ingest.normalize import clean_chars, collapse_spaces, join_lines
from tensora.ingest.patterns import is_caption

_FRONT = rxcache.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_COMMENT = rxcache.compile(r"<!--(.*?)-->", re.DOTALL)
_ATX = rxcache.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = rxcache.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = rxcache.compile(r"^ {0,3}(`{3,}|~{3,})")
_ITEM = rxcache.compile(r"^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)")
_QUOTE = rxcache.compile(r"^ {0,3}> ?")
_RULE = rxcache.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
_TABLE_SEP = rxcache.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LINK_DEF = rxcache.compile(r"^ {0,3}\[[^\]]+\]:\s+\S")

# Link text may hold one level of balanced brackets and a destination one of balanced parentheses (a
# Wikipedia URL); neither may hold an unmatched bracket, so a match attempt stops at the next one and a line
# of brackets is read in linear time.
_TEXT = r"(?:[^\[\]]|\[[^\[\]]*\])"
_DEST = r"\((?:[^()]|\([^()]*\))*\)"
_IMAGE = rxcache.compile(rf"!\[({_TEXT}*)\]{_DEST}")
_LINK = rxcache.compile(rf"\[({_TEXT}+)\]{_DEST}|\[({_TEXT}+)\]\[[^\[\]]*\]")
_FOOTREF = rxcache.compile(r"\[\^[^\]]+\]")
_CODE = rxcache.compile(r"(`+)(.+?)\1")
# Emphasis as the patterns (\*\*|__)(?=\S)(.+?)(?<=\S)\1 (strong) and
# (?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\*) | (?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_]) (emphasis) would read it,
# but matched by ``_unwrap`` in linear time: the patterns rescan the rest of the line from every opener.
# (zero-width patterns, so that every position is found, overlapping ones included)
_STRONG = (
    ("**", rxcache.compile(r"(?=\*\*\S)"), rxcache.compile(r"(?<=\S)(?=\*\*)")),
    ("__", rxcache.compile(r"(?=__\S)"), rxcache.compile(r"(?<=\S)(?=__)")),
)
_EMPH = (
    ("*", rxcache.compile(r"(?<![\w*])(?=\*\S)"), rxcache.compile(r"(?<=\S)(?=\*(?!\*))")),
    ("_", rxcache.compile(r"(?<![\w_])(?=_\S)"), rxcache.compile(r"(?<=\S)(?=_(?![\w_]))")),
)
_STRIKE = rxcache.compile(r"~~(.+?)~~")
_TAG = rxcache.compile(r"</?[A-Za-z][^<>]*>")
_ESCAPE = rxcache.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_AUTOLINK = rxcache.compile(r"<((?:https?|mailto):[^<>\s]+)>")


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
        text = _unwrap(text, _STRONG)
        text = _unwrap(text, _EMPH)
    text = _STRIKE.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    return html.unescape(text)


_Delimiter = tuple[str, re.Pattern[str], re.Pattern[str]]


def _unwrap(text: str, delimiters: tuple[_Delimiter, ...]) -> str:
    """Text with each span between an opening and a closing delimiter replaced by its content.

    Reads as ``re.sub`` would, left to right, the first delimiter that opens at a position winning and the
    span closing at the first closing delimiter after at least one character on the same line; the
    closing positions are found once per delimiter, so the cost is linear in the text.
    """
    closers = {mark: [m.start() for m in close.finditer(text)] for mark, _, close in delimiters}
    # each delimiter's openers come in order; merging them keeps the cost linear (a sort of all of them would not)
    openers = heapq.merge(*([(m.start(), i) for m in op.finditer(text)] for i, (_, op, _) in enumerate(delimiters)))
    out: list[str] = []
    last = 0
    for at, i in openers:
        if at < last:
            continue
        mark, _, _ = delimiters[i]
        start = at + len(mark)
        found = closers[mark]
        k = bisect_left(found, start + 1)
        if k == len(found):
            continue
        end = found[k]
        newline = text.find("\n", start, end)
        if newline >= 0:
            continue
        out.append(text[last:at])
        out.append(text[start:end])
        last = end + len(mark)
    out.append(text[last:])
    return "".join(out)


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
    # imported here: only a file with front matter needs it, and importing yaml costs some 20 ms
    import yaml

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

"""From positioned text lines to paragraphs: reading order, running heads, headings, captions.

Pure geometry, no PDF library: ``pdfpage.py`` turns pages into ``Line`` records and this module orders and
groups them. It follows the layout of two-column conference papers (acmart, ICML/MLSys, USENIX, IEEE) and
of one-column reports:

- **Columns.** A page is two-column when an empty vertical gutter near its middle separates enough text
  lines. Lines that cross the gutter (title, full-width floats, a one-column abstract) cut the page into
  horizontal bands; each band is read left column, then right column. Inside a column lines are sorted
  top to bottom, and fragments on the same baseline are rejoined (superscripts, author lists).
- **Running heads and page numbers.** Lines near the top or bottom edge whose text, digits ignored,
  repeats on a quarter of the pages are dropped, as are page-number-like lines there and lone numbers
  anywhere (figure ticks, equation numbers). They go before paragraphs are built, so they never split one.
- **Paragraphs.** A new paragraph starts at a vertical gap larger than the usual line spacing, an indented
  first line, a bullet, or after a short line that ends a sentence. Column and page breaks ignore the gap.
  A paragraph interrupted by a float or footnote (cut mid-sentence, continued after it) is rejoined and
  the interruption is emitted after it.
- **Headings** are short lines that are numbered (``3``, ``3.1``, ``A.2``) and bold, larger or capitalised,
  or unnumbered but larger and bold, capitalised, or a known section name (``Abstract``, ``References``);
  not table-of-contents entries (a trailing page number) nor a bold lead-in that runs on into its list
  item. **Captions** start with ``Figure n:``/``Table n.``.
- **Figures.** Text drawn inside an included graphic (a form XObject: ``pdfpage.py`` marks it), over an
  image, or among a cluster of vector paths is figure text, kept in ``Layout.figure_text``; next to a
  table caption it forms a ``table`` paragraph instead (one row a line). Long body-size lines over a
  drawn region stay prose.
- **Title**: the largest text in the top half of page 1.

Leaves out: tables as cells (a table is kept as lines of text), run-in headings (``Setup.`` at the start
of a paragraph), three or more columns, rotated pages, and right-to-left scripts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tensora import rxcache
from tensora.ingest.assemble import Block
from tensora.ingest.document import Paragraph, ParagraphKind
from tensora.ingest.normalize import join_lines
from tensora.ingest.patterns import (
    ends_sentence,
    heading_level,
    is_all_caps,
    is_caption,
    is_known_section,
    is_lone_number,
    is_page_number,
    list_marker,
)

# Roles a line can take.
TITLE, HEADING, CAPTION, FOOTNOTE, BODY, OTHER, FIGURE = (
    "title",
    "heading",
    "caption",
    "footnote",
    "body",
    "other",
    "figure",
)
SPANNING, LEFT, RIGHT = 0, 1, 2

_DIGITS = rxcache.compile(r"\d+")
_MAYBE_ITEM = rxcache.compile(r"[^\w\s]|\(?\w{1,4}\)")  # cheap test before list_marker
_SPACES = rxcache.compile(r"\s+")


@dataclass(slots=True)
class Line:
    """One line of text with its geometry in PDF points (y grows upwards)."""

    text: str
    page: int
    x0: float
    x1: float
    top: float
    base: float
    end_base: float
    size: float
    bold: bool = False
    col: int = SPANNING
    role: str = BODY
    level: int = 1
    bullet: str = ""


@dataclass(slots=True)
class PageLines:
    number: int
    left: float
    bottom: float
    right: float
    top: float
    lines: list[Line] = field(default_factory=list)
    figures: list[tuple[float, float, float, float]] = field(default_factory=list)

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass(slots=True)
class Layout:
    """What the layout pass found: paragraphs in reading order, the title and text from figures."""

    title: str
    blocks: list[Block]
    figure_text: list[Paragraph]


# --------------------------------------------------------------------------------------------------
# Running heads, footers, page numbers


def strip_running_lines(pages: Sequence[PageLines], zone: float = 0.085) -> None:
    """Drop running heads/footers and page numbers in place (see the module docstring)."""
    seen: dict[tuple[str, str], set[int]] = {}
    candidates: list[tuple[PageLines, Line, tuple[str, str]]] = []
    for page in pages:
        top_edge = page.top - zone * page.height
        bottom_edge = page.bottom + zone * page.height
        for ln in page.lines:
            if ln.top >= top_edge:
                where = "top"
            elif ln.base <= bottom_edge:
                where = "bottom"
            else:
                continue
            key = (where, _SPACES.sub(" ", _DIGITS.sub("#", ln.text.lower())).strip())
            seen.setdefault(key, set()).add(page.number)
            candidates.append((page, ln, key))
    n = len(pages)
    need = max(2, round(0.25 * n))
    drop: set[int] = set()
    for _page, ln, key in candidates:
        if is_page_number(ln.text) or (n >= 2 and len(seen[key]) >= need):
            drop.add(id(ln))
    if drop:
        for page in pages:
            page.lines = [ln for ln in page.lines if id(ln) not in drop]


# --------------------------------------------------------------------------------------------------
# Reading order


def body_size(lines: Iterable[Line]) -> float:
    """The most common font size, weighted by text length (half-point steps)."""
    sizes: Counter[float] = Counter()
    for ln in lines:
        sizes[round(ln.size * 2) / 2] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def order_page(page: PageLines, body: float | None = None) -> list[Line]:
    """The page's lines in reading order, with ``col`` set and same-baseline fragments joined.

    Only body-size lines outside figures (``body`` given) decide whether the page has two columns, so
    that captions and figure labels spanning the gutter do not hide it.
    """
    lines = _rows([ln for ln in page.lines if ln.text.strip()], max_gap=0.6)
    if not lines:
        return []
    width = page.width
    tol = max(0.6, 0.06 * body) if body else float("inf")
    figures = page.figures
    textual = [
        ln
        for ln in lines
        if ln.x1 - ln.x0 >= 0.2 * width and ln.role != FIGURE and not (figures and _in_any(ln, figures))
    ]
    wide = [ln for ln in textual if abs(ln.size - (body or 0.0)) <= tol]
    gutter = _gutter(wide, textual, page.left + 0.3 * width, page.left + 0.7 * width)
    if gutter is None:
        for ln in lines:
            ln.col = SPANNING
        return _rows(lines)
    tol = 2.0
    spanning: list[Line] = []
    for ln in lines:
        if ln.x1 <= gutter + tol:
            ln.col = LEFT
        elif ln.x0 >= gutter - tol:
            ln.col = RIGHT
        else:
            ln.col = SPANNING
            spanning.append(ln)
    spanning.sort(key=lambda ln: -ln.top)
    bands: list[list[Line]] = [[] for _ in range(len(spanning) + 1)]
    bases = [s.base for s in spanning]
    for ln in lines:
        if ln.col == SPANNING:
            continue
        band = 0
        for b in bases:
            if b >= ln.top - 1.0:
                band += 1
            else:
                break
        bands[band].append(ln)
    out: list[Line] = []
    for i, band_lines in enumerate(bands):
        out.extend(_rows([ln for ln in band_lines if ln.col == LEFT]))
        out.extend(_rows([ln for ln in band_lines if ln.col == RIGHT]))
        if i < len(spanning):
            out.extend(_rows([spanning[i]]))
    return out


def _in_any(ln: Line, boxes: Sequence[tuple[float, float, float, float]], pad: float = 1.0) -> bool:
    cx, cy = (ln.x0 + ln.x1) / 2, (ln.base + ln.top) / 2
    return any(b[0] - pad <= cx <= b[2] + pad and b[1] - pad <= cy <= b[3] + pad for b in boxes)


def _gutter(wide: Sequence[Line], textual: Sequence[Line], lo: float, hi: float) -> float | None:
    """The x of an empty strip in [lo, hi] that no body line crosses and that has text on both sides."""
    if len(wide) < 6:
        return None
    events = sorted([(ln.x0, 1) for ln in wide] + [(ln.x1, -1) for ln in wide])
    cover = 0
    prev = float("-inf")
    best: tuple[int, float, float] | None = None  # (coverage, -width, centre)
    for x, step in events:
        a, b = max(prev, lo), min(x, hi)
        if b > a:
            cand = (cover, -(b - a), (a + b) / 2)
            if best is None or cand[:2] < best[:2]:
                best = cand
        cover += step
        prev = x
    if best is None or -best[1] < 4.0:
        return None
    g = best[2]
    if best[0] > max(2, 0.2 * len(wide)) and not _crossing_is_a_band(wide, g):
        return None
    left = sum(1 for ln in textual if ln.x1 <= g)
    right = sum(1 for ln in textual if ln.x0 >= g)
    # A last page may hold only a few lines in its second column.
    if min(left, right) < (2 if best[0] == 0 else 3):
        return None
    return g


def _crossing_is_a_band(wide: Sequence[Line], g: float) -> bool:
    """Whether the body lines that cross ``g`` all sit above (or all below) the others: a full-width
    abstract or introduction over two columns, as MLSys and ICML first pages have."""
    crossing = [ln for ln in wide if ln.x0 < g - 1 and ln.x1 > g + 1]
    rest = [ln for ln in wide if not (ln.x0 < g - 1 and ln.x1 > g + 1)]
    if len(rest) < 2 * len(crossing) or len(crossing) > 0.5 * len(wide):
        return False
    low, high = min(ln.end_base for ln in crossing), max(ln.top for ln in crossing)
    return low >= max(ln.top for ln in rest) - 1.0 or high <= min(ln.end_base for ln in rest) + 1.0


def _rows(lines: list[Line], max_gap: float = 2.0) -> list[Line]:
    """Sort top to bottom, then left to right within a baseline; join fragments on one baseline that are
    at most ``max_gap`` em apart (superscripts, author lists, words split into several pdfium lines)."""
    if len(lines) < 2:
        return lines
    lines = sorted(lines, key=lambda ln: -ln.base)
    out: list[Line] = []
    row: list[Line] = [lines[0]]
    # the row's first line, unpacked: this loop sees every line of every page several times
    ref_base, ref_size = lines[0].base, lines[0].size
    for ln in lines[1:]:
        tol = ref_size  # max(ref.size, ln.size, 1.0), spelled out
        if ln.size > tol:
            tol = ln.size
        if 1.0 > tol:
            tol = 1.0
        if abs(ref_base - ln.base) <= 0.45 * tol:
            row.append(ln)
            continue
        if len(row) == 1:
            out.append(row[0])
        else:
            out.extend(_join_row(row, max_gap))
        row = [ln]
        ref_base, ref_size = ln.base, ln.size
    out.extend(_join_row(row, max_gap))
    return out


def _join_row(row: list[Line], max_gap: float) -> list[Line]:
    if len(row) == 1:
        return row
    row.sort(key=lambda ln: ln.x0)
    out = [row[0]]
    for ln in row[1:]:
        prev = out[-1]
        gap = ln.x0 - prev.x1
        size = max(prev.size, ln.size, 1.0)
        if gap > max_gap * size or ln.col != prev.col:
            out.append(ln)
            continue
        main = prev if len(prev.text) >= len(ln.text) else ln
        sep = " " if gap > 0.15 * size else ""
        out[-1] = Line(
            prev.text.rstrip() + sep + ln.text.lstrip(),
            prev.page,
            min(prev.x0, ln.x0),
            max(prev.x1, ln.x1),
            max(prev.top, ln.top),
            main.base,
            main.end_base,
            main.size,
            main.bold,
            prev.col,
            FIGURE if FIGURE in (prev.role, ln.role) else main.role,
        )
    return out


# --------------------------------------------------------------------------------------------------
# Statistics of the body text


@dataclass(slots=True)
class _Stats:
    body: float
    spacing: float
    edges: dict[tuple[int, int], tuple[float, float]]
    fallback: dict[int, tuple[float, float]]

    def edge(self, ln: Line) -> tuple[float, float]:
        e = self.edges.get((ln.page, ln.col))
        if e is None:
            e = self.fallback.get(ln.col, (ln.x0, ln.x1))
        return e


def _stats(pages: Sequence[list[Line]], body: float) -> _Stats:
    tol = max(0.6, 0.06 * body)
    by_key: dict[tuple[int, int], list[Line]] = {}
    gaps: list[float] = []
    for lines in pages:
        prev: Line | None = None
        for ln in lines:
            if abs(ln.size - body) > tol:
                prev = None
                continue
            by_key.setdefault((ln.page, ln.col), []).append(ln)
            if prev is not None and prev.col == ln.col:
                gap = prev.end_base - ln.base
                if 0.8 * body < gap < 2.0 * body:
                    gaps.append(gap)
            prev = ln
    gaps.sort()
    spacing = gaps[len(gaps) // 2] if gaps else 1.2 * body
    edges: dict[tuple[int, int], tuple[float, float]] = {}
    per_col: dict[int, list[tuple[float, float]]] = {}
    for key, lines in by_key.items():
        e = _edges(lines)
        per_col.setdefault(key[1], []).append(e)
        if len(lines) >= 4:
            edges[key] = e
    fallback = {col: (_median([e[0] for e in es]), _median([e[1] for e in es])) for col, es in per_col.items()}
    for page in {key[0] for key in by_key}:
        left, right = edges.get((page, LEFT)), edges.get((page, RIGHT))
        if left and right:  # lines across a two-column page align with the outer edges of its columns
            edges[(page, SPANNING)] = (left[0], right[1])
    if LEFT in fallback and RIGHT in fallback:
        fallback[SPANNING] = (fallback[LEFT][0], fallback[RIGHT][1])
    return _Stats(body, spacing, edges, fallback)


def _edges(lines: Sequence[Line]) -> tuple[float, float]:
    xs0 = sorted(ln.x0 for ln in lines)
    xs1 = sorted(ln.x1 for ln in lines)
    return xs0[len(xs0) // 5], xs1[(len(xs1) * 4) // 5]


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[len(xs) // 2]


# --------------------------------------------------------------------------------------------------
# Line roles


def _classify(pages: Sequence[list[Line]], boxes: Sequence[PageLines], st: _Stats) -> None:
    body = st.body
    tol = max(0.6, 0.06 * body)
    for lines, box in zip(pages, boxes, strict=True):
        lowest: dict[int, float] = {}
        for ln in lines:
            if abs(ln.size - body) <= tol:
                lowest[ln.col] = min(lowest.get(ln.col, ln.base), ln.base)
        figures = box.figures
        for i, ln in enumerate(lines):
            if ln.role in (TITLE, FIGURE):
                continue
            text = ln.text.strip()
            caption = is_caption(text)
            left, right = st.edge(ln)
            # Prose over a drawn region (a shaded box, link frames) stays prose; labels are short.
            prose = abs(ln.size - body) <= tol and ln.x1 - ln.x0 >= 0.6 * (right - left)
            if figures and not caption and not prose and _in_any(ln, figures):
                ln.role = FIGURE
                continue
            aligned = abs(ln.x0 - left) <= 1.5 * body or abs((ln.x0 + ln.x1) / 2 - (left + right) / 2) <= body
            if aligned and caption:
                ln.role = CAPTION
            elif (
                aligned
                and (ln.bold or ln.size >= body + 0.8 or text[:1].isdigit() or text[:1].isupper())
                and _is_heading(ln, text, body)
                and not _runs_on(ln, lines[i + 1 : i + 2], right, st.spacing)
            ):
                ln.role = HEADING
            elif (
                ln.size < body - tol
                and ln.base < lowest.get(ln.col, box.bottom) - 0.2 * body
                and ln.base < box.bottom + 0.4 * box.height
            ):
                ln.role = FOOTNOTE
            elif abs(ln.size - body) <= tol:
                ln.role = BODY
                ln.bullet = list_marker(text) if _MAYBE_ITEM.match(text) else ""
            else:
                ln.role = OTHER
                ln.bullet = list_marker(text) if _MAYBE_ITEM.match(text) else ""


_TOC_ENTRY = rxcache.compile(r"(?:\s|\.\s*\.)\s*\d{1,3}$")  # "3 Infrastructures 11", "Intro . . . 4"
_WORD = rxcache.compile(r"[^\W\d_]{3,}")


def _runs_on(ln: Line, nxt: list[Line], right: float, spacing: float) -> bool:
    """A heading-like line that fills the column and runs on into plain text at the usual line spacing,
    without the space a heading leaves below it: the bold lead-in of a list item."""
    if not nxt or ln.x1 < right - ln.size:
        return False
    n = nxt[0]
    if abs(n.size - ln.size) > 0.5 or n.bold or n.col != ln.col:
        return False
    return 0 < ln.end_base - n.base <= spacing + 0.25 * ln.size


def _is_heading(ln: Line, text: str, body: float) -> bool:
    if len(text) > 120 or len(text) < 2 or _TOC_ENTRY.search(text) or not _WORD.search(text):
        return False
    larger = ln.size >= body + 0.8
    level = heading_level(text)
    if level is not None:
        head = text.split(None, 1)[-1] if " " in text else text
        if ln.bold or larger or is_all_caps(head):
            ln.level = level
            return True
        return False
    if text.endswith((".", ",", ";")) or not text[0].isupper():
        return False
    words = len(text.split())
    if (ln.bold or larger) and (is_known_section(text) or (is_all_caps(text) and words <= 8)):
        ln.level = 1
        return True
    if larger and ln.bold and words <= 12:
        ln.level = 1
        return True
    return False


def _mark_title(first_page: list[Line], box: PageLines, body: float) -> str:
    top_half = [ln for ln in first_page if ln.top >= box.top - 0.45 * box.height and any(c.isalpha() for c in ln.text)]
    if not top_half:
        return ""
    biggest = max(ln.size for ln in top_half)
    if biggest < 1.1 * body:
        return ""
    parts: list[str] = []
    started = False
    for ln in first_page:
        if ln in top_half and abs(ln.size - biggest) <= 0.5:
            ln.role = TITLE
            parts.append(ln.text.strip())
            started = True
        elif started:
            break
    return join_lines(parts)


# --------------------------------------------------------------------------------------------------
# Blocks and paragraphs


@dataclass(slots=True)
class _Block:
    kind: str
    lines: list[Line]
    level: int = 1

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def last(self) -> Line:
        return self.lines[-1]


class _Assembler:
    def __init__(self, st: _Stats) -> None:
        self.st = st

    def indent(self, ln: Line) -> float:
        return ln.x0 - self.st.edge(ln)[0]

    def para_indent(self, ln: Line) -> bool:
        return 0.6 * ln.size <= self.indent(ln) <= 4.5 * ln.size

    def short(self, ln: Line) -> bool:
        return ln.x1 < self.st.edge(ln)[1] - 1.0 * max(ln.size, 1.0)

    def same_flow(self, prev: Line, cur: Line) -> bool:
        return prev.page == cur.page and prev.col == cur.col and cur.base < prev.end_base + 0.5 * cur.size

    def breaks(self, block: _Block, cur: Line) -> bool:
        """Whether ``cur`` starts a new paragraph after ``block``."""
        prev = block.last
        if self.item_starts(prev, cur):
            return True
        if self.same_flow(prev, cur):
            gap = prev.end_base - cur.base
            if gap > self.st.spacing + max(0.3 * cur.size, 2.5):
                return True
        if block.kind == "list":
            item_x = block.first.x0
            if cur.x0 > item_x + 0.3 * cur.size:
                return False
            if len(block.lines) > 1 and block.lines[1].x0 > item_x + 0.3 * cur.size:
                return True
        elif self.para_indent(cur) and not self.para_indent(prev):
            return True
        return self.short(prev) and ends_sentence(prev.text)

    def item_starts(self, prev: Line, cur: Line) -> bool:
        """A bullet always starts a list item; "(b) ..." only after a sentence or clause ends."""
        if cur.bullet == "bullet":
            return True
        if cur.bullet == "enum":
            tail = prev.text.rstrip()
            return self.short(prev) or tail.endswith(";") or ends_sentence(tail) or self.para_indent(cur)
        return False

    def continues(self, block: _Block, nxt: _Block) -> bool:
        """Whether text block ``nxt`` carries on the sentence that ``block`` left open before a float."""
        prev, cur = block.last, nxt.first
        if cur.bullet == "bullet" or self.para_indent(cur):
            return False
        text = cur.text.lstrip()
        if not text:
            return False
        tail = prev.text.rstrip()
        if tail.endswith(("-", "\ue000", "\ue001", ",")) or text[0].islower():
            return True
        return not ends_sentence(tail) and not self.short(prev)

    def first_pass(self, stream: Iterable[Line]) -> list[_Block]:
        blocks: list[_Block] = []
        cur: _Block | None = None
        for ln in stream:
            role = ln.role
            if role in (TITLE, HEADING):
                if cur is not None and cur.kind == role and self._heading_goes_on(cur, ln):
                    cur.lines.append(ln)
                    continue
                cur = _Block(role, [ln], ln.level if role == HEADING else 0)
            elif role == CAPTION:
                cur = _Block("caption", [ln])
            elif role == FOOTNOTE:
                if cur is not None and cur.kind == "footnote" and self.same_flow(cur.last, ln):
                    cur.lines.append(ln)
                    continue
                cur = _Block("footnote", [ln])
            elif role == FIGURE:
                if cur is not None and cur.kind == "figure" and cur.last.page == ln.page:
                    cur.lines.append(ln)
                    continue
                cur = _Block("figure", [ln])
            else:
                starts_item = ln.bullet == "bullet" or (
                    ln.bullet == "enum" and (cur is None or cur.kind != "text" or self.item_starts(cur.last, ln))
                )
                kind = "other" if role == OTHER else ("list" if starts_item else "text")
                if cur is not None and self._goes_on(cur, ln, kind):
                    cur.lines.append(ln)
                    continue
                cur = _Block(kind, [ln])
            blocks.append(cur)
        return blocks

    def _heading_goes_on(self, block: _Block, ln: Line) -> bool:
        """Whether a heading-styled line continues the heading above it (a heading wrapped in two)."""
        prev = block.last
        text = ln.text.strip()
        if ln.role == HEADING and (heading_level(text) is not None or is_known_section(text)):
            return False
        if is_known_section(block.first.text):
            return False
        if abs(prev.size - ln.size) > 0.5 or prev.bold != ln.bold or not self.same_flow(prev, ln):
            return False
        return prev.end_base - ln.base <= 1.6 * max(ln.size, self.st.spacing)

    def _goes_on(self, block: _Block, ln: Line, kind: str) -> bool:
        if block.kind in ("title", "heading", "footnote", "figure"):
            return False
        if block.kind == "caption":
            prev = block.last
            return (
                self.same_flow(prev, ln)
                and prev.end_base - ln.base <= self.st.spacing + 0.5 * ln.size
                and abs(ln.size - block.first.size) <= 0.8
                and not (self.short(prev) and ends_sentence(prev.text))
            )
        if block.kind == "other" or kind == "other":
            if block.kind != kind:
                return False
            prev = block.last
            return self.same_flow(prev, ln) and prev.end_base - ln.base <= 2.0 * self.st.spacing
        if kind == "list":
            return False
        return not self.breaks(block, ln)

    def second_pass(self, blocks: list[_Block]) -> list[_Block]:
        """Rejoin paragraphs split by a float or footnote; the interruption follows the paragraph."""
        out: list[_Block] = []
        i = 0
        while i < len(blocks):
            b = blocks[i]
            i += 1
            if b.kind not in ("text", "list"):
                out.append(b)
                continue
            after: list[_Block] = []
            while True:
                j = i
                while j < len(blocks) and blocks[j].kind in ("caption", "footnote", "other", "figure"):
                    j += 1
                if j == i or j >= len(blocks) or blocks[j].kind != "text" or not self.continues(b, blocks[j]):
                    break
                between = blocks[i:j]
                if all(x.kind == "other" for x in between) and all(x.first.page == b.last.page for x in between):
                    b = _Block(b.kind, b.lines + [ln for x in between for ln in x.lines] + blocks[j].lines)
                else:
                    after.extend(between)
                    b = _Block(b.kind, b.lines + blocks[j].lines)
                i = j + 1
            out.append(b)
            out.extend(after)
        return out


def _paragraphs(blocks: list[_Block]) -> tuple[list[Block], list[Paragraph]]:
    """Blocks to paragraphs; lone numbers are already gone (``build_layout`` drops them before the roles)."""
    paragraphs: list[Block] = []
    figure_text: list[Paragraph] = []
    section = ""
    for i, b in enumerate(blocks):
        kind: ParagraphKind
        if b.kind in ("title", "heading"):
            text = join_lines(ln.text for ln in b.lines)
            section = text
            paragraphs.append(Block(Paragraph(text, b.first.page, section, "heading"), b.level))
            continue
        if b.kind == "figure":
            lines = [ln.text for ln in b.lines]
            if lines and _nearest_caption(blocks, i) == "table":
                paragraphs.append(Block(Paragraph("\n".join(lines), b.first.page, section, "table")))
            elif lines:
                figure_text.append(Paragraph(join_lines(lines), b.first.page, section, "text"))
            continue
        if b.kind == "other":
            near = _nearest_caption(blocks, i)
            lines = [ln.text for ln in b.lines]
            if not lines:
                continue
            if near == "table":
                paragraphs.append(Block(Paragraph("\n".join(lines), b.first.page, section, "table")))
                continue
            if near == "figure" or (sum(len(t) for t in lines) < 40 and not any(map(_WORD.search, lines))):
                figure_text.append(Paragraph(join_lines(lines), b.first.page, section, "text"))
                continue
            kind = "text"
        elif b.kind == "caption":
            kind = "caption"
        elif b.kind == "list":
            kind = "list"
        else:
            kind = "text"
        lines = [ln.text for ln in b.lines]
        if lines:
            paragraphs.append(Block(Paragraph(join_lines(lines), b.first.page, section, kind)))
    return paragraphs, figure_text


def _nearest_caption(blocks: list[_Block], i: int) -> str:
    """ "table" or "figure": the label of the caption nearest to block i with only graphics in between."""
    best = ""
    best_dist = len(blocks)
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(blocks) and blocks[j].kind in ("other", "figure"):
            j += step
        if 0 <= j < len(blocks) and blocks[j].kind == "caption" and abs(j - i) < best_dist:
            word = blocks[j].first.text.strip().split(None, 1)[0].lower().rstrip(".:")
            best = "table" if word.startswith("tab") else "figure"
            best_dist = abs(j - i)
    return best


def build_layout(pages: Sequence[PageLines]) -> Layout:
    """Run the whole layout pass over a document's pages."""
    strip_running_lines(pages)
    body = body_size(ln for p in pages for ln in p.lines)
    ordered = [order_page(p, body) for p in pages]
    ordered = [[ln for ln in lines if not is_lone_number(ln.text)] for lines in ordered]
    st = _stats(ordered, body)
    title = _mark_title(ordered[0], pages[0], st.body) if ordered else ""
    _classify(ordered, pages, st)
    asm = _Assembler(st)
    blocks = asm.second_pass(asm.first_pass(ln for lines in ordered for ln in lines))
    paragraphs, figure_text = _paragraphs(blocks)
    return Layout(title, paragraphs, figure_text)

"""Build the bundled example PDFs from their Markdown sources.

Each example under ``examples/<slug>/`` has a baseline paper and a draft proposal written in a small
Markdown subset. This script typesets them as two-column, academic-style PDFs with reportlab: a title
block spanning both columns, numbered section headings, justified paragraphs, a running header, a
page-number footer, tables, and simple vector figures.

The output is deterministic (reportlab's ``invariant`` mode, standard Type 1 fonts, no timestamps),
so rebuilding gives byte-identical files.

Supported Markdown subset:

- ``# Title`` (first line), then optional ``*subtitle*`` lines before the first section;
- ``## Section`` headings;
- paragraphs (consecutive non-blank lines), with ``**bold**`` and ``*italic*`` inline;
- ``- item`` bullet lists;
- ``Table N: caption`` followed by a pipe table (``| a | b |`` rows, a ``|---|`` separator row);
- ``Figure N: caption`` lines, drawn with a registered figure function when one exists;
- a short stand-alone formula line (under 50 characters, with ``=``, ``+``, ``/`` or ``(``, not starting
  with a capital) is set as a centred display formula.

Usage::

    python scripts/build_examples.py            # writes next to the sources
    python scripts/build_examples.py --out DIR  # writes DIR/<slug>/<name>.pdf
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    FrameBreak,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = ROOT / "examples"

# ----------------------------------------------------------------------------------------------------------
# What to build
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocSpec:
    """One PDF to build: its Markdown source name and its running header."""

    slug: str
    name: str
    header_left: str
    header_right: str
    author: str


SPECS: tuple[DocSpec, ...] = (
    DocSpec(
        slug="sp-chunking",
        name="baseline",
        header_left="Sequence Parallelism and Selective Recomputation \u2014 condensed account",
        header_right="After Korthikanti et al., MLSys 2023",
        author="Condensed account of V. Korthikanti et al.",
    ),
    DocSpec(
        slug="sp-chunking",
        name="proposal",
        header_left="ChunkedSP \u2014 draft v0.2",
        header_right="Preliminary draft, not for distribution",
        author="J. Ferreira",
    ),
)

# ----------------------------------------------------------------------------------------------------------
# Markdown subset
# ----------------------------------------------------------------------------------------------------------


@dataclass
class Block:
    """A block of the document body."""

    kind: str  # "heading" | "para" | "formula" | "bullets" | "table" | "figure"
    text: str = ""
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    number: int = 0


@dataclass
class Paper:
    title: str
    subtitles: list[str]
    blocks: list[Block]


_TABLE_CAPTION = re.compile(r"^Table\s+(\d+):")
_FIGURE_CAPTION = re.compile(r"^Figure\s+(\d+):")
_SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def _split_row(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _is_formula(text: str) -> bool:
    """A short stand-alone line such as ``sbh(34 + 5as/h) bytes.`` is set as a display formula."""
    return (
        len(text) < 50
        and re.search(r"[=+/(]", text) is not None
        and not re.search(r"[.!?]\s", text)
        and not text[:1].isupper()
        and not text.startswith("*")
    )


def parse_markdown(text: str) -> Paper:
    """Parse the Markdown subset described in the module docstring."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# "):
        raise ValueError("the first line must be a '# Title' heading")
    title = lines[0][2:].strip()
    subtitles: list[str] = []
    blocks: list[Block] = []
    para: list[str] = []
    i = 1

    def flush() -> None:
        if para:
            joined = " ".join(s.strip() for s in para)
            blocks.append(Block("formula" if _is_formula(joined) else "para", text=joined))
            para.clear()

    while i < len(lines):
        line = lines[i].rstrip()
        stripped = line.strip()
        if not stripped:
            flush()
            i += 1
            continue
        if stripped.startswith("## "):
            flush()
            blocks.append(Block("heading", text=stripped[3:].strip()))
            i += 1
            continue
        if not blocks and not para and stripped.startswith("*") and stripped.endswith("*"):
            subtitles.append(stripped.strip("*").strip())
            i += 1
            continue
        if stripped.startswith("- "):
            flush()
            items: list[str] = []
            while i < len(lines) and lines[i].strip().startswith("- "):
                items.append(lines[i].strip()[2:].strip())
                i += 1
            blocks.append(Block("bullets", items=items))
            continue
        match = _TABLE_CAPTION.match(stripped)
        if match and not para:
            caption = stripped
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            rows: list[list[str]] = []
            while j < len(lines) and lines[j].strip().startswith("|"):
                if not _SEPARATOR_ROW.match(lines[j].strip()):
                    rows.append(_split_row(lines[j]))
                j += 1
            if not rows:
                raise ValueError(f"table caption without a table: {caption!r}")
            blocks.append(Block("table", text=caption, rows=rows, number=int(match.group(1))))
            i = j
            continue
        match = _FIGURE_CAPTION.match(stripped)
        if match and not para:
            caption_lines = [stripped]
            i += 1
            while i < len(lines) and lines[i].strip():
                caption_lines.append(lines[i].strip())
                i += 1
            blocks.append(Block("figure", text=" ".join(caption_lines), number=int(match.group(1))))
            continue
        para.append(stripped)
        i += 1
    flush()
    return Paper(title=title, subtitles=subtitles, blocks=blocks)


def inline_markup(text: str) -> str:
    """Escape XML specials and turn ``**bold**`` / ``*italic*`` into reportlab paragraph markup."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", text)
    return text


def check_encodable(text: str, source: Path) -> None:
    """The standard PDF fonts use WinAnsi (cp1252); refuse characters they cannot show."""
    for lineno, line in enumerate(text.splitlines(), 1):
        for ch in line:
            try:
                ch.encode("cp1252")
            except UnicodeEncodeError as exc:
                raise ValueError(
                    f"{source}:{lineno}: character {ch!r} (U+{ord(ch):04X}) is not in the standard PDF fonts"
                ) from exc


# ----------------------------------------------------------------------------------------------------------
# Figures (simple vector drawings, one function per figure)
# ----------------------------------------------------------------------------------------------------------

_SP_FILL = colors.Color(0.86, 0.90, 0.96)
_TP_FILL = colors.Color(0.98, 0.88, 0.76)
_COMM_FILL = colors.Color(0.80, 0.80, 0.80)
_GEMM_FILL = colors.Color(0.30, 0.36, 0.50)


def _box(d: Drawing, x: float, y: float, w: float, h: float, fill: colors.Color, label: str = "") -> None:
    d.add(Rect(x, y, w, h, fillColor=fill, strokeColor=colors.black, strokeWidth=0.5))
    if label:
        d.add(
            String(x + w / 2, y + h / 2 - 2.2, label, fontName="Helvetica", fontSize=6.2, textAnchor="middle")
        )


def figure_sp_layer(width: float) -> Drawing:
    """Baseline Figure 1: one transformer layer with TP and SP regions and the g / g-bar operators."""
    height = 74.0
    d = Drawing(width, height)
    row_h = 16.0
    widths = [36.0, 18.0, 62.0, 18.0, 40.0]
    gap = (width - sum(widths)) / (len(widths) - 1)
    rows = [
        (height - 28, ["LayerNorm", "g", "Self-attention", "g-bar", "Dropout"]),
        (height - 62, ["LayerNorm", "g", "MLP (FC1, FC2)", "g-bar", "Dropout"]),
    ]
    for y, labels in rows:
        x = 0.0
        for k, (w, label) in enumerate(zip(widths, labels, strict=True)):
            if k in (1, 3):
                _box(d, x, y + 2, w, row_h - 4, colors.white, label)
            else:
                _box(d, x, y, w, row_h, _TP_FILL if k == 2 else _SP_FILL, label)
            if k < len(widths) - 1:
                d.add(Line(x + w, y + row_h / 2, x + w + gap, y + row_h / 2, strokeWidth=0.5))
            x += w + gap
    d.add(String(0, height - 8, "SP region: s/t tokens per rank", fontName="Helvetica", fontSize=5.8))
    d.add(
        String(
            width,
            height - 8,
            "TP region: GEMMs split t ways",
            fontName="Helvetica",
            fontSize=5.8,
            textAnchor="end",
        )
    )
    return d


def figure_chunk_timeline(width: float) -> Drawing:
    """Proposal Figure 1: schematic ring-overlap timeline, one shard per step vs. small chunks."""
    height = 92.0
    d = Drawing(width, height)
    label_w = 30.0
    span = width - label_w - 4
    lane_h = 9.0

    def lane(y: float, n: int, start: float, unit: float, fill: colors.Color) -> None:
        for k in range(n):
            d.add(
                Rect(
                    label_w + start + k * unit,
                    y,
                    unit,
                    lane_h,
                    fillColor=fill,
                    strokeColor=colors.white,
                    strokeWidth=0.4,
                )
            )

    def panel(y_top: float, title: str, transfers: int, blocks: int) -> None:
        d.add(String(0, y_top, title, fontName="Helvetica-Bold", fontSize=6.2))
        comm_unit = span * 0.62 / transfers
        gemm_unit = (span - comm_unit) / blocks
        d.add(String(0, y_top - 12, "comm", fontName="Helvetica", fontSize=6))
        lane(y_top - 14, transfers, 0.0, comm_unit, _COMM_FILL)
        d.add(String(0, y_top - 24, "GEMM", fontName="Helvetica", fontSize=6))
        lane(y_top - 26, blocks, comm_unit, gemm_unit, _GEMM_FILL)

    panel(height - 8, "Ring overlap, one shard per step (c = s/t)", 7, 8)
    panel(height - 50, "ChunkedSP (c = s/4t)", 28, 32)
    d.add(Line(label_w, 2, width - 2, 2, strokeWidth=0.5))
    d.add(String(width - 2, 4, "time", fontName="Helvetica-Oblique", fontSize=5.5, textAnchor="end"))
    return d


FigureFn = Callable[[float], Drawing]
FIGURES: dict[tuple[str, str, int], FigureFn] = {
    ("sp-chunking", "baseline", 1): figure_sp_layer,
    ("sp-chunking", "proposal", 1): figure_chunk_timeline,
}

# ----------------------------------------------------------------------------------------------------------
# Layout
# ----------------------------------------------------------------------------------------------------------

PAGE_W, PAGE_H = letter
MARGIN_X = 54.0
MARGIN_TOP = 66.0
MARGIN_BOTTOM = 58.0
COL_GAP = 18.0
COL_W = (PAGE_W - 2 * MARGIN_X - COL_GAP) / 2
BODY_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
FULL_W = PAGE_W - 2 * MARGIN_X

STYLES = {
    "title": ParagraphStyle(
        "title", fontName="Times-Bold", fontSize=16, leading=19.5, alignment=TA_CENTER, spaceAfter=8
    ),
    "subtitle": ParagraphStyle(
        "subtitle", fontName="Times-Italic", fontSize=10, leading=12.5, alignment=TA_CENTER, spaceAfter=2
    ),
    "heading": ParagraphStyle(
        "heading",
        fontName="Times-Bold",
        fontSize=11,
        leading=13,
        spaceBefore=8,
        spaceAfter=4,
        alignment=TA_LEFT,
    ),
    "abstract_heading": ParagraphStyle(
        "abstract_heading",
        fontName="Times-Bold",
        fontSize=10.5,
        leading=13,
        spaceBefore=0,
        spaceAfter=3,
        alignment=TA_CENTER,
    ),
    "abstract": ParagraphStyle(
        "abstract",
        fontName="Times-Roman",
        fontSize=9,
        leading=11,
        alignment=TA_JUSTIFY,
        leftIndent=8,
        rightIndent=8,
        spaceAfter=4,
    ),
    "body": ParagraphStyle(
        "body",
        fontName="Times-Roman",
        fontSize=9.5,
        leading=11.6,
        alignment=TA_JUSTIFY,
        firstLineIndent=10,
        spaceAfter=0,
    ),
    "body_first": ParagraphStyle(
        "body_first", fontName="Times-Roman", fontSize=9.5, leading=11.6, alignment=TA_JUSTIFY, spaceAfter=0
    ),
    "formula": ParagraphStyle(
        "formula",
        fontName="Times-Italic",
        fontSize=9.5,
        leading=12,
        alignment=TA_CENTER,
        spaceBefore=3,
        spaceAfter=3,
    ),
    "bullet": ParagraphStyle(
        "bullet",
        fontName="Times-Roman",
        fontSize=9.5,
        leading=11.6,
        alignment=TA_JUSTIFY,
        leftIndent=11,
        bulletIndent=2,
        spaceAfter=1.5,
    ),
    "reference": ParagraphStyle(
        "reference",
        fontName="Times-Roman",
        fontSize=8.5,
        leading=10.2,
        alignment=TA_LEFT,
        leftIndent=10,
        firstLineIndent=-10,
        spaceAfter=2.5,
    ),
    "caption": ParagraphStyle(
        "caption",
        fontName="Times-Roman",
        fontSize=8.5,
        leading=10,
        alignment=TA_JUSTIFY,
        spaceBefore=3,
        spaceAfter=6,
    ),
    "cell": ParagraphStyle("cell", fontName="Times-Roman", fontSize=8, leading=9.4, alignment=TA_LEFT),
    "cell_head": ParagraphStyle(
        "cell_head", fontName="Times-Bold", fontSize=8, leading=9.4, alignment=TA_LEFT
    ),
}


def _caption(text: str) -> Paragraph:
    label, _, rest = text.partition(":")
    return Paragraph(f"<b>{inline_markup(label)}:</b>{inline_markup(rest)}", STYLES["caption"])


def _column_widths(rows: list[list[str]], pad: float = 6.0) -> list[float]:
    """Natural column widths (body cells unbroken, header cells broken at spaces), stretched to the column."""
    header, *body = rows
    widths = []
    for k, head in enumerate(header):
        head_w = max(stringWidth(word, "Times-Bold", 8) for word in head.split() or [""])
        body_w = max((stringWidth(row[k], "Times-Roman", 8) for row in body if k < len(row)), default=0.0)
        widths.append(max(head_w, body_w) + pad)
    total = sum(widths)
    if total > COL_W:
        return [w * COL_W / total for w in widths]
    extra = (COL_W - total) / len(widths)
    return [w + extra for w in widths]


def _table(block: Block) -> list[Flowable]:
    header, *body = block.rows
    data = [[Paragraph(inline_markup(c), STYLES["cell_head"]) for c in header]]
    data += [[Paragraph(inline_markup(c), STYLES["cell"]) for c in row] for row in body]
    table = Table(data, colWidths=_column_widths(block.rows), hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return [KeepTogether([Spacer(1, 4), _caption(block.text), table, Spacer(1, 8)])]


def body_flowables(paper: Paper, slug: str, name: str) -> list[Flowable]:
    """Turn the parsed blocks into flowables for the two-column body."""
    out: list[Flowable] = []
    section = ""
    after_heading = True
    for block in paper.blocks:
        if block.kind == "heading":
            section = block.text
            if section.lower() == "abstract":
                out.append(Paragraph("Abstract", STYLES["abstract_heading"]))
            else:
                out.append(CondPageBreak(48))
                out.append(Paragraph(inline_markup(section), STYLES["heading"]))
            after_heading = True
        elif block.kind == "para":
            if section.lower() == "abstract":
                style = STYLES["abstract"]
            elif section.lower() == "references":
                style = STYLES["reference"]
            else:
                style = STYLES["body_first"] if after_heading else STYLES["body"]
            out.append(Paragraph(inline_markup(block.text), style))
            after_heading = False
        elif block.kind == "formula":
            out.append(Paragraph(inline_markup(block.text), STYLES["formula"]))
            after_heading = True
        elif block.kind == "bullets":
            for item in block.items:
                out.append(Paragraph(inline_markup(item), STYLES["bullet"], bulletText="\u2022"))
            after_heading = True
        elif block.kind == "table":
            out.extend(_table(block))
            after_heading = True
        elif block.kind == "figure":
            parts: list[Flowable] = [Spacer(1, 4)]
            drawer = FIGURES.get((slug, name, block.number))
            if drawer is not None:
                parts.append(drawer(COL_W))
            parts.append(_caption(block.text))
            out.append(KeepTogether(parts))
            after_heading = True
        else:  # pragma: no cover - parse_markdown only emits the kinds above
            raise ValueError(f"unknown block kind {block.kind!r}")
    return out


def title_flowables(paper: Paper) -> list[Flowable]:
    parts: list[Flowable] = [Paragraph(inline_markup(paper.title), STYLES["title"])]
    parts += [Paragraph(inline_markup(s), STYLES["subtitle"]) for s in paper.subtitles]
    return parts


def _flowables_height(flowables: Sequence[Flowable], width: float) -> float:
    total = 0.0
    for f in flowables:
        _, h = f.wrap(width, PAGE_H)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def _decorate(header_left: str, header_right: str) -> tuple[Callable[..., None], Callable[..., None]]:
    def on_page(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        y = PAGE_H - MARGIN_TOP + 22
        canvas.setFont("Times-Italic", 8.5)
        canvas.drawString(MARGIN_X, y, header_left)
        canvas.drawRightString(PAGE_W - MARGIN_X, y, header_right)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, y - 4, PAGE_W - MARGIN_X, y - 4)
        canvas.restoreState()

    def on_page_end(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Times-Roman", 9)
        canvas.drawCentredString(PAGE_W / 2, MARGIN_BOTTOM - 28, str(doc.page))
        canvas.restoreState()

    return on_page, on_page_end


def build_pdf(md_path: Path, pdf_path: Path, spec: DocSpec) -> Path:
    """Typeset one Markdown source as a two-column PDF."""
    text = md_path.read_text(encoding="utf-8")
    check_encodable(text, md_path)
    paper = parse_markdown(text)

    title = title_flowables(paper)
    title_h = _flowables_height(title, FULL_W) + 14
    on_page, on_page_end = _decorate(spec.header_left, spec.header_right)

    def column(x: float, height: float, ident: str) -> Frame:
        return Frame(
            x,
            MARGIN_BOTTOM,
            COL_W,
            height,
            id=ident,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )

    first_col_h = BODY_H - title_h
    first = PageTemplate(
        id="first",
        frames=[
            Frame(
                MARGIN_X,
                MARGIN_BOTTOM + first_col_h,
                FULL_W,
                title_h,
                id="title",
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            ),
            column(MARGIN_X, first_col_h, "c1"),
            column(MARGIN_X + COL_W + COL_GAP, first_col_h, "c2"),
        ],
        onPage=on_page,
        onPageEnd=on_page_end,
    )
    later = PageTemplate(
        id="later",
        frames=[column(MARGIN_X, BODY_H, "c1"), column(MARGIN_X + COL_W + COL_GAP, BODY_H, "c2")],
        onPage=on_page,
        onPageEnd=on_page_end,
    )
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    doc = BaseDocTemplate(
        str(pdf_path),
        pagesize=letter,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=paper.title,
        author=spec.author,
        subject=spec.header_left,
        creator="scripts/build_examples.py",
        invariant=1,
        pageCompression=1,
    )
    doc.addPageTemplates([first, later])
    story: list[Flowable] = [NextPageTemplate("later"), *title, FrameBreak()]
    story += body_flowables(paper, spec.slug, spec.name)
    doc.build(story)
    return pdf_path


def build(out_dir: Path | None = None, examples_dir: Path = EXAMPLES_DIR) -> list[Path]:
    """Build every example PDF. With ``out_dir`` the PDFs go to ``out_dir/<slug>/<name>.pdf``."""
    built = []
    for spec in SPECS:
        source = examples_dir / spec.slug / f"{spec.name}.md"
        target_root = examples_dir if out_dir is None else Path(out_dir)
        built.append(build_pdf(source, target_root / spec.slug / f"{spec.name}.pdf", spec))
    return built


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: next to the sources)")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

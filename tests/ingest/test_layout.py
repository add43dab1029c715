"""Layout on hand-made lines: running heads, columns, paragraphs, headings."""

from __future__ import annotations

from tensora.ingest.layout import LEFT, RIGHT, SPANNING, Line, PageLines, build_layout, order_page, strip_running_lines


def line(text: str, x0: float, y: float, page: int = 1, *, x1: float | None = None, size: float = 10.0,
         bold: bool = False) -> Line:  # fmt: skip
    return Line(text, page, x0, x1 if x1 is not None else x0 + 240.0, y + 0.8 * size, y, y, size, bold)


def page(number: int, lines: list[Line]) -> PageLines:
    return PageLines(number, 0.0, 0.0, 612.0, 792.0, lines)


def column(x: float, top: float, texts: list[str], page_no: int = 1) -> list[Line]:
    return [line(t, x, top - 12 * i, page_no) for i, t in enumerate(texts)]


def test_running_heads_and_page_numbers_are_dropped() -> None:
    pages = []
    for n in range(1, 5):
        lines = [line("Proceedings of the Conference 2024", 200, 760, n, x1=400), line(str(n), 300, 30, n, x1=306)]
        lines += column(54, 700, [f"Body line {k} on page {n}." for k in range(3)], n)
        if n == 2:
            lines.append(line("A unique line near the top", 54, 765, n))
        pages.append(page(n, lines))
    strip_running_lines(pages)
    texts = [ln.text for p in pages for ln in p.lines]
    assert "Proceedings of the Conference 2024" not in texts
    assert not any(t.isdigit() for t in texts)
    assert "A unique line near the top" in texts
    assert len(texts) == 4 * 3 + 1


def test_two_columns_are_read_column_by_column() -> None:
    title = line("A Title Across Both Columns", 150, 740, x1=460, size=16)
    left = column(54, 700, [f"left {k}" for k in range(10)])
    right = column(318, 700, [f"right {k}" for k in range(10)])
    scrambled = [ln for pair in zip(right, left, strict=True) for ln in pair] + [title]
    ordered = order_page(page(1, scrambled), body=10.0)
    assert [ln.text for ln in ordered] == [title.text] + [ln.text for ln in left] + [ln.text for ln in right]
    assert {ln.col for ln in ordered} == {SPANNING, LEFT, RIGHT}


def test_one_column_page_keeps_top_to_bottom_order() -> None:
    lines = [line(f"wide line {k}", 72, 700 - 12 * k, x1=540) for k in range(12)]
    ordered = order_page(page(1, list(reversed(lines))), body=10.0)
    assert [ln.text for ln in ordered] == [ln.text for ln in lines]
    assert {ln.col for ln in ordered} == {SPANNING}


def test_fragments_on_one_baseline_are_joined() -> None:
    a = line("Deepak Narayanan", 100, 650, x1=180)
    b = line(", Matei Zaharia", 181, 650, x1=250)
    ordered = order_page(page(1, [b, a]), body=10.0)
    assert [ln.text for ln in ordered] == ["Deepak Narayanan, Matei Zaharia"]


def test_paragraphs_headings_and_captions() -> None:
    lines = [
        line("1 Introduction", 54, 700, x1=130, size=12, bold=True),
        line("The first paragraph starts flush and runs on", 54, 682, x1=294),
        line("to a short last line.", 54, 670, x1=150),
        line("The second paragraph starts indented and it", 64, 658, x1=294),
        line("continues here without a gap until its end.", 54, 646, x1=290),
        line("Figure 1: A caption under a figure.", 54, 630, x1=230, size=9),
    ] + column(54, 610, [f"Filler sentence number {k} keeps statistics stable." for k in range(8)])
    layout = build_layout([page(1, lines)])
    texts = [(b.paragraph.kind, b.paragraph.text) for b in layout.blocks]
    assert texts[0] == ("heading", "1 Introduction")
    assert texts[1] == ("text", "The first paragraph starts flush and runs on to a short last line.")
    assert texts[2][1].startswith("The second paragraph starts indented and it continues here")
    assert ("caption", "Figure 1: A caption under a figure.") in texts

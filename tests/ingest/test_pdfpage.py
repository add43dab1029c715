"""One PDF page: the scan's geometry against plain reference versions of its rules, and the page text."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tensora.ingest.layout import PageLines
from tensora.ingest.pdfpage import _F, _MIN_FIGURE_PATHS, Box, PageObjects, _Extractor, _path_clusters


def reference_clusters(boxes: list[Box], page: PageLines, cell: float = 12.0) -> list[Box]:
    """The figure-region rule cell by cell: mark the grid cells under each path, flood-fill the marked
    cells, keep the regions with enough paths, in the order of their first path."""
    cols = int(page.width / cell) + 1
    rows = int(page.height / cell) + 1
    marked: dict[int, list[int]] = {}
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        if min(x1 - x0, y1 - y0) < 1.0 or (x1 - x0) * (y1 - y0) > 0.5 * page.width * page.height:
            continue
        c0, c1 = max(0, int((x0 - page.left) / cell)), min(cols - 1, int((x1 - page.left) / cell))
        r0, r1 = max(0, int((y0 - page.bottom) / cell)), min(rows - 1, int((y1 - page.bottom) / cell))
        for rr in range(r0, r1 + 1):
            for cc in range(c0, c1 + 1):
                marked.setdefault(rr * cols + cc, []).append(i)
    owner: set[int] = set()
    regions: list[Box] = []
    for start in marked:
        if start in owner:
            continue
        owner.add(start)
        todo, members = [start], set()
        while todo:
            cur = todo.pop()
            members.update(marked[cur])
            cc = cur % cols
            for nxt in (cur - 1 if cc else -1, cur + 1 if cc < cols - 1 else -1, cur - cols, cur + cols):
                if nxt in marked and nxt not in owner:
                    owner.add(nxt)
                    todo.append(nxt)
        if len(members) < _MIN_FIGURE_PATHS:
            continue
        xs = [boxes[i] for i in members]
        region = (min(b[0] for b in xs), min(b[1] for b in xs), max(b[2] for b in xs), max(b[3] for b in xs))
        if (region[2] - region[0]) * (region[3] - region[1]) >= 0.01 * page.width * page.height:
            regions.append(region)
    return regions


PAGE = PageLines(1, 0.0, 0.0, 300.0, 200.0)
_coord = st.floats(-40.0, 320.0, allow_nan=False)
_extent = st.one_of(st.just(0.5), st.floats(1.0, 40.0), st.floats(1.0, 250.0))
_box = st.builds(lambda x, y, w, h: (x, y, x + w, y + h), _coord, _coord, _extent, _extent)


@settings(max_examples=300, deadline=None)
@given(st.lists(_box, max_size=120))
def test_path_clusters_match_the_cell_by_cell_rule(boxes: list[Box]) -> None:
    assert _path_clusters(boxes, PAGE) == reference_clusters(boxes, PAGE)


def test_a_chart_is_one_region_and_a_ruled_table_none() -> None:
    bars = [(50.0 + 10 * k, 40.0, 56.0 + 10 * k, 60.0 + 5 * k) for k in range(14)]
    frame = [(45.0, 38.0, 200.0, 38.5)]  # an axis: too thin to mark cells
    assert _path_clusters(bars + frame, PAGE) == [(50.0, 40.0, 186.0, 125.0)]
    rules = [(20.0, 20.0 + 8 * k, 280.0, 20.4 + 8 * k) for k in range(20)]
    assert _path_clusters(rules, PAGE) == []


def test_a_page_rebuilt_from_its_characters_keeps_line_end_hyphens(monkeypatch: pytest.MonkeyPatch) -> None:
    # pdfium's text says U+FFFE for a hyphen it joined across a line break, its character says "\x02"; here
    # the text also lacks the page's last character, so the text is rebuilt from the characters
    chars = [ord(c) for c in "an inter\x02\r\nmediate step, x\x02y"] + [0x1D54F]
    text = [ord(c) for c in "an inter\ufffe\r\nmediate step, x\x02y"]

    def get_text(tp: int, start: int, count: int, buf: Any) -> int:
        for i, code in enumerate(text):
            buf[i] = code
        buf[len(text)] = 0
        return len(text) + 1

    monkeypatch.setattr(_F, "GetText", get_text)
    monkeypatch.setattr(_F, "GetUnicode", lambda tp, c: chars[c])
    monkeypatch.setattr(_F, "IsHyphen", lambda tp, c: c == 8)
    got = _Extractor(0, PageLines(1, 0.0, 0.0, 612.0, 792.0), PageObjects())._text(len(chars))
    assert got == "an inter\ufffe\r\nmediate step, x\x02y\U0001d54f"

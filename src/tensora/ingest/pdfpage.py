"""One PDF page through pdfium: text lines with geometry, and the text a reader cannot see.

Follows pdfium's own text layer: its order of characters, its line breaks (CRLF) and its marking of
line-end hyphens as U+FFFE (pdfium has then joined the two lines itself). Per line it asks for four facts
only: the loose boxes of the first and last character (position), the font size and matrix of a middle
character (size, rotation), plus the font weight for lines that could be headings. A paper has ~100k
characters and every pdfium call costs 1-2 µs, so nothing here is per character except on pages with
hidden text. The hot calls go through ``_fast`` copies of pypdfium2's raw functions whose pointer
arguments are plain ``void *``, which makes each call about a third cheaper. ``layout.py`` does the
rest.

A pdfium line that crosses the page's middle with a wide gap in it (two columns written row by row, as
some producers do) is split at the gap.

Hidden text goes to ``hidden`` instead of the lines. One scan over the page objects (two pdfium calls
per object, two more per text object) finds text objects that are:

- drawn in render mode 3 or 7 (invisible, clip only), unless over an image covering a tenth of the
  page: that is the normal invisible OCR layer of a scanned PDF;
- filled (stroked, for stroke-only modes) in white or near-white (every channel >= 240), unless over an
  image or a filled shape of a contrasting colour drawn before it in the same container (white labels on
  coloured boxes in figures are read; white on a light-grey box is not);
- drawn over a filled shape of (nearly) their own colour (black text on a black box);
- fully transparent (fill alpha 0);

these are found character by character, so a hidden span inside a visible line is cut out of it. Each
line is also checked for a font smaller than 2 pt (on its middle character, then its first) and
against the page's crop box (character by character when it pokes out).

Not covered: tiny text inside a line of normal text (only whole lines are measured), text hidden under
an opaque shape or image drawn after it, text on an image of its own colour (image pixels are not read),
text clipped away by a clip path, and text in annotations or form fields.
"""

from __future__ import annotations

import ctypes
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pypdfium2.raw as pdfium_c

from tensora import rxcache
from tensora.ingest.document import Paragraph
from tensora.ingest.layout import FIGURE, Line, PageLines
from tensora.ingest.normalize import clean_chars, collapse_spaces
from tensora.ingest.patterns import heading_level, is_all_caps, is_known_section

_BOLD_NAME = rxcache.compile(r"bold|black|heavy|demi|medi|bx", re.IGNORECASE)
_FORCE_BOLD = 1 << 18  # PDF font descriptor flag
_WHITE = 240
_TINY_PT = 2.0
_SURROGATE = rxcache.compile("[\ud800-\udfff]")
_HYPHEN_CHAR = rxcache.compile("[\x02-]")
_MIN_FIGURE_PATHS = 12
_INVISIBLE_MODES = frozenset({3, 7})
_STROKE_ONLY_MODES = frozenset({1, 5})

Box = tuple[float, float, float, float]


def _fast(fn: Any) -> Any:
    """The same pdfium function with opaque pointer types relaxed to ``void *`` (cheaper to call)."""
    address = ctypes.cast(fn, ctypes.c_void_p).value or 0
    restype = fn.restype
    if isinstance(restype, type) and issubclass(restype, ctypes._Pointer):
        restype = ctypes.c_void_p
    argtypes = [ctypes.c_void_p if issubclass(a, ctypes._Pointer) else a for a in fn.argtypes]
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


class _F:
    """pdfium functions used per line or per object."""

    CountChars = _fast(pdfium_c.FPDFText_CountChars)
    GetText = _fast(pdfium_c.FPDFText_GetText)
    GetLooseCharBox = _fast(pdfium_c.FPDFText_GetLooseCharBox)
    GetFontSize = _fast(pdfium_c.FPDFText_GetFontSize)
    GetMatrix = _fast(pdfium_c.FPDFText_GetMatrix)
    GetFontWeight = _fast(pdfium_c.FPDFText_GetFontWeight)
    GetFontInfo = _fast(pdfium_c.FPDFText_GetFontInfo)
    GetUnicode = _fast(pdfium_c.FPDFText_GetUnicode)
    IsHyphen = _fast(pdfium_c.FPDFText_IsHyphen)
    GetTextObject = _fast(pdfium_c.FPDFText_GetTextObject)
    CharAtPos = _fast(pdfium_c.FPDFText_GetCharIndexAtPos)
    CountRects = _fast(pdfium_c.FPDFText_CountRects)
    GetRect = _fast(pdfium_c.FPDFText_GetRect)
    CountObjects = _fast(pdfium_c.FPDFPage_CountObjects)
    GetObject = _fast(pdfium_c.FPDFPage_GetObject)
    FormCount = _fast(pdfium_c.FPDFFormObj_CountObjects)
    FormGet = _fast(pdfium_c.FPDFFormObj_GetObject)
    ObjType = _fast(pdfium_c.FPDFPageObj_GetType)
    RenderMode = _fast(pdfium_c.FPDFTextObj_GetTextRenderMode)
    FillColor = _fast(pdfium_c.FPDFPageObj_GetFillColor)
    StrokeColor = _fast(pdfium_c.FPDFPageObj_GetStrokeColor)
    Bounds = _fast(pdfium_c.FPDFPageObj_GetBounds)
    DrawMode = _fast(pdfium_c.FPDFPath_GetDrawMode)


TEXT, IMAGE, PATH, FORM = (
    pdfium_c.FPDF_PAGEOBJ_TEXT,
    pdfium_c.FPDF_PAGEOBJ_IMAGE,
    pdfium_c.FPDF_PAGEOBJ_PATH,
    pdfium_c.FPDF_PAGEOBJ_FORM,
)


def handle(obj: Any) -> int:
    """The address behind a pypdfium2 raw handle."""
    return ctypes.cast(obj, ctypes.c_void_p).value or 0


@dataclass(slots=True)
class PageText:
    """What one page gave: its lines, its hidden text, and counts for the scanned-PDF check."""

    page: PageLines
    hidden: list[Paragraph] = field(default_factory=list)
    chars: int = 0
    images: int = 0


def read_page(page: int, textpage: int, box: PageLines) -> PageText:
    """Lines and hidden text of one page, given the raw page and text page handles as addresses."""
    objects = scan_objects(page, box)
    result = _Extractor(textpage, box, objects).run()
    result.images = objects.images
    return result


# --------------------------------------------------------------------------------------------------
# The object scan


class _Out:
    """Reusable ctypes out-parameters, and the bounds asked for so far on this page."""

    def __init__(self) -> None:
        self.rgba = [ctypes.c_uint() for _ in range(4)]
        self.rgba_p = [ctypes.byref(v) for v in self.rgba]
        self.box = [ctypes.c_float() for _ in range(4)]
        self.box_p = [ctypes.byref(v) for v in self.box]
        self.fill_mode = ctypes.c_int()
        self.stroke = ctypes.c_int()
        # the figure pass and the background pass both need the bounds of the page's paths
        self.known: dict[int, Box] = {}

    def bounds(self, obj: int) -> Box:
        got = self.known.get(obj)
        if got is None:
            _F.Bounds(obj, *self.box_p)
            left, bottom, right, top = self.box
            got = self.known[obj] = (left.value, bottom.value, right.value, top.value)
        return got

    def colour(self, obj: int, stroke: bool = False) -> tuple[int, int, int, int]:
        if not (_F.StrokeColor if stroke else _F.FillColor)(obj, *self.rgba_p):
            return 0, 0, 0, 255
        r, g, b, a = self.rgba
        return r.value, g.value, b.value, a.value


@dataclass(slots=True)
class PageObjects:
    """What the object scan found on a page."""

    suspicious: set[int] = field(default_factory=set)  # hidden text objects
    images: int = 0
    forms: list[Box] = field(default_factory=list)  # included graphics (form XObjects)
    form_text: set[int] = field(default_factory=set)  # text objects drawn inside them


def scan_objects(page: int, box: PageLines) -> PageObjects:
    """Find hidden text objects, included graphics and the text inside them.

    Also records on ``box.figures`` the regions that hold images or clusters of vector paths drawn
    straight on the page (charts without a form XObject); text there is figure text. The hot loop of the
    scan (hundreds of objects per page) makes two pdfium calls per object and two more per text object;
    bounds only for graphics and for the rare white, transparent or invisible text.
    """
    out = _Out()
    obj_type, render_mode, fill, stroke = _F.ObjType, _F.RenderMode, _F.FillColor, _F.StrokeColor
    rp, gp, bp, ap = out.rgba_p
    r, g, b, a = out.rgba
    suspicious: set[int] = set()
    form_text: set[int] = set()
    invisible: list[int] = []
    white: list[tuple[int, int]] = []  # (text object, its parent: the page or a form)
    images: list[int] = []
    forms: list[int] = []
    paths: dict[int, list[int]] = {}  # parent -> filled-shape candidates drawn in it
    order: dict[int, int] = {}  # path -> its place in the drawing order
    # text drawn straight on the page, not white, by colour: (text, place in the drawing order)
    on_page: dict[tuple[int, int, int], list[tuple[int, int]]] = {}
    seq = 0
    images_in: dict[int, list[int]] = {}
    stack = [(_F.GetObject, page, _F.CountObjects(page), 0)]
    while stack:
        get, parent, count, depth = stack.pop()
        for k in range(count):
            obj = get(parent, k)
            kind = obj_type(obj)
            if kind == TEXT:
                if depth:
                    form_text.add(obj)
                mode = render_mode(obj)
                if mode in _INVISIBLE_MODES:
                    invisible.append(obj)
                    continue
                if not (stroke if mode in _STROKE_ONLY_MODES else fill)(obj, rp, gp, bp, ap):
                    continue
                seq += 1
                if a.value == 0:
                    suspicious.add(obj)
                    continue
                rgb = (r.value, g.value, b.value)
                if rgb[0] >= _WHITE and rgb[1] >= _WHITE and rgb[2] >= _WHITE:
                    white.append((obj, parent))
                elif not depth:
                    on_page.setdefault(rgb, []).append((obj, seq))
            elif kind == PATH:
                seq += 1
                paths.setdefault(parent, []).append(obj)
                order[obj] = seq
            elif kind == IMAGE:
                images_in.setdefault(parent, []).append(obj)
                if depth == 0:
                    images.append(obj)
            elif kind == FORM and depth < 4:
                if depth == 0:
                    forms.append(obj)
                stack.append((_F.FormGet, obj, _F.FormCount(obj), depth + 1))
    area = box.width * box.height
    image_boxes = [out.bounds(im) for im in images]
    box.figures = [g for g in image_boxes if 0.005 * area <= (g[2] - g[0]) * (g[3] - g[1]) <= 0.8 * area]
    top_paths = paths.get(page, [])
    if len(top_paths) >= _MIN_FIGURE_PATHS:
        box.figures += _path_clusters([out.bounds(p) for p in top_paths], box)
    if invisible:
        scans = [g for g in image_boxes if (g[2] - g[0]) * (g[3] - g[1]) >= 0.1 * area]
        suspicious.update(obj for obj in invisible if not _covers(scans, out.bounds(obj)))
    # Bounds of objects inside a form are in the form's space: compare each text only with the shapes and
    # images drawn in the same container.
    backgrounds: dict[int, list[Box]] = {}
    for obj, parent in white:
        if parent not in backgrounds:
            # images (a label on a photo or a plot: their colours are unknown here, so it counts as read) and
            # filled shapes dark enough to read white on; white on a light-grey box is not read
            backgrounds[parent] = [out.bounds(im) for im in images_in.get(parent, [])]
            backgrounds[parent] += [
                bounds
                for bounds, _, rgb in _filled_shapes(paths.get(parent, []), out, order, every=True)
                if _contrasts(rgb, (255, 255, 255))
            ]
        if not _covers(backgrounds[parent], out.bounds(obj)):
            suspicious.add(obj)
    # drawn straight on the page only: included figures (forms) fill their shapes with shadings and patterns
    # whose colour pdfium reports as black, so their labels would all look hidden
    if on_page:
        suspicious.update(_same_colour_as_background(on_page, _filled_shapes(paths.get(page, []), out, order), out))
    form_boxes = [out.bounds(f) for f in forms] if form_text else []
    return PageObjects(suspicious, len(images), form_boxes, form_text)


def _path_clusters(boxes: list[Box], page: PageLines, cell: float = 12.0) -> list[Box]:
    """Regions where many vector paths crowd together: charts and diagrams drawn without a form XObject.

    Marks the cells of a coarse grid under each path (thin rules skipped: they draw tables too), joins
    touching cells into regions and keeps those with many paths. Text in a region is figure text.

    A grid row is one integer, a bit per cell, so a path marks its cells with one ``|=`` per row, and the
    regions are joined from runs of marked cells rather than cell by cell: a chart with a large frame
    would otherwise cost a thousand cells per path. A path's cells form a rectangle, so the path belongs
    to the one region that holds its first cell.
    """
    cols = int(page.width / cell) + 1
    rows = int(page.height / cell) + 1
    limit = 0.5 * page.width * page.height
    bits = [0] * rows
    anchors: list[tuple[int, int, int]] = []  # (path, row, column of its first cell)
    left, bottom, last_col, last_row = page.left, page.bottom, cols - 1, rows - 1
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        # min() and max() written out (the same choices, NaN included): a chart has hundreds of paths
        w, h = x1 - x0, y1 - y0
        if (h if h < w else w) < 1.0 or w * h > limit:
            continue
        c0 = int((x0 - left) / cell)
        c0 = c0 if c0 > 0 else 0
        c1 = int((x1 - left) / cell)
        c1 = c1 if c1 < last_col else last_col
        r0 = int((y0 - bottom) / cell)
        r0 = r0 if r0 > 0 else 0
        r1 = int((y1 - bottom) / cell)
        r1 = r1 if r1 < last_row else last_row
        if c0 > c1 or r0 > r1:
            continue  # off the page: no cell
        mask = ((1 << (c1 - c0 + 1)) - 1) << c0
        for rr in range(r0, r1 + 1):
            bits[rr] |= mask
        anchors.append((i, r0, c0))
    if len(anchors) < _MIN_FIGURE_PATHS:
        return []
    # runs of marked cells per row, (first, last column), and a union-find over all runs
    runs: list[list[tuple[int, int, int]]] = []  # per row: (first, last, run id)
    parent: list[int] = []

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for rr in range(rows):
        row: list[tuple[int, int, int]] = []
        m = bits[rr]
        while m:
            first = (m & -m).bit_length() - 1
            t = m >> first
            n = (t ^ (t + 1)).bit_length() - 1  # the run's length: the trailing ones of t
            row.append((first, first + n - 1, len(parent)))
            parent.append(len(parent))
            m &= ~(((1 << n) - 1) << first)
        if rr:
            above = runs[rr - 1]
            j = 0
            for a0, a1, ka in row:
                while j < len(above) and above[j][1] < a0:
                    j += 1
                k = j
                while k < len(above) and above[k][0] <= a1:
                    ra, rb = find(ka), find(above[k][2])
                    if ra != rb:
                        parent[rb] = ra
                    k += 1
        runs.append(row)
    members: dict[int, list[int]] = {}  # region -> its paths, regions in the order of their first path
    for i, rr, cc in anchors:
        for a0, a1, ka in runs[rr]:
            if a0 <= cc <= a1:
                members.setdefault(find(ka), []).append(i)
                break
    regions: list[Box] = []
    for paths in members.values():
        if len(paths) < _MIN_FIGURE_PATHS:
            continue
        xs = [boxes[i] for i in paths]
        region = (min(b[0] for b in xs), min(b[1] for b in xs), max(b[2] for b in xs), max(b[3] for b in xs))
        if (region[2] - region[0]) * (region[3] - region[1]) >= 0.01 * page.width * page.height:
            regions.append(region)
    return regions


def _covers(boxes: list[Box], b: Box) -> bool:
    x, y = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return any(o[0] <= x <= o[2] and o[1] <= y <= o[3] for o in boxes)


# a filled shape smaller than this (arrowheads, markers, bars of a thin chart) cannot hide a line of text
_MIN_SHAPE_AREA = 40.0
_MAX_SHAPES = 400  # per container: a denser chart is a figure, not a background
# two colours are hard to tell apart when their luma differs by less than this (0..1): white on light grey
# (230) differs by 0.10, black on black by 0, black text on a light table shading by 0.9
_MIN_CONTRAST = 0.12
_MIN_DISTANCE = 100.0  # RGB distance (0..441): white on grey 230 is 43 apart, black on pure blue 255

Shape = tuple[Box, int, tuple[int, int, int]]  # bounds, place in the drawing order, fill colour


def _filled_shapes(paths: list[int], out: _Out, order: dict[int, int], every: bool = False) -> list[Shape]:
    """Filled paths large enough to be a background for text (``every``: of any size, however many), with
    their place in the drawing order and their colour."""
    shapes: list[Shape] = []
    fill_mode, stroke = ctypes.byref(out.fill_mode), ctypes.byref(out.stroke)
    for obj in paths:
        if not every:
            # size first: most filled paths are glyph-sized (chart markers, arrowheads), and the bounds of
            # the page's paths are already known from the figure pass
            bounds = out.bounds(obj)
            if (bounds[2] - bounds[0]) * (bounds[3] - bounds[1]) < _MIN_SHAPE_AREA:
                continue
        if not _F.DrawMode(obj, fill_mode, stroke) or not out.fill_mode.value:
            continue
        r, g, b, a = out.colour(obj)
        if a == 0:
            continue
        if every:
            bounds = out.bounds(obj)
        shapes.append((bounds, order.get(obj, 0), (r, g, b)))
        if not every and len(shapes) > _MAX_SHAPES:
            return []
    return shapes


def _luma(rgb: tuple[int, int, int]) -> float:
    return (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255


def _contrasts(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    """Readable one on the other: lumas apart, or hues apart (black on a saturated blue box is read)."""
    distance = sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5
    return abs(_luma(a) - _luma(b)) >= _MIN_CONTRAST or distance >= _MIN_DISTANCE


def _beneath(shapes: list[Shape], box: Box, place: int) -> Shape | None:
    """The topmost shape drawn before the text (``place``) that covers the text's centre."""
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    best: Shape | None = None
    for shape in shapes:
        (x0, y0, x1, y1), at, _ = shape
        if at < place and x0 <= x <= x1 and y0 <= y <= y1 and (best is None or at > best[1]):
            best = shape
    return best


def _same_colour_as_background(
    texts: dict[tuple[int, int, int], list[tuple[int, int]]], shapes: list[Shape], out: _Out
) -> set[int]:
    """Text drawn on a filled shape of (nearly) its own colour: black on a black box, grey on grey.

    ``texts`` holds (text, place in the drawing order) by colour. Only text whose colour is close to some
    background's colour is measured, so a page of black text with no dark boxes costs nothing beyond the
    scan; the test is made once per colour, and a page has thousands of texts in a few colours."""
    hidden: set[int] = set()
    if not shapes:
        return hidden
    tones = {rgb for _, _, rgb in shapes}
    for rgb, placed in texts.items():
        if all(_contrasts(rgb, tone) for tone in tones):
            continue
        for obj, place in placed:
            shape = _beneath(shapes, out.bounds(obj), place)
            if shape is not None and not _contrasts(shape[2], rgb):
                hidden.add(obj)
    return hidden


# --------------------------------------------------------------------------------------------------
# Lines


def _unsurrogate(text: str) -> str:
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", errors="replace")


class _Extractor:
    """Split one text page into ``Line``s; set hidden characters aside."""

    def __init__(self, tp: int, box: PageLines, objects: PageObjects) -> None:
        self.tp = tp
        self.box = box
        self.suspicious = objects.suspicious
        self.forms = objects.forms
        self.form_text = objects.form_text
        self.rect = pdfium_c.FS_RECTF()
        self.rect_p = ctypes.byref(self.rect)
        self.matrix = pdfium_c.FS_MATRIX()
        self.matrix_p = ctypes.byref(self.matrix)
        self.flags = ctypes.c_int()
        self.name = ctypes.create_string_buffer(96)
        self.surrogates = False
        self.hidden_runs: list[str] = []
        self.maybe_heading: list[tuple[Line, int]] = []

    def run(self) -> PageText:
        n = _F.CountChars(self.tp)
        result = PageText(self.box)
        if n <= 0:
            return result
        text = self._text(n)
        hidden = self._hidden_positions(n) if self.suspicious else set()
        lines = result.page.lines
        offset = 0
        for raw in text.split("\r\n"):
            start = offset
            offset += len(raw) + 2
            if not raw or raw.isspace():
                continue
            if hidden:
                raw = self._drop_hidden(raw, start, hidden)
                if not raw or raw.isspace():
                    continue
            self._add_line(raw, start, lines)
        self._mark_bold(lines)
        result.chars = sum(len(ln.text) for ln in lines)
        result.hidden = [
            Paragraph(t, self.box.number, "", "text")
            for t in (collapse_spaces(clean_chars(_unsurrogate(h))) for h in self.hidden_runs)
            if t
        ]
        return result

    def _text(self, n: int) -> str:
        """The page text with one Python character per pdfium character, so that indices coincide.

        pdfium keeps an astral character (math italic letters) as two characters, its UTF-16
        surrogates, and its text has one unit per character. Where the lengths differ (it drops some
        characters from the text, e.g. double-struck letters, and then maps text to characters wrongly)
        or a spot check fails, the text is rebuilt from the characters themselves: about 2 µs a
        character, on a few pages in a hundred.
        """
        tp = self.tp
        buf = (ctypes.c_ushort * (2 * n + 64))()  # pdfium may insert characters (crbug.com/pdfium/2079)
        got = min(_F.GetText(tp, 0, n, buf), len(buf)) - 1
        if got <= 0:
            return ""
        text = bytes(memoryview(buf).cast("B")[: got * 2]).decode("utf-16-le", errors="surrogatepass")
        if len(text) != got:  # the decoder paired surrogates up: keep them apart, as pdfium does
            text = "".join(map(chr, buf[:got]))
        unicode = _F.GetUnicode
        probes = (n // 3, n // 2, (2 * n) // 3, n - 1)
        if got != n or any(unicode(tp, c) != ord(text[c]) and text[c] != "\ufffe" for c in probes):
            text = "".join([chr(unicode(tp, c)) for c in range(n)])
            # A line-end hyphen that pdfium joined is U+FFFE in its text but "\x02" (older builds: "-") as a
            # character; left as "\x02" it would become a space and split the word ("inter mediate").
            hyphens = [m.start() for m in _HYPHEN_CHAR.finditer(text) if _F.IsHyphen(tp, m.start())]
            if hyphens:
                chars = list(text)
                for c in hyphens:
                    chars[c] = "\ufffe"
                text = "".join(chars)
        self.surrogates = _SURROGATE.search(text) is not None
        return text

    def _hidden_positions(self, n: int) -> set[int]:
        """Indices of the characters that belong to suspicious text objects."""
        tp, get_obj, suspicious = self.tp, _F.GetTextObject, self.suspicious
        return {c for c in range(n) if get_obj(tp, c) in suspicious}

    def _drop_hidden(self, raw: str, start: int, hidden: set[int]) -> str:
        kept: list[str] = []
        run: list[str] = []
        for k, ch in enumerate(raw):
            if start + k in hidden:
                run.append(ch)
                continue
            if run and not ch.isspace():
                self.hidden_runs.append("".join(run))
                run = []
            kept.append(ch)
        if run:
            self.hidden_runs.append("".join(run))
        return "".join(kept)

    def _box(self, c: int) -> Box:
        _F.GetLooseCharBox(self.tp, c, self.rect_p)
        r = self.rect
        return r.left, r.bottom, r.right, r.top

    def _add_line(self, raw: str, start: int, out: list[Line]) -> None:
        """Measure one pdfium line (six pdfium calls) and append it to ``out``, unless it is hidden."""
        stripped = raw.strip()
        if not stripped:
            return
        tp, rect, rect_p = self.tp, self.rect, self.rect_p
        lead = raw.index(stripped[0])
        end = lead + len(stripped)
        mid = lead + (end - lead) // 2
        if raw[mid].isspace():
            mid = lead
        c0, c1, cm = start + lead, start + end - 1, start + mid
        _F.GetLooseCharBox(tp, c0, rect_p)
        x0, base, top = rect.left, rect.bottom, rect.top
        _F.GetLooseCharBox(tp, c1, rect_p)
        x1, end_base = rect.right, rect.bottom
        # Font size of a middle character times the scale of its matrix (Quartz writes 1 pt fonts and
        # scales them); the loose box height is no substitute, some fonts report odd ascents.
        _F.GetMatrix(tp, cm, self.matrix_p)
        m = self.matrix
        if abs(m.b) > abs(m.a) + 1e-3 or m.a < 0:
            return  # rotated or mirrored: margin stamps (arXiv ids), axis labels
        size = _F.GetFontSize(tp, cm) * (math.hypot(m.c, m.d) or 1.0)
        if size < _TINY_PT and top - base >= _TINY_PT:  # pdfium gives its own inserted chars 1 pt
            _F.GetMatrix(tp, c0, self.matrix_p)
            size = max(size, _F.GetFontSize(tp, c0) * (math.hypot(m.c, m.d) or 1.0))
        box = self.box
        if x1 < box.left or x0 > box.right or top < box.bottom or base > box.top or size < _TINY_PT:
            self.hidden_runs.append(stripped)
            return
        if x0 < box.left - 1 or x1 > box.right + 1:
            raw = self._clip_outside(raw, start)
            stripped = raw.strip()
            if not stripped:
                return
        if self.surrogates and _SURROGATE.search(stripped):
            stripped = _unsurrogate(stripped)
        text = clean_chars(stripped)
        if not text:
            return  # only characters that clean-up removes (zero-width marks): nothing to read
        line = Line(text, box.number, x0, x1, top, base, end_base, size)
        forms = self.forms
        if forms and _covers(forms, (x0, base, x1, top)) and _F.GetTextObject(tp, cm) in self.form_text:
            line.role = FIGURE  # drawn inside an included graphic
        first = text[0]
        if len(text) <= 100 and (first.isupper() or first.isdigit()) and text[-1] not in ".,;":
            self.maybe_heading.append((line, cm))
        if x0 < (box.left + box.right) / 2 < x1 and x1 - x0 > 0.35 * box.width:
            parts = self._split_at_gutter(raw, start, line)
            if parts:
                out.extend(parts)
                return
        out.append(line)

    def _mark_bold(self, lines: list[Line]) -> None:
        """Ask for the font weight only of lines that ``layout`` might take for headings."""
        if not self.maybe_heading:
            return
        sizes: Counter[float] = Counter()
        for ln in lines:
            sizes[round(ln.size * 2) / 2] += len(ln.text)
        larger = sizes.most_common(1)[0][0] + 0.8
        for line, c in self.maybe_heading:
            text = line.text
            if line.size >= larger or heading_level(text) or is_known_section(text) or is_all_caps(text):
                line.bold = self._bold(c)

    def _bold(self, c: int) -> bool:
        if _F.GetFontWeight(self.tp, c) >= 600:
            return True
        got = _F.GetFontInfo(self.tp, c, self.name, len(self.name), ctypes.byref(self.flags))
        if self.flags.value & _FORCE_BOLD:
            return True
        if got <= 0:
            return False
        name = self.name.value.decode("latin-1", errors="replace").split("+", 1)[-1]
        return _BOLD_NAME.search(name) is not None

    def _clip_outside(self, raw: str, start: int) -> str:
        box = self.box
        kept: list[str] = []
        run: list[str] = []
        for k, ch in enumerate(raw):
            if ch.isspace():
                kept.append(ch)
                continue
            x0, y0, x1, y1 = self._box(start + k)
            if x1 < box.left or x0 > box.right or y1 < box.bottom or y0 > box.top:
                run.append(ch)
            else:
                kept.append(ch)
        if run:
            self.hidden_runs.append("".join(run))
        return "".join(kept)

    def _split_at_gutter(self, raw: str, start: int, line: Line) -> list[Line] | None:
        """Split a line that spans two columns written row by row (a wide gap near the page middle).

        A character at the page middle on the line's height means there is no gutter. pdfium's hit test
        for it walks every character of the page (some 30 µs), so it is asked only once the line's own
        rectangles show a wide gap; most lines that cross the middle (one-column pages) have none."""
        tp, box = self.tp, self.box
        stripped = raw.strip()
        lead = raw.index(stripped[0])
        c0 = start + lead
        c1 = start + lead + len(stripped) - 1
        n_rects = _F.CountRects(tp, c0, c1 - c0 + 1)
        if n_rects < 2:
            return None
        lft, top, rgt, bot = (ctypes.c_double() for _ in range(4))
        rects: list[tuple[float, float, float]] = []
        for k in range(n_rects):
            _F.GetRect(tp, k, ctypes.byref(lft), ctypes.byref(top), ctypes.byref(rgt), ctypes.byref(bot))
            rects.append((lft.value, rgt.value, (top.value + bot.value) / 2))
        lo, hi = box.left + 0.3 * box.width, box.left + 0.7 * box.width
        for (_, r0, y0), (l1, _, _) in zip(rects, rects[1:], strict=False):
            if l1 - r0 >= max(1.2 * line.size, 10.0) and r0 <= hi and l1 >= lo:
                if _F.CharAtPos(tp, (box.left + box.right) / 2, (line.base + line.top) / 2, 4.0, 1.0) >= 0:
                    return None
                c = _F.CharAtPos(tp, l1 + 0.5, y0, 1.0, 1.0)
                if c < 0:
                    return None
                k = c - start
                if not 0 < k < len(raw):
                    return None
                parts: list[Line] = []
                self._add_line(raw[:k], start, parts)
                self._add_line(raw[k:], start + k, parts)
                return parts if len(parts) == 2 else None
        return None

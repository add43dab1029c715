"""Read a PDF with pypdfium2 into a ``Document``, mapping every failure to one ``InputError``.

Follows pdfium's view of the file: ``pdfpage.py`` extracts each page's lines and hidden text, and
``layout.py`` orders them into paragraphs. Errors: a wrong password or unsupported security handler is
``EncryptedPDFError`` (advice: ``qpdf --decrypt``); a file pdfium cannot parse, a page that will not load,
or a file without its ``%%EOF`` marker (truncated: pdfium would quietly rebuild what is left) is
``CorruptDocumentError``; images with (almost) no text is ``NoTextLayerError`` (advice: ``ocrmypdf``);
no visible text at all is ``EmptyDocumentError``; more pages than ``Limits.max_pages`` is
``DocumentTooLargeError``, checked before any page is read.

pdfium calls are serialised by a lock, so threads may call ``read_pdf`` at once (one runs at a time).

Leaves out: PDF forms and annotations (their text is not read), attachments, and passwords (an encrypted
file is refused, never opened with a guessed password; an owner-password-only file opens normally).
"""

from __future__ import annotations

import re
import shlex
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from tensora.errors import (
    CorruptDocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    EncryptedPDFError,
    NoTextLayerError,
)
from tensora.ingest.assemble import assemble
from tensora.ingest.document import Document
from tensora.ingest.layout import PageLines, build_layout
from tensora.ingest.limits import Limits
from tensora.ingest.normalize import collapse_spaces
from tensora.ingest.pdfpage import PageText, handle, read_page

# pdfium is not thread-safe (pypdfium2 says so); the web UI and the MCP server may read in threads.
_PDFIUM_LOCK = threading.Lock()


def read_pdf(path: Path, limits: Limits) -> Document:
    """Read ``path`` (already known to start with ``%PDF-``) into a ``Document``."""
    _check_inflation(path, limits)
    with _PDFIUM_LOCK, _opened(path) as pdf:
        try:
            n_pages = len(pdf)
        except pdfium.PdfiumError as exc:
            raise _corrupt(path, exc) from None
        if n_pages > limits.max_pages:
            raise DocumentTooLargeError(
                path,
                f"{n_pages} pages, over the limit of {limits.max_pages}",
                "raise it with --max-pages (Limits(max_pages=...) in Python) if this is the right file.",
            )
        results = [_read_page(pdf, i, path) for i in range(n_pages)]
        meta_title = _metadata_title(pdf)
    _check_truncated(path)
    return _document(path, results, meta_title)


_CHUNK = 1 << 20
_MAX_DEFLATE_RATIO = 1032  # deflate's limit, from zlib.net/zlib_tech.html: the most one input byte inflates to
_FONT = re.compile(rb"/Length[123]\b|/FontFile|/Type1C|/CIDFontType0C|/OpenType")


def _check_inflation(path: Path, limits: Limits) -> None:
    """Refuse a PDF whose Flate-compressed streams inflate past ``limits.max_inflated_bytes``, before pdfium
    holds them in memory. Images are skipped (text extraction never decodes them); output is counted in 1 MB
    chunks and discarded, so the check itself stays small. A stream that is not zlib data is skipped.

    Deflate inflates at most 1032 bytes per input byte (a 258-byte match coded in two bits), so once what
    is left could not reach the limit even at that ratio the rest is not inflated; the largest streams go
    first so that this point comes early. A typical paper is settled after half its content streams:
    about 5-25 ms for a 2 MB paper."""
    try:
        data = path.read_bytes()
    except OSError:
        return  # the reader below reports it
    spans: list[tuple[int, int]] = []
    for start, body in _streams(data):
        head = data[max(0, start - 512) : start]
        head = head[head.rfind(b"<<") :] if b"<<" in head else head
        if b"/FlateDecode" not in head and b"/Fl " not in head and b"/Fl/" not in head and b"/Fl]" not in head:
            continue
        if b"/Image" in head or _FONT.search(head):
            continue  # text extraction never decodes images, and fonts hold glyphs, not page content
        end = data.find(b"endstream", body)
        spans.append((body, end if end >= 0 else len(data)))
    spans.sort(key=lambda span: span[0] - span[1])  # largest first; a stable sort keeps ties in file order
    left = sum(end - body for body, end in spans)
    total = 0
    for body, end in spans:
        if total + _MAX_DEFLATE_RATIO * left <= limits.max_inflated_bytes:
            return  # the rest cannot reach the limit
        left -= end - body
        inflater = zlib.decompressobj()
        pending = data[body:end]
        try:
            while pending and not inflater.eof:
                total += len(inflater.decompress(pending, _CHUNK))
                pending = inflater.unconsumed_tail
                if total > limits.max_inflated_bytes:
                    raise DocumentTooLargeError(
                        path,
                        f"its compressed page content inflates past {limits.max_inflated_bytes / 1e6:g} MB "
                        "(a decompression bomb, or an extraordinarily heavy document)",
                        "if this is the right file, raise Limits(max_inflated_bytes=...) in Python.",
                    )
        except zlib.error:
            continue


def _streams(data: bytes) -> Iterator[tuple[int, int]]:
    """(keyword offset, data offset) of every ``stream`` keyword that opens a stream (not ``endstream``).

    A plain ``find`` loop: a regular expression with a look-behind scans a 2 MB file ten times slower."""
    at = data.find(b"stream")
    while at >= 0:
        after = at + 6
        if data[at - 3 : at] != b"end" and data[after : after + 1] in (b"\r", b"\n"):
            yield at, after + (2 if data[after : after + 2] == b"\r\n" else 1)
        at = data.find(b"stream", after)


@contextmanager
def _opened(path: Path) -> Iterator[Any]:
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            name = shlex.quote(path.name)
            raise EncryptedPDFError(
                path,
                "the PDF is encrypted (password-protected)",
                f"decrypt it first, e.g. qpdf --decrypt --password=PASSWORD {name} decrypted.pdf.",
            ) from None
        if code == pdfium_c.FPDF_ERR_FILE:
            raise CorruptDocumentError(path, "the file cannot be opened", "check that it is readable.") from None
        raise _corrupt(path, exc) from None
    try:
        yield pdf
    finally:
        pdf.close()


def _corrupt(path: Path, exc: Exception | None = None, what: str = "damaged PDF") -> CorruptDocumentError:
    detail = ""
    if exc is not None:
        m = re.search(r"PDFium: ([^)]+)", str(exc))
        detail = f" ({m.group(1).lower()})" if m else ""
    return CorruptDocumentError(
        path,
        f"{what}: it cannot be parsed{detail}",
        "re-export or re-download it; `qpdf --check` shows what is wrong.",
    )


def _check_truncated(path: Path) -> None:
    """pdfium quietly rebuilds a PDF that lost its tail; a missing ``%%EOF`` means pages may be gone."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 2048))
            tail = fh.read()
    except OSError:
        return
    if b"%%EOF" not in tail:
        raise CorruptDocumentError(
            path,
            "truncated PDF: the end-of-file marker is missing, so pages may be lost",
            "re-export or re-download it; `qpdf --check` shows what is wrong.",
        )


def _metadata_title(pdf: Any) -> str:
    try:
        title = pdf.get_metadata_value("Title")
    except (pdfium.PdfiumError, KeyError, ValueError):
        return ""
    return collapse_spaces(str(title or ""))


def _read_page(pdf: Any, index: int, path: Path) -> PageText:
    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        raise _corrupt(path, exc, f"damaged PDF: page {index + 1}") from None
    try:
        left, bottom, right, top = page.get_cropbox()
        box = PageLines(index + 1, float(left), float(bottom), float(right), float(top))
        try:
            textpage = page.get_textpage()
        except pdfium.PdfiumError as exc:
            raise _corrupt(path, exc, f"damaged PDF: page {index + 1}") from None
        try:
            return read_page(handle(page.raw), handle(textpage.raw), box)
        finally:
            textpage.close()
    finally:
        page.close()


# --------------------------------------------------------------------------------------------------
# The document


def _document(path: Path, results: list[PageText], meta_title: str) -> Document:
    n_pages = len(results)
    chars = sum(r.chars for r in results)
    hidden = [p for r in results for p in r.hidden]
    if chars < 20 * n_pages and any(r.images for r in results) and not hidden:
        if chars == 0 or sum(1 for r in results if r.images and r.chars < 20) >= max(1, n_pages // 2):
            name = shlex.quote(path.name)
            raise NoTextLayerError(
                path, "no text layer (a scanned PDF?)", f"run OCR first, e.g. ocrmypdf {name} out.pdf."
            )
    if chars == 0:
        what = "only hidden text" if hidden else "no text"
        raise EmptyDocumentError(
            path,
            f"{what} on {n_pages} page{'s' if n_pages != 1 else ''}",
            "check that this is the right file.",
        )
    layout = build_layout([r.page for r in results])
    if not layout.blocks:
        raise EmptyDocumentError(path, "no readable text", "check that this is the right file.")
    title = layout.title or (meta_title if len(meta_title.split()) >= 3 else "")
    return assemble(
        path,
        "pdf",
        layout.blocks,
        title=title,
        pages=n_pages,
        hidden=hidden,
        figure_text=layout.figure_text,
    )

"""Decide what kind of document a path holds, and refuse what tensora cannot read.

Follows the file's content before its name: a PDF is a file that starts with ``%PDF-``, or carries it within
its first kilobyte after non-text bytes (a header some tools prepend, which PDF readers accept); a Markdown or
text file that only quotes ``%PDF-`` stays text. A file named ``.pdf`` that is not one is refused with what it
looks like (HTML from a failed download, a Word file). Text is read as UTF-8 (with or without BOM; a few
invalid bytes become U+FFFD instead of switching the whole file to another encoding), UTF-16 with a BOM or
recognised by its zero bytes, then Windows-1252. A text file without a known suffix is LaTeX when it has
``\\documentclass`` or ``\\begin{document}``, Markdown when it has ``#`` headings, else plain text.

Does not look inside archives (``.zip``, ``.tar``) or read Word, ODT, HTML, RTF or PostScript.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Literal

from tensora.errors import (
    DocumentNotFoundError,
    DocumentTooLargeError,
    EmptyDocumentError,
    InputError,
    UnsupportedFormatError,
)
from tensora.ingest.limits import Limits

Format = Literal["pdf", "markdown", "latex", "text"]

SUPPORTED = "PDF (.pdf), Markdown (.md, .markdown), LaTeX source (.tex) and plain text (.txt)"
_SUFFIXES: dict[str, Format] = {
    ".pdf": "pdf",
    ".md": "markdown",
    ".markdown": "markdown",
    ".tex": "latex",
    ".latex": "latex",
    ".txt": "text",
    ".text": "text",
}
_MAGIC: list[tuple[bytes, str, str]] = [
    (b"PK\x03\x04", "a ZIP archive (a .docx, .odt or .pptx file?)", "export it to PDF first"),
    (b"\xd0\xcf\x11\xe0", "a legacy Microsoft Office file (.doc?)", "export it to PDF first"),
    (b"{\\rtf", "an RTF document", "export it to PDF first"),
    (b"%!PS", "a PostScript file", "convert it with ps2pdf first"),
    (b"\x89PNG", "a PNG image", "OCR it into a PDF first, e.g. with ocrmypdf"),
    (b"\xff\xd8\xff", "a JPEG image", "OCR it into a PDF first, e.g. with ocrmypdf"),
    (b"GIF8", "a GIF image", "OCR it into a PDF first, e.g. with ocrmypdf"),
    (b"II*\x00", "a TIFF image", "OCR it into a PDF first, e.g. with ocrmypdf"),
    (b"MM\x00*", "a TIFF image", "OCR it into a PDF first, e.g. with ocrmypdf"),
    (b"\x1f\x8b", "a gzip archive", "decompress it first"),
    (b"7z\xbc\xaf", "a 7-Zip archive", "extract it first"),
    (b"Rar!", "a RAR archive", "extract it first"),
]
_LATEX_HINT = re.compile(rb"\\documentclass|\\begin\{document\}|\\section\*?\{")
_MD_HINT = re.compile(rb"(?m)^#{1,6} \S")
_HTML_HINT = re.compile(rb"^\s*(?:<!doctype html|<html|<\?xml)", re.IGNORECASE)


def check_file(path: Path, limits: Limits) -> int:
    """Check that ``path`` is a readable, non-empty file within the size limit; return its size."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DocumentNotFoundError(path, "no such file", "check the path.") from None
    except PermissionError:
        raise InputError(path, "cannot be read (permission denied)", "check the file's permissions.") from None
    except OSError as exc:
        raise DocumentNotFoundError(path, f"cannot be opened ({exc.strerror})", "check the path.") from None
    if path.is_dir():
        raise DocumentNotFoundError(path, "is a directory, not a file", f"pass one document: {SUPPORTED}.")
    if not path.is_file():
        raise DocumentNotFoundError(path, "is not a regular file", f"pass one document: {SUPPORTED}.")
    if st.st_size == 0:
        raise EmptyDocumentError(path, "the file is empty (0 bytes)", "check that this is the right file.")
    if st.st_size > limits.max_bytes:
        raise DocumentTooLargeError(
            path,
            f"{st.st_size / 1e6:.3g} MB, over the limit of {limits.max_mb:g} MB",
            "raise it with --max-mb (Limits(max_bytes=...) in Python) if this is the right file.",
        )
    return st.st_size


CHARS_PER_PAGE = 4000  # a dense page of a two-column paper


def check_text_length(path: Path, chars: int, limits: Limits) -> None:
    """Refuse a document whose text is longer than ``limits.max_chars``: its audit would take minutes."""
    if chars > limits.max_chars:
        raise DocumentTooLargeError(
            path,
            f"{chars:,} characters of text, over the limit of {limits.max_chars:,} "
            f"(about {max(1, round(limits.max_chars / CHARS_PER_PAGE))} pages)",
            "raise it with --max-chars (Limits(max_chars=...) in Python) if this is the right file.",
        )


def read_head(path: Path, size: int = 8192) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except PermissionError:
        raise InputError(path, "cannot be read (permission denied)", "check the file's permissions.") from None
    except OSError as exc:
        raise DocumentNotFoundError(path, f"cannot be read ({exc.strerror})", "check the path.") from None


def sniff(path: Path, head: bytes) -> Format:
    """The format of a file whose first bytes are ``head``; raises ``UnsupportedFormatError`` otherwise."""
    suffix = path.suffix.lower()
    if _is_pdf(head, suffix):
        return "pdf"
    for magic, what, advice in _MAGIC:
        if head.startswith(magic):
            raise UnsupportedFormatError(
                path, f"not a supported document: it is {what}", f"{advice}; tensora reads {SUPPORTED}."
            )
    if suffix == ".pdf":
        looks = "HTML (a failed download?)" if _HTML_HINT.match(head) else "something else"
        raise UnsupportedFormatError(
            path,
            f"named .pdf but not a PDF (no %PDF- header; it looks like {looks})",
            "download or export it again.",
        )
    if not is_text(head):
        raise UnsupportedFormatError(
            path, "not a supported document: binary data of unknown type", f"tensora reads {SUPPORTED}."
        )
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if _HTML_HINT.match(head):
        raise UnsupportedFormatError(
            path,
            "not a supported document: it is HTML",
            f"save it as PDF or text; tensora reads {SUPPORTED}.",
        )
    if _LATEX_HINT.search(head):
        return "latex"
    if _MD_HINT.search(head):
        return "markdown"
    return "text"


def _is_pdf(head: bytes, suffix: str) -> bool:
    at = head.find(b"%PDF-", 0, 1024)
    if at < 0:
        return False
    if at == 0 or suffix == ".pdf":
        return True
    # "%PDF-" quoted inside a text document is not a PDF header; blank lines or junk bytes before it are
    prefix = head[:at]
    return suffix not in _SUFFIXES and (not prefix.strip() or not is_text(prefix))


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when every other byte is zero, as in ASCII-range UTF-16 text; else None."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def is_text(head: bytes) -> bool:
    """Whether the first bytes of a file look like text in some encoding we read."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(head):
        return True
    if b"\x00" in head:
        return False
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control <= max(2, len(head) // 100)


def decode(path: Path, data: bytes) -> str:
    """Text of a file: UTF-16 (BOM, or zero bytes), UTF-8 (BOM or not, a few bad bytes replaced), else
    Windows-1252, else Latin-1."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    utf16 = _utf16_without_bom(data[:8192])
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # a UTF-8 file with a stray byte stays UTF-8 (its "×" and "—" must not turn into mojibake): a file that
    # holds valid multi-byte UTF-8 and fewer bad bytes than good characters is UTF-8 with the bad bytes replaced
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd")
    wide = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    if wide > 0 and bad <= wide:
        return text
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")

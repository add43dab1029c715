"""Uploaded documents: bounded, typed by content, stored under names the server chooses.

An upload is streamed to ``<session folder>/draft.<ext>`` or ``baseline.<ext>``, counting bytes and stopping one
past ``Limits.max_bytes``; the extension comes from the format that ``tensora.ingest.sniff`` finds in the
content (the user's file name only contributes its suffix, from the supported list, so that a ``.pdf`` that is
not a PDF is refused the way the command line refuses it). The user's file name is kept for display only,
stripped of folders and control characters; it is never part of a path. Page limits are enforced later, when
the review reads the PDF with the same ``Limits``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from tensora.errors import DocumentTooLargeError, EmptyDocumentError, InputError
from tensora.ingest import Limits
from tensora.ingest.sniff import sniff

EXTENSIONS = {"pdf": ".pdf", "markdown": ".md", "latex": ".tex", "text": ".txt"}
_KNOWN_SUFFIXES = {".pdf", ".md", ".markdown", ".tex", ".latex", ".txt", ".text"}
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Upload:
    """A stored upload: where the server put it, and the name the user gave it (for display only)."""

    role: str
    path: Path
    display: str
    size: int


def display_name(raw: str | None, fallback: str) -> str:
    """The last component of a client-sent file name, printable and at most 80 characters."""
    text = raw or ""
    name = PureWindowsPath(PurePosixPath(text).name).name  # drop folders of either convention
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    name = re.sub(r"\s+", " ", name)
    if len(name) > 80:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[:70] + "…." + suffix) if dot and len(suffix) <= 8 else name[:79] + "…"
    return name or fallback


def _suffix(display: str) -> str:
    suffix = PurePosixPath(display).suffix.lower()
    return suffix if suffix in _KNOWN_SUFFIXES else ""


def save_upload(stream: BinaryIO, filename: str | None, role: str, folder: Path, limits: Limits) -> Upload:
    """Copy ``stream`` into ``folder`` as ``role`` + the extension of its sniffed format.

    Raises an ``InputError`` naming the user's file (never the server's path) when the upload is empty, over
    the size limit, or not a document tensora reads.
    """
    display = display_name(filename, f"the {role}")
    partial = folder / f"{role}.upload"
    size = 0
    head = b""
    with partial.open("wb") as out:
        while True:
            block = stream.read(_CHUNK)
            if not block:
                break
            size += len(block)
            if size > limits.max_bytes:
                out.close()
                partial.unlink(missing_ok=True)
                raise DocumentTooLargeError(
                    display,
                    f"over the limit of {limits.max_mb:g} MB per document",
                    "upload a smaller file, or start the server with a larger --max-mb.",
                )
            if len(head) < 8192:
                head += block[: 8192 - len(head)]
            out.write(block)
    if size == 0:
        partial.unlink(missing_ok=True)
        raise EmptyDocumentError(display, "the file is empty (0 bytes)", "choose the right file.")
    try:
        fmt = sniff(Path("upload" + _suffix(display)), head)
    except InputError as exc:
        partial.unlink(missing_ok=True)
        raise type(exc)(display, exc.problem, exc.advice) from None
    final = folder / f"{role}{EXTENSIONS[fmt]}"
    partial.replace(final)
    return Upload(role, final, display, size)


def user_message(exc: InputError, names: dict[str, str]) -> str:
    """An ``InputError`` raised on a stored upload, reworded with the user's file name instead of the path."""
    name = names.get(exc.path, Path(exc.path).name)
    advice = exc.advice
    if "--max-chars" in advice:
        advice = "upload a shorter document (the text limit is fixed in the server)."
    elif "--max-" in advice or "Limits(" in advice:
        advice = "upload a smaller document, or start the server with larger --max-mb / --max-pages."
    text = f"{name}: {exc.problem}"
    return f"{text}; {advice}" if advice else text

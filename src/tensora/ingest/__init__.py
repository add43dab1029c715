"""Ingestion: PDF, Markdown, LaTeX source or plain text into a ``Document``.

``load_document(path)`` checks the file (exists, is a file, within ``Limits``), sniffs its format from its
content (``%PDF-`` magic first, then the suffix, then the text itself) and hands it to one reader:
``pdf.py`` (pypdfium2, with ``layout.py`` for reading order and paragraphs), ``markdown.py``, ``latex.py``
or ``text.py``. A text longer than ``Limits.max_chars`` is refused: a source file before it is parsed and
again after (LaTeX macros expand), a PDF once its text layer is read. Every problem a user can cause is
raised as one ``InputError`` subclass with a one-line message; no library exception escapes.
"""

from __future__ import annotations

from pathlib import Path

from tensora.errors import EmptyDocumentError, InputError
from tensora.ingest.document import Document, Paragraph, ParagraphKind, Section
from tensora.ingest.latex import read_latex
from tensora.ingest.limits import Limits
from tensora.ingest.markdown import read_markdown
from tensora.ingest.sniff import SUPPORTED, check_file, check_text_length, decode, read_head, sniff
from tensora.ingest.text import read_text

__all__ = [
    "SUPPORTED",
    "Document",
    "Limits",
    "Paragraph",
    "ParagraphKind",
    "Section",
    "load_document",
]


def load_document(path: str | Path, *, limits: Limits | None = None) -> Document:
    """Read a document into paragraphs with page numbers, section titles and kinds.

    Raises an ``InputError`` subclass for anything wrong with the input: ``DocumentNotFoundError``,
    ``UnsupportedFormatError``, ``EncryptedPDFError``, ``NoTextLayerError``, ``EmptyDocumentError``,
    ``DocumentTooLargeError`` or ``CorruptDocumentError``.

    Example: load_document("draft.pdf").paragraphs[0] -> Paragraph(text="...", page=1, ...)
    """
    limits = limits or Limits()
    p = Path(path).expanduser()
    check_file(p, limits)
    fmt = sniff(p, read_head(p))
    if fmt == "pdf":
        from tensora.ingest.pdf import read_pdf  # pypdfium2 loads only when a PDF is read

        doc = read_pdf(p, limits)
        check_text_length(p, sum(len(q.text) for q in doc.paragraphs), limits)
        return doc
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(p, f"cannot be read ({exc.strerror})", "check the path and permissions.") from None
    text = decode(p, data)
    check_text_length(p, len(text), limits)  # before parsing: a parser's time grows with the text too
    if not text.strip():
        raise EmptyDocumentError(p, "the file holds only whitespace", "check that this is the right file.")
    if fmt == "markdown":
        doc = read_markdown(p, text)
    elif fmt == "latex":
        doc = read_latex(p, text)
    else:
        doc = read_text(p, text)
    if not doc.paragraphs:
        raise EmptyDocumentError(p, "no readable text in it", "check that this is the right file.")
    check_text_length(p, sum(len(q.text) for q in doc.paragraphs), limits)  # LaTeX macros can add text
    return doc

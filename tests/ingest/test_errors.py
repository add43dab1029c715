"""Every bad input is one specific InputError with a one-line message: never a library traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tensora.errors import (
    CorruptDocumentError,
    DocumentNotFoundError,
    DocumentTooLargeError,
    EmptyDocumentError,
    EncryptedPDFError,
    InputError,
    NoTextLayerError,
    UnsupportedFormatError,
)
from tensora.ingest import Limits, load_document

from .synthetic import simple_pdf

PdfFactory = Callable[[str], Path]


def fails(path: Path, cls: type[InputError], *needles: str, limits: Limits | None = None) -> InputError:
    with pytest.raises(cls) as info:
        load_document(path, limits=limits)
    err = info.value
    message = str(err)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    for needle in needles:
        assert needle in message, message
    return err


def test_missing_file(tmp_path: Path) -> None:
    fails(tmp_path / "nope.pdf", DocumentNotFoundError, "no such file", "check the path")


def test_directory(tmp_path: Path) -> None:
    fails(tmp_path, DocumentNotFoundError, "is a directory", "PDF")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_bytes(b"")
    fails(path, EmptyDocumentError, "empty")


def test_whitespace_only_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("  \n\n \t\n")
    fails(path, EmptyDocumentError)


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("draft.docx", b"PK\x03\x04" + b"\x00" * 100, "ZIP archive"),
        ("figure.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG image"),
        ("blob.bin", bytes(range(256)) * 4, "binary data"),
        ("paper.pdf", b"<!DOCTYPE html><html><body>Not found</body></html>", "HTML"),
        ("paper.pdf", b"just some text, no PDF header", "not a PDF"),
    ],
)
def test_unsupported_formats(tmp_path: Path, name: str, data: bytes, needle: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    err = fails(path, UnsupportedFormatError, needle)
    if not name.endswith(".pdf"):
        assert "PDF (.pdf), Markdown (.md, .markdown), LaTeX source (.tex) and plain text (.txt)" in str(err)


def test_pdf_sniffed_by_magic_not_suffix(tmp_path: Path) -> None:
    path = simple_pdf(tmp_path / "draft.txt", text="Sniffed by its header.")
    doc = load_document(path)
    assert doc.format == "pdf"
    assert "Sniffed by its header." in doc.text


def test_unknown_suffix_with_text_reads_as_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.draft"
    path.write_text("Some notes about pipeline bubbles.\n")
    assert load_document(path).format == "text"


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = simple_pdf(tmp_path / "locked.pdf", encrypt="secret")
    fails(path, EncryptedPDFError, "encrypted", "qpdf --decrypt", "locked.pdf")


def test_scanned_pdf(pdfs: PdfFactory) -> None:
    fails(pdfs("scan"), NoTextLayerError, "no text layer", "ocrmypdf scan.pdf out.pdf")


def test_pdf_without_text(tmp_path: Path) -> None:
    fails(simple_pdf(tmp_path / "blank.pdf", pages=2, text=""), EmptyDocumentError, "no text on 2 pages")


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.97])
def test_truncated_pdf(tmp_path: Path, keep: float) -> None:
    data = simple_pdf(tmp_path / "whole.pdf", pages=3).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    fails(path, CorruptDocumentError, "re-export or re-download")


def test_garbage_after_pdf_header(tmp_path: Path) -> None:
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    fails(path, CorruptDocumentError)


def test_too_many_pages(tmp_path: Path) -> None:
    path = simple_pdf(tmp_path / "long.pdf", pages=3)
    fails(path, DocumentTooLargeError, "3 pages", "limit of 2", "--max-pages", limits=Limits(max_pages=2))
    assert load_document(path, limits=Limits(max_pages=3)).pages == 3


def test_too_many_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_text("# Big\n\n" + "word " * 1000)
    limits = Limits(max_bytes=1000)
    fails(path, DocumentTooLargeError, "over the limit of 0.001 MB", "--max-mb", limits=limits)


@pytest.mark.parametrize("suffix", [".md", ".tex", ".txt"])
def test_too_much_text_is_refused_before_parsing(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"long{suffix}"
    body = "We shard the optimizer state over 64 GPUs and overlap the gather with compute.\n\n" * 40
    path.write_text(body)
    fails(
        path,
        DocumentTooLargeError,
        f"{len(body):,} characters",
        "limit of 2,000",
        "--max-chars",
        limits=Limits(max_chars=2000),
    )
    assert load_document(path, limits=Limits(max_chars=len(body))).paragraphs


def test_too_much_text_in_a_pdf(tmp_path: Path) -> None:
    path = simple_pdf(tmp_path / "long.pdf", pages=3, text="A line of text that a PDF page holds.")
    read = load_document(path)
    chars = sum(len(p.text) for p in read.paragraphs)
    fails(path, DocumentTooLargeError, f"{chars:,} characters", "--max-chars", limits=Limits(max_chars=chars - 1))
    assert load_document(path, limits=Limits(max_chars=chars)).pages == 3


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Limits(max_pages=0)
    with pytest.raises(ValueError, match="--max-chars"):
        Limits(max_chars=0)
    assert Limits().max_chars == 500_000
    assert Limits().max_mb == 50
    assert Limits().max_pages == 200

"""Format sniffing and decoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensora.errors import UnsupportedFormatError
from tensora.ingest.sniff import decode, is_text, sniff


@pytest.mark.parametrize(
    ("name", "head", "fmt"),
    [
        ("a.pdf", b"%PDF-1.5\n", "pdf"),
        ("a.bin", b"\n\n%PDF-1.4\n", "pdf"),  # readers accept the header within the first kilobyte
        ("a.md", b"# Title\n", "markdown"),
        ("a.markdown", b"text", "markdown"),
        ("a.tex", b"text", "latex"),
        ("a.txt", b"# not markdown when named .txt", "text"),
        ("notes", b"\\documentclass{article}", "latex"),
        ("notes", b"intro\n## Method\n", "markdown"),
        ("notes", b"plain words", "text"),
    ],
)
def test_sniff(name: str, head: bytes, fmt: str) -> None:
    assert sniff(Path(name), head) == fmt


def test_html_without_suffix_is_refused() -> None:
    with pytest.raises(UnsupportedFormatError, match="HTML"):
        sniff(Path("page"), b"<!doctype html><html>")


def test_is_text() -> None:
    assert is_text(b"plain\ttext\n")
    assert is_text("text".encode("utf-16"))
    assert not is_text(b"abc\x00def")


def test_decode_fallbacks() -> None:
    assert decode(Path("x"), "\ufeffBOM".encode()) == "BOM"
    assert decode(Path("x"), "caf\xe9".encode("cp1252")) == "café"
    assert decode(Path("x"), b"\x81\x8d") == "\x81\x8d"  # neither UTF-8 nor cp1252: Latin-1


def test_one_bad_byte_keeps_a_utf8_file_utf8() -> None:
    data = "A 4× speedup — on 8 GPUs.\n".encode() * 50 + b"\xff" + "The end: 2×.".encode()
    text = decode(Path("x.md"), data)
    assert "4× speedup — on" in text and "\ufffd" in text


def test_utf16_without_bom() -> None:
    for enc in ("utf-16-le", "utf-16-be"):
        data = "# Title\n\nWe train on 8 GPUs.\n".encode(enc)
        assert is_text(data[:64])
        assert decode(Path("x.txt"), data).startswith("# Title")


@pytest.mark.parametrize("name", ["notes.md", "notes.txt", "paper.tex"])
def test_quoting_the_pdf_header_in_text_does_not_make_a_pdf(name: str) -> None:
    head = b"# Notes\n\nA PDF file starts with the bytes %PDF-1.7 and ends with %%EOF.\n"
    assert sniff(Path(name), head) != "pdf"


def test_a_pdf_after_junk_bytes_is_a_pdf() -> None:
    assert sniff(Path("download"), b"\x00\x05\x16\x07\x00\x02%PDF-1.4\n") == "pdf"

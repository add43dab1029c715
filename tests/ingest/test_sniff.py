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

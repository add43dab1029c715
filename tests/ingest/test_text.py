"""Plain text: paragraphs, pages at form feeds, headings, lists, captions, tables, hyphens."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensora.ingest import Document, load_document
from tensora.ingest.text import heading_of

TEXT = """\
DeepPipe: Fewer, Larger Micro-Batches

ABSTRACT

We train with eight micro-
batches on sixteen stages, and the sched-
uling keeps the bubble small.

1 Introduction

Pipelines split a model (a) into stages
(b) across GPUs.

- first item
  continues here
- second item
1. numbered item

Figure 1: Bubble fraction.
\fTable 1. Results

Model | TFLOP/s
PTD-P | 163
"""


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> Document:
    path = tmp_path_factory.mktemp("txt") / "draft.txt"
    path.write_text(TEXT, encoding="utf-8")
    return load_document(path)


def test_title_pages_and_sections(doc: Document) -> None:
    assert doc.format == "text"
    assert doc.title == "DeepPipe: Fewer, Larger Micro-Batches"
    assert doc.pages == 2
    assert [(s.title, s.level) for s in doc.sections] == [
        ("DeepPipe: Fewer, Larger Micro-Batches", 0),
        ("ABSTRACT", 1),
        ("1 Introduction", 1),
    ]


def test_paragraphs_and_hyphens(doc: Document) -> None:
    body = [p for p in doc.paragraphs if p.kind == "text"]
    assert body[0].text == (
        "We train with eight micro-batches on sixteen stages, and the scheduling keeps the bubble small."
    )
    assert body[0].section == "ABSTRACT"
    assert body[1].text == "Pipelines split a model (a) into stages (b) across GPUs."


def test_lists_captions_tables_and_pages(doc: Document) -> None:
    kinds = [(p.kind, p.text, p.page) for p in doc.paragraphs]
    assert ("list", "first item continues here", 1) in kinds
    assert ("list", "second item", 1) in kinds
    assert ("list", "1. numbered item", 1) in kinds
    assert ("caption", "Figure 1: Bubble fraction.", 1) in kinds
    assert ("caption", "Table 1. Results", 2) in kinds
    assert ("table", "Model | TFLOP/s\nPTD-P | 163", 2) in kinds


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["3.1 Pipeline Schedules"], ("3.1 Pipeline Schedules", 2)),
        (["RELATED WORK"], ("RELATED WORK", 1)),
        (["References:"], ("References", 1)),
        (["Method", "======"], ("Method", 1)),
        (["Setup", "-----"], ("Setup", 2)),
        (["We use 8 GPUs."], None),
        (["8 GPUs are used here"], None),
    ],
)
def test_heading_of(lines: list[str], expected: tuple[str, int] | None) -> None:
    assert heading_of(lines) == expected


def test_encodings(tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Na\xefve caf\xe9 schedules.\n".encode("cp1252"))
    assert load_document(latin).paragraphs[0].text == "Naïve café schedules."
    utf16 = tmp_path / "utf16.txt"
    utf16.write_text("Sixteen stages.\n", encoding="utf-16")
    assert load_document(utf16).paragraphs[0].text == "Sixteen stages."

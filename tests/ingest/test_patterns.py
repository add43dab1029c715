"""Line patterns: numbered headings, captions, list markers, page numbers."""

from __future__ import annotations

import pytest

from tensora.ingest.patterns import heading_level, is_caption, is_page_number, list_marker


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("3 Method", 1),
        ("3.1 Pipeline Bubbles", 2),
        ("3.1.2. Interleaved 1F1B", 3),
        ("1INTRODUCTION", 1),
        ("A Proofs", 1),
        ("A.2 Artifact check-list", 2),
        ("ABSTRACT", None),
        ("2019) or high communication", None),
        ("1000 x 1000 layers", None),
        ("3 Method.", None),
    ],
)
def test_heading_level(text: str, level: int | None) -> None:
    assert heading_level(text) == level


@pytest.mark.parametrize(
    ("text", "caption"),
    [
        ("Figure 3: Bubble size", True),
        ("Fig. 2. Timeline", True),
        ("Table 1. Results", True),
        ("**Table 2:** Step times", True),
        ("Algorithm 1 | Planner", True),
        ("Figure 4a shows the results", False),
        ("Table 1 shows the model configurations", False),
    ],
)
def test_is_caption(text: str, caption: bool) -> None:
    assert is_caption(text) is caption


@pytest.mark.parametrize(
    ("text", "marker"),
    [("• Memory capacity", "bullet"), ("– nested item", "bullet"), ("(b) the number", "enum"), ("iv) four", "enum"),
     ("- 1)/(m + p - 1).", ""), ("Plain text", "")],
)  # fmt: skip
def test_list_marker(text: str, marker: str) -> None:
    assert list_marker(text) == marker


@pytest.mark.parametrize("text", ["12", "- 3 -", "Page 4", "iv", "5 of 14", "(7)"])
def test_page_numbers(text: str) -> None:
    assert is_page_number(text)


def test_not_page_numbers() -> None:
    assert not is_page_number("12 GPUs")

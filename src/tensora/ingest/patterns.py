"""Patterns that recognise headings, captions, list items and page numbers in a line of text.

They follow the conventions of ML-systems papers (LaTeX article, acmart, ICML, MLSys, USENIX styles):
numbered headings ``3``, ``3.1``, ``3.1.2``, ``A``, ``A.1`` (with or without a dot, and pdfTeX's
``1INTRODUCTION`` where the space is lost), captions ``Figure 3:``, ``Fig. 3.``, ``Table 2:``,
``Algorithm 1``, and bullets or enumerations. They look at text only; the PDF reader adds font size and
position before it trusts a match.

Leaves out: Roman-numeral section numbers (``II. Method``), appendix letters past H, and captions
labelled in other languages.
"""

from __future__ import annotations

import re

from tensora import rxcache

NUMBERED_HEADING = rxcache.compile(r"^(?P<num>(?:\d{1,2}|[A-H])(?:\.\d{1,2}){0,3})\.?\s*(?P<title>[A-Z][^\n]{1,110})$")
CAPTION = rxcache.compile(
    r"^(?:\*\*)?(?P<label>Figure|Fig\.|Table|Tab\.|Algorithm|Listing|Alg\.)\s*(?P<num>[A-Z]?\d+(?:\.\d+)?[a-z]?)"
    r"\s*(?:\*\*)?\s*[:.|\u2014\u2013]",
    re.IGNORECASE,
)
# A bullet glyph always starts an item; "(a)", "b)", "(iv)", "2)" only where a new sentence may start.
# In PDFs "-" and "*" at a line start are more often broken maths than bullets; text formats add them.
BULLET = rxcache.compile(r"^[\u2022\u2023\u25e6\u2043\u2219\u25aa\u25cf\u25a0\u2013\u2014\u00b7]\s+\S")
ENUMERATION = rxcache.compile(r"^\(?(?:[a-z]|[ivx]{1,4}|\d{1,2})\)\s+\S")
PAGE_NUMBER = rxcache.compile(
    r"^(?:(?:page|p\.)\s*)?[-\u2013\u2014(\[]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-\u2013\u2014)\]]?"
    r"(?:\s*(?:of|/)\s*\d{1,4})?$",
    re.IGNORECASE,
)
LONE_NUMBER = rxcache.compile(r"^[(\[]?[-+\u2212]?\d[\d.,]*\s*[%)\]]?$")
TERMINAL = rxcache.compile(r"[.?!:][\"'\u2019\u201d)\]]*$")
KNOWN_SECTIONS = frozenset(
    {
        "abstract",
        "introduction",
        "background",
        "motivation",
        "related work",
        "method",
        "methods",
        "methodology",
        "design",
        "implementation",
        "evaluation",
        "experiments",
        "results",
        "discussion",
        "conclusion",
        "conclusions",
        "future work",
        "acknowledgments",
        "acknowledgements",
        "acknowledgment",
        "references",
        "bibliography",
        "appendix",
        "limitations",
    }
)


def heading_level(text: str) -> int | None:
    """The depth of a numbered heading ("3" -> 1, "3.1" -> 2), or None when the text is not numbered.

    Example: "3.1 Pipeline Bubbles" -> 2; "2019) or high communication" -> None
    """
    m = NUMBERED_HEADING.match(text)
    if not m:
        return None
    title = m.group("title")
    if title.rstrip().endswith((".", ",", ";")) or len(title.split()) > 14:
        return None
    num = m.group("num")
    if num.isalpha() and not text[1:2].isspace():
        return None  # "ABSTRACT" is not appendix A
    return num.count(".") + 1


def list_marker(text: str) -> str:
    """ "bullet" for a bullet glyph, "enum" for (a)/b)/(iv)/2), "" otherwise."""
    if BULLET.match(text):
        return "bullet"
    if ENUMERATION.match(text):
        return "enum"
    return ""


def is_known_section(text: str) -> bool:
    return text.strip().rstrip(":.").lower() in KNOWN_SECTIONS


def is_caption(text: str) -> bool:
    return CAPTION.match(text) is not None


def is_page_number(text: str) -> bool:
    return PAGE_NUMBER.match(text.strip()) is not None


def is_lone_number(text: str) -> bool:
    return LONE_NUMBER.match(text.strip()) is not None


def ends_sentence(text: str) -> bool:
    return TERMINAL.search(text.rstrip()) is not None


def is_all_caps(text: str) -> bool:
    return not any(map(str.islower, text)) and sum(map(str.isalpha, text)) >= 4

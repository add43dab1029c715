"""Checking the model's answer against the documents, the registry and the evidence.

- A finding it adds must carry a code from the registry (``audit.registry.RULES``), not one the audit already
  raised, and not DOC-HIDDEN-TEXT (the model never sees hidden text, so it cannot judge it).
- Each of its quotes must occur in the visible text of the document it names (or the other one), compared
  case-insensitively with whitespace, quote marks, dashes and ligatures normalised; the page is taken from
  where it occurs. A quote that still differs is compared once more on its letters and digits alone
  (``loose_key``): JSON escapes (\\", \\n, \\u2019), quote marks and apostrophes of any style, dashes and
  hyphens, and spacing (a PDF's "through put") then make no difference, while a decimal point still does
  ("1.5 GB" is not "15 GB"). A finding with no quote found is set aside, with the reason.
- Every number in its prose must be known (``numbers.KnownNumbers``); the others are listed for the reader.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from tensora.audit.findings import MUST_SOLVE_PREFIX, Finding, Severity, must_solve
from tensora.audit.registry import RULES
from tensora.extract.claims import Claims
from tensora.extract.quantities import DocLabel, Quote
from tensora.llm.numbers import KnownNumbers

__all__ = ["Checked", "QuoteIndex", "check_findings", "locate", "loose_key", "normalise"]

_RESERVED = {"DOC-HIDDEN-TEXT"}
_MIN_QUOTE = 12  # characters: shorter quotes match anywhere and prove nothing
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": "",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\u00a0": " ",
    }
)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_TRANSLATE)).strip().casefold()


_ESCAPES = {"n", "t", "r", "b", "f"}  # a written-out \\n is a line break, i.e. a separator


def _keyed(text: str) -> tuple[str, list[int]]:
    """``text`` reduced to its letters and digits (NFKC, casefolded), with the offset in ``text`` of each
    character kept. A JSON escape written out in the text counts as the character it stands for; a point
    between two digits is kept (a decimal point changes the number)."""
    out: list[str] = []
    where: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch, at = text[i], i
        i += 1
        if ch == "\\" and i < n:
            nxt = text[i]
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 1 : i + 5]):
                ch, i = chr(int(text[i + 1 : i + 5], 16)), i + 5
            elif nxt in _ESCAPES:
                i += 1
                continue
        if ch == "." and out and out[-1].isdigit() and i < n and text[i].isdigit():
            out.append(".")
            where.append(at)
            continue
        for c in unicodedata.normalize("NFKC", ch).casefold():
            if c.isalnum():
                out.append(c)
                where.append(at)
    return "".join(out), where


def loose_key(text: str) -> str:
    """What two renderings of the same passage share: its letters and digits, in order, casefolded.

    Example: 'the \u201cring\u201d all-reduce' and 'the \\"ring\\" all\u2014reduce' -> 'theringallreduce'
    """
    return _keyed(text)[0]


def locate(needle: str, text: str) -> tuple[int, int] | None:
    """Where ``needle`` occurs in ``text`` as (start, end) offsets: verbatim, else compared by ``loose_key``
    (the span then runs from the first to the last matching letter or digit). None when it does not occur."""
    if not needle:
        return None
    at = text.find(needle)
    if at >= 0:
        return at, at + len(needle)
    key = loose_key(needle)
    hay, where = _keyed(text)
    at = hay.find(key) if key else -1
    if at < 0:
        return None
    return where[at], where[at + len(key) - 1] + 1


class QuoteIndex:
    """The visible sentences of both documents, searchable by normalised quote, then by ``loose_key``."""

    def __init__(self, documents: dict[DocLabel, Claims]) -> None:
        self._docs: dict[DocLabel, tuple[str, list[int], list[int]]] = {}
        self._loose: dict[DocLabel, tuple[str, list[int], list[int]]] = {}
        for label, claims in documents.items():
            self._docs[label] = _joined([normalise(s.text) for s in claims.sentences], claims, " ")
            self._loose[label] = _joined([loose_key(s.text) for s in claims.sentences], claims, "")

    def find(self, quote: str, doc: str | None = None) -> Quote | None:
        needle = normalise(quote).strip(" .…\"'")
        if len(needle) < _MIN_QUOTE:
            return None
        order = [d for d in self._docs if d == doc] + [d for d in self._docs if d != doc]
        for index, wanted in ((self._docs, needle), (self._loose, loose_key(quote))):
            for label in order:
                text, starts, pages = index[label]
                at = text.find(wanted) if wanted else -1
                if at >= 0:
                    page = pages[bisect_right(starts, at) - 1] if starts else 1
                    return Quote(label, page, " ".join(quote.split()).strip())
        return None


def _joined(texts: list[str], claims: Claims, sep: str) -> tuple[str, list[int], list[int]]:
    """The texts joined by ``sep``, with where each starts and the page of each."""
    starts, pages, pos = [], [], 0
    for text, s in zip(texts, claims.sentences, strict=True):
        starts.append(pos)
        pages.append(s.page)
        pos += len(text) + len(sep)
    return sep.join(texts), starts, pages


@dataclass(slots=True)
class Checked:
    findings: list[Finding] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)


def _text(value: Any, limit: int = 1200) -> str:
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def check_findings(
    raw: list[dict[str, Any]], raised: set[str], index: QuoteIndex, make: type[Finding] = Finding
) -> Checked:
    """The model's extra findings that pass the checks (built with ``make``), and the others with reasons."""
    out = Checked()
    seen: set[str] = set()
    for item in raw:
        code = _text(item.get("code"), 60).upper()

        def reject(reason: str, code: str = code) -> None:
            out.rejected.append({"code": code or "(none)", "reason": reason})

        if code not in RULES:
            reject("not a tensora finding code")
            continue
        if code in _RESERVED:
            reject("only the audit reports hidden text")
            continue
        if code in raised or code in seen:
            reject("already raised by the audit")
            continue
        message = _text(item.get("message"))
        if not message:
            reject("no message")
            continue
        evidence: list[Quote] = []
        missing: list[str] = []
        for e in item.get("evidence") or []:
            if not isinstance(e, dict):
                continue
            quote = _text(e.get("quote"), 600)
            found = index.find(quote, _text(e.get("doc"), 20) or None) if quote else None
            if found is not None:
                evidence.append(found)
            elif quote:
                missing.append(quote[:80])
        if not evidence:
            shown = f": {missing[0]!r}" if missing else ""
            reject(f"no quote found in the documents{shown}")
            continue
        rule = RULES[code]
        severity_text = _text(item.get("severity"), 10).lower()
        severity = Severity(severity_text) if severity_text in {s.value for s in Severity} else rule.severity
        solve = _text(item.get("must_solve"))
        if not solve:
            reject("no must-solve sentence")
            continue
        seen.add(code)
        out.findings.append(
            make(
                code=code,
                severity=severity,
                title=_text(item.get("title"), 120) or rule.title or code,
                message=message,
                must_solve=solve if solve.startswith(MUST_SOLVE_PREFIX) else must_solve(solve),
                evidence=evidence[:4],
            )
        )
    return out


def unverified_numbers(known: KnownNumbers, texts: dict[str, str]) -> list[dict[str, str]]:
    """Numbers in the model's texts (by where they stand) that no evidence or tool result holds."""
    out: list[dict[str, str]] = []
    for where, text in texts.items():
        for stated in known.unverified(text):
            out.append({"number": stated.text, "where": where, "context": stated.context})
    return out

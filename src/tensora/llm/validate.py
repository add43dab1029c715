"""Checking the model's answer against the documents, the registry and the evidence.

- A finding it adds must carry a code from the registry (``audit.registry.RULES``), not one the audit already
  raised, and not DOC-HIDDEN-TEXT (the model never sees hidden text, so it cannot judge it).
- Each of its quotes must occur in the visible text of the document it names (or the other one), compared
  case-insensitively with whitespace, quote marks, dashes and ligatures normalised; the page is taken from
  where it occurs. A finding with no quote found is set aside, with the reason.
- Every number in its prose must be known (``numbers.KnownNumbers``); the others are listed for the reader.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from tensora.audit.findings import MUST_SOLVE_PREFIX, Finding, Severity, must_solve
from tensora.audit.registry import RULES
from tensora.extract.claims import Claims
from tensora.extract.quantities import DocLabel, Quote
from tensora.llm.numbers import KnownNumbers

__all__ = ["Checked", "QuoteIndex", "check_findings", "normalise"]

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


class QuoteIndex:
    """The visible sentences of both documents, searchable by normalised quote."""

    def __init__(self, documents: dict[DocLabel, Claims]) -> None:
        self._docs: dict[DocLabel, tuple[str, list[int], list[int]]] = {}
        for label, claims in documents.items():
            starts, pages, parts, pos = [], [], [], 0
            for s in claims.sentences:
                text = normalise(s.text)
                starts.append(pos)
                pages.append(s.page)
                parts.append(text)
                pos += len(text) + 1
            self._docs[label] = (" ".join(parts), starts, pages)

    def find(self, quote: str, doc: str | None = None) -> Quote | None:
        needle = normalise(quote).strip(" .…\"'")
        if len(needle) < _MIN_QUOTE:
            return None
        order = [d for d in self._docs if d == doc] + [d for d in self._docs if d != doc]
        for label in order:
            text, starts, pages = self._docs[label]
            at = text.find(needle)
            if at >= 0:
                page = pages[bisect_right(starts, at) - 1] if starts else 1
                return Quote(label, page, " ".join(quote.split()).strip())
        return None


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

"""The review's statements about the documents, each held to the text that supports it.

The factual errors a judge still finds in a model's review are over-readings: a design the draft does not
describe ("a launch grid of 132 CTAs"), a system named for the one the draft names, a derivation or an omission
stated as the draft's own. The self-check reads its review against the documents, but a re-read finds what it
looks for. So the self-check also returns, for each statement of the review about what a document states, uses,
measures or reports, the verbatim text it rests on. The quotes are looked up in the visible text
(``QuoteIndex``, the guard's own lookup). A statement whose text is not found goes back to the model once, in a
follow-up turn of the self-check, to be corrected (asked, written as "if ...", or deleted) or kept with the
reason the documents give. Nothing is decided here: the lookup finds the statements without support, the model
corrects them, and the corrections are applied as the self-check's are.

Claims of absence ("the draft never states ...") cannot be quoted; ``absence`` handles them. The review's
statements about prior work are held to the knowledge base instead: the self-check gets the knowledge base's
record (venue, year, what the work does) of each work the review names, to check how the review describes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tensora.knowledge.schema import PriorWork
from tensora.llm.validate import QuoteIndex

__all__ = ["MAX_STATEMENTS", "Statement", "check", "render", "render_works", "summary"]

#: statements read from one self-check answer; the follow-up lists at most ``_MAX_SHOWN`` of those not found
MAX_STATEMENTS = 60
_MAX_SHOWN = 12
_MAX_WORKS = 12
_SUMMARY_CHARS = 420
_DOCS = ("proposal", "baseline")


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of the review about a document, the text given for it, and whether that text was found."""

    part: str
    claim: str
    doc: str
    quote: str
    found: bool

    def to_dict(self) -> dict[str, Any]:
        return {"part": self.part, "claim": self.claim, "doc": self.doc, "quote": self.quote, "found": self.found}


def _text(value: Any, limit: int) -> str:
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def check(raw: list[Any], index: QuoteIndex) -> list[Statement]:
    """The statements the model listed, each with whether its quote is in the visible text of a document."""
    out: list[Statement] = []
    seen: set[str] = set()
    for item in raw[:MAX_STATEMENTS]:
        if not isinstance(item, dict):
            continue
        claim = _text(item.get("claim"), 600)
        if not claim or claim in seen:
            continue
        seen.add(claim)
        doc = _text(item.get("doc"), 20).lower()
        quote = _text(item.get("quote"), 600)
        found = bool(quote) and index.find(quote, doc if doc in _DOCS else None) is not None
        out.append(Statement(_text(item.get("part"), 40), claim, doc, quote, found))
    return out


def render(statements: list[Statement]) -> str:
    """The follow-up turn: the statements whose text was not found, to correct or keep with a reason."""
    missing = [s for s in statements if not s.found][:_MAX_SHOWN]
    lines = []
    for i, s in enumerate(missing, 1):
        where = f" ({s.part})" if s.part else ""
        given = f'the text you gave, "{s.quote}", is not in the {s.doc or "documents"}' if s.quote else "no text given"
        lines.append(f"{i}. {s.claim}{where}: {given}.")
    return (
        "Grounding check. These statements of your review say what a document states, uses or measures, but "
        "the text they rest on was not found in the visible text of the documents:\n"
        + "\n".join(lines)
        + "\nFor each, read the documents again. Where they do not state it (it is your inference, your "
        'assumption or another work\'s design), correct the review: ask it as a question, write it as "if ...", '
        "or delete it, keeping every sentence whole. Where they do state it and only the quote was miscopied, "
        "leave the review as it is. Return only corrections, in the same JSON form as before "
        '({"corrections": [...]}, an empty list when every statement stands).'
    )


def summary(statements: list[Statement]) -> dict[str, Any]:
    """What goes into the review's ``llm.self_check.grounding``."""
    return {
        "statements": len(statements),
        "not_found": [s.to_dict() for s in statements if not s.found],
    }


def render_works(works: list[PriorWork]) -> str:
    """The knowledge base's record of the works the review names, for the self-check to check how the review
    describes each (empty when there are none)."""
    if not works:
        return ""
    lines = []
    for w in works[:_MAX_WORKS]:
        summary = " ".join(w.summary.split())
        if len(summary) > _SUMMARY_CHARS:
            summary = summary[: _SUMMARY_CHARS - 3].rsplit(" ", 1)[0] + "..."
        lines.append(f"- {w.name} ({w.venue}, {w.year}): {summary}")
    return (
        "What tensora's knowledge base records of the prior works your review names (written from their papers; "
        "the documents' own description of a work counts too). Where the review says what one of them does, or "
        "does not do, and this record or the documents say otherwise, correct the review:\n" + "\n".join(lines)
    )

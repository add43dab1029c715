"""tensora's audit as hypotheses for the model to check, and the model's verdicts applied to the review.

The deterministic review is an instrument, not a verdict: each of its findings, its delta verdict, its reading
of the mechanism (the Mirror, and the draft profile when extraction provides one), the numbers it extracted
from the draft with their meaning, and its prior-work candidates go to the model as a hypothesis with an id.
The model answers each with ``confirmed``, ``rejected`` or ``revised`` and a reason.

Applied: a rejected finding leaves the review (it is listed, with the model's reason, in ``llm.hypotheses``);
a rejected prior-work candidate leaves the Novelty Gap's list; a revised finding stays with the reason in
the JSON. A verdict without a reason, or on an id that was not offered, is ignored (the hypothesis stays as
tensora wrote it) and said so. DOC-HIDDEN-TEXT is not offered: the model never sees hidden text and cannot
judge it.

Evidence that is page furniture (``boilerplate.kind``: a copyright notice, the title, a heading, a caption, a
reference entry, an author line) is not shown: the hypothesis carries the finding's next quote instead, or
none, and says which kind of line was left out.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from tensora.audit.findings import Review
from tensora.extract.claims import Claims
from tensora.extract.profile import weight
from tensora.extract.quantities import Quantity, Quote
from tensora.llm import boilerplate

__all__ = ["VERDICTS", "Hypothesis", "apply", "build", "render"]

VERDICTS = ("confirmed", "rejected", "revised")
_RESERVED = {"DOC-HIDDEN-TEXT"}
MAX_NUMBERS = 12
_MAX_CORNERS = 5


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """One claim of tensora's audit for the model to check: its id, kind and statement (with its evidence)."""

    code: str
    kind: str
    statement: str
    evidence: str = ""
    #: the finding code or prior work's name the hypothesis stands for
    target: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"code": self.code, "kind": self.kind, "statement": self.statement}
        if self.evidence:
            out["evidence"] = self.evidence
        return out


def _value(v: float) -> str:
    if not math.isfinite(v):
        return "unbounded"
    if abs(v) >= 1e4 and float(v).is_integer() and abs(v) < 1e15:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _profile(review: Review) -> dict[str, Any] | None:
    profile = getattr(review, "profile", None)
    if profile is None:
        return None
    if hasattr(profile, "to_dict"):
        data = profile.to_dict()
    elif dataclasses.is_dataclass(profile) and not isinstance(profile, type):
        data = dataclasses.asdict(profile)
    elif isinstance(profile, dict):
        data = profile
    else:
        return None
    return data if isinstance(data, dict) and data else None


def _evidence(quotes: list[Quote], titles: tuple[str, ...], layout: dict[str, str]) -> str:
    """The first quote that is not page furniture, and a word on any left out before it."""
    skipped: list[tuple[Quote, str]] = []
    for q in quotes:
        what = boilerplate.kind(q.text, titles, layout)
        if what is None:
            shown = f'p. {q.page}: "{q.text}"'
            if skipped:
                first, why = skipped[0]
                shown += f" (tensora's first quote, on p. {first.page}, is {why} and is not shown)"
            return shown
        skipped.append((q, what))
    if not skipped:
        return ""
    first, why = skipped[0]
    return f"none shown: the sentence tensora took this from (p. {first.page}) is {why}, not part of the argument"


def build(
    review: Review, proposal: Claims, max_numbers: int = MAX_NUMBERS, *, baseline: Claims | None = None
) -> list[Hypothesis]:
    """The hypotheses of a review, with at most ``max_numbers`` of the draft's numbers (fewer for a small model).

    ``baseline`` lets a quote of the baseline's title page or headings be recognised as such."""
    docs = [c for c in (proposal, baseline) if c is not None]
    titles = tuple(c.title for c in docs if c.title)
    layout = {k: v for c in docs for k, v in boilerplate.front_matter(c).items()}
    out: list[Hypothesis] = []
    m = review.mirror
    out.append(
        Hypothesis(
            "MIRROR",
            "mechanism",
            f"The draft modifies {m.component or '(unknown component)'} by replacing {m.replaces or '(unknown)'} "
            f"with {m.with_ or '(unknown)'}; its hypothesis: {m.hypothesis or '(none found)'}; "
            f"setting: {m.setting or '(none found)'}.",
        )
    )
    profile = _profile(review)
    if profile is not None:
        out.append(Hypothesis("PROFILE", "mechanism", "What the draft proposes, as extracted: " + str(profile)))
    out.append(
        Hypothesis(
            "DELTA",
            "delta",
            f"The change over the baseline is {review.delta.cls} (config: a parameter or degree of the baseline; "
            f"structural: a new mechanism; orthogonal: a different problem). {review.delta.rationale}",
        )
    )
    for f in review.findings:
        if f.code in _RESERVED:
            continue
        numbers = ", ".join(f"{k} = {_value(v)}" for k, v in f.computed.items())
        out.append(
            Hypothesis(
                f.code,
                f"finding ({f.severity.value})",
                f"{f.title}. {f.message}" + (f" Computed: {numbers}." if numbers else ""),
                _evidence(list(f.evidence), titles, layout),
            )
        )
    for i, w in enumerate(review.prior_work, 1):
        out.append(
            Hypothesis(
                f"PRIOR-{i}",
                "prior work",
                f"{w.name} ({w.venue} {w.year}) is among the nearest prior work: {w.why}. To differ, the draft "
                f"must show: {w.differ}" + (" The draft cites it." if w.cited else " The draft does not cite it."),
                target=w.name,
            )
        )
    # what the knowledge base knows breaks the draft's techniques, for the model to test against this draft's
    # own numbers: the bare model's best corner cases come from such knowledge
    for i, case in enumerate(review.corner_cases[:_MAX_CORNERS], 1):
        out.append(
            Hypothesis(
                f"CORNER-{i}",
                "known corner case",
                f"A known corner case of a technique the draft leans on ({case}). Confirm it when the draft's "
                "mechanism and setting meet it (and say with which of its numbers), reject it when the draft "
                "answers it or it does not arise here.",
            )
        )
    if review.twist.idea:
        out.append(
            Hypothesis(
                "TWIST",
                "twist",
                f"A candidate Twist from the knowledge base: {review.twist.idea}. Keep it if it builds on the "
                "draft's own mechanism and would make it a paper; otherwise reject it and propose a better one.",
            )
        )
    for i, q in enumerate(_numbers_that_matter(review, proposal, max_numbers), 1):
        value = q.text if math.isnan(q.value) else f"{_value(q.value)} {q.unit}".strip()
        qualifier = f" ({q.qualifier})" if q.qualifier else ""
        out.append(
            Hypothesis(
                f"NUM-{i}",
                "draft number",
                f"The draft states {q.role}{qualifier} = {value}.",
                _evidence([q.quote], titles, layout),
            )
        )
    return out


def _numbers_that_matter(review: Review, proposal: Claims, limit: int) -> list[Quantity]:
    """The draft numbers worth a verdict, in document order: those a finding rests on and those of the headline
    (title, abstract, contributions) first, then the rest, up to ``limit``. Checking every number of a long
    draft is bookkeeping that crowds out the review."""
    if limit <= 0:
        return []
    cited = {q.text for f in review.findings for q in f.evidence}
    ranked = []
    for i, q in enumerate(proposal.quantities):
        s = proposal.sentences[q.sentence] if 0 <= q.sentence < len(proposal.sentences) else None
        headline = s is not None and weight(s) >= _HEADLINE_WEIGHT
        ranked.append((not (q.quote.text in cited or headline), i, q))
    chosen = sorted(ranked, key=lambda r: r[:2])[:limit]
    return [q for _, _, q in sorted(chosen, key=lambda r: r[1])]


# the title, abstract, contributions and introduction (tensora.extract.profile.weight)
_HEADLINE_WEIGHT = 0.7


def render(hypotheses: list[Hypothesis]) -> str:
    lines = []
    for h in hypotheses:
        line = f"- [{h.code}] ({h.kind}) {h.statement}"
        if h.evidence:
            line += f"\n  Evidence: {h.evidence}"
        lines.append(line)
    return "\n".join(lines)


def _text(value: Any, limit: int = 600) -> str:
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def apply(review: Review, offered: list[Hypothesis], verdicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply the model's verdicts to ``review`` (in place); the verdict records for ``llm.hypotheses``."""
    known = {h.code: h for h in offered}
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in verdicts:
        if not isinstance(item, dict):
            continue
        code = _text(item.get("code"), 40).upper()
        verdict = _text(item.get("verdict"), 20).lower()
        reason = _text(item.get("reason"))
        if code not in known or code in seen:
            continue
        seen.add(code)
        record: dict[str, Any] = {"code": code, "kind": known[code].kind, "verdict": verdict, "reason": reason}
        if verdict not in VERDICTS or not reason:
            record.update(verdict="unchecked", note="no valid verdict with a reason: tensora's hypothesis stands")
            records.append(record)
            continue
        records.append(record)
        if verdict != "rejected":
            continue
        if code.startswith("PRIOR-"):
            review.prior_work = [w for w in review.prior_work if w.name != known[code].target]
            record["applied"] = "removed from the prior work"
        elif known[code].kind.startswith("finding"):
            review.findings = [f for f in review.findings if f.code != code]
            record["applied"] = "finding dropped from the review"
    for h in offered:
        if h.code not in seen:
            records.append({"code": h.code, "kind": h.kind, "verdict": "unchecked", "reason": ""})
    return records

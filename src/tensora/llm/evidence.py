"""The evidence pack: what the model is told, built from the claims and the deterministic review.

Two kinds of content, kept apart in the prompt. ``<document>`` blocks hold what the papers say (the
mechanism as the Mirror reads it, the techniques each paper uses with their quotes and pages, the draft's
numbers with their quotes): untrusted data. The ``<audit>`` block holds tensora's own results (the delta
audit, the findings with their computed numbers, the prior work, the twist, the setting profile). Both are
JSON, with ``<``, ``>`` and ``&`` escaped as ``\\u003c`` etc., so no quoted text can close a tag.

Defences: text ingestion found invisible is never read here (``Claims`` hold only visible sentences), a
sentence that addresses a reviewer or a model (``DOC-HIDDEN-TEXT``'s patterns) is replaced by ``[removed]``,
and the DOC-HIDDEN-TEXT finding goes in without its quotes. The pack is bounded (at most 30 numbers,
10 techniques with 2 quotes each, 5 prior works, quotes cut at 300 characters) and, for a model with a small
context window (the ``context_tokens`` setting), shrunk further in steps until it fits.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from tensora.audit.findings import Finding, Review
from tensora.audit.rules.security.doc_hidden_text import INJECTION
from tensora.extract.claims import Claims
from tensora.extract.quantities import Quote
from tensora.llm.numbers import KnownNumbers

__all__ = ["REMOVED", "Evidence", "build", "escape_json", "redact"]

REMOVED = "[removed]"
_HIDDEN_CODE = "DOC-HIDDEN-TEXT"


@dataclass(frozen=True, slots=True)
class Limits:
    quantities: int = 30
    techniques: int = 10
    quotes_per_technique: int = 2
    prior_work: int = 5
    quote_chars: int = 300
    finding_quotes: int = 2
    #: findings with their message and must-solve (False: code, severity, title and numbers only)
    finding_text: bool = True


# ever smaller packs, tried in order until one fits a small model's context window
TIERS = (
    Limits(),
    Limits(20, 8, 1, 3, 200, 1),
    Limits(10, 5, 1, 2, 140, 1),
    Limits(5, 3, 1, 1, 100, 0),
    Limits(5, 3, 0, 1, 100, 0, False),
)


@dataclass(slots=True)
class Evidence:
    proposal: dict[str, Any]
    baseline: dict[str, Any]
    audit: dict[str, Any]
    names: tuple[str, str]

    def render(self) -> str:
        """The pack as prompt text: two ``<document>`` blocks and one ``<audit>`` block."""
        prop, base = self.names
        return (
            f'<document role="proposal" name={json.dumps(prop or "proposal")}>\n{escape_json(self.proposal)}\n'
            "</document>\n"
            f'<document role="baseline" name={json.dumps(base or "baseline")}>\n{escape_json(self.baseline)}\n'
            "</document>\n"
            f"<audit>\n{escape_json(self.audit)}\n</audit>"
        )

    def known_numbers(self) -> KnownNumbers:
        known = KnownNumbers()
        for part in (self.proposal, self.baseline, self.audit):
            known.add_json(part)
        return known


def escape_json(value: Any) -> str:
    """Compact JSON in which no string can open or close a tag."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def redact(text: str, limit: int = 300) -> str:
    """Document text as it may enter a prompt: instructions to reviewers removed, long text cut."""
    if INJECTION.search(text):
        return REMOVED
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _quote(q: Quote, limits: Limits) -> dict[str, Any]:
    return {"doc": q.doc, "page": q.page, "quote": redact(q.text, limits.quote_chars)}


def _number(value: float) -> float | str:
    if not math.isfinite(value):
        return "unbounded" if value > 0 else "n/a"
    return round(value, 4) if abs(value) < 1e6 else float(f"{value:.4g}")


def _techniques(claims: Claims, limits: Limits) -> list[dict[str, Any]]:
    used = sorted((u for u in claims.techniques.values() if u.used), key=lambda u: (not u.core, -u.weight))
    return [
        {
            "name": u.name,
            "family": u.family,
            "core": u.core,
            "quotes": [_quote(q, limits) for q in u.quotes[: limits.quotes_per_technique]],
        }
        for u in used[: limits.techniques]
    ]


def _finding(f: Finding, limits: Limits) -> dict[str, Any]:
    hidden = f.code == _HIDDEN_CODE
    text = {"message": f.message, "must_solve": f.must_solve} if limits.finding_text else {}
    return {
        "code": f.code,
        "severity": f.severity.value,
        "title": f.title,
        **text,
        "computed": {k: _number(v) for k, v in f.computed.items()},
        # the hidden-text finding's quotes are the injected text itself: never shown to the model
        "evidence": [] if hidden else [_quote(q, limits) for q in f.evidence[: limits.finding_quotes]],
    }


def build(
    review: Review, proposal: Claims, baseline: Claims, limits: Limits | None = None, *, max_chars: int | None = None
) -> Evidence:
    """The pack; with ``max_chars``, the largest of ``TIERS`` whose rendering fits (else the smallest)."""
    if max_chars is not None and limits is None:
        for tier in TIERS:
            pack = build(review, proposal, baseline, tier)
            if len(pack.render()) <= max_chars:
                return pack
        return pack
    lim = limits or Limits()
    m = review.mirror
    quantities = [
        {
            "role": q.role,
            "value": _number(q.value) if not math.isnan(q.value) else q.text,
            "unit": q.unit,
            **({"qualifier": q.qualifier} if q.qualifier else {}),
            **_quote(q.quote, lim),
        }
        for q in proposal.quantities[: lim.quantities]
    ]
    prop = {
        "title": redact(proposal.title),
        "mechanism": {
            "component": redact(m.component),
            "replaces": redact(m.replaces),
            "with": redact(m.with_),
            "hypothesis": redact(m.hypothesis),
            "setting": redact(m.setting),
        },
        "techniques": _techniques(proposal, lim),
        "numbers": quantities,
    }
    base = {"title": redact(baseline.title), "techniques": _techniques(baseline, lim)}
    audit = {
        "system": review.system,
        "delta": {"class": review.delta.cls, "rationale": review.delta.rationale},
        "findings": [_finding(f, lim) for f in review.findings],
        "prior_work": [
            {"name": p.name, "year": p.year, "venue": p.venue, "why": p.why, "differ": p.differ, "cited": p.cited}
            for p in review.prior_work[: lim.prior_work]
        ],
        "twist": {"idea": review.twist.idea, "combines": review.twist.combines, "must_show": review.twist.must_show},
        "open_corner_cases": review.corner_cases,
        "setting": review.setting,
    }
    return Evidence(prop, base, audit, (review.proposal, review.baseline))

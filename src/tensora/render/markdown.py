"""Render a ``Review`` as Markdown in the persona's four parts.

1. The Mirror, 2. The Novelty Gap (with the delta audit), 3. The Mechanism Stress Test (one block per finding:
the skeptic's paragraph, the quotes with pages, the computed numbers, the must-solve sentence), 4. The Twist.
"""

from __future__ import annotations

from tensora.audit.findings import Finding, Review

_SECTION_CODES = ("DLT-", "NOV-")


def _quote_lines(f: Finding) -> list[str]:
    return [f'> "{q.text}" ({q.doc}, p. {q.page})' for q in f.evidence[:2]]


def _computed(f: Finding) -> str:
    if not f.computed:
        return ""
    parts = [f"`{k}` = {v:.4g}" for k, v in f.computed.items()]
    return "Computed: " + ", ".join(parts) + "."


def _block(f: Finding) -> list[str]:
    lines = [f"### [{f.severity.value}] {f.code}: {f.title}", "", f.message, ""]
    quoted = _quote_lines(f)
    if quoted:
        lines += [*quoted, ""]
    comp = _computed(f)
    if comp:
        lines += [comp, ""]
    lines += [f"**{f.must_solve}**", ""]
    return lines


def render(review: Review) -> str:
    out = [f"# tensora: review of {review.proposal}", ""]
    out += ["## 1. The Mirror", "", review.mirror.text, ""]
    out += ["## 2. The Novelty Gap", ""]
    delta_word = {"config": "a configuration change", "structural": "a structural change",
                  "orthogonal": "orthogonal to the baseline"}[review.delta.cls]
    out += [f"**Delta audit: {delta_word}.** {review.delta.rationale}", ""]
    for f in review.findings:
        if f.code.startswith(_SECTION_CODES) and f.code != "DLT-STRUCT":
            out += [f.message, "", f"**{f.must_solve}**", ""]
    if review.prior_work:
        out += ["Closest prior work:", ""]
        for p in review.prior_work[:5]:
            cited = " (cited)" if p.cited else ""
            out.append(f"- **{p.name}** ({p.venue} {p.year}){cited}: {p.why}. *To differ:* {p.differ}")
        out.append("")
    out += ["## 3. The Mechanism Stress Test", ""]
    stress = [f for f in review.findings if not f.code.startswith(_SECTION_CODES)]
    if not stress:
        out += ["I tried the usual corner cases and the draft answers each of them. What remains is the "
                "novelty question above.", ""]
    for f in stress:
        out += _block(f)
    out += ["## 4. The Twist", "", review.twist.text, ""]
    return "\n".join(out).rstrip() + "\n"

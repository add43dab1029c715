"""Run the audit: claims in, a ``Review`` out (before rendering).

Order: the delta audit, the novelty ranking, every registered rule, then the Mirror and the Twist. Findings
are sorted by severity, then by the order of the registry.
"""

from __future__ import annotations

from tensora.audit import delta as delta_audit
from tensora.audit import mirror, novelty, twist
from tensora.audit.base import Context
from tensora.audit.findings import Finding, Review
from tensora.audit.registry import RULES
from tensora.extract.claims import Claims
from tensora.knowledge.loader import KnowledgeBase


def audit(proposal: Claims, baseline: Claims, kb: KnowledgeBase, names: tuple[str, str] = ("", "")) -> Review:
    delta, features = delta_audit.classify(proposal, baseline)
    prior = novelty.rank(proposal, baseline, kb)
    ctx = Context(proposal, baseline, kb, delta.cls, {"delta": delta, "prior_work": prior})
    order = list(RULES)
    findings: list[Finding] = []
    for code in order:
        findings.extend(RULES[code]().check(ctx))
    findings.sort(key=lambda f: (f.severity.rank, order.index(f.code)))
    mir = mirror.build(proposal, baseline, features.new, features.removed)
    weak = [f.code for f in findings if f.severity.rank <= 1 and not f.code.startswith(("DLT", "NOV"))]
    mechanism = proposal.title.split(":")[0].strip() or "your mechanism"
    tw = twist.build(proposal, kb, features.new, mechanism, weak)
    return Review(names[0], names[1], mir, delta, prior, findings, tw)

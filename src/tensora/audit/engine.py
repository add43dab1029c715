"""Run the audit: claims in, a ``Review`` out (before rendering).

Order: the delta audit, the novelty ranking, every registered rule, then the Mirror and the Twist. Findings
are sorted by severity, then by the order of the registry.
"""

from __future__ import annotations

from collections.abc import Mapping

from tensora.audit import compute, evidence, mirror, novelty, twist
from tensora.audit import delta as delta_audit
from tensora.audit.base import Context, HiddenText
from tensora.audit.findings import Finding, PriorWorkHit, Review
from tensora.audit.registry import RULES
from tensora.extract.claims import Claims
from tensora.extract.profile import build_profile
from tensora.knowledge.loader import KnowledgeBase


def audit(
    proposal: Claims,
    baseline: Claims,
    kb: KnowledgeBase,
    names: tuple[str, str] = ("", ""),
    hidden: Mapping[str, HiddenText] | None = None,
    prior_work: list[PriorWorkHit] | None = None,
) -> Review:
    """``hidden``: each document's invisible text by label ("proposal", "baseline"), for DOC-HIDDEN-TEXT.

    ``prior_work``: a ranking to keep instead of ranking again (the whiteboard keeps the closest work while
    the mechanism under discussion is the same).
    """
    profile = build_profile(proposal, baseline, novelty.known_names(kb))
    delta, features = delta_audit.classify(proposal, baseline, profile)
    prior = list(prior_work) if prior_work is not None else novelty.rank(proposal, baseline, kb, profile)
    if delta.cls == "config" and prior_work is None:
        prior = novelty.with_knob_owners(prior, profile, baseline, kb)
    ctx = Context(
        proposal, baseline, kb, delta.cls, {"delta": delta, "prior_work": prior, "profile": profile}, dict(hidden or {})
    )
    order = list(RULES)
    findings: list[Finding] = []
    for code in order:
        findings.extend(RULES[code]().check(ctx))
    findings.sort(key=lambda f: (f.severity.rank, order.index(f.code)))
    evidence.mechanism_quotes(findings, proposal, baseline, delta=delta)
    setting = compute.setting_profile(proposal)
    _attach_setting(findings, setting)
    system = profile.system
    mir = mirror.build(profile, proposal, baseline, delta.cls, features.removed, axis=delta.axis)
    lead = [t for t in (profile.technique.value, *profile.techniques[:2]) if t]
    if delta.cls == "orthogonal" and delta.axis:
        # an orthogonal change is about its own axis: the twist builds there, not on the baseline it keeps
        lead = [delta.axis, *(t for t in lead if t != delta.axis)]
    tw = twist.build(proposal, kb, system, findings, lead)
    return Review(
        names[0],
        names[1],
        mir,
        delta,
        prior,
        findings,
        tw,
        system=system,
        baseline_title=baseline.title,
        corner_cases=_corner_cases(proposal, kb, findings),
        setting=setting,
        profile=profile,
    )


def _attach_setting(findings: list[Finding], setting: dict[str, object]) -> None:
    """The delta finding carries the draft's configuration numbers, so they are stated even when no rule fires."""
    numbers: dict[str, float] = {}
    for key in ("model_states_per_gpu_gib", "mfu"):
        value = setting.get(key)
        if isinstance(value, float):
            numbers[key] = value
    states, acts = setting.get("model_states_per_gpu_gib"), setting.get("activations_per_gpu_gib")
    if isinstance(states, float) and isinstance(acts, float):
        numbers["memory_per_gpu_gib"] = states + acts
    pipe = setting.get("pipeline")
    if isinstance(pipe, dict) and isinstance(pipe.get("pipeline_bubble_fraction"), float):
        numbers["pipeline_bubble_fraction"] = pipe["pipeline_bubble_fraction"]
    for f in findings:
        if f.code.startswith("DLT-"):
            for key, value in numbers.items():
                f.computed.setdefault(key, value)
            return


def _corner_cases(proposal: Claims, kb: KnowledgeBase, findings: list[Finding]) -> list[str]:
    """Corner cases the knowledge base lists for the draft's leading techniques that no finding covers."""
    raised = {f.code for f in findings}
    lead = sorted(
        (u for u in proposal.techniques.values() if u.used and u.core and u.family != "hardware"),
        key=lambda u: -u.weight,
    )[:3]
    out: list[str] = []
    for use in lead:
        technique = kb.by_id.get(use.id)
        if technique is None or (technique.codes and set(technique.codes) <= raised):
            continue
        out.extend(f"{technique.name}: {case}" for case in technique.corner_cases[:2])
    return out[:5]

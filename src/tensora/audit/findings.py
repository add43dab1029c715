"""The result types of an audit: findings and the review they make up.

``Review.to_dict()`` produces the JSON contract of ``spec/review-json.md``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tensora.extract.quantities import Quote

if TYPE_CHECKING:  # the profile pulls in the whole extraction stack; `import tensora` should not
    from tensora.extract.profile import DraftProfile

MUST_SOLVE_PREFIX = "If you want this to survive MLSys review, you need to "


class Severity(StrEnum):
    FATAL = "fatal"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"

    @property
    def rank(self) -> int:
        return ["fatal", "major", "minor", "info"].index(self.value)


@dataclass(slots=True)
class Finding:
    code: str
    severity: Severity
    title: str
    message: str
    must_solve: str
    evidence: list[Quote] = field(default_factory=list)
    computed: dict[str, float] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    status: str = "open"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "title": self.title,
            "message": self.message,
            "evidence": [{"doc": q.doc, "page": q.page, "quote": q.text} for q in self.evidence],
            # four significant figures: microseconds of communication must not round to zero
            "computed": {k: float(f"{v:.4g}") for k, v in self.computed.items()},
            "inputs": self.inputs,
            "must_solve": self.must_solve,
        }


def must_solve(task: str) -> str:
    """The persona's closing sentence for a weakness: 'If you want this to survive MLSys review, ...'."""
    task = task.strip().rstrip(".")
    return MUST_SOLVE_PREFIX + task[0].lower() + task[1:] + "."


@dataclass(slots=True)
class Mirror:
    component: str
    replaces: str
    with_: str
    hypothesis: str
    setting: str
    text: str
    kind: str = "replaces"  # "replaces", "keeps" (orthogonal: the baseline is context) or "config"
    sure: bool = True  # False: the profile is unsure of the claim, so the Mirror asks instead of asserting
    note: str = ""  # said before the Mirror: what the draft was read against when no baseline was given

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "component": self.component,
            "replaces": self.replaces,
            "with": self.with_,
            "hypothesis": self.hypothesis,
            "setting": self.setting,
            "text": self.text,
        }


@dataclass(slots=True)
class Delta:
    cls: str
    rationale: str
    evidence: list[Quote] = field(default_factory=list)
    # for an orthogonal change, the technique id of the axis the draft changes (the Mirror names it); internal
    axis: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.cls,
            "rationale": self.rationale,
            "evidence": [{"doc": q.doc, "page": q.page, "quote": q.text} for q in self.evidence],
        }


@dataclass(slots=True)
class PriorWorkHit:
    name: str
    year: int
    venue: str
    why: str
    differ: str
    score: float
    cited: bool = False
    # the draft names it and says how it differs ("unlike X, we ..."); a work named only in a list is not
    positioned: bool = False
    # the draft's evaluation runs it or reports its numbers (a sentence of an evaluation section names it)
    evaluated: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["score"] = round(self.score, 3)
        return d


@dataclass(slots=True)
class Twist:
    idea: str
    combines: list[str]
    must_show: list[str] = field(default_factory=list)
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "idea": self.idea, "combines": self.combines, "must_show": self.must_show}


@dataclass(slots=True)
class Review:
    """The skeptic's answer: the four parts, the findings and the rendered text."""

    proposal: str
    baseline: str
    mirror: Mirror
    delta: Delta
    prior_work: list[PriorWorkHit]
    findings: list[Finding]
    twist: Twist
    text: str = ""
    version: str = "0.1.0"
    system: str = "your approach"
    baseline_title: str = ""
    corner_cases: list[str] = field(default_factory=list)
    setting: dict[str, Any] = field(default_factory=dict)
    profile: DraftProfile | None = None

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": {"name": "tensora", "version": self.version},
            "documents": {
                "proposal": self.proposal,
                "baseline": self.baseline,
                "system": self.system,
                "baseline_title": self.baseline_title,
            },
            "mirror": self.mirror.to_dict(),
            "delta": self.delta.to_dict(),
            "prior_work": [p.to_dict() for p in self.prior_work],
            "findings": [f.to_dict() for f in self.findings],
            "twist": self.twist.to_dict(),
            "setting": self.setting,
            "profile": self.profile.to_dict() if self.profile is not None else None,
            "text": self.text,
        }

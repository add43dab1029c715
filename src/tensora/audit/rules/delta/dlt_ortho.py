from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Delta, Finding, Severity


class DltOrtho(Rule):
    """DLT-ORTHO: the contribution is orthogonal to the baseline.

    ## What it flags
    A draft whose contribution belongs to a different sub-area than the baseline's (the baseline only hosts
    it), so the critique pivots to the state of the art of the draft's own sub-area.
    ## Why a reviewer cares
    Beating the baseline is not the bar when the baseline is only context; the bar is the best work in the
    draft's own sub-area.
    ## Example
    fires:  "FSDP is unchanged; we add every-iteration in-memory checkpoints"
    silent: "we change how FSDP gathers parameters"
    ## Known false alarms
    Techniques the knowledge base does not know cannot be placed in a family.
    ## References
    Persona: "Don't hang up on baseline" (tensora seed persona).
    """

    code = "DLT-ORTHO"
    severity = Severity.INFO
    title = "Orthogonal to the baseline"

    def check(self, ctx: Context) -> Iterator[Finding]:
        delta = ctx.shared.get("delta")
        if ctx.delta_class != "orthogonal" or not isinstance(delta, Delta):
            return
        # a rationale that already points the comparison at the sub-area ("the comparison that matters is with the
        # best work on scheduling") is not told so twice
        tail = (
            ""
            if "comparison that matters" in delta.rationale
            else " So the comparison that matters is with the best work in that sub-area, not with the baseline."
        )
        yield self.finding(
            delta.rationale + tail,
            "position the work against the state of the art of its own sub-area and compare with it directly",
            delta.evidence,
        )

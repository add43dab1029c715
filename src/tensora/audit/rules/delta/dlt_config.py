from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity


class DltConfig(Rule):
    """DLT-CONFIG: the contribution is a configuration of an existing mechanism.

    ## What it flags
    A draft whose change is a setting of a mechanism the baseline or known work already has: a chunk, tile or
    bucket size, a parallel degree, a group size, a micro-batch count, a schedule constant, a tunable.
    ## Why a reviewer cares
    "That is not a paper, that is a config change." A sweep over an existing knob is an engineering note unless
    it comes with a model that predicts the best setting or a mechanism the knob could not express.
    ## Example
    fires:  "we decouple the chunk size from the TP degree and sweep it; c = 256 wins"
    silent: "we split the backward into input- and weight-gradient passes and schedule the latter into bubbles"
    ## Known false alarms
    A new mechanism described mostly through its parameters can look like a configuration; the delta's
    rationale quotes the sentences it relied on.
    ## References
    Persona: the "Delta" audit (tensora seed persona).
    """

    code = "DLT-CONFIG"
    severity = Severity.FATAL
    title = "A configuration change, not a new mechanism"

    def check(self, ctx: Context) -> Iterator[Finding]:
        delta = ctx.shared.get("delta")
        if ctx.delta_class != "config" or delta is None:
            return
        from tensora.audit.findings import Delta

        assert isinstance(delta, Delta)
        said = delta.evidence[0].text if delta.evidence else ""
        yield self.finding(
            "The baseline already has this mechanism, and the draft's own framing is a setting of it"
            + (f': "{said.rstrip(".")}".' if said else ".")
            + " That is not a paper, that is a config change.",
            "turn the setting into a mechanism: a model that predicts the best value across models, sequence "
            "lengths and clusters, or a structural change the existing knob cannot express",
            delta.evidence,
        )

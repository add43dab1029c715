from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Delta, Finding, Severity


class DltStruct(Rule):
    """DLT-STRUCT: a structural change to the baseline's mechanism.

    ## What it flags
    A draft that replaces or adds to the baseline's mechanism. Information: the Mirror states it as "replacing
    A with B", and the rest of the review stress-tests B.
    ## Why a reviewer cares
    A structural delta is the precondition for a paper; it shifts the burden to the mechanism's corner cases.
    ## Example
    fires:  "we replace the synchronous all-gather with a look-ahead prefetcher"
    silent: "we sweep the chunk size of the existing overlap"
    ## Known false alarms
    None known; the class is decided by the delta audit.
    ## References
    Persona: the "Delta" audit (tensora seed persona).
    """

    code = "DLT-STRUCT"
    severity = Severity.INFO
    title = "A structural change"

    def check(self, ctx: Context) -> Iterator[Finding]:
        delta = ctx.shared.get("delta")
        if ctx.delta_class != "structural" or not isinstance(delta, Delta):
            return
        yield self.finding(
            delta.rationale + " The question is no longer whether it differs but whether it holds up.",
            "show the new mechanism wins where the baseline's is strongest, not only where it is weakest",
            delta.evidence,
        )

from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import pct, quotes


class CplxGain(Rule):
    """CPLX-GAIN: a small end-to-end gain bought with a brittle implementation.

    ## What it flags
    An end-to-end gain of about 10% or less that rests on hand-scheduled, hardware-specific or per-shape
    code (PTX, SASS, thousands of lines, one kernel per shape).
    ## Why a reviewer cares
    The field moves fast: an 8% win that needs a PhD in PTX to maintain and breaks on the next GPU is not worth
    its cost, and reviewers weigh the gain against what it takes to keep it.
    ## Example
    fires:  "1,100 lines of hand-scheduled PTX ... 8% higher decode throughput"
    silent: "a 40-line Triton change gives 8% end to end"
    ## Known false alarms
    A large kernel-level speedup is not a small gain; the rule reads the end-to-end figure.
    ## References
    Persona: "Complexity vs. Gain" (tensora seed persona).
    """

    code = "CPLX-GAIN"
    severity = Severity.MAJOR
    title = "Small gain, brittle implementation"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        brittle = c.cue("brittle_implementation")
        if not brittle:
            return
        # a percentage that grew on a cost ("median TTFT 9% higher") is not a gain: the cue leaves it out
        small = c.cue_spans("small_end_to_end_gain")
        gains = [
            q.value - 1
            for q in c.values("speedup")
            if q.qualifier in ("end-to-end", "throughput") and 1.0 < q.value <= 1.10
        ]
        bound = None
        if not small and not gains:
            # the draft's own profile may cap the gain well below what it claims (QNT-AMDAHL's bound), for code
            # that is hand-written at the lowest level (PTX, SASS, assembly), not only long
            if not (c.uses_core("custom-ptx-kernel") or c.has_cue("hand_written_low_level_code")):
                return
            from tensora.audit.rules.quant.qnt_amdahl import amdahl_findings

            bound = next((f.computed.get("amdahl_max_speedup") for f in amdahl_findings(ctx)), None)
            if bound is None or not 1.0 < bound <= 1.10:
                return
        gain = None
        if small:
            gain = float(small[0].groups["pct"]) / 100
        if gain is None and gains:
            gain = min(gains)
        if gain is None and bound is not None:
            gain = bound - 1
        gain = gain if gain is not None else 0.1
        said = (
            f"The draft's own profile caps the end-to-end gain at {pct(gain, 0)} (Amdahl's bound on the part it "
            "speeds up)"
            if bound is not None
            else f"The end-to-end gain is {pct(gain, 0)}"
        )
        yield self.finding(
            f"{said}, and it rests on hand-scheduled, architecture-specific "
            "code that someone has to maintain for every shape and GPU generation.",
            "show the gain is worth its maintenance: a larger end-to-end win, or the same win from a portable "
            "implementation (CUTLASS/Triton, a library configuration)",
            quotes(list(dict.fromkeys(span.sentence for span in small)) + brittle, 3),
            computed={"end_to_end_gain": gain},
        )

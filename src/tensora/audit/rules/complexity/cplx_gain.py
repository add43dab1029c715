from __future__ import annotations

import re
from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import pct, quotes

_BRITTLE = (
    r"\b(inline )?ptx\b|\bsass\b|hand-?(scheduled|written|tuned)|one kernel per|per-shape|per \(|"
    r"assembly|\b[1-9],?\d{3} lines of (hand-?written |inline )?(cuda|ptx|assembly|sass|c\+\+ kernels?)|"
    r"custom (cuda |gpu )?kernels?"
)
_SMALL_GAIN = (
    r"\b([1-9](\.\d+)?|10)\s*%\s*(higher|more|faster|better|improvement|speedup|gain)"
    r"(?!\s+(latency|time|ttft|tpot|memory|cost|overhead|energy))"
)
# a percentage that grew on a cost ("median TTFT 9% higher") is not a gain
_COST_NOUN = (
    r"\b(latency|ttft|tpot|time[- ]to[- ]first|step time|memory|overhead)\b[^.]{0,15}\d+(\.\d+)?\s*%\s*(higher|more)"
)


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
        brittle = c.find(_BRITTLE)
        if not brittle:
            return
        small = [s for s in c.find(_SMALL_GAIN) if not re.search(_COST_NOUN, s.text, re.I)]
        gains = [
            q.value - 1
            for q in c.values("speedup")
            if q.qualifier in ("end-to-end", "throughput") and 1.0 < q.value <= 1.10
        ]
        if not small and not gains:
            return
        gain = None
        for s in small:
            m = re.search(_SMALL_GAIN, s.text, re.I)
            if m:
                gain = float(m.group(1)) / 100
                break
        if gain is None and gains:
            gain = min(gains)
        gain = gain if gain is not None else 0.1
        yield self.finding(
            f"The end-to-end gain is {pct(gain, 0)}, and it rests on hand-scheduled, architecture-specific "
            "code that someone has to maintain for every shape and GPU generation.",
            "show the gain is worth its maintenance: a larger end-to-end win, or the same win from a portable "
            "implementation (CUTLASS/Triton, a library configuration)",
            quotes(small + brittle, 3),
            computed={"end_to_end_gain": gain},
        )

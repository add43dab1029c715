from __future__ import annotations

import re
from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import has, quotes
from tensora.extract.claims import Claims

_CLAIM = (
    r"\b(hid(e|es|den|ing)|overlap\w*|disappear\w*|off the critical path|absorb\w*|idle (network|link) time|"
    r"in the background|effectively free)\b"
)
_HIDDEN_SIZE = r"hidden[ -](size|dim\w*|state|layer|units?)"
_NOT_OURS = r"\b(cannot|can't|does not|doesn't|not)\b[^.]{0,30}\b(hid|overlap)"
_COMM = (
    r"communicat\w*|all-?gather|reduce-?scatter|all-?reduce|all-?to-?all|transfer|traffic|replicat\w+|collective|"
    r"network|nccl|nvlink|infiniband|pcie|dispatch|combine|forwarding|send|recv|copy|copies|d2h|h2d|offload\w*|"
    r"prefetch\w*|swap\w*"
)
_STRONG = r"hid(e|es|den|ing)|disappear\w*|off the critical path|absorb\w*|for free|effectively free|entirely|fully"
_SHOWN = (
    r"\d[\d.,]*\s*(ms|s|us|µs)\b[^.]{0,60}\b(versus|vs\.?|against|within|inside|overlapped with|behind|"
    r"compared (to|with))\b[^.]{0,40}\d[\d.,]*\s*(ms|s|us|µs)\b[^.]{0,40}(compute|forward|backward|gemm|pass)"
)


# "Nsight traces show 1.1% exposed communication": the remainder is measured
_EXPOSED_MEASURED = (
    r"(measur\w+|trace\w*|profil\w+|nsight)[^.]{0,60}\d+(\.\d+)?\s*(%|ms|us|µs)[^.]{0,20}exposed|"
    r"exposed[^.]{0,40}(measur\w+|is|was)\s+\d+(\.\d+)?\s*(%|ms|us|µs)"
)
_TIME = r"\d+(\.\d+)?\s*(ms|us|µs|s)\b"


def _shown_nearby(c: Claims) -> bool:
    """A transfer time and a compute window stated within two sentences of each other."""
    for s in c.sentences:
        if re.search(_COMM, s.text, re.I) and re.search(_TIME, s.text):
            window = c.sentences[max(0, s.index - 2) : s.index + 3]
            if any(
                w is not s
                and re.search(_TIME, w.text)
                and re.search(r"window|compute|gemm|forward|backward|block", w.text, re.I)
                for w in window
            ):
                return True
    return False


class CommOverlap(Rule):
    """COMM-OVERLAP: communication claimed hidden without showing that it fits.

    ## What it flags
    A claim that communication is overlapped, hidden or absorbed by idle time, with no comparison of the
    transfer time against the compute window it hides behind.
    ## Why a reviewer cares
    Overlap only hides what fits: if the transfer takes longer than the compute beside it, the excess is on the
    critical path. Overlap also costs: NCCL kernels occupy SMs and contend with the GEMMs for memory
    bandwidth, and smaller GEMMs lose efficiency.
    ## Example
    fires:  "the transfer of each sub-chunk finishes well before the GEMM on the previous one"
    silent: "the all-reduce takes about 0.26 s, overlapped with a 1.4 s backward pass; 21 ms stay exposed"
    ## Known false alarms
    A draft that gives both times and a measured exposed remainder is not flagged.
    ## References
    Wang et al., ASPLOS 2023 (overlap by decomposition); Jangda et al., ASPLOS 2022 (CoCoNet).
    """

    code = "COMM-OVERLAP"
    severity = Severity.MAJOR
    title = "Overlap asserted, not shown"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        claims = [
            s
            for s in c.find(_CLAIM)
            if (has(_COMM, s.text) or has(r"communicat|network", s.text))
            and not has(_NOT_OURS, s.text)
            and has(_CLAIM, re.sub(_HIDDEN_SIZE, "", s.text, flags=re.I))
        ]
        if not claims or c.has(_SHOWN) or c.has(_EXPOSED_MEASURED) or _shown_nearby(c):
            return
        # the draft's own promise first ("hides ... entirely"), then mere mentions of overlap
        claims.sort(key=lambda s: (s.kind == "heading" or s.index == 0, not has(_STRONG, s.text), s.index))
        yield self.finding(
            "The overlap is asserted rather than shown: no transfer time is set against the compute it is meant "
            "to hide behind. Whatever does not fit lands on the critical path, and the overlap is not free: "
            "NCCL kernels occupy SMs and compete with the GEMMs for memory bandwidth.",
            "put the communication time next to the compute window for each overlapped collective (computed "
            "and measured, with the exposed remainder), including SM and bandwidth contention",
            quotes(claims, 3),
        )

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes


class EvidVague(Rule):
    """EVID-VAGUE: a mechanism described by adjectives instead of a dataflow.

    ## What it flags
    Core method sentences that rely on words like "automatic", "where required", "sensitive operations",
    "adaptively" without a concrete policy, dataflow or memory access pattern beside them.
    ## Why a reviewer cares
    "We use mixed precision to speed things up" is not a mechanism. Which operations, which scaling recipe,
    which granularity: without them the result cannot be reproduced or judged.
    ## Example
    fires:  "scales are updated automatically and sensitive operations stay in higher precision where required"
    silent: "per-tensor scales from a 16-step amax history; softmax and LayerNorm stay in FP32"
    ## Known false alarms
    One vague word beside a concrete recipe is fine; the rule needs two vague method sentences.
    ## References
    Persona: "Do not accept hand-wavy claims" (tensora seed persona).
    """

    code = "EVID-VAGUE"
    severity = Severity.MAJOR
    title = "The mechanism is hand-waved"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        # a sentence with two concrete details (numbers, an equation, FP32, an amax history) is not hand-waving
        concrete = Counter(span.sentence.index for span in c.cue_spans("concrete_detail"))
        vague = [s for s in c.cue("vague_mechanism_wording") if s.kind != "heading" and concrete[s.index] < 2]
        if len(vague) < 2:
            return
        yield self.finding(
            "Key steps of the method are described by what they should achieve rather than how: no recipe, no "
            "granularity, no dataflow. A reviewer cannot tell what runs, and nobody can reproduce it.",
            "replace each adjective with the concrete policy (which operations, which recipe, which "
            "granularity, which memory traffic) and ablate it",
            quotes(vague, 3),
        )

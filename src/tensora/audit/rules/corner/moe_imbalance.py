from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes


class MoeImbalance(Rule):
    """MOE-IMBALANCE: mixture-of-experts without a bound on the busiest expert.

    ## What it flags
    A draft that uses MoE layers and argues from the average tokens per expert (T·k/E), or removes the
    capacity limit or balancing loss, without bounding or measuring the maximum load of one expert.
    ## Why a reviewer cares
    Under router collapse one expert can receive nearly every token: its buffers, the activations saved for
    its backward and the all-to-all receive buffers spike to E/k times the average on one GPU, and the
    slowest expert sets the step time.
    ## Example
    fires:  "each expert sees T·k/E tokens on average, so memory equals capacity factor 1.0"
    silent: "we cap tokens per expert at 2x the mean and report the measured maximum load per step"
    ## Known false alarms
    Expert-choice routing bounds the load by construction; say so and the rule stays quiet.
    ## References
    Switch Transformer (Fedus et al., JMLR 2022); MegaBlocks (Gale et al., MLSys 2023).
    """

    code = "MOE-IMBALANCE"
    severity = Severity.MAJOR
    title = "Expert imbalance is unbounded"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        if not c.uses_in_design("mixture-of-experts", "dropless-moe", "expert-parallelism"):
            return
        if c.has_cue("max_expert_load_bounded") or c.has_cue("expert_choice_routing"):
            return
        if c.has_cue("tokens_stay_local"):
            return  # weights move to the tokens: each GPU computes its own tokens, whatever the routing skew
        counts = [q.value for q in c.values("experts") if 2 <= q.value <= 4096]
        experts = max(counts) if counts else None
        k = c.value("top_k") or 2.0
        removed = c.cue("balancing_removed")
        average = c.cue("expert_load_from_average")
        if not (removed or average or compute.is_training(c) or c.uses_in_design("expert-parallelism")):
            # serving one copy of the experts (offloaded, or on one device) with routing untouched: no backward
            # spike, no busiest rank setting the pace of the others
            return
        computed: dict[str, float] = {}
        extra = ""
        if experts:
            spike = experts / k
            computed["max_over_mean_expert_load"] = spike
            extra = (
                f" With E = {experts:.0f} experts and top-{k:.0f} routing, one expert can receive up to "
                f"{spike:.0f}x the average load."
            )
        evidence = quotes(removed + average + c.cue("moe_routing_named"), 3)
        if not evidence:
            return  # the draft never speaks of its routing: a MoE model it only runs is no routing design
        yield self.finding(
            "Nothing bounds how many tokens one expert receives"
            + (" once the capacity limit or balancing loss is gone" if removed else "")
            + ": memory and time are argued from the mean, but the busiest expert's buffers, its saved "
            "activations for the backward and the all-to-all receive buffers follow the maximum." + extra,
            "bound or measure the maximum per-expert load (and what happens at the spike: out-of-memory in the "
            "backward, the straggling expert) instead of the average",
            evidence,
            computed=computed,
        )

from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes
from tensora.extract.techniques import is_design, is_elsewhere


class RecomputeCost(Rule):
    """RECOMPUTE-COST: activation recomputation without its cost.

    ## What it flags
    A draft that uses full activation recomputation (checkpointing every layer's input) and does not account
    for the extra forward pass it costs, or calls it free.
    ## Why a reviewer cares
    Full recomputation re-runs the forward: about 8N instead of 6N FLOPs per token, a third more executed work.
    Throughput counted as 6N model FLOPs then understates what the hardware must do (MFU versus HFU).
    ## Example
    fires:  "we checkpoint every layer and recompute it in the backward; the bigger GEMMs pay for it"
    silent: "full recomputation costs one extra forward (about 33% more FLOPs), which we report as HFU"
    ## Known false alarms
    Selective recomputation of the attention core costs a few percent; it is not flagged. A plan that recomputes
    projections or the MLP is, since those matmuls are most of the layer's forward. Recomputation of a serving
    engine's KV cache after preemption is not activation recomputation (inference drafts are skipped), nor is
    recomputation enabled outside the design (an evaluation setup both sides share); and a cost given only as
    the time added to the step (hidden behind overlap) does not count as accounting for the work.
    ## References
    Chen et al., 2016 (arXiv:1604.06174); Korthikanti et al., MLSys 2023 (arXiv:2205.05198).
    """

    code = "RECOMPUTE-COST"
    severity = Severity.MAJOR
    title = "Recomputation counted as free"

    def check(self, ctx: Context) -> Iterator[Finding]:
        reversible = list(self._reversible(ctx))
        if reversible:
            yield from reversible
            return
        c = ctx.proposal
        # recomputing matmul outputs (projections, the MLP) repeats most of a layer's forward, as full
        # recomputation does, whatever the draft calls its plan
        matmuls = c.cue("recompute_matmul_outputs")
        # a serving system's recomputation is of KV cache, and a training setup that merely enables
        # recomputation for both sides (outside the design) pays the same cost on either side
        own = [
            s
            for s in c.cue("recomputation_used")
            # "training itself is unchanged: FSDP, BF16, full activation checkpointing" states the setup both
            # sides share, not what the draft does
            if is_design(s) and not c.text_has_cue("part_kept_wording", s.text)
        ]
        if not compute.is_training(c) or not (own or matmuls):
            return
        if not c.uses("activation-recomputation") or (
            c.uses("selective-recomputation") and not c.has_cue("full_recomputation_named") and not matmuls
        ):
            return
        selective = c.has_cue("selective_recomputation_named")
        used = [s for s in c.cue("recomputation_used") if not selective or "full" in s.lower]
        used = matmuls + [s for s in used if s not in matmuls]
        if not used or c.has_cue("recomputation_cost_accounted") or c.has_cue("recomputation_cost_named"):
            return
        free = c.cue("cost_called_negligible")
        hfu_over_mfu = 8.0 / 6.0
        yield self.finding(
            "Full recomputation repeats every layer's forward in the backward pass: about 8N executed FLOPs per "
            f"token against the 6N that MFU counts, so the hardware must run {hfu_over_mfu:.2f}x the model FLOPs. "
            + ("Calling it free does not make the extra forward disappear. " if free else "")
            + "Any throughput projected from 6N understates the work by a third.",
            "account for the extra forward pass of full recomputation (report HFU beside MFU) and show the "
            "configuration still wins once it is paid, or recompute selectively",
            quotes(used + free, 3),
            computed={"hfu_over_mfu": hfu_over_mfu},
        )

    def _reversible(self, ctx: Context) -> Iterator[Finding]:
        """Reversible layers called recomputation-free: rebuilding a layer's input from its output runs the
        layer's branches (attention, MLP) again in the backward, which is the extra forward full recomputation
        pays; only the stored inputs are saved."""
        c = ctx.proposal
        if not c.uses_core("reversible-layers") or not compute.is_training(c):
            return
        said = [s for s in c.cue("no_recomputation_claimed") if not is_elsewhere(s)]
        if not said:
            return
        said = [s for s in said if s.kind != "heading" and s.index > 0] or said  # the claim in a sentence first
        yield self.finding(
            "Inverting a reversible block is recomputation under another name: X2 = Y2 - F(Y1) and X1 = Y1 - G(X2) "
            "evaluate the block's branches (attention and MLP) again in the backward, and with no internal "
            "activations stored the backward then differentiates that same forward. A step costs a forward, a "
            "second forward and a backward per layer, as with full recomputation; what reversibility saves is "
            "the stored layer inputs, not the compute.",
            "count the branch re-evaluation in the step (compare against full recomputation at equal memory, and "
            "against selective recomputation with sequence or context parallelism), and report the measured "
            "backward time per layer",
            quotes(said, 2),
            title="Inversion re-runs the forward",
            computed={"hfu_over_mfu": 4 / 3},
        )

from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes


class SparsityCollapse(Rule):
    """SPARSITY-COLLAPSE: a sparsity pattern that training, or batching, does not keep.

    ## What it flags
    Weight sparsity or pruning (2:4, N:M, unstructured, block) combined with further training or fine-tuning,
    where the draft does not say how the mask is enforced after each update. And activation (contextual)
    sparsity whose gain is claimed at a batch far beyond the batches measured, where the union of the tokens'
    active neurons approaches the whole layer.
    ## Why a reviewer cares
    An optimizer updates every weight: pruned zeros get non-zero gradients and the weights are dense again
    after one step, so the sparse kernels the speedup relies on no longer apply. A batch reads the union of its
    tokens' active neurons: with a share f per token, 1 - (1 - f)^B for independent sets, dense well before the
    batches a server runs.
    ## Example
    fires:  "we prune to 2:4 once and then fine-tune all weights with AdamW"
    fires:  "15% of neurons per token; measured at batch 4, projected 1.6x at batch 64"
    silent: "the 2:4 mask is fixed and re-applied after every optimizer step (masked gradients)"
    ## Known false alarms
    MoE routing sparsity and sparse attention are not weight sparsity and are not flagged here.
    ## References
    Mishra et al., 2021 (arXiv:2104.08378); SR-STE, Zhou et al., ICLR 2021.
    """

    code = "SPARSITY-COLLAPSE"
    severity = Severity.FATAL
    title = "The sparsity pattern may collapse under training"

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from self._batched_union(ctx)
        c = ctx.proposal
        ids = ("structured-sparsity-2-4", "unstructured-pruning", "block-sparsity")
        if not c.uses_core(*ids) or not c.has_cue("weights_trained_or_updated") or c.has_cue("sparsity_mask_enforced"):
            return
        # block-sparse kernels for a dense computation (MoE experts as block-sparse products) prune nothing
        if not c.has_cue("weights_made_sparse"):
            return
        yield self.finding(
            "Nothing in the method keeps the pruned weights at zero: every optimizer step updates all weights, "
            "so the pattern is dense again after the first update and the sparse GEMMs the speedup rests on "
            "stop applying. Starting from a sparse checkpoint does not keep a model sparse.",
            "state how the mask is enforced during training (masked gradients or re-projection after each "
            "step) and measure that the sparse structure survives to the end of the run",
            quotes(c.cue("sparsity_named"), 3),
        )

    def _batched_union(self, ctx: Context) -> Iterator[Finding]:
        """Activation sparsity is per token: a batch reads the union of its tokens' active neurons, which grows
        towards the whole layer as the batch grows (1 - (1 - f)^B for independent sets of share f). A gain
        claimed at a batch far beyond the batches measured rests on how that union grows, and that is exactly
        what was not measured."""
        c = ctx.proposal
        if not c.uses_core("activation-sparsity"):
            return
        batches = c.values("global_batch")
        claimed = [q for q in batches if q.qualifier in ("projected", "planned")]
        measured = [q.value for q in batches if q.qualifier == "evaluation"]
        shares = [float(m.groups["value"]) / 100 for m in c.cue_spans("active_neuron_fraction")]
        if not claimed or not shares:
            return
        target = max(claimed, key=lambda q: q.value)
        largest = max(measured, default=1.0)
        if target.value < 4 * largest:
            return
        share = min(s for s in shares if s > 0) if any(s > 0 for s in shares) else 0.0
        if not 0.0 < share < 1.0:
            return
        union = 1 - (1 - share) ** target.value
        if union < 0.8:
            return
        yield self.finding(
            f"Activation sparsity is per token: a batch of B tokens reads the union of their active neurons. With "
            f"{share:.0%} active per token, independent sets give 1 - (1 - {share:g})^{target.value:.0f} = "
            f"{union:.0%} of the layer at batch {target.value:.0f}, where the gain is claimed; the draft measures "
            f"up to batch {largest:.0f} and extrapolates the rest. Shared neurons slow the growth, but by how much "
            "is the whole question, and a union near the full layer turns the sparse gather into a slower dense "
            "read.",
            f"measure the union of active neurons and the step time at batch {target.value:.0f} (and the batches "
            "between), and say where the gain reaches zero",
            [target.quote, *quotes(c.cue("active_neuron_fraction"), 2)],
            title="The per-token sparsity may vanish in a batch",
            severity=Severity.MAJOR,
            computed={"active_union_independent": union},
            inputs={"per_token_active_share": share, "batch": target.value, "largest_measured_batch": largest},
        )

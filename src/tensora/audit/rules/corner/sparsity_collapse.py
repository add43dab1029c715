from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes


class SparsityCollapse(Rule):
    """SPARSITY-COLLAPSE: a sparsity pattern that training does not keep.

    ## What it flags
    Weight sparsity or pruning (2:4, N:M, unstructured, block) combined with further training or fine-tuning,
    where the draft does not say how the mask is enforced after each update.
    ## Why a reviewer cares
    An optimizer updates every weight: pruned zeros get non-zero gradients and the weights are dense again
    after one step, so the sparse kernels the speedup relies on no longer apply.
    ## Example
    fires:  "we prune to 2:4 once and then fine-tune all weights with AdamW"
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

from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes


class AttnOnlineSoftmax(Rule):
    """ATTN-ONLINE-SOFTMAX: a tiled-attention change that may break online softmax.

    ## What it flags
    A draft that modifies a tiled or fused attention kernel's softmax bookkeeping (the running row maximum, the
    rescale of the accumulator, the normaliser or the stored log-sum-exp) without showing that the result stays
    exact and stable across tiles.
    ## Why a reviewer cares
    FlashAttention is exact because each new tile's maximum rescales what was accumulated so far by
    exp(m_old - m_new). Without it, a later tile with larger scores overflows exp (FP16 overflows once the
    exponent passes about 11), and the backward loses a valid log-sum-exp.
    ## Example
    fires:  "we fix the row maximum from the first key block and skip the per-tile rescale"
    silent: "we keep the running max and rescale but fuse it with the next tile's load"
    ## Known false alarms
    A draft that only uses FlashAttention as a component does not modify it and is not flagged.
    ## References
    Milakov and Gimelshein, 2018 (arXiv:1805.02867); FlashAttention (Dao et al., NeurIPS 2022).
    """

    code = "ATTN-ONLINE-SOFTMAX"
    severity = Severity.FATAL
    title = "Tiled softmax may lose exactness"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        # partial outputs merged without their statistics lose exactness whatever the kernels keep
        dropped = c.cue("partial_attention_merged_without_lse")
        if not (dropped or c.mentions("flashattention", "online-softmax") or c.has_cue("tiled_attention_named")):
            return
        # what is stored for the backward, or recomputed, is memory policy, not the kernel's statistics: the
        # cue leaves such sentences out, as it does normalisation layers
        changed = dropped or c.cue("softmax_statistics_changed")
        if len(changed) < 1 or (not dropped and c.has_cue("online_softmax_kept_exact")):
            return
        if dropped:
            yield self.finding(
                "Two softmax-normalised partial outputs merge exactly only through each part's log-sum-exp: "
                "O = (e^(lse_1 - m) O_1 + e^(lse_2 - m) O_2) / (e^(lse_1 - m) + e^(lse_2 - m)), m the larger lse. "
                "Any other weight (the keys each part covered) is right only when the parts' exp sums per key are "
                "equal, as in a random-input test where attention is near uniform; real prompts put most of the "
                "mass on a few keys (the first token, the instructions), and there the merged output is wrong.",
                "return each pass's log-sum-exp (or running max and sum) and merge with it, and test on real "
                "prompts whose attention concentrates, not only random inputs",
                quotes(dropped, 3),
                title="Partial attention merged without its statistics",
            )
            return
        fp16_exp_limit = 11.09  # ln(65504): exp(x) overflows FP16 above this
        yield self.finding(
            "The change touches the online-softmax bookkeeping that makes tiled attention exact: without the "
            "running maximum and the exp(m_old - m_new) rescale, any later tile whose scores exceed the kept "
            f"constant by more than {fp16_exp_limit:.1f} overflows FP16, clamping silently changes the attention "
            "distribution, and the backward no longer has a valid log-sum-exp. Causal masks, attention sinks "
            "and outlier heads make such tiles routine, not rare.",
            "prove the kernel stays exact (or bound its error) for tiles whose scores exceed the first tile's, "
            "and show the backward's statistics are still valid",
            quotes(changed, 3),
            computed={"fp16_exp_overflow_threshold": fp16_exp_limit},
        )

from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes
from tensora.extract.profile import weight
from tensora.extract.sentences import Sentence
from tensora.extract.techniques import is_design


class MixedPrecision(Rule):
    """MIXED-PRECISION: a lower-precision policy that leaves the sensitive parts unspecified.

    ## What it flags
    A draft whose contribution lowers numeric precision (FP8 training, FP16 accumulators, a bfloat16 router, no
    FP32 master weights, no loss scaling) without saying which operations stay in FP32, what the master-weight
    policy is, and how gradient underflow is handled; also a low-precision training recipe whose safeguards are
    switched off (stochastic rounding replaced by round-to-nearest, the layers kept in 16 bits moved down).
    ## Why a reviewer cares
    Updates far below a format's resolution round to zero without master weights (E4M3 has 3 mantissa bits);
    sums over thousands of terms lose precision in FP16; routers and softmax backward underflow. These are
    the reasons the baseline kept FP32 where it did.
    ## Example
    fires:  "the optimizer updates the FP8 weights directly, with no master copy"
    silent: "BF16 compute with FP32 master weights, as in the baseline"
    ## Known false alarms
    Standard BF16/FP16 mixed precision mentioned in passing is not flagged.
    ## References
    Micikevicius et al., ICLR 2018 (arXiv:1710.03740); FP8 formats (Micikevicius et al., 2022, arXiv:2209.05433).
    """

    code = "MIXED-PRECISION"
    severity = Severity.MAJOR
    title = "Precision policy unspecified"

    def check(self, ctx: Context) -> Iterator[Finding]:
        coarse = (
            list(self._unshifted_softmax(ctx))
            or list(self._outliers_unprotected(ctx))
            or list(self._running_product(ctx))
            or list(self._static_scale(ctx))
            or list(self._coarse_activation_scale(ctx))
            or list(self._reversible_in_low_precision(ctx))
            or list(self._delta_round_trip(ctx))
            or list(self._safeguard_dropped(ctx))
        )
        if coarse:
            yield from coarse
            return
        c = ctx.proposal
        # an inference draft in 16 bits has no master weights or loss scale to lose: only 8-bit and below matter
        training = c.has_cue("training_mentioned") and compute.is_training(c)
        # "bf16 weights (no FP8)" names a format only to say it is not used
        eight_bit = {
            s.index for s in c.cue("eight_bit_or_lower_format") if not c.text_has_cue("low_precision_rejected", s.text)
        }
        lowered = [
            s
            for s in c.cue("precision_lowered_for_component")
            if (training or s.index in eight_bit)
            # "bf16 weights, fp32 master weights and fp32 Adam moments": the sentence states the policy itself,
            # unless the policy it states is to keep no master copy
            and (
                not c.text_has_cue("precision_policy_specified", s.text)
                or c.text_has_cue("master_copy_dropped", s.text)
            )
        ]
        # FP8 the baseline already runs ("FP8 expert GEMMs as in the baseline") lowers nothing against it
        fp8 = c.uses_core("fp8-training") and "fp8-training" not in ctx.baseline.used_ids()
        if not lowered and not fp8:
            # a training draft whose own design sends or stores activations or gradients in 8 bits or fewer
            squeezed = [
                s
                for s in c.cue("eight_bit_or_lower_format")
                if s.index in eight_bit
                and is_design(s)
                and s.kind != "heading"
                and s.index > 0
                and c.text_has_cue("low_precision_applied", s.text)
            ]
            if training and squeezed and not c.has_cue("precision_policy_specified"):
                yield self.finding(
                    "The draft moves training tensors (activations, gradients) through 8 bits or fewer without "
                    "saying what bounds the error: a per-token or per-tensor scale lets one outlier channel set "
                    "the step for every other value of the row, large models carry such channels, and rounding "
                    "repeated at every step (or every hop of a ring) adds up where a one-off test does not look.",
                    "state the scale granularity and why it holds with outlier channels, bound the error per "
                    "step and across the ring's hops, and show loss and gradient-norm curves against the 16-bit "
                    "run over a long run",
                    quotes(squeezed, 2),
                )
            return
        if c.has_cue("precision_policy_specified") and not lowered:
            return
        if not training:
            # "serving Llama-3-70B in FP8": the format the model is deployed in is a setting the draft does not change
            named = lowered or [s for s in c.cue("low_precision_named") if s.kind != "table"]
            if named and all(c.text_has_cue("deployment_precision_named", s.text) for s in named):
                return
            # "to FP8 with one scale per 128 channels ... while the combine stays in BF16": the draft's design
            # states the granularity of what it lowers and what keeps the wider format: the policy asked for
            granularity = any(is_design(s) for s in c.cue("quant_scale_granularity_stated"))
            if granularity and any(is_design(s) for s in c.cue("wider_format_kept")):
                return
            yield self.finding(
                "The draft lowers the precision of what it serves without a precision policy: which tensors keep "
                "16 bits (outlier channels, recent tokens, scales and zero points), what the accumulators run in, "
                "and what the lost bits cost on the tasks where errors compound (long generations, retrieval far "
                "back in the context). A mean score on short tasks hides where the error lands.",
                "state the format of every tensor the draft lowers (with its scale granularity and accumulator) and "
                "show accuracy against the 16-bit model on long-context and long-generation tasks, not only the "
                "average",
                quotes(lowered or c.cue("low_precision_named"), 3),
            )
            return
        dropped = [s for s in lowered if c.text_has_cue("master_copy_dropped", s.text)] or [
            s for s in c.cue("master_copy_dropped") if is_design(s) and training
        ]
        if not dropped and c.has_cue("precision_policy_table"):
            return  # a table of every tensor class and its format is the policy the finding would ask for
        if dropped:
            yield self.finding(
                "The draft keeps no higher-precision master copy: each update is rounded into the low-precision "
                "weight itself. BF16 keeps 8 significant bits, so an update smaller than half a unit in the last "
                "place of the weight (about |w| x 2^-9) rounds away entirely; with small learning rates late in "
                "training most updates fall below that line and the weights stop moving.",
                "keep an FP32 master copy, or show that stochastic rounding or a compensated (Kahan) update keeps "
                "the small updates, with loss curves against a master-weight run over the whole schedule",
                quotes(dropped, 2),
            )
            return
        low_design = any(is_design(s) for s in c.cue("eight_bit_or_lower_format") if s.index in eight_bit)
        if not low_design and any(is_design(s) for s in c.cue("precision_policy_specified")):
            # 16-bit weights and gradients, and the design states the policy elsewhere ("master weights, moments
            # and gradient accumulation are FP32"); 8 bits and below need the policy beside what they lower
            return
        yield self.finding(
            "The draft lowers precision where the baseline deliberately kept a wider format, without saying which "
            "operations stay in higher precision, what the master-weight policy is, how the loss is scaled, or how "
            "gradient underflow in the softmax backward is handled. Small updates vanish below the format's "
            "resolution and long sums lose their low bits.",
            "state the precision of every tensor class (weights, master copy, activations, gradients, optimizer "
            "moments, accumulators, softmax and normalisation) and show stability with loss curves against the "
            "higher-precision policy",
            # the sentences that say what the draft lowers, where it says what it is, before asides about effects
            quotes(_by_weight(lowered + [s for s in c.cue("low_precision_named") if s not in lowered]), 3),
        )

    def _unshifted_softmax(self, ctx: Context) -> Iterator[Finding]:
        """A softmax without the row-maximum subtraction: equal over the reals, not in floating point, where exp of
        a logit overflows past about 88.7 in FP32 and BF16 (11.1 in FP16), and attention logits can grow during
        training."""
        c = ctx.proposal
        dropped = [s for s in c.cue("softmax_max_dropped") if is_design(s) or weight(s) >= 0.7 or s.kind == "table"]
        if not dropped:
            return
        yield self.finding(
            "The design drops the softmax's row-maximum subtraction. The two are equal over the real numbers, not in "
            "floating point: exp of an unshifted logit overflows past about 88.7 in FP32 and BF16 (11.1 in FP16), "
            "and the sum of exponentials loses precision long before. Attention logits are known to grow during "
            "training (the logit-growth instability of large models), so the largest logit of one run is not a "
            "bound on the next.",
            "keep the shift (it costs one reduction), or bound the logits by construction (QK normalisation, a "
            "cap) and show the maximum logit across a long run and across scales",
            quotes(dropped, 2),
        )

    def _outliers_unprotected(self, ctx: Context) -> Iterator[Finding]:
        """A low-bit activation scheme that takes its outlier protection out of a layer: the channels a
        few tokens blow up are where low-bit activations fail, and the inputs of the MLP's down-projection carry
        the largest of them in Llama-family models."""
        c = ctx.proposal
        removed = [s for s in c.cue("outlier_protection_removed") if is_design(s) or weight(s) >= 0.9]
        # outlier channels kept apart exist only in a low-bit scheme: the draft must lower something to 8 bits or fewer
        if not removed or not c.has_cue("eight_bit_or_lower_format"):
            return
        yield self.finding(
            "The draft takes the outlier protection out of a layer. A few channels carry activations orders of "
            "magnitude above the rest, for a few tokens (attention sinks, delimiters), and in Llama-family models "
            "the largest of them sit at the MLP's down-projection input; a 4-bit grid scaled to them flattens every "
            "other value in the group to zero. An average perplexity on short text hides it, because the harm lands "
            "on the rare tokens and on long generations.",
            "measure the activation range per channel at the layers whose protection is removed (the maximum, "
            "not the mean) and report accuracy on long-generation and reasoning tasks against the full scheme",
            quotes(removed, 2),
        )

    def _running_product(self, ctx: Context) -> Iterator[Finding]:
        """A running product of factors below one, or a ratio of two, kept in 16 bits: it rounds to 8 or 11
        significant bits at every multiply, the rounding compounds along the run, and a long enough product of
        small factors leaves the format's range, after which the ratio is 0/0."""
        c = ctx.proposal
        found = [s for s in c.cue("low_precision_running_product") if is_design(s)]
        if not found:
            return
        yield self.finding(
            "The design keeps a running product in a 16-bit format. Each multiply rounds to the format's few "
            "significant bits (8 in BF16, 11 in FP16), and the error compounds along the product; factors well "
            "below one drive it out of range within a chunk (a decay of e^-1 per token is e^-128 after 128 tokens, "
            "below BF16's smallest value), and a ratio of two such products is then 0/0. Slow decays suffer the "
            "other way: factors just below one round to the same value and different rates become identical.",
            "compute the products in log space (cumulative sums of the log factors, in FP32, exponentiated per "
            "entry), or bound the factors' range and show the error of the product against an FP32 reference "
            "over the whole chunk",
            quotes(found, 2),
        )

    def _static_scale(self, ctx: Context) -> Iterator[Finding]:
        """Training casts to 8 bits with scale factors fixed in advance, not tracked from the tensors' ranges: what
        leaves the format's range saturates or flushes to zero, silently, and a cast that saturates never yields
        NaN or Inf, so a run free of them shows nothing."""
        c = ctx.proposal
        if not (compute.is_training(c) and c.uses("fp8-training", "fp8-tensor-scaling", "int8-quantization")):
            return
        static = [s for s in c.cue("static_low_precision_scale") if is_design(s) or weight(s) >= 0.9]
        if not static:
            return
        dev = compute.device(c)
        amd = dev is not None and "MI3" in dev.name.upper()
        limit = "240 (E4M3FNUZ, the FP8 format of AMD's MI300)" if amd else "448 (E4M3)"
        yield self.finding(
            "With scale factors fixed in advance, nothing follows the tensors' range as training moves it: a value "
            f"above the format's largest, {limit}, saturates and one below its smallest subnormal flushes to zero, "
            "silently. Gradients shrink by orders of magnitude over a run and a few activation channels grow "
            "outliers; neither announces itself, and a saturating cast never produces NaN or Inf, so a run "
            "without them is no evidence of range.",
            "measure, per tensor class and over the whole run, the share of values that saturate or flush to zero "
            "(an amax and an underflow count are cheap to collect inside the cast), and say what the design does "
            "when a tensor leaves the range",
            quotes(static, 2),
        )

    def _safeguard_dropped(self, ctx: Context) -> Iterator[Finding]:
        """A low-precision training recipe with its safeguards switched off: stochastic rounding replaced by
        round-to-nearest (at 4 bits a gradient value between two grid points rounds the same way every step, a
        bias that accumulates), or the layers the recipe keeps in 16 bits moved down too."""
        c = ctx.proposal
        if not (c.has_cue("training_mentioned") and compute.is_training(c)):
            return
        dropped = [s for s in c.cue("rounding_safeguard_dropped") if is_design(s) or weight(s) >= 0.7]
        if not dropped:
            return
        yield self.finding(
            "The draft switches off what the low-precision recipe keeps for stability: stochastic rounding makes "
            "each rounded gradient unbiased in expectation, and the layers kept in 16 bits are the ones most "
            "sensitive to the format's few levels. With round-to-nearest on a 4-bit grid, a value between two "
            "levels rounds the same way at every step, and that bias adds up over a long run; a final loss close "
            "to the recipe's after one run does not show where it goes.",
            "keep the safeguard or put something in its place (an unbiased rounding, a finer scale, a correction "
            "term), and show loss and gradient-norm curves against the full recipe over the whole run, with "
            "downstream accuracy",
            quotes(dropped, 2),
        )

    def _coarse_activation_scale(self, ctx: Context) -> Iterator[Finding]:
        """Activations (or tables built from them) quantized to 8 bits or fewer with one scale per token: the
        row's largest value sets the step for every element of the row, and the activations of large language
        models carry outlier channels tens of times larger than the rest, so most values round to a few levels.
        Quiet when the draft handles outliers (smoothing, rotation, finer groups, outliers kept apart)."""
        c = ctx.proposal
        if c.has_cue("outlier_handling_named"):
            return
        low = {s.index for s in c.cue("eight_bit_or_lower_format") if is_design(s)}
        rows = [s for s in c.cue("one_scale_per_row") if is_design(s) and any(abs(s.index - i) <= 1 for i in low)]
        if not rows:
            return
        yield self.finding(
            "One scale per token spans the whole activation row, so the row's largest value sets the step for "
            "every element. The activations of large language models carry outlier channels tens of times larger "
            "than the rest; with 8 bits or fewer the other channels then round to a handful of levels, and the "
            "error lands on every token, not on average.",
            "handle the outlier channels (smoothing, a rotation, finer groups along the row, or outliers kept in "
            "16 bits) or show the per-layer error of the quantized path on real activations, with accuracy "
            "measured on the build that ships",
            quotes(rows, 2),
            title="One scale per row with outlier channels",
        )

    def _reversible_in_low_precision(self, ctx: Context) -> Iterator[Finding]:
        """Reversible layers with 16-bit residual streams: each inversion subtracts a branch's output from a
        much larger residual, so the rounding error of the 16-bit stream is amplified and compounds layer by
        layer down the backward, unless the streams are kept in FP32 (or the arithmetic is exact)."""
        c = ctx.proposal
        if not c.uses_core("reversible-layers") or c.has_cue("higher_precision_residual_stream"):
            return
        low = [s for s in c.sentences if is_design(s) and c.text_has_cue("sixteen_bit_named", s.text)]
        if not low:
            return
        yield self.finding(
            "Inverting a reversible block subtracts a branch's output from the residual stream, and in a 16-bit "
            "format the residual keeps 8 (BF16) or 11 (FP16) significant bits: each reconstructed input carries "
            "the rounding of a much larger number, and the error compounds through every layer the backward "
            "inverts. A short test at initialisation does not show what a deep, trained model with outlier "
            "activations does.",
            "keep the residual streams in FP32 (or use exactly invertible arithmetic), and measure the "
            "reconstruction error and the gradient error against stored activations at full depth and after "
            "training",
            quotes(low, 2),
            title="Inversion error in 16-bit streams",
        )

    def _delta_round_trip(self, ctx: Context) -> Iterator[Finding]:
        """A delta added into 16-bit weights in place and subtracted later: round(round(W + D) - D) is not W, so
        every fold and unfold leaves rounding residue in weights every request shares, unless an exact copy is
        kept to restore from."""
        c = ctx.proposal
        applied = [s for s in c.cue("delta_applied_in_place") if is_design(s) or weight(s) >= 0.9]
        if not applied or c.has_cue("pristine_copy_kept"):
            return
        sixteen = [s for s in c.sentences if c.text_has_cue("sixteen_bit_named", s.text)]
        if not sixteen:
            return
        yield self.finding(
            "Adding a delta into 16-bit weights in place and subtracting it later does not give the weights back: "
            "BF16 keeps 8 significant bits, so W + D is rounded to the grid of W's magnitude (a step of about "
            "2^-8 |W|), the parts of D below half a step are lost on the way in, and subtracting D again leaves "
            "the rounding residue in W. Every round trip adds residue to weights that every request shares, and "
            "a one-cycle output check does not show the drift after thousands of cycles.",
            "keep an exact copy to restore from (or fold into a separate buffer), or bound the drift: measure "
            "max |W_after - W| and the model's outputs after as many fold/unfold cycles as a day of traffic makes",
            quotes(applied, 2) + quotes(sixteen, 1),
            title="In-place round trips drift in 16 bits",
        )


def _by_weight(sentences: list[Sentence]) -> list[Sentence]:
    """Sentences in the order of how much they say about what the draft is (its title, abstract and method
    first), document order among equals."""
    return sorted(sentences, key=lambda s: (-weight(s), s.index))

from __future__ import annotations

import re
from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import has, quotes

_LOW = r"\b(fp16|float16|half precision|bf16|bfloat16|fp8|e4m3|e5m2|8-bit float|int8)\b"
_COMPONENT = re.compile(
    r"accumulat\w*|master (weights?|copy)|loss scal\w*|router|softmax|normali[sz]ation|optimi[sz]er (state|moment)s?|"
    r"moments|gradients?|residual|weights|accumulators?"
)
_NEAR = 80  # characters on each side of a component that belong to its clause
_HIGH = re.compile(r"\b(fp32|float32|single precision|32-bit)\b")
_LOWERING = (
    r"\b(no|without|remov\w+|drop\w*|no longer|instead of|rather than|whole model|entire model|everything|"
    r"all of|included|directly|for simplicity|keep (them|it) in|stored and computed)\b"
)
_AS_BEFORE_NEG = r"\b(no|without) (weight |kv |activation )?quanti[sz]"
_AS_BEFORE = r"\bas in (the baseline|\w+)|unchanged|standard (bf16|fp16|mixed)|as before|same as"
_SPECIFIED = (
    r"(stay|kept|keep|remain)\w*[^.]{0,30}(in )?fp32[^.]{0,80}(softmax|norm|loss|master|accumul|optimi)|"
    r"(delayed|just-in-time|per-block|per-tile|amax history)[^.]{0,30}scal"
)


class MixedPrecision(Rule):
    """MIXED-PRECISION: a lower-precision policy that leaves the sensitive parts unspecified.

    ## What it flags
    A draft whose contribution lowers numeric precision (FP8 training, FP16 accumulators, a bfloat16 router, no
    FP32 master weights, no loss scaling) without saying which operations stay in FP32, what the master-weight
    policy is, and how gradient underflow is handled.
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
        c = ctx.proposal
        # an inference draft in 16 bits has no master weights or loss scale to lose: only 8-bit and below matter
        training = re.search(r"\b(train\w*|fine-?tun\w*|optimi[sz]er|backward)\b", c.text, re.I) is not None
        lowered = [
            s
            for s in c.sentences
            if _lowers(s.lower) and (training or re.search(r"\b(fp8|int8|int4|e4m3|e5m2)\b", s.lower))
        ]
        fp8 = c.uses_core("fp8-training")
        if not lowered and not fp8:
            return
        if c.has(_SPECIFIED) and not lowered:
            return
        yield self.finding(
            "The draft lowers precision where the baseline deliberately kept FP32, without saying which operations "
            "stay in higher precision, what the master-weight policy is, how the loss is scaled, or how gradient "
            "underflow in the softmax backward is handled. Small updates vanish below the format's resolution and "
            "long sums lose their low bits.",
            "state the precision of every tensor class (weights, master copy, activations, gradients, optimizer "
            "moments, accumulators, softmax and normalisation) and show stability with loss curves against the "
            "higher-precision policy",
            quotes(lowered or c.find(_LOW, core_only=True), 3),
        )


def _lowers(text: str) -> bool:
    """A sentence that moves some tensor class below the precision the baseline kept for it.

    The component, a reduced format and the lowering words must sit together (within a clause or so), and
    the component must not be kept in FP32 there ("BF16 compute with FP32 master weights" lowers nothing),
    unless the FP32 copy itself is what goes away ("no FP32 master copy").
    """
    if not has(_LOW, text) or has(_AS_BEFORE, text) or has(_AS_BEFORE_NEG, text):
        return False
    for m in _COMPONENT.finditer(text):
        window = text[max(0, m.start() - _NEAR) : m.end() + _NEAR]
        if not has(_LOW, window) or not has(_LOWERING, window):
            continue
        before, after = text[max(0, m.start() - 20) : m.start()], text[m.end() : m.end() + 30]
        kept_high = bool(_HIGH.search(before) or re.search(r"^\W*(\w+\W+){0,3}(in|at) (fp32|float32)", after))
        dropped = re.search(r"\b(no|without|remov\w+|drop\w*|no longer)\b[^.,;]{0,25}$", before) or re.search(
            r"\b(no longer|not) need", window
        )
        if not kept_high or dropped:
            return True
    return False

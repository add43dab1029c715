from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes


class EvidCurves(Rule):
    """EVID-CURVES: "we match the baseline's accuracy" from final numbers only.

    ## What it flags
    A draft that changes the training math (asynchrony, precision, sparsity, a kernel's numerics, routing)
    and claims to match the baseline's accuracy or loss from final numbers, with no loss-versus-wall-clock
    curves or gradient-norm trajectories.
    ## Why a reviewer cares
    Methods that "match accuracy" at the end can take far longer to get there, or diverge on a longer run;
    a final number from one run hides both. That is a loss, not a win.
    ## Example
    fires:  "final top-1 is 76.2% versus 76.3%, so accuracy matches"
    silent: "loss and gradient-norm curves over 5,000 steps overlap the baseline (Fig. 3)"
    ## Known false alarms
    A change that leaves the math exactly unchanged (a reordering of communication) and says so is not flagged.
    ## References
    Persona note: "Show me loss vs. wall-clock time" (tensora seed persona).
    """

    code = "EVID-CURVES"
    severity = Severity.MAJOR
    title = "Accuracy parity without curves"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        # parity shown element by element ("bit-identical", "max abs error 3e-3") is the evidence an exact method
        # owes; curves would add nothing
        claims = [s for s in c.cue("accuracy_parity_claimed") if not c.text_has_cue("exactness_measured", s.text)]
        if not claims or c.has_cue("learning_curve_shown") or c.has_cue("training_math_unchanged"):
            return
        # post-training quantization or serving has no training trajectory to show
        if not c.has_cue("trains_model") or c.has_cue("no_training_involved"):
            return
        if not compute.is_training(c):
            # a serving draft that mentions how the model was trained: its parity is one of outputs, not of loss
            yield self.finding(
                "Parity with the baseline is claimed from an aggregate score. A change to what the model computes "
                "at serving time can leave a mean score intact and still hurt the outputs where errors compound "
                "(long generations, multi-step reasoning, rare inputs); one number from one sampling seed shows "
                "neither where the damage lands nor whether it is noise.",
                "report per-task accuracy with its variance over sampling seeds, on long-generation and reasoning "
                "tasks as well as short ones, and the outputs that change token for token against the baseline",
                quotes(claims, 3),
            )
            return
        yield self.finding(
            "Parity with the baseline is claimed from end-of-run numbers. A method that changes the training "
            "math can reach the same final value much later in wall-clock time, or drift on a longer run; one "
            "final number from one seed shows neither.",
            "show loss versus wall-clock time and gradient-norm trajectories against the baseline, with "
            "variance over seeds",
            quotes(claims, 3),
        )

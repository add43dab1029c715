from __future__ import annotations

from collections.abc import Iterator

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
        claims = c.cue("accuracy_parity_claimed")
        if not claims or c.has_cue("learning_curve_shown") or c.has_cue("training_math_unchanged"):
            return
        # post-training quantization or serving has no training trajectory to show
        if not c.has_cue("trains_model") or c.has_cue("no_training_involved"):
            return
        yield self.finding(
            "Parity with the baseline is claimed from end-of-run numbers. A method that changes the training "
            "math can reach the same final value much later in wall-clock time, or drift on a longer run; one "
            "final number from one seed shows neither.",
            "show loss versus wall-clock time and gradient-norm trajectories against the baseline, with "
            "variance over seeds",
            quotes(claims, 3),
        )

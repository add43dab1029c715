from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes


class PipeDivisibility(Rule):
    """PIPE-DIVISIBILITY: a batch, micro-batch or layer split that does not divide evenly.

    ## What it flags
    A configuration the draft states (global batch, data-parallel degree, micro-batch size, layers, pipeline
    stages) in which the batch per replica is not a whole number of micro-batches, or the layers do not split
    evenly over the stages, and the draft does not say how the remainder is handled.
    ## Why a reviewer cares
    Uneven splits mean padding, a ragged last micro-batch, or unequal stages: the slowest stage sets the pace
    and the schedule the draft analyses is not the one that runs.
    ## Example
    fires:  "raise the data-parallel degree to 12 while keeping global batch 1,536 and micro-batch 24"
    silent: "global batch 1,024 = 16 replicas x 32 micro-batches x 2 sequences"
    ## Known false alarms
    A draft may round the batch silently in its code; the finding asks it to say so.
    ## References
    Narayanan et al., SC'21 (arXiv:2104.04473), Section 3 (B = b·m·d).
    """

    code = "PIPE-DIVISIBILITY"
    severity = Severity.MAJOR
    title = "A batch or layer split that does not divide evenly"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        if not c.uses(
            "pipeline-parallelism", "data-parallelism", "one-f-one-b", "gpipe-schedule", "interleaved-pipeline"
        ):
            return
        problems = compute.divisibility_problems(c)
        if not problems:
            return
        first = problems[0]
        yield self.finding(
            " ".join(p.message for p in problems[:2]),
            "say what happens when the batch or the layers do not divide evenly (padding, a ragged last "
            "micro-batch, unequal stages) and pick a configuration that divides, recomputing the bubble for it",
            quotes(c.cue("batch_split_named" if "global_batch" in first.inputs else "layer_split_named"), 3),
            computed=first.computed,
            inputs=first.inputs,
        )

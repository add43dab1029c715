from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import num, quotes
from tensora.extract.units import NUMBER_WORDS


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
    A batch split between unequal workers by a percentage is also flagged when the draft neither says how the
    share is rounded nor weights the gradients by each worker's number of samples, and so are work items dealt
    out to workers in a count that does not divide ("192 micro-batches to the 7 surviving twins") when the draft
    does not say where the remainder goes.
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
            found = list(self._share_split(ctx)) or list(self._dealt(ctx))
            yield from found[:1]
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

    def _dealt(self, ctx: Context) -> Iterator[Finding]:
        """Work items dealt out to workers ("192 micro-batches ... to the 7 surviving twins") in a count that does
        not divide: some workers take one more, and the slowest sets the pace; flagged when the draft does not
        say where the remainder goes."""
        c = ctx.proposal
        if c.has_cue("items_remainder_handled"):
            return
        for span in c.cue_spans("items_dealt_to_workers"):
            try:
                n = int(span.groups["n"].replace(",", ""))
                raw = span.groups["k"].lower()
                k = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
            except (KeyError, ValueError):
                continue
            if k < 2 or n < k or n > 100_000 or n % k == 0:
                continue
            most, least = -(-n // k), n // k
            what, who = span.groups.get("what") or "items", span.groups.get("who") or "workers"
            yield self.finding(
                f"{n:,} {what} over {k} {who} is {n / k:.2f} each, not a whole number: {n % k} {who} take "
                f"{most} and {k - n % k} take {least}, so the step waits for the ones with {most}, "
                f"{most / (n / k) - 1:.1%} more work than the even share, and the draft does not say where the "
                "remainder goes.",
                "say how the remainder is placed (and what the extra item costs the slowest worker), or choose "
                "counts that divide",
                [span.sentence.quote()],
                computed={"items_per_worker": n / k, "max_items_per_worker": float(most)},
                inputs={"items": n, "workers": k},
            )
            return

    def _share_split(self, ctx: Context) -> Iterator[Finding]:
        """A batch split between workers by a percentage: the shares must be whole micro-batches and the
        gradients of unequal local batches must be weighted by their sizes."""
        c = ctx.proposal
        if c.has_cue("gradient_weighted_by_samples"):
            return
        micro = c.value("micro_batch_size") or 1.0
        for span in c.cue_spans("batch_share_split"):
            try:
                share = float(span.groups["share"]) / 100.0
                batch = float(span.groups["batch"].replace(",", ""))
            except (KeyError, ValueError):
                continue
            if not 0.0 < share < 1.0 or batch < 2:
                continue
            sizes = [share * batch, (1.0 - share) * batch]
            whole = all(abs(x - round(x)) < 1e-6 and round(x) % micro == 0 for x in sizes)
            counts = [x / micro for x in sizes]
            yield self.finding(
                f"The batch of {batch:,.0f} is split {100 * share:g}% / {100 * (1 - share):g}% between workers: "
                f"{num(sizes[0])} and {num(sizes[1])} sequences, "
                + (
                    "whole numbers, "
                    if whole
                    else f"which with micro-batch size {micro:.0f} is {num(counts[0])} and {num(counts[1])} "
                    "micro-batches, not whole numbers; the draft does not say how the split is rounded, "
                )
                + "and with unequal local batches a plain average of the workers' gradients weights the small "
                "share as much as the large one, which biases the update.",
                "state how the share is rounded to whole micro-batches and weight each worker's gradient by its "
                "number of samples (or show the plain average is what is intended)",
                quotes([span.sentence] + c.cue("batch_split_named"), 3),
                computed={"microbatches_per_worker": counts[0]},
                inputs={"global_batch": batch, "share": share, "micro_batch_size": micro},
            )
            return

from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes
from tensora.extract.techniques import is_elsewhere


class AsyncStaleness(Rule):
    """ASYNC-STALENESS: stale or asynchronous updates without a convergence argument.

    ## What it flags
    A draft that applies gradients or weights computed from older parameters (asynchronous SGD, bounded
    staleness, delayed exchange) without a convergence argument, a correction for the delay, or a story for
    replicas that diverge, stragglers and jitter spikes.
    ## Why a reviewer cares
    A staleness bound is not a convergence guarantee. Replicas that apply different gradient sets drift apart
    (which one do you checkpoint?), discarded late shards bias the data a node contributes, and a sustained
    straggler turns "bounded" into "dropped".
    ## Example
    fires:  "remote shards up to four iterations old are applied; older ones are discarded"
    silent: "prefetch is asynchronous but every update waits for the full reduction"
    Also flagged: a design that reads state (a snapshot or copy) while the update writes it in place, with the
    ordering barrier removed and nothing (double buffering, copy-on-write) in its place.
    ## Known false alarms
    Asynchronous communication (prefetch, overlapped all-reduce, background checkpoints) with synchronous
    updates is not staleness.
    ## References
    SSP (Ho et al., NeurIPS 2013); PipeDream-2BW (Narayanan et al., ICML 2021).
    """

    code = "ASYNC-STALENESS"
    severity = Severity.FATAL
    title = "Staleness without a convergence argument"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        # stale gradients and torn snapshots are training state; an inference system's background copies are not
        if not compute.is_training(c):
            return
        torn = [s for s in c.cue("state_read_while_updated") if not is_elsewhere(s)]
        if torn and not c.has_cue("consistent_snapshot_kept"):
            yield self.finding(
                "The design lets state be read while it is updated in place (the barrier that ordered the copy "
                "and the update is gone), so a snapshot can mix tensors from before and after a step: weights "
                "from one step with optimizer moments, step counter or data position from another. A bound on "
                "the per-step change of a weight says nothing about that consistency, and a restart from such a "
                "snapshot is not a state the training ever passed through.",
                "keep what is read consistent (double-buffer or copy-then-update the state, or check a version "
                "number) or show that restarts from mixed snapshots converge like restarts from consistent ones",
                quotes(torn, 3),
            )
            return
        # the draft's own updates: "asynchronous variants remove the barrier, at the price of staleness" in a
        # paragraph about other work is not
        every = c.cue("stale_updates_applied")
        stale = [s for s in every if not is_elsewhere(s)]
        if not stale or c.has_cue("convergence_argument_given"):
            return
        own = c.cue("stale_updates_own")
        # the draft's own design must apply stale updates; its related work may then add to the evidence
        if not (c.uses("asynchronous-sgd", "bounded-staleness", "local-sgd") or len(every) >= 2 or own):
            return
        bounded = c.uses("bounded-staleness") or any("bound" in s.lower for s in stale)
        opening = (
            "The update applies gradients computed on older weights, and a staleness bound is offered in place of "
            "a convergence argument."
            if bounded
            else "The update applies gradients computed on older weights, and nothing bounds, discounts or rejects "
            "them by their age: the delay the draft reports is a distribution with a tail, not a limit."
        )
        # replicas that each apply their own set of late gradients diverge; one job that folds them in does not
        replicas = c.uses("asynchronous-sgd", "local-sgd", "bounded-staleness")
        middle = (
            " Nodes that apply different gradient sets hold different models (which one is checkpointed?), late "
            "shards that are discarded drop a straggler's data from training, and the learning rate is not corrected "
            "for the delay."
            if replicas
            else " Late gradients that are discarded drop their data from training, and the learning rate is not "
            "corrected for the delay."
        )
        yield self.finding(
            opening + middle + " What happens during a sustained jitter spike?",
            "give a convergence argument (or measured divergence bounds) under the stated staleness, say how "
            "replicas are re-synchronised, and show behaviour under a straggler or network jitter spike",
            quotes(stale, 3),
        )

from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes, total_gpus
from tensora.extract.techniques import is_elsewhere


class FaultTolerance(Rule):
    """FAULT-TOLERANCE: synchronous collectives at scale with no failure story.

    ## What it flags
    A draft that claims training survives a node failure while every step runs synchronous collectives, or
    that scales to a thousand or more GPUs without saying what happens when one node fails or stalls.
    ## Why a reviewer cares
    A dead or stalled rank hangs every synchronous collective until a watchdog aborts the job; communicators
    must be rebuilt, the data-parallel degree and global batch change. Replicated state is necessary for
    recovery, not sufficient.
    ## Example
    fires:  "because state is replicated, training simply continues on the surviving nodes"
    silent: "failures are detected by the NCCL watchdog and the job restarts from in-memory checkpoints"
    Also flagged: a design that removes a recovery mechanism (retransmission, acknowledgements, retries, a
    watchdog, lossless flow control) without a replacement.
    ## Known false alarms
    A single-node or kernel study is not flagged.
    ## References
    MegaScale (Jiang et al., NSDI 2024); Oobleck (Jang et al., SOSP 2023).
    """

    code = "FAULT-TOLERANCE"
    severity = Severity.MAJOR
    title = "No failure story for synchronous collectives"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        removed = c.cue("recovery_mechanism_removed")
        if removed and not c.has_cue("recovery_replacement_named"):
            yield self.finding(
                "The design drops a mechanism that recovers from loss or failure (retransmission, acknowledgements, "
                "retries, a watchdog, lossless flow control) and puts nothing in its place: a lost packet or a "
                "stalled peer is then either silently wrong data or a hang, and neither shows up in a run on a "
                "clean, idle fabric.",
                "say what detects and repairs the loss now (sequence numbers and re-requests, erasure coding, a "
                "bounded effect on convergence) and measure it under injected loss and failures",
                quotes(removed, 3),
            )
            return
        trusted = [s for s in c.cue("collectives_error_on_failure") if not is_elsewhere(s)]
        if trusted:
            yield self.finding(
                "The recovery counts on collectives failing cleanly when a peer dies, but a collective already in "
                "flight does not return: its kernels wait on the GPU for bytes that never arrive, and only a "
                "watchdog's timeout or an explicit abort of the communicator (which can itself block) ends them, "
                "after which the streams that held them must be recovered before any other communicator is used. "
                "A killed process is the easy case (its sockets close and peers see an error); a hung GPU, a "
                "flapping link or a partitioned switch leaves the peer alive and the collective waiting.",
                "say how in-flight collectives are torn down (asynchronous error handling, communicator abort, "
                "timeouts) and measure recovery with a hung GPU and a dropped link, not only a killed process",
                quotes(trusted, 2),
            )
            return
        claims = c.cue("failure_survival_claimed")
        gpus = total_gpus(c) or 0
        if claims:
            if any(not is_elsewhere(s) for s in c.cue("communicators_rebuilt")):
                return
            yield self.finding(
                "Survival is claimed, but every step still runs synchronous collectives: a dead or stalled rank "
                "hangs them until a watchdog aborts the job, the communicators must be rebuilt, and the "
                "data-parallel degree and global batch change. Replicated state is what makes recovery possible, "
                "not what makes it happen.",
                "specify failure detection, communicator re-formation, and how the batch and learning rate "
                "adapt when a node leaves, and measure the time to resume",
                quotes(claims, 3),
            )
        elif gpus >= 1024 and not c.has_cue("failure_handling_described"):
            yield self.finding(
                f"At {gpus:,.0f} GPUs failures are routine, and the draft runs synchronous collectives without "
                "saying what happens when one node fails or stalls.",
                "state how failures and stragglers are detected and recovered at this scale",
                quotes(c.cue("cluster_size_stated"), 2),
                severity=Severity.MINOR,
                computed={"gpus": gpus},
            )

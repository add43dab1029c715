from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes
from tensora.extract.techniques import is_design


class ZeroPrefetchRace(Rule):
    """ZERO-PREFETCH-RACE: asynchronous parameter prefetch without ordering.

    ## What it flags
    A draft that replaces ZeRO-3/FSDP's synchronous per-layer all-gather with asynchronous or look-ahead
    prefetching and does not say how the compute stream waits for a gather that has not landed, or how the
    prefetch order is kept right when execution order changes.
    ## Why a reviewer cares
    ZeRO-3 is correct because the gather completes before the layer runs. Without an event wait a layer can read
    a half-filled buffer; a recorded order diverges under control flow, recomputation or the backward; and
    buffers reused by reduce-scatters can race.
    ## Example
    fires:  "gathers for the next four layers go on a side stream and the compute stream simply continues"
    silent: "each layer's forward waits on the CUDA event of its gather; we re-trace the order every step"
    ## Known false alarms
    Drafts that keep FSDP's own prefetch unchanged are not flagged.
    ## References
    ZeRO-Infinity (Rajbhandari et al., SC 2021); PyTorch FSDP (Zhao et al., VLDB 2023).
    """

    code = "ZERO-PREFETCH-RACE"
    severity = Severity.MAJOR
    title = "Prefetch without synchronisation"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        if not c.uses_in_design("zero-3", "fsdp", "parameter-prefetch"):
            return
        # the draft's own design gathers ahead; a measurement that mentions the prefetcher of the FSDP it
        # keeps as it is does not
        proposed = [s for s in c.cue("parameters_gathered_ahead") if is_design(s)]
        if not proposed or c.has_cue("gather_wait_synchronised"):
            return
        yield self.finding(
            "The gathers are issued ahead of use, but nothing makes the compute stream wait for them: when the "
            "network is slower than the layers in between, a layer reads a buffer whose all-gather has not "
            "landed. A recorded execution order also breaks under control flow, recomputation and the reversed "
            "backward, and reduce-scatters launched without a wait can race with buffer reuse.",
            "specify the synchronisation (an event wait per gathered layer), what happens when compute "
            "finishes before communication, and how the prefetch order is validated every step",
            quotes(proposed, 3),
        )

from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import num, quotes


class PeakMemory(Rule):
    """PEAK-MEMORY: memory argued from the average where the peak decides.

    ## What it flags
    A memory argument made from averages ("on average 1.2 extra layers", "each expert receives T·k/E tokens on
    average") where the draft neither bounds nor measures the peak.
    ## Why a reviewer cares
    A job runs out of memory at its peak, not its mean: prefetched buffers, in-flight gradients, transient
    all-to-all buffers and allocator fragmentation all stack at the worst moment. FSDP added
    limit_all_gathers because people ran out of memory this way.
    ## Example
    fires:  "on average only one extra gathered layer is resident, so the card has headroom"
    silent: "peak reserved memory measured with torch.cuda.max_memory_reserved is 61 GiB of 80"
    ## Known false alarms
    An average stated beside a measured peak is fine.
    ## References
    PyTorch FSDP (Zhao et al., VLDB 2023), limit_all_gathers; ZeRO (Rajbhandari et al., SC 2020).
    """

    code = "PEAK-MEMORY"
    severity = Severity.MAJOR
    title = "Average memory where the peak decides"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        averaged = c.cue("memory_argued_from_average")
        # an explicit time average ("the time-averaged total is 65.7 GiB") is the error itself, whatever peak the
        # draft measured for another configuration
        timed = c.cue("memory_time_averaged")
        # a rate limiter named to say it is switched off makes the peak worse, not bounded (the cue's negation)
        if not timed and (not averaged or c.has_cue("peak_memory_bounded")):
            return
        averaged = timed or averaged
        computed: dict[str, float] = {}
        inputs: dict[str, object] = {}
        extra = ""
        states = compute.model_states(c)
        if states is not None:
            computed["model_states_per_gpu_gib"] = states.gib
            inputs.update(states.inputs)
            extra = f" Model states alone take {num(states.gib)} GiB per GPU ({states.explain})."
        yield self.finding(
            "The memory argument rests on an average, but the job fails at its peak: the buffers in flight at "
            "the worst moment (look-ahead gathers, unsharded gradients in the backward, transient communication "
            "buffers) and allocator fragmentation add up there." + extra,
            "bound the peak memory analytically and measure it (max reserved memory, with fragmentation), "
            "and say what limits the buffers in flight",
            quotes(averaged, 3),
            computed=computed,
            inputs=inputs,
        )

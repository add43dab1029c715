from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes


class EvidToolchain(Rule):
    """EVID-TOOLCHAIN: a kernel or hardware mapping with no implementation path.

    ## What it flags
    A proposed (often promised) kernel, accelerator or hardware mapping whose description never says how it is
    built: CUDA, Triton, CUTLASS, a vendor library, a compiler pass, an HLS flow.
    ## Why a reviewer cares
    A beautiful algorithm that cannot be implemented efficiently on real hardware is a theory paper, not a
    systems paper; the implementation path decides whether the claimed speed exists.
    ## Example
    fires:  "we will write a custom kernel that handles the transposed operand"
    silent: "the backward uses cuSPARSELt for the transposed operand and a Triton kernel for dW"
    ## Known false alarms
    A kernel described elsewhere in the draft with its toolchain counts as specified.
    ## References
    Persona note: "How do you actually compile this?" (tensora seed persona).
    """

    code = "EVID-TOOLCHAIN"
    severity = Severity.MAJOR
    title = "No implementation path for the kernel"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        # a promise that names its toolchain in the same sentence is no promise (the cue's negation)
        promised = c.cue("kernel_or_hardware_promised")
        if not promised:
            return
        named = [s.index for s in c.cue("kernel_toolchain_named")]
        if any(abs(i - p.index) <= 1 for i in named for p in promised):
            return
        yield self.finding(
            "The part of the method that the claimed speed depends on is a kernel that does not exist yet, and "
            "the draft does not say how it will be built (CUDA, CUTLASS, a vendor library, Triton) or how its "
            "hard case is handled.",
            "say how the kernel is implemented (which toolchain, which hardware instructions) and show a "
            "prototype's speed before projecting end-to-end gains from it",
            quotes(promised, 3),
        )

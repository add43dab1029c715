from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import has, quotes

_PROMISED = (
    r"\b(will|plan to|to be|would) (write|implement|develop|build|design)\w*[^.]{0,40}"
    r"(kernel|accelerator|hardware|mapping|dataflow|fpga|asic)|"
    r"(new|novel|custom) (hardware|accelerator|dataflow|mapping|systolic)"
)
_TOOLCHAIN = (
    r"\bcuda\b|triton|tvm|cutlass|cublas\w*|cusparse\w*|\bptx\b|nvcc|\bmlir\b|\bxla\b|compiler pass|"
    r"\bhls\b|verilog|chisel|rocm|\bhip\b|torch\.compile|inductor|cudnn|thunderkittens|pallas"
)


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
        promised = [s for s in c.find(_PROMISED) if not has(_TOOLCHAIN, s.text)]
        if not promised:
            return
        nearby = [s for s in c.sentences if any(abs(s.index - p.index) <= 1 for p in promised)]
        if any(has(_TOOLCHAIN, s.text) for s in nearby):
            return
        yield self.finding(
            "The part of the method that the claimed speed depends on is a kernel that does not exist yet, and "
            "the draft does not say how it will be built (CUDA, CUTLASS, a vendor library, Triton) or how its "
            "hard case is handled.",
            "say how the kernel is implemented (which toolchain, which hardware instructions) and show a "
            "prototype's speed before projecting end-to-end gains from it",
            quotes(promised, 3),
        )

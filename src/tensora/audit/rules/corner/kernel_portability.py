from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes
from tensora.extract.claims import Claims
from tensora.extract.sentences import Sentence


class KernelPortability(Rule):
    """KERNEL-PORTABILITY: a hand-written low-level kernel tied to one GPU generation.

    ## What it flags
    A contribution that rests on hand-written PTX, SASS or hand-scheduled CUDA for one architecture, without
    showing that the gain carries to the next generation.
    ## Why a reviewer cares
    Ampere-era instruction choices (mma.sync, cp.async, ldmatrix) are not how Hopper reaches its peak (TMA,
    wgmma, warp-specialised pipelines): "port it later" means rewriting it, and the maintenance burden lands on
    whoever adopts it.
    ## Example
    fires:  "the kernel is 1,100 lines of inline PTX compiled for sm_80; we port to H100 after the paper"
    silent: "written in Triton; the same source runs on A100 and H100 at 85% and 80% of bandwidth"
    ## Known false alarms
    Kernels written in Triton or built from CUTLASS templates are not flagged.
    ## References
    NVIDIA Hopper tuning guide (TMA, wgmma); FlashAttention-3 (Shah et al., 2024).
    """

    code = "KERNEL-PORTABILITY"
    severity = Severity.MAJOR
    title = "A hand-written kernel for one GPU generation"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        # "no CUDA or PTX" names the toolchain to rule it out (the cue's negation)
        hand = c.cue("hand_written_low_level_code")
        if not hand and not c.uses_core("custom-ptx-kernel"):
            return
        if c.has_cue("kernel_ported_across_generations"):
            return
        if hand and all(c.text_has_cue("cpu_isa_named", s.text) for s in hand):
            yield self.finding(
                "The gain lives in hand-written code for one CPU instruction set. x86 servers (AVX2, AVX-512, "
                "AMX), Arm cores with SVE or SME, and even other cores of the same ISA (different table-lookup "
                "and load throughput) each need their own version and tuning, and a plan to port is not a port.",
                "show the gain on a second ISA, or generate the kernel from a portable description (a compiler "
                "or template library) and show what the hand-written version adds",
                quotes(hand, 3),
                title="Hand-written code for one instruction set",
            )
            return
        now, then, instructions = _next_generation(c, hand)
        yield self.finding(
            "The gain lives in hand-scheduled low-level code for one architecture. "
            + (
                f"The draft schedules {now} instructions; on {then} the fast path is {instructions}, so the kernel "
                "does not carry over: it has to be rewritten, and someone has to maintain each variant."
                if now
                else "The next GPU generation changes the matrix instructions, the memory path and the "
                "synchronisation the schedule relies on, so the kernel does not carry over: it has to be "
                "rewritten, and someone has to maintain each variant."
            ),
            f"show the gain survives a GPU generation change ({then or 'the next architecture'}) or express the "
            "idea in a portable layer (CUTLASS templates, Triton) and show what is lost",
            quotes(hand, 3) or c.technique_quotes("custom-ptx-kernel")[:3],
        )


# the architecture a kernel is written for, the next one, and what its fast path uses there
_AMPERE = ("Ampere", "Hopper", "TMA loads and wgmma with warp specialisation")
_HOPPER = ("Hopper", "Blackwell", "tcgen05 matrix instructions with tensor memory, not wgmma")
_CDNA = (
    "AMD CDNA",
    "another CDNA generation or an NVIDIA GPU",
    "a different set of matrix-core instruction shapes, wavefront width and memory path",
)


def _next_generation(c: Claims, hand: list[Sentence]) -> tuple[str, str, str]:
    """(this generation, the next, its fast path), from the instructions the draft names or its GPU; empty
    strings when neither says."""
    dev = compute.device(c)
    if dev is not None and dev.vendor == "AMD":
        return _CDNA  # an AMD draft that names NVIDIA's instructions does so to say what it could not use
    text = " ".join(s.lower for s in hand)
    if any(w in text for w in ("wgmma", "sm_90", "sm90", "tma ", "tma,", "hopper")):
        return _HOPPER
    if any(w in text for w in ("mma.sync", "cp.async", "sm_80", "sm80", "ampere", "ldmatrix")):
        return _AMPERE
    name = dev.id if dev is not None else ""
    if name.startswith(("h100", "h200", "h800", "h20")):
        return _HOPPER
    if name.startswith(("a100", "a800", "a40", "a10")):
        return _AMPERE
    return "", "", ""

from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import num, pct, precision

_PLAUSIBLE_MFU = 0.75


class QntPeak(Rule):
    """QNT-PEAK: a claimed throughput at or beyond what the hardware can do.

    ## What it flags
    A claimed TFLOP/s per GPU that, divided by the dense peak of the named device in the draft's precision
    (or the peak the draft states itself, whichever is larger), gives a utilisation above 75%.
    ## Why a reviewer cares
    End-to-end training does not run above about 75% of dense peak: attention, normalisation, optimizer steps
    and communication do not run on tensor cores. A higher figure means a counting error (sparse peak,
    recomputed FLOPs, a wrong formula) or a measurement error.
    ## Example
    fires:  "290 TFLOP/s forward and backward on an A100" (312 dense BF16 peak: 93%)
    silent: "51.4% MFU on 512 A100s"
    ## Known false alarms
    A single large GEMM can reach 80-90% of peak; the rule reads the largest claimed figure, so a GEMM
    micro-benchmark stated in TFLOP/s can trigger it.
    ## References
    PaLM (Chowdhery et al., 2022), Appendix B (MFU); NVIDIA datasheets (dense peaks).
    """

    code = "QNT-PEAK"
    severity = Severity.MAJOR
    title = "Throughput beyond plausible peak"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        claims = [q for q in c.values("tflops_per_gpu") if q.qualifier != "baseline" and q.value > 0]
        if not claims:
            return
        claim = max(claims, key=lambda q: q.value)
        peaks = [q.value for q in c.values("peak_tflops") if q.value > 0]
        dev = compute.device(c)
        dtype = precision(c)
        source = "as the draft states it"
        if dev is not None:
            try:
                catalog = dev.peak_flops(dtype) / 1e12
            except Exception:  # the catalog has no peak for that dtype
                catalog = None
            if catalog is not None and (not peaks or catalog > max(peaks)):
                peaks.append(catalog)
                source = f"{dev.name}, dense {dtype.upper()}"
        if not peaks:
            return
        peak = max(peaks)
        mfu = claim.value / peak
        if mfu <= _PLAUSIBLE_MFU:
            return
        severity = Severity.FATAL if mfu > 1.0 else Severity.MAJOR
        yield self.finding(
            f"{num(claim.value)} TFLOP/s per GPU against a dense peak of {num(peak)} TFLOP/s ({source}) is "
            f"{pct(mfu)} of peak. Softmax, normalisation and communication do not run on tensor cores; "
            "nothing trains end to end at that fraction, so either the FLOPs are counted generously or the "
            "measurement is wrong.",
            "show how the FLOPs are counted (model FLOPs, no recomputation, dense peak) and reconcile the "
            "figure with a measured step time",
            [claim.quote],
            severity=severity,
            computed={"mfu": mfu},
            inputs={
                "claimed_tflops": claim.value,
                "peak_tflops": peak,
                "dtype": dtype,
                "device": dev.id if dev is not None else "",
            },
        )

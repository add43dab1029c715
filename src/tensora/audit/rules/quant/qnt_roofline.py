from __future__ import annotations

import re
from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import num, precision
from tensora.errors import TensoraError
from tensora.models.roofline import gemm_intensity, roofline_max_speedup

_N = r"(\d[\d,]*)"
_SHAPE_NAMED = re.compile(
    rf"\bM\s*=\s*{_N}[^.]{{0,40}}?\bK\s*=\s*{_N}[^.]{{0,40}}?\bN\s*=\s*{_N}|"
    rf"\bM\s*=\s*{_N}[^.]{{0,40}}?\bN\s*=\s*{_N}[^.]{{0,40}}?\bK\s*=\s*{_N}"
)
_TIMES = re.compile(
    r"(\d+(?:\.\d+)?)\s*(microseconds|us|µs|ms)\b[^.]{0,30}?\b(?:versus|vs\.?|against|compared (?:to|with))\s*"
    r"(\d+(?:\.\d+)?)\s*(microseconds|us|µs|ms)?"
)
_BYTES = {"fp32": 4.0, "tf32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0}


def _n(text: str) -> int:
    return int(text.replace(",", ""))


def _seconds(value: str, unit: str | None) -> float:
    return float(value) * (1e-3 if unit == "ms" else 1e-6)


class QntRoofline(Rule):
    """QNT-ROOFLINE: a kernel speedup that the roofline does not allow.

    ## What it flags
    A GEMM whose shape the draft states (M, N, K) and whose claimed time is below the roofline minimum
    max(FLOPs / peak, bytes / bandwidth) of the named device, or whose speedup over the library exceeds
    t_library / t_min.
    ## Why a reviewer cares
    A skinny GEMM is memory-bound: it cannot run faster than reading its weights once at full HBM bandwidth.
    A faster measurement means L2-resident weights across repeated runs, missing synchronisation, or a wrong
    result.
    ## Example
    fires:  "M = 16, K = 13,824, N = 5,120 in 37 us versus 88 us" on an A100 (minimum about 69 us)
    silent: the same shape at 75 us versus 88 us
    ## Known false alarms
    Kernels that legitimately reuse data from L2 across calls (persistent weights) beat the HBM roof; the
    draft must then say so.
    ## References
    Williams, Waterman and Patterson, CACM 2009 (roofline); NVIDIA A100/H100 datasheets.
    """

    code = "QNT-ROOFLINE"
    severity = Severity.FATAL
    title = "Faster than the roofline allows"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        dev = compute.device(c)
        if dev is None:
            return
        shape_s = c.first(_SHAPE_NAMED)
        times_s = c.first(_TIMES)
        if shape_s is None or times_s is None:
            return
        m = _SHAPE_NAMED.search(shape_s.text)
        t = _TIMES.search(times_s.text)
        assert m is not None and t is not None
        g = [x for x in m.groups() if x]
        if m.group(1):
            mm, kk, nn = _n(g[0]), _n(g[1]), _n(g[2])
        else:
            mm, nn, kk = _n(g[0]), _n(g[1]), _n(g[2])
        unit_b = t.group(4) or t.group(2)
        new_t, old_t = _seconds(t.group(1), t.group(2)), _seconds(t.group(3), unit_b)
        if new_t >= old_t:
            return
        dtype = precision(c)
        size = _BYTES.get(dtype, 2.0)
        intensity = gemm_intensity(mm, nn, kk, dtype_bytes=size)
        flops = 2.0 * mm * nn * kk
        moved = flops / float(intensity)
        try:
            peak = dev.peak_flops(dtype)
            limit = roofline_max_speedup(flops, moved, peak, dev.memory_bandwidth, measured_time_s=old_t)
        except TensoraError:
            return
        claimed = old_t / new_t
        if claimed <= float(limit) * 1.02:
            return
        t_min = max(flops / peak, moved / dev.memory_bandwidth)
        needed_bw = moved / new_t
        yield self.finding(
            f"At M = {mm}, N = {nn}, K = {kk} the GEMM does {flops / 1e9:.2f} GFLOP over {moved / 1e6:.1f} MB: "
            f"{float(intensity):.0f} FLOP/byte, far below the ridge of {dev.name}, so it is memory-bound. Reading "
            f"the operands once at {dev.memory_bandwidth / 1e12:.3g} TB/s takes at least {t_min * 1e6:.1f} us; "
            f"against the library's {old_t * 1e6:.0f} us the roofline allows at most {float(limit):.2f}x, and "
            f"{new_t * 1e6:.0f} us would need {needed_bw / 1e12:.2f} TB/s, {num(needed_bw / dev.memory_bandwidth)}x "
            "the HBM peak.",
            "re-measure with cold L2 and proper synchronisation, check the results, and state the speedup the "
            "roofline allows for this shape",
            [shape_s.quote(), times_s.quote()],
            computed={
                "arithmetic_intensity": float(intensity),
                "roofline_max_speedup": float(limit),
                "claimed_speedup": claimed,
            },
            inputs={"M": mm, "N": nn, "K": kk, "dtype": dtype, "device": dev.id},
        )

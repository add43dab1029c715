from __future__ import annotations

import re
from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import num, precision
from tensora.errors import TensoraError
from tensora.extract.claims import Claims
from tensora.extract.sentences import Sentence
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
        shape = _shape(c)
        times = _times(c)
        if shape is None or times is None:
            return
        (mm, nn, kk), shape_s = shape
        (new_t, old_t), times_s = times
        if new_t >= old_t:
            return
        dtype = precision(c)
        size = _BYTES.get(dtype, 2.0)
        flops = 2.0 * mm * nn * kk
        bits = _weight_bits(c)
        if bits is not None:
            # weight-only quantization: the weights stream at `bits` per element, activations and outputs in 16 bits
            moved = kk * nn * bits / 8 + 2.0 * (mm * kk + mm * nn)
            intensity = flops / moved
        else:
            intensity = float(gemm_intensity(mm, nn, kk, dtype_bytes=size))
            moved = flops / intensity
        try:
            peak = dev.peak_flops("fp16" if bits is not None else dtype)
            limit = roofline_max_speedup(flops, moved, peak, dev.memory_bandwidth, measured_time_s=old_t)
        except TensoraError:
            return
        claimed = old_t / new_t
        if claimed <= float(limit) * 1.02:
            return
        t_min = max(flops / peak, moved / dev.memory_bandwidth)
        needed_bw = moved / new_t
        weights = f" with {bits:g}-bit weights" if bits is not None else ""
        yield self.finding(
            f"At M = {mm}, N = {nn}, K = {kk}{weights} the GEMM does {flops / 1e9:.2f} GFLOP over {moved / 1e6:.1f} "
            f"MB: {intensity:.0f} FLOP/byte, far below the ridge of {dev.name}, so it is memory-bound. Reading "
            f"the operands once at {dev.memory_bandwidth / 1e12:.3g} TB/s takes at least {t_min * 1e6:.1f} us; "
            f"against the library's {old_t * 1e6:.1f} us the roofline allows at most {float(limit):.2f}x, and "
            f"{new_t * 1e6:.1f} us would need {needed_bw / 1e12:.2f} TB/s, {num(needed_bw / dev.memory_bandwidth)}x "
            "the HBM peak.",
            "re-measure with cold L2 and proper synchronisation, check the results, and state the speedup the "
            "roofline allows for this shape",
            [shape_s.quote(), times_s.quote()],
            computed={
                "arithmetic_intensity": intensity,
                "roofline_max_speedup": float(limit),
                "claimed_speedup": claimed,
            },
            inputs={"M": mm, "N": nn, "K": kk, "dtype": dtype, "weight_bits": bits, "device": dev.id},
        )


_SHAPE_PAIR = re.compile(r"(\d[\d,]*)\s*[x×]\s*(\d[\d,]*)\s+(?:GEMV|GEMM|matmul|linear|projection)", re.I)
_BATCH = re.compile(r"\bbatch(?: size)?\s*(?:=|of)?\s*(\d+)", re.I)
_LIBRARY = re.compile(r"cublas|cutlass|library|baseline|fp16|bf16|dense|reference", re.I)
_WEIGHT_FORMAT = re.compile(r"\bW([248])A(?:8|16)\b|\b(?:INT|int)([248])\b|\b([248])-bit\b")
_GROUP = re.compile(r"group(?: size)?\s*(?:of\s*|=\s*)?(\d+)|per (\d+) weights|\bg(\d+)\b", re.I)


def _shape(c: Claims) -> tuple[tuple[int, int, int], Sentence] | None:
    """(M, N, K) of the kernel the draft times: "M = 16, K = 13,824, N = 5,120" or "4096 x 11008 GEMV, batch 1"."""
    s = c.first(_SHAPE_NAMED)
    if s is not None:
        m = _SHAPE_NAMED.search(s.text)
        assert m is not None
        g = [x for x in m.groups() if x]
        if m.group(1):
            return (_n(g[0]), _n(g[2]), _n(g[1])), s
        return (_n(g[0]), _n(g[1]), _n(g[2])), s
    s = c.first(_SHAPE_PAIR)
    if s is None:
        return None
    m = _SHAPE_PAIR.search(s.text)
    b = _BATCH.search(s.text)
    assert m is not None
    batch = int(b.group(1)) if b else 1
    return (batch, _n(m.group(2)), _n(m.group(1))), s


def _times(c: Claims) -> tuple[tuple[float, float], Sentence] | None:
    """(draft's time, library's time): "37 us versus 88 us", or a table of kernel times."""
    s = c.first(_TIMES)
    if s is not None:
        t = _TIMES.search(s.text)
        assert t is not None
        unit_b = t.group(4) or t.group(2)
        return (_seconds(t.group(1), t.group(2)), _seconds(t.group(3), unit_b)), s
    rows = [q for q in c.values("kernel_time") if q.value > 0 and "|" in q.quote.text]
    library = [q for q in rows if _LIBRARY.search(q.quote.text)]
    own = [q for q in rows if not _LIBRARY.search(q.quote.text)]
    if not library or not own:
        return None
    fastest = min(own, key=lambda q: q.value)
    baseline = max(library, key=lambda q: q.value)
    i = compute.sentence_index(c, fastest)
    return (fastest.value, baseline.value), (c.sentences[i] if i >= 0 else c.sentences[0])


def _weight_bits(c: Claims) -> float | None:
    """Bits per weight of weight-only quantization, with its FP16 group scales ("INT4, group size 128": 4.125)."""
    m = next(
        (m for s in c.find(r"\bweights?\b") if (m := _WEIGHT_FORMAT.search(s.text))),
        None,
    )
    if m is None:
        return None
    bits = float(next(g for g in m.groups() if g))
    g = _GROUP.search(c.text)
    if g is not None:
        group = int(next(x for x in g.groups() if x))
        if group > 0:
            bits += 16.0 / group
    return bits

"""Roofline: arithmetic intensity of common kernels, attainable FLOP/s, and the largest speedup a
kernel can still get.

Follows Williams, Waterman & Patterson, "Roofline: An Insightful Visual Performance Model for Multicore
Architectures" (CACM 2009), with one memory level (HBM) and one compute roof (the dense peak of the
dtype). Byte counts are compulsory traffic: each operand read once and each result written once, unless
a kernel's structure forces more (standard attention writes and re-reads its N x N score matrix).

Left out: caches (L2 reuse can beat the HBM roof; a measured time under the roofline minimum means the
byte count is too high), the lower roofs of non-tensor-core math, launch overhead, and partial waves.
"""

from __future__ import annotations

import math

from tensora.errors import ModelInputError
from tensora.models._validate import positive, positive_int
from tensora.models.result import Computed

__all__ = [
    "ELEMENTWISE_OPS",
    "attainable_flops",
    "attention_intensity",
    "elementwise_intensity",
    "gemm_intensity",
    "ridge_point",
    "roofline_max_speedup",
    "roofline_time_s",
]

_ROOFLINE = "Williams, Waterman & Patterson, 'Roofline', CACM 2009"
_FLASH = "Dao et al., 'FlashAttention', NeurIPS 2022, Sec. 3.2 (IO complexity)"

# FLOPs per element and tensors read/written per element: approximate op counts, our convention
# (exp, tanh and rsqrt count as one FLOP each).
ELEMENTWISE_OPS: dict[str, tuple[float, int, int, str]] = {
    "add": (1.0, 2, 1, "x + y"),
    "mul": (1.0, 2, 1, "x * y"),
    "relu": (1.0, 1, 1, "max(x, 0)"),
    "gelu": (8.0, 1, 1, "tanh approximation, ~8 FLOPs"),
    "bias-gelu": (9.0, 1, 1, "fused bias add + GeLU; the bias vector is negligible"),
    "dropout": (
        2.0,
        1,
        2,
        "mask compare and scale; writes output and a 1-byte-per-element mask (counted as a full tensor here)",
    ),
    "softmax": (5.0, 1, 1, "max, subtract, exp, sum, divide: one read, one write (fused)"),
    "layernorm": (8.0, 1, 1, "mean, variance, normalise, scale, shift: one read, one write (fused)"),
    "rmsnorm": (5.0, 1, 1, "mean of squares, rsqrt, scale: one read, one write (fused)"),
}


def ridge_point(peak_flops: float, bandwidth: float) -> Computed:
    """Arithmetic intensity where a kernel turns from memory-bound to compute-bound.

    I* = P / B (FLOP/byte), P = dense peak FLOP/s, B = memory bandwidth in bytes/s.
    Source: Williams, Waterman & Patterson (CACM 2009).
    Ignores caches and lower compute roofs (e.g. FP32 CUDA cores next to tensor cores).

    Example: peak_flops=989.5e12, bandwidth=3.35e12 -> 295.37 FLOP/byte (H100 SXM, BF16 dense)
    """
    p = positive("peak_flops", peak_flops)
    b = positive("bandwidth", bandwidth)
    return Computed(
        p / b,
        name="ridge_point",
        unit="FLOP/byte",
        formula="P / B",
        inputs={"P_flops": p, "B_bytes_per_s": b},
        source=_ROOFLINE,
    )


def attainable_flops(arithmetic_intensity: float, peak_flops: float, bandwidth: float) -> Computed:
    """FLOP/s the roofline allows a kernel of a given arithmetic intensity.

    min(P, I * B), I = FLOP/byte, P = dense peak FLOP/s, B = bytes/s.
    Source: Williams, Waterman & Patterson (CACM 2009).
    Ignores caches and latency-bound small kernels.

    Example: arithmetic_intensity=62.06, peak_flops=989.5e12, bandwidth=3.35e12 -> 2.0790e14 FLOP/s
    """
    i = positive("arithmetic_intensity", arithmetic_intensity)
    p = positive("peak_flops", peak_flops)
    b = positive("bandwidth", bandwidth)
    value = min(p, i * b)
    return Computed(
        value,
        name="attainable_flops",
        unit="FLOP/s",
        formula="min(P, I * B)",
        inputs={"I": i, "P_flops": p, "B_bytes_per_s": b},
        source=_ROOFLINE,
        details={"ridge_point": p / b, "compute_bound": 1.0 if i >= p / b else 0.0},
    )


def _intensity(
    flops: float,
    nbytes: float,
    formula: str,
    inputs: dict[str, float | int | str | bool | None],
    source: str,
    notes: tuple[str, ...] = (),
) -> Computed:
    return Computed(
        flops / nbytes,
        name="arithmetic_intensity",
        unit="FLOP/byte",
        formula=formula,
        inputs=inputs,
        source=source,
        details={"flops": flops, "bytes": nbytes},
        notes=notes,
    )


def gemm_intensity(m: int, n: int, k: int, dtype_bytes: float = 2, out_bytes: float | None = None) -> Computed:
    """Arithmetic intensity of a GEMM C[m, n] = A[m, k] @ B[k, n].

    FLOPs = 2*m*n*k; bytes = (m*k + k*n) * dtype_bytes + m*n * out_bytes (A and B read once, C written
    once; out_bytes defaults to dtype_bytes). I = FLOPs / bytes.
    Source: Williams et al. (CACM 2009); NVIDIA "Matrix Multiplication Background" user guide.
    Ignores re-reads when tiles do not fit in cache, and accumulating into C (beta != 0 reads C too).

    Example: m=8192, n=8192, k=8192, dtype_bytes=2 -> 2730.67 FLOP/byte
    """
    mm = positive_int("m", m)
    nn = positive_int("n", n)
    kk = positive_int("k", k)
    ib = positive("dtype_bytes", dtype_bytes)
    ob = ib if out_bytes is None else positive("out_bytes", out_bytes)
    flops = 2.0 * mm * nn * kk
    nbytes = (float(mm) * kk + float(kk) * nn) * ib + float(mm) * nn * ob
    return _intensity(
        flops,
        nbytes,
        "2*m*n*k / ((m*k + k*n)*bytes_in + m*n*bytes_out)",
        {"m": mm, "n": nn, "k": kk, "bytes_in": ib, "bytes_out": ob},
        _ROOFLINE + "; NVIDIA Matrix Multiplication Background guide",
    )


def attention_intensity(
    seq_len: int,
    head_dim: int,
    heads: int = 1,
    batch: int = 1,
    dtype_bytes: float = 2,
    causal: bool = False,
    io_aware: bool = False,
    kv_passes: int = 1,
) -> Computed:
    """Arithmetic intensity of the attention forward pass, standard or IO-aware (tiled).

    Per head, N = sequence length, d = head dim: FLOPs = 4*N^2*d (Q K^T and P V; halved when causal,
    counting useful work). Standard attention materialises S and P in HBM: bytes = (4*N*d + 4*N^2) *
    dtype_bytes (read Q, K, V, write O; write S, read S, write P, read P). IO-aware tiled attention
    (FlashAttention) keeps S and P on chip: bytes = (2*N*d + 2*N*d*kv_passes) * dtype_bytes, Q read and O
    written once, K and V read kv_passes times (1 = the compulsory lower bound; FlashAttention's
    Theta(N^2 d^2 / M) corresponds to kv_passes = N / block_rows). Both scale by batch * heads, which
    cancels in the intensity.
    Source: Dao et al., FlashAttention (NeurIPS 2022), Algorithm 0 and Theorem 2.
    Ignores softmax FLOPs (~5*N^2 per head), masks, dropout, and fp32 storage of S in the standard kernel.

    Example: seq_len=4096, head_dim=128 -> 62.06 FLOP/byte (standard); io_aware=True -> 2048 FLOP/byte
    """
    n = positive_int("seq_len", seq_len)
    d = positive_int("head_dim", head_dim)
    h = positive_int("heads", heads)
    b = positive_int("batch", batch)
    nbytes_el = positive("dtype_bytes", dtype_bytes)
    passes = positive_int("kv_passes", kv_passes)
    if passes != 1 and not io_aware:
        raise ModelInputError("kv_passes applies to the IO-aware (tiled) kernel only")
    groups = float(b) * h
    flops = 4.0 * n * n * d * groups * (0.5 if causal else 1.0)
    if io_aware:
        elems = (2.0 * n * d + 2.0 * n * d * passes) * groups
        formula = "4*N^2*d [x0.5 causal] / ((2*N*d + 2*N*d*kv_passes) * bytes)"
        kind = "IO-aware tiled (S and P stay on chip)"
    else:
        elems = (4.0 * n * d + 4.0 * n * n) * groups
        formula = "4*N^2*d [x0.5 causal] / ((4*N*d + 4*N^2) * bytes)"
        kind = "standard (S and P materialised in HBM)"
    return _intensity(
        flops,
        elems * nbytes_el,
        formula,
        {
            "N": n,
            "d": d,
            "heads": h,
            "batch": b,
            "bytes": nbytes_el,
            "causal": causal,
            "io_aware": io_aware,
            "kv_passes": passes,
        },
        _FLASH,
        (kind, "forward pass only"),
    )


def elementwise_intensity(
    op: str | None = None,
    n_elements: int = 1,
    flops_per_element: float | None = None,
    reads: int | None = None,
    writes: int | None = None,
    dtype_bytes: float = 2,
) -> Computed:
    """Arithmetic intensity of an elementwise, normalisation or softmax kernel.

    I = flops_per_element / ((reads + writes) * dtype_bytes): every element is read and written once per
    tensor. ``op`` picks counts from ELEMENTWISE_OPS (add, mul, relu, gelu, bias-gelu, dropout, softmax,
    layernorm, rmsnorm); explicit flops_per_element/reads/writes override them. n_elements cancels in I
    and sets details' FLOPs and bytes.
    Source: Williams et al. (CACM 2009); op counts are our approximate convention (stated per op).
    Ignores parameter vectors (norm weights, biases) and reductions' partial sums.

    Example: op='layernorm', n_elements=67108864 -> 2.0 FLOP/byte (bf16)
    """
    n = positive_int("n_elements", n_elements)
    nbytes_el = positive("dtype_bytes", dtype_bytes)
    desc = "custom"
    if op is not None:
        key = op.strip().lower().replace("_", "-")
        if key not in ELEMENTWISE_OPS:
            raise ModelInputError(f"unknown op {op!r}; known: {', '.join(ELEMENTWISE_OPS)}")
        f0, r0, w0, desc = ELEMENTWISE_OPS[key]
        f = f0 if flops_per_element is None else positive("flops_per_element", flops_per_element)
        r = r0 if reads is None else positive_int("reads", reads)
        w = w0 if writes is None else positive_int("writes", writes)
    else:
        if flops_per_element is None or reads is None or writes is None:
            raise ModelInputError("give op, or all of flops_per_element, reads and writes")
        key = "custom"
        f = positive("flops_per_element", flops_per_element)
        r = positive_int("reads", reads)
        w = positive_int("writes", writes)
    flops = f * n
    nbytes = (r + w) * n * nbytes_el
    return _intensity(
        flops,
        nbytes,
        "flops_per_element / ((reads + writes) * bytes)",
        {"op": key, "n": n, "flops_per_element": f, "reads": r, "writes": w, "bytes": nbytes_el},
        _ROOFLINE,
        (desc,),
    )


def roofline_time_s(flops: float, bytes_moved: float, peak_flops: float, bandwidth: float) -> Computed:
    """Shortest time the roofline allows a kernel: max(compute time, memory time).

    t_min = max(F / P, Q / B), F = FLOPs, Q = bytes moved to and from memory, P = dense peak, B = bandwidth.
    Source: Williams, Waterman & Patterson (CACM 2009).
    Ignores launch latency and overlap limits (real kernels rarely reach either roof).

    Example: flops=536870912, bytes_moved=268435456, peak_flops=989.5e12, bandwidth=3.35e12
    -> 8.0130e-5 s (memory-bound)
    """
    f = positive("flops", flops)
    q = positive("bytes_moved", bytes_moved)
    p = positive("peak_flops", peak_flops)
    b = positive("bandwidth", bandwidth)
    tc, tm = f / p, q / b
    return Computed(
        max(tc, tm),
        name="roofline_time_s",
        unit="s",
        formula="max(F / P, Q / B)",
        inputs={"F": f, "Q_bytes": q, "P_flops": p, "B_bytes_per_s": b},
        source=_ROOFLINE,
        details={
            "compute_time_s": tc,
            "memory_time_s": tm,
            "compute_bound": 1.0 if tc >= tm else 0.0,
            "arithmetic_intensity": f / q,
        },
    )


def roofline_max_speedup(
    flops: float,
    bytes_moved: float,
    peak_flops: float,
    bandwidth: float,
    measured_time_s: float | None = None,
    achieved_flops: float | None = None,
    achieved_bandwidth: float | None = None,
    claimed_speedup: float | None = None,
) -> Computed:
    """Largest speedup the roofline still allows a kernel, from its measured time.

    S_max = t_measured / max(F / P, Q / B). t_measured is given directly, or as F / achieved FLOP/s, or
    as Q / achieved bytes/s (give exactly one). A claimed speedup above S_max needs fewer FLOPs or bytes
    (a different algorithm), not a faster kernel.
    Source: Williams, Waterman & Patterson (CACM 2009).
    Ignores caches: if t_measured < t_min the byte or FLOP count is too high (an error here).

    Example: flops=536870912, bytes_moved=268435456, peak_flops=989.5e12, bandwidth=3.35e12,
    measured_time_s=120e-6 -> 1.4976
    """
    f = positive("flops", flops)
    q = positive("bytes_moved", bytes_moved)
    p = positive("peak_flops", peak_flops)
    b = positive("bandwidth", bandwidth)
    given = [x for x in (measured_time_s, achieved_flops, achieved_bandwidth) if x is not None]
    if len(given) != 1:
        raise ModelInputError("give exactly one of measured_time_s, achieved_flops, achieved_bandwidth")
    if measured_time_s is not None:
        t = positive("measured_time_s", measured_time_s)
        how = "measured"
    elif achieved_flops is not None:
        t = f / positive("achieved_flops", achieved_flops)
        how = "F / achieved_flops"
    else:
        t = q / positive("achieved_bandwidth", achieved_bandwidth if achieved_bandwidth is not None else 0.0)
        how = "Q / achieved_bandwidth"
    t_min = max(f / p, q / b)
    if t < t_min * (1 - 1e-9):
        raise ModelInputError(
            f"measured time {t:.3g} s is below the roofline minimum {t_min:.3g} s; "
            "the FLOP or byte count is too high (cache reuse?) or the peak too low"
        )
    value = t / t_min
    details = {
        "t_measured_s": t,
        "t_min_s": t_min,
        "compute_time_s": f / p,
        "memory_time_s": q / b,
        "arithmetic_intensity": f / q,
        "achieved_fraction_of_roof": t_min / t,
    }
    notes: list[str] = [f"t_measured from {how}"]
    inputs: dict[str, float | int | str | bool | None] = {
        "F": f,
        "Q_bytes": q,
        "P_flops": p,
        "B_bytes_per_s": b,
        "t_measured_s": t,
    }
    if claimed_speedup is not None:
        c = positive("claimed_speedup", claimed_speedup)
        inputs["claimed_speedup"] = c
        details["claimed_over_max"] = c / value
        if c > value * (1 + 1e-9):
            notes.append(f"claimed {c:g}x exceeds the roofline's {value:.3g}x for this FLOP and byte count")
    return Computed(
        value if math.isfinite(value) else math.inf,
        name="roofline_max_speedup",
        unit="ratio",
        formula="t_measured / max(F / P, Q / B)",
        inputs=inputs,
        source=_ROOFLINE,
        details=details,
        notes=tuple(notes),
    )

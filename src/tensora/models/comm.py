"""Collective communication: alpha-beta time of ring, tree and hierarchical collectives, bus bandwidth,
and the bytes that data, ZeRO-3/FSDP, tensor and sequence parallelism move per step.

Costs follow the alpha-beta model (Hockney 1994; Thakur, Rabenseifner & Gropp, IJHPCA 2005): a message of
S bytes takes alpha + S/B. B here is the ONE-WAY (per-direction) bandwidth of each rank's link: a ring step
sends and receives at the same time. Datasheets often print bidirectional totals (H100 NVLink: 900 GB/s
bidirectional = 450 GB/s each way; a 400 Gb/s NIC moves 50 GB/s each way); halve those first.

Bus bandwidth follows nccl-tests (doc/PERFORMANCE.md): algbw = S/t; busbw = algbw * 2(n-1)/n for
all-reduce and algbw * (n-1)/n for all-gather, reduce-scatter and all-to-all, S being the full buffer
(for all-gather and reduce-scatter: n times the per-rank part). Compare busbw with the link's one-way
bandwidth.

Left out: congestion and oversubscribed fabrics, NCCL protocol overheads (LL/LL128/Simple), SHARP
in-network reduction, overlap with compute, and topology beyond two levels.
"""

from __future__ import annotations

import math

from tensora.errors import ModelInputError
from tensora.models._validate import choice, non_negative, positive, positive_int
from tensora.models.result import Computed

__all__ = [
    "ALGORITHMS",
    "COLLECTIVES",
    "all_gather_time_s",
    "all_to_all_time_s",
    "bus_bandwidth",
    "collective_time_s",
    "dp_comm_bytes_per_step",
    "hierarchical_all_reduce_time_s",
    "reduce_scatter_time_s",
    "ring_all_reduce_time_s",
    "tp_comm_bytes_per_layer",
    "tree_all_reduce_time_s",
    "zero3_comm_bytes_per_step",
    "zero3_comm_time_s",
]

COLLECTIVES = ("all-reduce", "all-gather", "reduce-scatter", "all-to-all")
ALGORITHMS = ("ring", "tree", "hierarchical")

_ALPHA_BETA = "alpha-beta model: Thakur, Rabenseifner & Gropp, IJHPCA 2005"
_NCCL_TESTS = "nccl-tests doc/PERFORMANCE.md (NVIDIA)"
# nccl-tests' bus-bandwidth factors: (label, multiplier of (n-1)/n)
_BUS_FACTORS: dict[str, tuple[str, float]] = {
    "all-reduce": ("2(n-1)/n", 2.0),
    "all-gather": ("(n-1)/n", 1.0),
    "reduce-scatter": ("(n-1)/n", 1.0),
    "all-to-all": ("(n-1)/n", 1.0),
}


def _bus_factor(op: str, n: int) -> tuple[str, float]:
    label, mult = _BUS_FACTORS[op]
    return label, mult * (n - 1) / n


def _common(size_bytes: float, ranks: int, bandwidth: float, latency_s: float) -> tuple[float, int, float, float]:
    return (
        positive("size_bytes", size_bytes),
        positive_int("ranks", ranks),
        positive("bandwidth", bandwidth),
        non_negative("latency_s", latency_s),
    )


def _time(
    value: float,
    latency: float,
    formula: str,
    op: str,
    s: float,
    n: int,
    b: float,
    alpha: float,
    source: str,
    algo: str,
) -> Computed:
    label, factor = _bus_factor(op, n)
    algbw = s / value if value > 0 else math.inf
    return Computed(
        value,
        name="comm_time_s",
        unit="s",
        formula=formula,
        inputs={"op": op, "algorithm": algo, "S_bytes": s, "n": n, "B_bytes_per_s": b, "alpha_s": alpha},
        source=source,
        details={
            "algbw_bytes_per_s": algbw,
            "busbw_bytes_per_s": algbw * factor,
            "latency_term_s": latency,
            "bandwidth_term_s": value - latency,
        },
        notes=(f"B is one-way bandwidth per rank; busbw = algbw * {label} (nccl-tests)",),
    )


def ring_all_reduce_time_s(size_bytes: float, ranks: int, bandwidth: float, latency_s: float = 0.0) -> Computed:
    """Time of a ring all-reduce of S bytes over n ranks.

    t = 2(n-1) * alpha + 2(n-1)/n * S/B: a reduce-scatter then an all-gather, n-1 steps each, every step
    moving S/n bytes per rank. B = one-way bandwidth per rank, alpha = per-step latency.
    Source: Thakur, Rabenseifner & Gropp (IJHPCA 2005); nccl-tests doc/PERFORMANCE.md ("t = (S/B) *
    (2*(n-1)/n)").
    Ignores contention, protocol overhead and in-network reduction.

    Example: size_bytes=1e9, ranks=8, bandwidth=450e9 -> 3.8889e-3 s
    """
    s, n, b, alpha = _common(size_bytes, ranks, bandwidth, latency_s)
    lat = 2 * (n - 1) * alpha
    t = lat + 2 * (n - 1) / n * s / b
    return _time(
        t,
        lat,
        "2(n-1)*alpha + 2(n-1)/n * S/B",
        "all-reduce",
        s,
        n,
        b,
        alpha,
        _ALPHA_BETA + "; " + _NCCL_TESTS,
        "ring",
    )


def tree_all_reduce_time_s(size_bytes: float, ranks: int, bandwidth: float, latency_s: float = 0.0) -> Computed:
    """Time of a pipelined (double binary) tree all-reduce of S bytes over n ranks.

    t = 2*ceil(log2 n) * alpha + 2 * S/B: a reduce up and a broadcast down trees of depth ~log2 n; with two
    complementary trees each rank sends and receives about S per phase (NCCL's double binary tree).
    Latency grows with log n instead of n, bandwidth is n/(n-1) worse than the ring.
    Source: Sanders, Speck & Traeff, "Two-tree algorithms for full bandwidth broadcast, reduction and
    scan" (Parallel Computing 2009); Jeaugey, "Massively Scale Your Deep Learning Training with NCCL 2.4"
    (NVIDIA blog, 2019); alpha-beta after Thakur et al. (2005).
    Ignores pipeline fill (the chunks in flight) and contention.

    Example: size_bytes=1e9, ranks=8, bandwidth=450e9, latency_s=1e-5 -> 4.5044e-3 s
    """
    s, n, b, alpha = _common(size_bytes, ranks, bandwidth, latency_s)
    depth = math.ceil(math.log2(n)) if n > 1 else 0
    lat = 2 * depth * alpha
    t = lat + (2 * s / b if n > 1 else 0.0)
    return _time(
        t,
        lat,
        "2*ceil(log2 n)*alpha + 2 * S/B",
        "all-reduce",
        s,
        n,
        b,
        alpha,
        "Sanders et al. 2009 (two-tree); NCCL 2.4 double binary tree; " + _ALPHA_BETA,
        "tree",
    )


def _half_ring(op: str, size_bytes: float, ranks: int, bandwidth: float, latency_s: float) -> Computed:
    """All-gather and reduce-scatter move the same bytes: (n-1) steps of S/n each, one way round the ring."""
    s, n, b, alpha = _common(size_bytes, ranks, bandwidth, latency_s)
    lat = (n - 1) * alpha
    t = lat + (n - 1) / n * s / b
    return _time(t, lat, "(n-1)*alpha + (n-1)/n * S/B", op, s, n, b, alpha, _NCCL_TESTS + "; " + _ALPHA_BETA, "ring")


def all_gather_time_s(size_bytes: float, ranks: int, bandwidth: float, latency_s: float = 0.0) -> Computed:
    """Time of a ring all-gather whose gathered result is S bytes (S/n from each rank).

    t = (n-1) * alpha + (n-1)/n * S/B.
    Source: nccl-tests doc/PERFORMANCE.md (AllGather: "t = S*(n-1)/(B*n)"); Thakur et al. (2005).
    Ignores contention and protocol overhead.

    Example: size_bytes=1e9, ranks=8, bandwidth=450e9 -> 1.9444e-3 s
    """
    return _half_ring("all-gather", size_bytes, ranks, bandwidth, latency_s)


def transfer_time_s(size_bytes: float, bandwidth: float, latency_s: float = 0.0) -> Computed:
    """Time of one point-to-point copy of S bytes over a link of one-way bandwidth B.

    t = alpha + S/B, as for a KV-cache swap over PCIe or a KV hand-off over a NIC.
    Source: the alpha-beta model with one message (Hockney, 1994). Ignores contention with other traffic on the
    same link.

    Example: size_bytes=1.68e9, bandwidth=25e9 -> 0.0672 s
    """
    s = positive("size_bytes", size_bytes)
    b = positive("bandwidth", bandwidth)
    alpha = non_negative("latency_s", latency_s)
    t = alpha + s / b
    return Computed(
        t,
        name="comm_time_s",
        unit="s",
        formula="alpha + S/B",
        inputs={"op": "transfer", "S_bytes": s, "B_bytes_per_s": b, "alpha_s": alpha},
        source=_ALPHA_BETA,
        details={"latency_term_s": alpha, "bandwidth_term_s": s / b},
        notes=("B is the link's one-way bandwidth",),
    )


def reduce_scatter_time_s(size_bytes: float, ranks: int, bandwidth: float, latency_s: float = 0.0) -> Computed:
    """Time of a ring reduce-scatter of an S-byte buffer (each rank keeps S/n of the sum).

    t = (n-1) * alpha + (n-1)/n * S/B.
    Source: nccl-tests doc/PERFORMANCE.md (ReduceScatter: "t = S*(n-1)/(B*n)"); Thakur et al. (2005).
    Ignores contention, protocol overhead and the reduction arithmetic.

    Example: size_bytes=1e9, ranks=8, bandwidth=450e9 -> 1.9444e-3 s
    """
    return _half_ring("reduce-scatter", size_bytes, ranks, bandwidth, latency_s)


def all_to_all_time_s(size_bytes: float, ranks: int, bandwidth: float, latency_s: float = 0.0) -> Computed:
    """Time of an all-to-all where each rank holds S bytes and sends S/n to every other rank.

    t = (n-1) * alpha + (n-1)/n * S/B (pairwise exchange; each rank sends and receives (n-1)/n * S).
    Source: Thakur et al. (2005), pairwise exchange; nccl-tests doc/PERFORMANCE.md (AlltoAll factor).
    Assumes full bisection bandwidth (no oversubscription) and balanced traffic (no MoE skew).

    Example: size_bytes=1e9, ranks=8, bandwidth=50e9 -> 1.75e-2 s
    """
    s, n, b, alpha = _common(size_bytes, ranks, bandwidth, latency_s)
    lat = (n - 1) * alpha
    t = lat + (n - 1) / n * s / b
    return _time(
        t,
        lat,
        "(n-1)*alpha + (n-1)/n * S/B",
        "all-to-all",
        s,
        n,
        b,
        alpha,
        _ALPHA_BETA + "; " + _NCCL_TESTS,
        "pairwise",
    )


def hierarchical_all_reduce_time_s(
    size_bytes: float,
    gpus_per_node: int,
    nodes: int,
    intra_bandwidth: float,
    inter_bandwidth: float,
    intra_latency_s: float = 0.0,
    inter_latency_s: float = 0.0,
) -> Computed:
    """Two-level all-reduce: reduce-scatter inside each node, all-reduce across nodes, all-gather inside.

    t = 2(g-1)/g * S/B_intra + 2(N-1)/N * (S/g)/B_inter + 2(g-1)*alpha_intra + 2(N-1)*alpha_inter, g = GPUs
    per node, N = nodes, B_intra = one-way NVLink bandwidth per GPU, B_inter = one-way NIC bandwidth per
    GPU (one NIC per GPU, rail-optimised: each GPU's 1/g shard crosses its own NIC).
    Source: the two-level scheme of Horovod/NCCL hierarchical all-reduce (Sergeev & Del Balso, 2018;
    Jia et al., 2018 "Highly Scalable Deep Learning Training System with Mixed-Precision"), costed with the
    alpha-beta model of Thakur et al. (2005).
    Ignores overlap of the intra- and inter-node phases and NIC sharing between GPUs.

    Example: size_bytes=1e9, gpus_per_node=8, nodes=4, intra_bandwidth=450e9, inter_bandwidth=50e9
    -> 7.6389e-3 s
    """
    s = positive("size_bytes", size_bytes)
    g = positive_int("gpus_per_node", gpus_per_node)
    nn = positive_int("nodes", nodes)
    bi = positive("intra_bandwidth", intra_bandwidth)
    bx = positive("inter_bandwidth", inter_bandwidth)
    ai = non_negative("intra_latency_s", intra_latency_s)
    ax = non_negative("inter_latency_s", inter_latency_s)
    intra = 2 * (g - 1) / g * s / bi + 2 * (g - 1) * ai
    inter = 2 * (nn - 1) / nn * (s / g) / bx + 2 * (nn - 1) * ax
    t = intra + inter
    n = g * nn
    algbw = s / t if t > 0 else math.inf
    return Computed(
        t,
        name="comm_time_s",
        unit="s",
        formula="2(g-1)/g * S/B_intra + 2(N-1)/N * (S/g)/B_inter + 2(g-1)*alpha_intra + 2(N-1)*alpha_inter",
        inputs={
            "op": "all-reduce",
            "algorithm": "hierarchical",
            "S_bytes": s,
            "g": g,
            "N": nn,
            "B_intra_bytes_per_s": bi,
            "B_inter_bytes_per_s": bx,
            "alpha_intra_s": ai,
            "alpha_inter_s": ax,
        },
        source="hierarchical all-reduce (Horovod/NCCL); " + _ALPHA_BETA,
        details={
            "intra_node_s": intra,
            "inter_node_s": inter,
            "algbw_bytes_per_s": algbw,
            "busbw_bytes_per_s": algbw * 2 * (n - 1) / n,
        },
        notes=("B_intra and B_inter are one-way bandwidths per GPU",),
    )


def collective_time_s(
    op: str, size_bytes: float, ranks: int, bandwidth: float, latency_s: float = 0.0, algorithm: str = "ring"
) -> Computed:
    """Dispatch to the single-level collective models above by name.

    op in all-reduce, all-gather, reduce-scatter, all-to-all; algorithm ring or tree (tree: all-reduce
    only). Formulas as in the functions it calls (see ``ring_all_reduce_time_s`` and the others).
    Source: Thakur et al. (2005); nccl-tests doc/PERFORMANCE.md.
    Ignores what the called model ignores; for two levels use ``hierarchical_all_reduce_time_s``.

    Example: op='all-reduce', size_bytes=1e9, ranks=8, bandwidth=450e9 -> 3.8889e-3 s
    """
    kind = choice("op", op, COLLECTIVES)
    algo = choice("algorithm", algorithm, ("ring", "tree"))
    if algo == "tree":
        if kind != "all-reduce":
            raise ModelInputError(f"the tree algorithm is modelled for all-reduce only, not {kind}")
        return tree_all_reduce_time_s(size_bytes, ranks, bandwidth, latency_s)
    fn = {
        "all-reduce": ring_all_reduce_time_s,
        "all-gather": all_gather_time_s,
        "reduce-scatter": reduce_scatter_time_s,
        "all-to-all": all_to_all_time_s,
    }[kind]
    return fn(size_bytes, ranks, bandwidth, latency_s)


def bus_bandwidth(op: str, size_bytes: float, time_s: float, ranks: int) -> Computed:
    """Bus bandwidth of a measured collective, as nccl-tests reports it.

    algbw = S / t; busbw = algbw * 2(n-1)/n (all-reduce) or algbw * (n-1)/n (all-gather, reduce-scatter,
    all-to-all); S = the full buffer size. Compare busbw with one-way link bandwidth.
    Source: nccl-tests doc/PERFORMANCE.md.
    Ignores in-network reduction (its factor is (n-1)/(n+1)).

    Example: op='all-reduce', size_bytes=1e9, time_s=5e-3, ranks=8 -> 3.5e11 bytes/s (algbw 2e11)
    """
    kind = choice("op", op, COLLECTIVES)
    s = positive("size_bytes", size_bytes)
    t = positive("time_s", time_s)
    n = positive_int("ranks", ranks)
    label, factor = _bus_factor(kind, n)
    algbw = s / t
    return Computed(
        algbw * factor,
        name="busbw_bytes_per_s",
        unit="bytes/s",
        formula=f"(S / t) * {label}",
        inputs={"op": kind, "S_bytes": s, "t_s": t, "n": n},
        source=_NCCL_TESTS,
        details={"algbw_bytes_per_s": algbw},
    )


def dp_comm_bytes_per_step(params: float, ranks: int, grad_bytes: float = 2.0) -> Computed:
    """Bytes each rank sends per step for the data-parallel gradient all-reduce (ring).

    V = 2(n-1)/n * N * bytes_per_grad: a reduce-scatter plus an all-gather of the gradients.
    Source: Rajbhandari et al., ZeRO (SC'20) Sec. 7.1 ("2 Psi" per step); nccl-tests ring factor.
    Ignores gradient bucketing and compression; fp32 gradients need grad_bytes=4.

    Example: params=7.5e9, ranks=64, grad_bytes=2 -> 2.9531e10 bytes
    """
    n_params = positive("params", params)
    n = positive_int("ranks", ranks)
    gb = positive("grad_bytes", grad_bytes)
    value = 2 * (n - 1) / n * n_params * gb
    return Computed(
        value,
        name="comm_bytes_per_step",
        unit="bytes",
        formula="2(n-1)/n * N * bytes_per_grad",
        inputs={"N": n_params, "n": n, "bytes_per_grad": gb},
        source="Rajbhandari et al., ZeRO (SC'20), Sec. 7.1",
        details={"gb": value / 1e9},
    )


def zero3_comm_bytes_per_step(params: float, ranks: int, dtype_bytes: float = 2.0) -> Computed:
    """Bytes each rank sends per step under ZeRO-3 / FSDP full shard: 1.5x plain data parallelism.

    V = 3(n-1)/n * N * bytes: all-gather the parameters for the forward, again for the backward, and
    reduce-scatter the gradients (plain DP: 2(n-1)/n * N * bytes).
    Source: Rajbhandari et al., ZeRO (SC'20), Sec. 7.2.2 ("3 Psi, 1.5x the baseline DP").
    Ignores prefetch overlap and FSDP's reshard_after_forward=False (which drops the second all-gather).

    Example: params=7.5e9, ranks=64, dtype_bytes=2 -> 4.4297e10 bytes
    """
    n_params = positive("params", params)
    n = positive_int("ranks", ranks)
    b = positive("dtype_bytes", dtype_bytes)
    value = 3 * (n - 1) / n * n_params * b
    return Computed(
        value,
        name="comm_bytes_per_step",
        unit="bytes",
        formula="3(n-1)/n * N * bytes  (= 1.5 x data parallel)",
        inputs={"N": n_params, "n": n, "bytes": b},
        source="Rajbhandari et al., ZeRO (SC'20), Sec. 7.2.2",
        details={"gb": value / 1e9, "ratio_to_dp": 1.5},
    )


def tp_comm_bytes_per_layer(
    micro_batch: int,
    seq_len: int,
    hidden: int,
    tp: int,
    dtype_bytes: float = 2.0,
    sequence_parallel: bool = False,
) -> Computed:
    """Bytes each rank sends per transformer layer per micro-batch for tensor parallelism.

    TP: two all-reduces of b*s*h activations in the forward and two in the backward, each 2(t-1)/t * bsh
    bytes per rank: V = 4 * 2(t-1)/t * b*s*h * bytes. TP + sequence parallelism replaces each all-reduce
    with an all-gather and a reduce-scatter of the same total: the same V.
    Source: Narayanan et al., SC'21 Sec. 2.3 and 3.2; Korthikanti et al. (arXiv 2205.05198) Sec. 4.2.2.
    Ignores overlap with compute and the recomputation forward (add 2 more all-reduces with full
    recomputation).

    Example: micro_batch=1, seq_len=2048, hidden=12288, tp=8 -> 3.5232e8 bytes
    """
    b = positive_int("micro_batch", micro_batch)
    s = positive_int("seq_len", seq_len)
    h = positive_int("hidden", hidden)
    t = positive_int("tp", tp)
    nbytes = positive("dtype_bytes", dtype_bytes)
    bsh = float(b) * s * h * nbytes
    value = 4 * 2 * (t - 1) / t * bsh
    formula = (
        "4 x (all-gather + reduce-scatter) = 4 * 2(t-1)/t * b*s*h*bytes"
        if sequence_parallel
        else "4 all-reduces x 2(t-1)/t * b*s*h*bytes"
    )
    return Computed(
        value,
        name="comm_bytes_per_layer",
        unit="bytes",
        formula=formula,
        inputs={"b": b, "s": s, "h": h, "t": t, "bytes": nbytes, "sequence_parallel": sequence_parallel},
        source="Narayanan et al., SC'21, Sec. 2.3; Korthikanti et al., arXiv 2205.05198, Sec. 4.2.2",
        details={"activation_bytes_bsh": bsh},
        notes=("per layer, per micro-batch, forward + backward",),
    )


def zero3_comm_time_s(
    params: float, ranks: int, bandwidth: float, dtype_bytes: float = 2.0, latency_s: float = 0.0
) -> Computed:
    """Communication time per step of ZeRO-3 / FSDP full shard over n ranks (ring collectives).

    t = 3 * [(n-1) * alpha + (n-1)/n * S/B], S = N * bytes: all-gather of the parameters for the forward,
    again for the backward, and a reduce-scatter of the gradients; 1.5x a DP ring all-reduce of S.
    Source: Rajbhandari et al., ZeRO (SC'20), Sec. 7.2.2; ring costs from nccl-tests doc/PERFORMANCE.md.
    Ignores overlap with compute (FSDP prefetches the next layer's all-gather) and per-layer latency.

    Example: params=7.5e9, ranks=8, bandwidth=450e9 -> 8.75e-2 s
    """
    n_params = positive("params", params)
    n = positive_int("ranks", ranks)
    b = positive("bandwidth", bandwidth)
    nbytes = positive("dtype_bytes", dtype_bytes)
    alpha = non_negative("latency_s", latency_s)
    s = n_params * nbytes
    one = (n - 1) * alpha + (n - 1) / n * s / b
    t = 3 * one
    algbw = s / t if t > 0 else math.inf
    return Computed(
        t,
        name="comm_time_s",
        unit="s",
        formula="3 * [(n-1)*alpha + (n-1)/n * S/B], S = N * bytes",
        inputs={
            "op": "zero3 step",
            "N": n_params,
            "n": n,
            "bytes": nbytes,
            "B_bytes_per_s": b,
            "alpha_s": alpha,
        },
        source="Rajbhandari et al., ZeRO (SC'20), Sec. 7.2.2; " + _NCCL_TESTS,
        details={
            "per_collective_s": one,
            "algbw_bytes_per_s": algbw,
            "busbw_bytes_per_s": algbw * 3 * (n - 1) / n,
        },
        notes=("2 all-gathers + 1 reduce-scatter per step: 1.5x plain DP",),
    )

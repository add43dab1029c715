"""Memory per device: model states under DP/ZeRO/FSDP with TP and PP splits, activations, KV cache.

Model states follow the ZeRO paper (Rajbhandari et al., SC'20, Sec. 3.1 and 5): mixed-precision Adam
holds 2 bytes (fp16 parameters) + 2 (fp16 gradients) + K = 12 (fp32 master copy, momentum, variance) per
parameter, 16 in all. Megatron-LM keeps fp32 gradients (its ``main_grad``) and counts 18. The accounting
is an explicit argument here (``optimizer``), never implied.

Activations follow Korthikanti et al. (MLSys 2023, arXiv 2205.05198, Table 2): bytes per transformer layer
with 16-bit activations and 1-byte dropout masks. The pipeline's first stage holds the in-flight
micro-batches (``pipeline.in_flight_microbatches``).

Units: bytes internally. GB = 1e9 bytes (datasheets, the ZeRO paper); GiB = 2**30 bytes (what
``nvidia-smi`` and allocators report). Results named ``..._gib`` are GiB; details give GB too.

Left out: temporary buffers (ZeRO-3's gathered layer, communication buckets), allocator fragmentation,
the CUDA context (~0.5-1 GB), embedding/loss activations on the first and last stages (Korthikanti Sec.
4.3: small next to L layers), and MoE experts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tensora.errors import ModelInputError
from tensora.models._validate import GB, GIB, choice, non_negative, positive, positive_int
from tensora.models.pipeline import in_flight_microbatches
from tensora.models.result import Computed

__all__ = [
    "OPTIMIZERS",
    "RECOMPUTE",
    "SHARDINGS",
    "ByteAccounting",
    "activation_bytes_per_layer",
    "activation_memory_per_gpu_gib",
    "kv_cache_gib",
    "memory_per_gpu_gib",
    "min_devices_for_model_states",
    "model_states_per_gpu_gib",
    "zero_activation_bytes",
]

_ZERO = "Rajbhandari et al., 'ZeRO', SC'20, Sec. 3.1 and 5"
_KORTHIKANTI = "Korthikanti et al., arXiv 2205.05198, Table 2"
_UNITS_NOTE = "GiB = 2**30 bytes; GB = 1e9 bytes (datasheets and the ZeRO paper print GB)"


@dataclass(frozen=True)
class ByteAccounting:
    """Bytes per parameter for parameters, gradients and optimizer states, with where it comes from."""

    params: float
    grads: float
    optimizer: float
    description: str

    @property
    def total(self) -> float:
        return self.params + self.grads + self.optimizer


OPTIMIZERS: dict[str, ByteAccounting] = {
    "adam-zero": ByteAccounting(
        2,
        2,
        12,
        "mixed-precision Adam as the ZeRO paper counts it: fp16/bf16 params 2 + grads 2 + "
        "fp32 master, momentum, variance 12 = 16 bytes/param",
    ),
    "adam-megatron": ByteAccounting(
        2,
        4,
        12,
        "mixed-precision Adam as Megatron-LM counts it: bf16 params 2 + fp32 grads 4 + "
        "fp32 master, momentum, variance 12 = 18 bytes/param",
    ),
    "adam-fp32": ByteAccounting(4, 4, 8, "fp32 Adam: params 4 + grads 4 + momentum, variance 8 = 16 bytes/param"),
    "adam-8bit": ByteAccounting(
        2,
        2,
        6,
        "8-bit Adam (Dettmers et al., ICLR 2022) with mixed precision: params 2 + grads 2 + "
        "fp32 master 4 + 8-bit momentum and variance 2 = 10 bytes/param",
    ),
    "adafactor": ByteAccounting(
        2,
        2,
        4,
        "Adafactor (Shazeer & Stern, 2018) without momentum, mixed precision: params 2 + grads 2 + "
        "fp32 master 4 = 8 bytes/param; factored second moments, O(rows + cols), ignored",
    ),
    "fp8": ByteAccounting(
        1,
        2,
        12,
        "FP8 matmul weights 1 + bf16 grads 2 + fp32 master, momentum, variance 12 = 15 bytes/param; "
        "Transformer Engine also keeps a bf16 weight copy (+2) unless weights are stored in FP8 only",
    ),
}

_SHARDING_ALIASES = {
    "none": "none",
    "dp": "none",
    "ddp": "none",
    "plain": "none",
    "zero0": "none",
    "zero-0": "none",
    "zero1": "zero1",
    "zero-1": "zero1",
    "os": "zero1",
    "pos": "zero1",
    "zero2": "zero2",
    "zero-2": "zero2",
    "pos+g": "zero2",
    "zero3": "zero3",
    "zero-3": "zero3",
    "pos+g+p": "zero3",
    "fsdp": "fsdp",
    "fsdp-full": "fsdp",
    "full-shard": "fsdp",
    "fsdp-hybrid": "fsdp-hybrid",
    "hybrid-shard": "fsdp-hybrid",
    "hsdp": "fsdp-hybrid",
}
SHARDINGS = ("none", "zero1", "zero2", "zero3", "fsdp", "fsdp-hybrid")
RECOMPUTE = ("none", "selective", "full")


def _sharding(value: str) -> str:
    key = value.strip().lower().replace("_", "-")
    if key not in _SHARDING_ALIASES:
        raise ModelInputError(f"sharding must be one of {', '.join(SHARDINGS)}; got {value!r}")
    return _SHARDING_ALIASES[key]


def _accounting(
    optimizer: str, param_bytes: float | None, grad_bytes: float | None, optimizer_bytes: float | None
) -> ByteAccounting:
    key = choice("optimizer", optimizer, tuple(OPTIMIZERS))
    base = OPTIMIZERS[key]
    if param_bytes is None and grad_bytes is None and optimizer_bytes is None:
        return base
    p = base.params if param_bytes is None else non_negative("param_bytes", param_bytes)
    g = base.grads if grad_bytes is None else non_negative("grad_bytes", grad_bytes)
    o = base.optimizer if optimizer_bytes is None else non_negative("optimizer_bytes", optimizer_bytes)
    return ByteAccounting(p, g, o, f"custom: params {p:g} + grads {g:g} + optimizer {o:g} bytes/param")


def model_states_per_gpu_gib(
    params: float,
    dp: int = 1,
    tp: int = 1,
    pp: int = 1,
    sharding: str = "none",
    optimizer: str = "adam-zero",
    shard_group: int | None = None,
    param_bytes: float | None = None,
    grad_bytes: float | None = None,
    optimizer_bytes: float | None = None,
) -> Computed:
    """Parameters + gradients + optimizer states per device, in GiB.

    With Psi = params / (t * p) per model-parallel rank and (2 + 2 + K) bytes/param (ZeRO's count):
    none (plain DP): (2 + 2 + K) * Psi; ZeRO-1 (P_os): (2 + 2) * Psi + K * Psi / d;
    ZeRO-2 (P_os+g): 2 * Psi + (2 + K) * Psi / d;
    ZeRO-3 and FSDP full shard (P_os+g+p): (2 + 2 + K) * Psi / d;
    FSDP hybrid shard: (2 + 2 + K) * Psi / g, sharded within groups of g ranks and replicated across
    d / g groups. ``optimizer`` picks the accounting (adam-zero = 16 bytes, adam-megatron = 18, ...);
    param_bytes/grad_bytes/optimizer_bytes override it.
    Source: Rajbhandari et al., ZeRO (SC'20), Sec. 5 and Figure 1; PyTorch FSDP (Zhao et al., VLDB 2023).
    Ignores ZeRO-3's gathered-layer buffers, bucket buffers, fragmentation and uneven pipeline stages.

    Example: params=7.5e9, dp=64, sharding='zero1' -> 29.25 GiB (31.4 GB, ZeRO Figure 1)
    """
    n = positive("params", params)
    d = positive_int("dp", dp)
    t = positive_int("tp", tp)
    p = positive_int("pp", pp)
    mode = _sharding(sharding)
    acc = _accounting(optimizer, param_bytes, grad_bytes, optimizer_bytes)
    psi = n / (t * p)
    if mode == "fsdp-hybrid":
        if shard_group is None:
            raise ModelInputError("fsdp-hybrid needs shard_group (ranks per sharding group, e.g. GPUs per node)")
        g = positive_int("shard_group", shard_group)
        if d % g:
            raise ModelInputError(f"shard_group ({g}) does not divide dp ({d}); hybrid shard replicates whole groups")
    elif shard_group is not None:
        raise ModelInputError(f"shard_group applies to fsdp-hybrid only, not {mode}")
    else:
        g = d
    shards = {  # divisor of each state
        "none": (1, 1, 1),
        "zero1": (1, 1, d),
        "zero2": (1, d, d),
        "zero3": (d, d, d),
        "fsdp": (d, d, d),
        "fsdp-hybrid": (g, g, g),
    }[mode]
    pb = acc.params * psi / shards[0]
    gb = acc.grads * psi / shards[1]
    ob = acc.optimizer * psi / shards[2]
    total = pb + gb + ob
    formula = {
        "none": "(p + g + K) * Psi",
        "zero1": "(p + g) * Psi + K * Psi / d",
        "zero2": "p * Psi + (g + K) * Psi / d",
        "zero3": "(p + g + K) * Psi / d",
        "fsdp": "(p + g + K) * Psi / d",
        "fsdp-hybrid": "(p + g + K) * Psi / shard_group",
    }[mode] + ", Psi = N / (tp * pp)"
    return Computed(
        total / GIB,
        name="model_states_per_gpu_gib",
        unit="GiB",
        formula=formula,
        inputs={
            "N": n,
            "d": d,
            "tp": t,
            "pp": p,
            "sharding": mode,
            "shard_group": shard_group,
            "p_bytes": acc.params,
            "g_bytes": acc.grads,
            "K_bytes": acc.optimizer,
        },
        source=_ZERO,
        details={
            "params_bytes": pb,
            "grads_bytes": gb,
            "optimizer_bytes": ob,
            "total_bytes": total,
            "total_gb": total / GB,
            "bytes_per_param": acc.total,
        },
        notes=(acc.description, _UNITS_NOTE),
    )


def min_devices_for_model_states(params: float, bytes_per_param: float, capacity_bytes: float) -> Computed:
    """Fewest devices whose memory can hold the model states when fully sharded (ZeRO-3/FSDP).

    ceil(N * bytes_per_param / capacity). Below this no sharding fits, before counting activations.
    Source: follows from ZeRO-3's (2 + 2 + K) * Psi / N_d (Rajbhandari et al., SC'20, Sec. 5).
    Ignores activations, buffers and the memory the runtime reserves.

    Example: params=175e9, bytes_per_param=16, capacity_bytes=80e9 -> 35
    """
    n = positive("params", params)
    bpp = positive("bytes_per_param", bytes_per_param)
    cap = positive("capacity_bytes", capacity_bytes)
    return Computed(
        math.ceil(n * bpp / cap),
        name="min_devices_for_model_states",
        unit="devices",
        formula="ceil(N * bytes_per_param / capacity)",
        inputs={"N": n, "bytes_per_param": bpp, "capacity_bytes": cap},
        source=_ZERO,
    )


def activation_bytes_per_layer(
    seq_len: int,
    micro_batch: int,
    hidden: int,
    heads: int,
    tp: int = 1,
    sequence_parallel: bool = False,
    recompute: str = "none",
) -> Computed:
    """Activation bytes one transformer layer stores for the backward pass, per device.

    Korthikanti et al. Table 2 (s = sequence length, b = micro-batch size, h = hidden, a = heads, t = TP):
    no parallelism: s*b*h*(34 + 5*a*s/h); tensor parallel: s*b*h*(10 + 24/t + 5*a*s/(h*t));
    tensor + sequence parallel: s*b*h/t * (34 + 5*a*s/h); TP + selective recomputation: s*b*h*(10 + 24/t);
    TP + SP + selective recomputation: 34*s*b*h/t; full recomputation: 2*s*b*h (the layer input only).
    Source: Korthikanti et al., "Reducing Activation Recomputation in Large Transformer Models",
    MLSys 2023 (arXiv 2205.05198), Table 2 and eq. (1)-(6).
    Assumes 16-bit activations, 1-byte dropout masks, a 4h MLP with GeLU; no FlashAttention (which also
    drops the 5*a*s/h term, like selective recomputation).

    Example: seq_len=2048, micro_batch=1, hidden=12288, heads=96 -> 2.8689e9 bytes (s*b*h*114)
    """
    s = positive_int("seq_len", seq_len)
    b = positive_int("micro_batch", micro_batch)
    h = positive_int("hidden", hidden)
    a = positive_int("heads", heads)
    t = positive_int("tp", tp)
    mode = choice("recompute", recompute, RECOMPUTE)
    if sequence_parallel and t == 1:
        raise ModelInputError("sequence parallelism needs tensor parallelism (tp > 1)")
    sbh = float(s) * b * h
    attn = 5.0 * a * s / h
    if mode == "full":
        value, formula, row = 2 * sbh, "2*s*b*h", "full recomputation"
    elif mode == "selective":
        if sequence_parallel:
            value, formula, row = 34 * sbh / t, "34*s*b*h/t", "TP + SP + selective recomputation"
        elif t > 1:
            value, formula, row = sbh * (10 + 24 / t), "s*b*h*(10 + 24/t)", "TP + selective recomputation"
        else:
            value, formula, row = 34 * sbh, "34*s*b*h", "selective recomputation, no TP"
    elif sequence_parallel:
        value, formula, row = sbh / t * (34 + attn), "s*b*h/t * (34 + 5*a*s/h)", "tensor + sequence parallel"
    elif t > 1:
        value, formula, row = (
            sbh * (10 + 24 / t + attn / t),
            "s*b*h*(10 + 24/t + 5*a*s/(h*t))",
            "tensor parallel",
        )
    else:
        value, formula, row = sbh * (34 + attn), "s*b*h*(34 + 5*a*s/h)", "no parallelism"
    return Computed(
        value,
        name="activation_bytes_per_layer",
        unit="bytes",
        formula=formula,
        inputs={
            "s": s,
            "b": b,
            "h": h,
            "a": a,
            "t": t,
            "sequence_parallel": sequence_parallel,
            "recompute": mode,
        },
        source=_KORTHIKANTI,
        details={"gib": value / GIB, "gb": value / GB, "attention_term_5as_over_h": attn},
        notes=(f"Table 2 row: {row}",),
    )


def zero_activation_bytes(hidden: int, micro_batch: int, seq_len: int, layers: int) -> Computed:
    """Activation memory by the ZeRO paper's rule of thumb: 12 * h * b * s * L 16-bit values.

    bytes = 2 * 12 * h * b * s * L, h = hidden, b = batch per device, s = sequence length, L = layers.
    Source: Rajbhandari et al., ZeRO (SC'20), Sec. 3.2 ("Residual Memory Consumption").
    Ignores attention scores (5*a*s/h per value in Korthikanti's Table 2), dropout masks and parallelism:
    a coarser count than ``activation_bytes_per_layer``.

    Example: hidden=1600, micro_batch=32, seq_len=1024, layers=48 -> 6.0398e10 bytes (GPT-2 1.5B, the
    paper's "about 60 GB")
    """
    h = positive_int("hidden", hidden)
    b = positive_int("micro_batch", micro_batch)
    s = positive_int("seq_len", seq_len)
    n_layers = positive_int("layers", layers)
    value = 2.0 * 12 * h * b * s * n_layers
    return Computed(
        value,
        name="activation_bytes",
        unit="bytes",
        formula="2 bytes * 12 * h * b * s * L",
        inputs={"h": h, "b": b, "s": s, "L": n_layers, "accounting": "zero-paper"},
        source=_ZERO.replace("Sec. 3.1 and 5", "Sec. 3.2"),
        details={"gib": value / GIB, "gb": value / GB, "values": value / 2},
        notes=("accounting: zero-paper rule of thumb (no attention scores or masks)",),
    )


def activation_memory_per_gpu_gib(
    seq_len: int,
    micro_batch: int,
    hidden: int,
    heads: int,
    layers: int,
    tp: int = 1,
    pp: int = 1,
    sequence_parallel: bool = False,
    recompute: str = "none",
    schedule: str = "1f1b",
    microbatches: int | None = None,
    virtual: int = 1,
) -> Computed:
    """Peak activation memory on the first pipeline stage, in GiB.

    per_layer * (L / p) * in_flight, per_layer from ``activation_bytes_per_layer``; in_flight = p for
    1F1B (so L layers' worth, Korthikanti eq. 5), m for GPipe, p * (1 + (p-1)/(p*v)) for interleaved 1F1B
    with v chunks (Korthikanti Sec. 4.2.3). Without ``microbatches``, 1F1B assumes m >= p.
    Source: Korthikanti et al. (arXiv 2205.05198), Sec. 4.2.3 and eq. (5); Narayanan et al. (SC'21) Sec. 2.2.
    Ignores embedding, output-layer and loss activations (Korthikanti Sec. 4.3: small next to L layers).

    Example: seq_len=2048, micro_batch=1, hidden=12288, heads=96, layers=96, tp=8, pp=8,
    sequence_parallel=True, recompute='selective' -> 9.5625 GiB (96 layers x 34*s*b*h/t)
    """
    n_layers = positive_int("layers", layers)
    p = positive_int("pp", pp)
    if n_layers % p:
        raise ModelInputError(f"pp ({p}) does not divide layers ({n_layers}); stages need whole layers")
    per_layer = activation_bytes_per_layer(seq_len, micro_batch, hidden, heads, tp, sequence_parallel, recompute)
    if microbatches is None:
        if schedule.strip().lower() == "gpipe":
            raise ModelInputError("the GPipe schedule needs microbatches (it holds all m in flight)")
        m = p
    else:
        m = positive_int("microbatches", microbatches)
    flight = in_flight_microbatches(p, m, schedule, virtual)
    total = float(per_layer) * (n_layers / p) * float(flight)
    return Computed(
        total / GIB,
        name="activation_memory_per_gpu_gib",
        unit="GiB",
        formula=(f"per_layer * (L / p) * in_flight; per_layer = {per_layer.formula}; in_flight = {flight.formula}"),
        inputs={
            **dict(per_layer.inputs),
            "L": n_layers,
            "p": p,
            "m": m,
            "v": virtual,
            "schedule": str(flight.inputs["schedule"]),
        },
        source=_KORTHIKANTI + "; Narayanan et al., SC'21, Sec. 2.2",
        details={
            "per_layer_bytes": float(per_layer),
            "in_flight": float(flight),
            "total_bytes": total,
            "total_gb": total / GB,
        },
        notes=per_layer.notes + ("first pipeline stage (the peak); 16-bit activations",),
    )


def kv_cache_gib(
    layers: int,
    kv_heads: int,
    head_dim: int,
    seq_len: int,
    batch: int,
    dtype_bytes: float = 2,
    tp: int = 1,
) -> Computed:
    """KV-cache size for inference, per device, in GiB.

    2 * L * H_kv * d_head * s * b * bytes / t: keys and values for every layer, KV head, position and
    sequence; H_kv = KV heads (= heads for MHA, fewer for GQA/MQA); with tensor parallelism t each device
    holds max(1, H_kv/t) heads (KV heads are replicated when t > H_kv).
    Source: the standard count, e.g. Pope et al., "Efficiently Scaling Transformer Inference" (MLSys 2023).
    Ignores paging granularity (vLLM blocks), quantisation scales and activations of the forward pass.

    Example: layers=80, kv_heads=8, head_dim=128, seq_len=4096, batch=1 -> 1.25 GiB (Llama-2-70B, bf16)
    """
    n_layers = positive_int("layers", layers)
    kv = positive_int("kv_heads", kv_heads)
    d = positive_int("head_dim", head_dim)
    s = positive_int("seq_len", seq_len)
    b = positive_int("batch", batch)
    nbytes = positive("dtype_bytes", dtype_bytes)
    t = positive_int("tp", tp)
    heads_per_device = max(1.0, kv / t)
    total = 2.0 * n_layers * heads_per_device * d * s * b * nbytes
    return Computed(
        total / GIB,
        name="kv_cache_gib",
        unit="GiB",
        formula="2 * L * max(1, H_kv / t) * d_head * s * b * bytes",
        inputs={"L": n_layers, "H_kv": kv, "d_head": d, "s": s, "b": b, "bytes": nbytes, "t": t},
        source="Pope et al., MLSys 2023 (KV cache size)",
        details={"total_bytes": total, "total_gb": total / GB, "bytes_per_token": total / (s * b)},
    )


def memory_per_gpu_gib(
    model_states_bytes: float,
    activation_bytes: float = 0.0,
    kv_cache_bytes: float = 0.0,
    other_bytes: float = 0.0,
    capacity_bytes: float | None = None,
) -> Computed:
    """Peak memory per device and whether it fits the device.

    total = model states + activations + KV cache + other (buffers the caller adds); fits when
    total <= capacity; headroom = capacity - total (negative when it does not fit).
    Source: sum of the parts above (the JSON contract's memory_per_gpu_gib).
    Ignores what the parts ignore; the runtime's own reservation belongs in ``other_bytes``.

    Example: model_states_bytes=60e9, activation_bytes=20e9, capacity_bytes=80e9 -> 74.506 GiB (fits,
    headroom 0)
    """
    ms = non_negative("model_states_bytes", model_states_bytes)
    act = non_negative("activation_bytes", activation_bytes)
    kv = non_negative("kv_cache_bytes", kv_cache_bytes)
    other = non_negative("other_bytes", other_bytes)
    total = ms + act + kv + other
    details = {
        "model_states_bytes": ms,
        "activation_bytes": act,
        "kv_cache_bytes": kv,
        "other_bytes": other,
        "total_bytes": total,
        "total_gb": total / GB,
    }
    notes: tuple[str, ...] = (_UNITS_NOTE,)
    inputs: dict[str, float | None] = {
        "model_states": ms,
        "activations": act,
        "kv_cache": kv,
        "other": other,
        "capacity_bytes": capacity_bytes,
    }
    if capacity_bytes is not None:
        cap = positive("capacity_bytes", capacity_bytes)
        details.update(
            {
                "capacity_gib": cap / GIB,
                "headroom_gib": (cap - total) / GIB,
                "fits": 1.0 if total <= cap else 0.0,
                "utilisation": total / cap,
            }
        )
        notes = (
            ("fits" if total <= cap else "does not fit") + f": {total / GB:.1f} GB of {cap / GB:.1f} GB",
            *notes,
        )
    return Computed(
        total / GIB,
        name="memory_per_gpu_gib",
        unit="GiB",
        formula="model_states + activations + kv_cache + other",
        inputs=inputs,
        source="sum of model_states_per_gpu_gib, activation_memory_per_gpu_gib, kv_cache_gib",
        details=details,
        notes=notes,
    )

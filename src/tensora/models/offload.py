"""Model states with CPU/NVMe offload, and DeepSpeed's own memory estimators.

Two accountings, each named in its result:
- ``zero-paper``: the ZeRO paper's (2 + 2 + K) bytes per parameter split by stage, with what ZeRO-Offload
  (Ren et al., USENIX ATC'21, Sec. 4) and ZeRO-Infinity (Rajbhandari et al., SC'21, Sec. 5) move off the
  GPU: offloading the optimizer moves the gradients and optimizer states (2 + K bytes) to the host, the GPU
  keeps the 16-bit parameters; offloading parameters as well (ZeRO-3 only) leaves the GPU the working
  memory of the layer being computed, 16-bit parameters and gradients of the largest layer (4 bytes each).
- ``deepspeed``: ``estimate_zero2_model_states_mem_needs`` and ``estimate_zero3_model_states_mem_needs``
  exactly as DeepSpeed computes them (``deepspeed/runtime/zero/stage_1_and_2.py`` and ``stage3.py`` at
  commit 38327e07, Feb 2025), with their ``int()`` truncations, their 1.5 buffer factor on host memory and
  their per-node host figure. DeepSpeed prints bytes / 2**30 and labels it "GB": those are GiB.

Left out: activations, temporary buffers, pinned-memory staging and the NVMe swap buffers' own size.
"""

from __future__ import annotations

from tensora.errors import ModelInputError
from tensora.models._validate import GB, GIB, choice, non_negative, positive, positive_int
from tensora.models.memory import OPTIMIZERS, ByteAccounting
from tensora.models.result import Computed

__all__ = [
    "ACCOUNTINGS",
    "OFFLOAD_DEVICES",
    "deepspeed_zero2_estimate",
    "deepspeed_zero3_estimate",
    "offloaded_model_states_gib",
]

ACCOUNTINGS = ("zero-paper", "deepspeed")
OFFLOAD_DEVICES = ("none", "cpu", "nvme")

_DS2 = "DeepSpeed estimate_zero2_model_states_mem_needs (runtime/zero/stage_1_and_2.py)"
_DS3 = "DeepSpeed estimate_zero3_model_states_mem_needs (runtime/zero/stage3.py)"
_OFFLOAD = "Ren et al., 'ZeRO-Offload', USENIX ATC'21, Sec. 4; Rajbhandari et al., 'ZeRO-Infinity', SC'21, Sec. 5"
_DS_UNITS = "DeepSpeed prints bytes / 2**30 with the label GB: its figures are GiB"


def _split(gpus_per_node: int, nodes: int) -> tuple[int, int, int]:
    g = positive_int("gpus_per_node", gpus_per_node)
    n = positive_int("nodes", nodes)
    return g, n, g * n


def deepspeed_zero2_estimate(
    total_params: float,
    gpus_per_node: int = 1,
    nodes: int = 1,
    offload_optimizer: bool = True,
    buffer_factor: float = 1.5,
) -> Computed:
    """Per-GPU and per-node host memory for ZeRO-2 model states, as DeepSpeed's estimator computes them.

    total_gpus = gpus_per_node * nodes. With offload_optimizer: gpu = 2 * N,
    host = N * max(4 * total_gpus, 16) * buffer_factor. Without: gpu = 2 * N + int(18 * N / total_gpus)
    (16-bit params whole on every GPU; 16-bit and fp32 grads, fp32 params, momentum and variance sharded),
    host = N * 4 * gpus_per_node * buffer_factor. Both then truncated with int().
    Source: DeepSpeed ``estimate_zero2_model_states_mem_needs`` (stage_1_and_2.py, commit 38327e07).
    Assumes mixed-precision Adam and no TP/PP, as DeepSpeed does.
    Its docs/code-docs/source/memory.rst still prints 15.93 GB for the no-offload row of its 2851M example,
    from an older 4 * N + 16 * N / gpus formula; the code today gives 11.28.

    Example: total_params=2851e6, gpus_per_node=8 -> 5.3104 GiB per GPU, 127.45 GiB host (memory.rst)
    """
    n = positive("total_params", total_params)
    g, nodes_, total = _split(gpus_per_node, nodes)
    buf = positive("buffer_factor", buffer_factor)
    if offload_optimizer:
        gpu = 2 * n
        cpu = n * max(4 * total, 16) * buf
        formula = "2*N on the GPU; host N * max(4 * gpus, 16) * buffer"
    else:
        gpu = 2 * n + int(18 * n / total)
        cpu = n * 4 * g * buf
        formula = "2*N + int(18*N / gpus) on the GPU; host N * 4 * gpus_per_node * buffer"
    gpu_b, cpu_b = int(gpu), int(cpu)
    return Computed(
        gpu_b / GIB,
        name="model_states_per_gpu_gib",
        unit="GiB",
        formula=formula,
        inputs={
            "N": n,
            "gpus_per_node": g,
            "nodes": nodes_,
            "offload_optimizer": "cpu" if offload_optimizer else "none",
            "buffer_factor": buf,
            "accounting": "deepspeed",
        },
        source=_DS2,
        details={"gpu_bytes": gpu_b, "host_bytes_per_node": cpu_b, "host_gib_per_node": cpu_b / GIB},
        notes=("accounting: deepspeed (ZeRO-2 estimator)", _DS_UNITS),
    )


def deepspeed_zero3_estimate(
    total_params: float,
    largest_layer_params: float,
    gpus_per_node: int = 1,
    nodes: int = 1,
    offload_optimizer: bool = True,
    offload_params: bool = True,
    zero_init: bool = True,
    buffer_factor: float = 1.5,
) -> Computed:
    """Per-GPU and per-node host memory for ZeRO-3 model states, as DeepSpeed's estimator computes them.

    live = 4 * largest_layer_params (its 16-bit params gathered and 16-bit grads computed). GPU:
    offload params and optimizer: live; optimizer only: live + int(2 * N / gpus); neither:
    live + int(18 * N / gpus). Host per node, f = 1 / nodes: offload both: N * 18 * f * buffer with
    zero_init, else N * max(4 * gpus_per_node, 18 * f) * buffer; optimizer only: the same with 16;
    neither: largest * 4 * gpus_per_node * buffer with zero_init, else N * 4 * gpus_per_node * buffer.
    Source: DeepSpeed ``estimate_zero3_model_states_mem_needs`` (stage3.py, commit 38327e07).
    Offloading parameters without the optimizer is not a DeepSpeed option (its estimator skips it).
    Assumes mixed-precision Adam and no TP/PP, as DeepSpeed does.

    Example: total_params=2851e6, largest_layer_params=32e6, gpus_per_node=8 -> 0.1192 GiB per GPU,
    71.69 GiB host (memory.rst's first row)
    """
    n = positive("total_params", total_params)
    largest = positive("largest_layer_params", largest_layer_params)
    if largest > n:
        raise ModelInputError(f"largest_layer_params ({largest:g}) exceeds total_params ({n:g})")
    g, nodes_, total = _split(gpus_per_node, nodes)
    buf = positive("buffer_factor", buffer_factor)
    if offload_params and not offload_optimizer:
        raise ModelInputError("DeepSpeed offloads parameters only together with the optimizer")
    f = 1 / nodes_
    live = 4 * largest
    if offload_optimizer:
        per = 18 if offload_params else 16
        gpu = live if offload_params else live + int(2 * n / total)
        cpu = n * per * f * buf if zero_init else n * max(4 * g, per * f) * buf
        formula = f"4*largest{'' if offload_params else ' + int(2*N / gpus)'} on the GPU; host " + (
            f"N * {per} / nodes * buffer" if zero_init else f"N * max(4 * gpus_per_node, {per} / nodes) * buffer"
        )
    else:
        gpu = live + int(18 * n / total)
        cpu = largest * 4 * g * buf if zero_init else n * 4 * g * buf
        formula = "4*largest + int(18*N / gpus) on the GPU; host " + (
            "largest * 4 * gpus_per_node * buffer" if zero_init else "N * 4 * gpus_per_node * buffer"
        )
    gpu_b, cpu_b = int(gpu), int(cpu)
    return Computed(
        gpu_b / GIB,
        name="model_states_per_gpu_gib",
        unit="GiB",
        formula=formula,
        inputs={
            "N": n,
            "largest_layer_params": largest,
            "gpus_per_node": g,
            "nodes": nodes_,
            "offload_optimizer": "cpu" if offload_optimizer else "none",
            "offload_params": "cpu" if offload_params else "none",
            "zero_init": zero_init,
            "buffer_factor": buf,
            "accounting": "deepspeed",
        },
        source=_DS3,
        details={
            "gpu_bytes": gpu_b,
            "host_bytes_per_node": cpu_b,
            "host_gib_per_node": cpu_b / GIB,
            "largest_layer_bytes": live,
        },
        notes=("accounting: deepspeed (ZeRO-3 estimator; the largest layer's gathered params and grads)", _DS_UNITS),
    )


def offloaded_model_states_gib(
    params: float,
    dp: int = 1,
    sharding: str = "zero2",
    offload_optimizer: str = "cpu",
    offload_params: str = "none",
    largest_layer_params: float = 0.0,
    optimizer: str = "adam-zero",
) -> Computed:
    """GPU memory for model states when ZeRO offloads to the host, and what the host (or NVMe) holds.

    Psi = params; divisors d per state as in ZeRO (zero1: K; zero2: g and K; zero3: all three).
    offload_optimizer: gradients and optimizer states go to the host, GPU = p * Psi / d_p;
    host = (g / d_g + K / d_K) * Psi. offload_params (zero3 only): parameters go too, GPU keeps the
    working memory of the largest layer, 4 * largest_layer_params (16-bit params and grads).
    Source: ZeRO-Offload (Ren et al., USENIX ATC'21), Sec. 4: 16-bit params on the GPU, 16-bit grads and
    fp32 params, momentum, variance on the CPU; ZeRO-Infinity (SC'21), Sec. 5 for parameter offload and
    the largest layer's working memory. Uses the zero-paper byte accounting (``optimizer``).
    Ignores activations, pinned staging buffers and the 16-bit parameter copy the host keeps for upload.

    Example: params=13e9, dp=1, sharding='zero2', offload_optimizer='cpu' -> 24.214 GiB (26 GB on the GPU,
    182 GB on the host: ZeRO-Offload's 13B model on one 32 GB V100)
    """
    n = positive("params", params)
    d = positive_int("dp", dp)
    key = sharding.strip().lower().replace("_", "-").replace("zero-", "zero")
    if key not in ("none", "zero1", "zero2", "zero3", "fsdp"):
        raise ModelInputError(f"sharding must be one of none, zero1, zero2, zero3; got {sharding!r}")
    opt_dev = choice("offload_optimizer", offload_optimizer, OFFLOAD_DEVICES)
    par_dev = choice("offload_params", offload_params, OFFLOAD_DEVICES)
    largest = non_negative("largest_layer_params", largest_layer_params)
    acc: ByteAccounting = OPTIMIZERS[choice("optimizer", optimizer, tuple(OPTIMIZERS))]
    if par_dev != "none" and key not in ("zero3", "fsdp"):
        raise ModelInputError("parameter offload needs ZeRO-3 (partitioned parameters); use --sharding zero3")
    if par_dev != "none" and opt_dev == "none":
        raise ModelInputError("parameter offload without optimizer offload is not a ZeRO configuration")
    if par_dev != "none" and largest <= 0:
        raise ModelInputError("parameter offload needs the largest layer's parameters (its working memory)")
    dp_, dg, dk = {
        "none": (1, 1, 1),
        "zero1": (1, 1, d),
        "zero2": (1, d, d),
        "zero3": (d, d, d),
        "fsdp": (d, d, d),
    }[key]
    p_b, g_b, k_b = acc.params * n / dp_, acc.grads * n / dg, acc.optimizer * n / dk
    host, nvme = 0.0, 0.0
    gpu = p_b + g_b + k_b
    if opt_dev != "none":
        gpu -= g_b + k_b
        if opt_dev == "cpu":
            host += g_b + k_b
        else:
            nvme += g_b + k_b
    if par_dev != "none":
        gpu = 4 * largest
        if par_dev == "cpu":
            host += p_b
        else:
            nvme += p_b
    formula = {
        ("none", "none"): "(p + g + K) * Psi / d_i (no offload)",
        ("cpu", "none"): "p * Psi / d_p on the GPU; (g/d_g + K/d_K) * Psi on the host",
        ("nvme", "none"): "p * Psi / d_p on the GPU; (g/d_g + K/d_K) * Psi on NVMe",
    }.get((opt_dev, par_dev), "4 * largest_layer on the GPU; (p + g + K) * Psi / d off the GPU")
    return Computed(
        gpu / GIB,
        name="model_states_per_gpu_gib",
        unit="GiB",
        formula=formula,
        inputs={
            "N": n,
            "d": d,
            "sharding": key,
            "offload_optimizer": opt_dev,
            "offload_params": par_dev,
            "largest_layer_params": largest,
            "accounting": "zero-paper",
        },
        source=_OFFLOAD,
        details={
            "gpu_bytes": gpu,
            "gpu_gb": gpu / GB,
            "host_bytes_per_gpu": host,
            "host_gb_per_gpu": host / GB,
            "nvme_bytes_per_gpu": nvme,
            "nvme_gb_per_gpu": nvme / GB,
        },
        notes=(f"accounting: zero-paper with offload ({acc.description})",),
    )

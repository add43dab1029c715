"""tensora's analytical models offered to the LLM as tools (function calling), run here, locally.

A handful of ``tensora.models`` functions, each with a JSON schema of its arguments. ``run`` checks the
arguments against the schema's names and types (an int parameter takes 8 or 8.0, not 8.5), calls the model,
and returns its ``Computed`` as a dict: value, unit, formula, inputs, source. A bad call returns
``{"error": ...}`` for the model to read and correct, never an exception. The same functions compute the
review's numbers, so a number from a tool is as checkable as a finding's.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tensora import models
from tensora.llm.base import Tool

__all__ = ["TOOLS", "run", "tool_specs"]

_NUM = {"type": "number"}
_INT = {"type": "integer", "minimum": 1}
_BOOL = {"type": "boolean"}
_RECOMPUTE = {"type": "string", "enum": ["none", "selective", "full"], "description": "activation recomputation"}


@dataclass(frozen=True, slots=True)
class _Entry:
    function: Callable[..., models.Computed]
    description: str
    properties: Mapping[str, Mapping[str, Any]]
    required: tuple[str, ...]

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {k: dict(v) for k, v in self.properties.items()},
            "required": list(self.required),
            "additionalProperties": False,
        }


def _prop(base: Mapping[str, Any], description: str, **more: Any) -> dict[str, Any]:
    return {**base, "description": description, **more}


_COMM = {
    "size_bytes": _prop(_NUM, "bytes of the buffer (the gathered result for all-gather)", exclusiveMinimum=0),
    "ranks": _prop(_INT, "number of ranks in the collective"),
    "bandwidth": _prop(_NUM, "one-way bandwidth per rank in bytes/s (450e9 for H100 NVLink)", exclusiveMinimum=0),
    "latency_s": _prop(_NUM, "per-step latency alpha in seconds (default 0)", minimum=0),
}

TOOLS: dict[str, _Entry] = {
    "pipeline_bubble_fraction": _Entry(
        models.pipeline_bubble_fraction,
        "Idle fraction of a GPipe/1F1B pipeline step: (p-1)/(v*m+p-1).",
        {
            "stages": _prop(_INT, "pipeline stages p"),
            "microbatches": _prop(_INT, "micro-batches per step m"),
            "virtual": _prop(_INT, "model chunks per device v (1 unless interleaved)"),
        },
        ("stages", "microbatches"),
    ),
    "amdahl_max_speedup": _Entry(
        models.amdahl_max_speedup,
        "Upper bound on end-to-end speedup when a fraction f of step time gets s times faster.",
        {
            "fraction_affected": _prop(_NUM, "fraction f of step time the change touches", minimum=0, maximum=1),
            "local_speedup": _prop(_NUM, "speedup s of that part (omit for unbounded)", exclusiveMinimum=0),
        },
        ("fraction_affected",),
    ),
    "model_states_per_gpu_gib": _Entry(
        models.model_states_per_gpu_gib,
        "Parameters + gradients + optimizer states per GPU in GiB (ZeRO accounting, 16 bytes/param for Adam). "
        "Every parameter is sharded the same way: where the draft shards parts differently (attention and shared "
        "experts replicated, routed experts sharded), call it once per part with that part's degrees and add.",
        {
            "params": _prop(_NUM, "model parameters (13e9 for 13B)", exclusiveMinimum=0),
            "dp": _prop(_INT, "data-parallel degree"),
            "tp": _prop(_INT, "tensor-parallel degree"),
            "pp": _prop(_INT, "pipeline-parallel degree"),
            "sharding": {
                "type": "string",
                "enum": ["none", "zero1", "zero2", "zero3", "fsdp"],
                "description": "ZeRO stage / FSDP sharding of the states over dp",
            },
        },
        ("params",),
    ),
    "all_gather_time_s": _Entry(
        models.all_gather_time_s,
        "Time in seconds of a ring all-gather: (n-1)*alpha + (n-1)/n * S/B.",
        _COMM,
        ("size_bytes", "ranks", "bandwidth"),
    ),
    "ring_all_reduce_time_s": _Entry(
        models.ring_all_reduce_time_s,
        "Time in seconds of a ring all-reduce: 2(n-1)*alpha + 2(n-1)/n * S/B.",
        _COMM,
        ("size_bytes", "ranks", "bandwidth"),
    ),
    "gemm_intensity": _Entry(
        models.gemm_intensity,
        "Arithmetic intensity (FLOP/byte) of a GEMM C[m,n] = A[m,k] @ B[k,n].",
        {
            "m": _prop(_INT, "rows of A and C"),
            "n": _prop(_INT, "columns of B and C"),
            "k": _prop(_INT, "inner dimension"),
            "dtype_bytes": _prop(_NUM, "bytes per element (2 for bf16, 1 for fp8)", exclusiveMinimum=0),
        },
        ("m", "n", "k"),
    ),
    "mfu": _Entry(
        models.mfu,
        "Model FLOPs utilisation: model FLOPs per token * tokens/s over devices * dense peak FLOP/s.",
        {
            "model_flops_per_token": _prop(_NUM, "model FLOPs per token (about 6 * params)", exclusiveMinimum=0),
            "tokens_per_s": _prop(_NUM, "training throughput in tokens per second", exclusiveMinimum=0),
            "devices": _prop(_INT, "number of GPUs"),
            "peak_flops": _prop(_NUM, "dense peak FLOP/s per GPU (989e12 for H100 SXM bf16)", exclusiveMinimum=0),
        },
        ("model_flops_per_token", "tokens_per_s", "devices", "peak_flops"),
    ),
    "activation_memory_per_gpu_gib": _Entry(
        models.activation_memory_per_gpu_gib,
        "Activation memory per GPU in GiB of a transformer (Korthikanti et al.): 34sbh + 5as^2b per layer, "
        "divided by tp (and sequence parallelism), times the micro-batches in flight of the pipeline schedule.",
        {
            "seq_len": _prop(_INT, "sequence length s"),
            "micro_batch": _prop(_INT, "micro-batch size b"),
            "hidden": _prop(_INT, "hidden size h"),
            "heads": _prop(_INT, "attention heads a"),
            "layers": _prop(_INT, "transformer layers"),
            "tp": _prop(_INT, "tensor-parallel degree"),
            "pp": _prop(_INT, "pipeline-parallel degree"),
            "sequence_parallel": _prop(_BOOL, "Megatron sequence parallelism on"),
            "recompute": _RECOMPUTE,
            "schedule": {
                "type": "string",
                "enum": ["gpipe", "1f1b", "interleaved"],
                "description": "pipeline schedule",
            },
            "microbatches": _prop(_INT, "micro-batches per step (GPipe keeps all in flight)"),
            "virtual": _prop(_INT, "model chunks per device (interleaved)"),
        },
        ("seq_len", "micro_batch", "hidden", "heads", "layers"),
    ),
    "kv_cache_gib": _Entry(
        models.kv_cache_gib,
        "KV cache in GiB: 2 * layers * kv_heads * head_dim * seq_len * batch * dtype_bytes / tp.",
        {
            "layers": _prop(_INT, "transformer layers"),
            "kv_heads": _prop(_INT, "key/value heads (fewer than query heads with GQA/MQA)"),
            "head_dim": _prop(_INT, "dimension per head"),
            "seq_len": _prop(_INT, "tokens cached per sequence"),
            "batch": _prop(_INT, "sequences in the batch"),
            "dtype_bytes": _prop(_NUM, "bytes per element (2 for fp16/bf16)", exclusiveMinimum=0),
            "tp": _prop(_INT, "tensor-parallel degree (heads split over tp)"),
        },
        ("layers", "kv_heads", "head_dim", "seq_len", "batch"),
    ),
    "memory_per_gpu_gib": _Entry(
        models.memory_per_gpu_gib,
        "Total memory per GPU in GiB from its parts in bytes, and whether it fits a capacity.",
        {
            "model_states_bytes": _prop(_NUM, "parameters + gradients + optimizer states in bytes", minimum=0),
            "activation_bytes": _prop(_NUM, "activations in bytes", minimum=0),
            "kv_cache_bytes": _prop(_NUM, "KV cache in bytes", minimum=0),
            "other_bytes": _prop(_NUM, "buffers, workspace, fragmentation in bytes", minimum=0),
            "capacity_bytes": _prop(
                _NUM, "the GPU's memory in bytes (85.9e9 for an 80 GiB H100 SXM)", exclusiveMinimum=0
            ),
        },
        ("model_states_bytes",),
    ),
    "training_flops_per_token": _Entry(
        models.training_flops_per_token,
        "Training FLOPs per token of a dense transformer: 6 * params (forward 2N, backward 4N).",
        {"params": _prop(_NUM, "model parameters", exclusiveMinimum=0)},
        ("params",),
    ),
    "megatron_flops_per_iteration": _Entry(
        models.megatron_flops_per_iteration,
        "FLOPs of one training iteration of a GPT (Narayanan et al. 2021): 72BsLh^2(1 + s/6h + V/12hL), "
        "96 instead of 72 with full recomputation.",
        {
            "batch": _prop(_INT, "global batch in sequences"),
            "seq_len": _prop(_INT, "sequence length"),
            "layers": _prop(_INT, "transformer layers"),
            "hidden": _prop(_INT, "hidden size"),
            "vocab": _prop(_INT, "vocabulary size"),
            "recompute": _prop(_BOOL, "full activation recomputation (default true)"),
        },
        ("batch", "seq_len", "layers", "hidden", "vocab"),
    ),
    "reduce_scatter_time_s": _Entry(
        models.reduce_scatter_time_s,
        "Time in seconds of a ring reduce-scatter: (n-1)*alpha + (n-1)/n * S/B.",
        _COMM,
        ("size_bytes", "ranks", "bandwidth"),
    ),
    "tree_all_reduce_time_s": _Entry(
        models.tree_all_reduce_time_s,
        "Time in seconds of a (double binary) tree all-reduce: latency grows with log2 n.",
        _COMM,
        ("size_bytes", "ranks", "bandwidth"),
    ),
    "all_to_all_time_s": _Entry(
        models.all_to_all_time_s,
        "Time in seconds of an all-to-all (MoE token dispatch, Ulysses): (n-1)*alpha + (n-1)/n * S/B.",
        _COMM,
        ("size_bytes", "ranks", "bandwidth"),
    ),
    "hierarchical_all_reduce_time_s": _Entry(
        models.hierarchical_all_reduce_time_s,
        "Time in seconds of a two-level all-reduce: reduce-scatter in the node, all-reduce across nodes, "
        "all-gather in the node.",
        {
            "size_bytes": _prop(_NUM, "bytes of the buffer", exclusiveMinimum=0),
            "gpus_per_node": _prop(_INT, "GPUs per node"),
            "nodes": _prop(_INT, "nodes"),
            "intra_bandwidth": _prop(_NUM, "one-way bytes/s inside a node", exclusiveMinimum=0),
            "inter_bandwidth": _prop(
                _NUM, "one-way bytes/s per GPU across nodes (50e9 for 400 Gb/s)", exclusiveMinimum=0
            ),
            "intra_latency_s": _prop(_NUM, "per-step latency inside a node", minimum=0),
            "inter_latency_s": _prop(_NUM, "per-step latency across nodes", minimum=0),
        },
        ("size_bytes", "gpus_per_node", "nodes", "intra_bandwidth", "inter_bandwidth"),
    ),
    "attention_intensity": _Entry(
        models.attention_intensity,
        "Arithmetic intensity (FLOP/byte) of attention, naive (scores in HBM) or IO-aware (FlashAttention).",
        {
            "seq_len": _prop(_INT, "sequence length"),
            "head_dim": _prop(_INT, "dimension per head"),
            "heads": _prop(_INT, "heads"),
            "batch": _prop(_INT, "batch"),
            "dtype_bytes": _prop(_NUM, "bytes per element", exclusiveMinimum=0),
            "causal": _prop(_BOOL, "causal mask"),
            "io_aware": _prop(_BOOL, "tiled, scores never written to HBM"),
            "kv_passes": _prop(_INT, "passes over K and V"),
        },
        ("seq_len", "head_dim"),
    ),
    "ridge_point": _Entry(
        models.ridge_point,
        "Roofline ridge point in FLOP/byte: peak FLOP/s over memory bandwidth.",
        {
            "peak_flops": _prop(_NUM, "peak FLOP/s (989e12 for H100 SXM bf16 dense)", exclusiveMinimum=0),
            "bandwidth": _prop(_NUM, "memory bandwidth in bytes/s (3.35e12 for H100 SXM)", exclusiveMinimum=0),
        },
        ("peak_flops", "bandwidth"),
    ),
    "attainable_flops": _Entry(
        models.attainable_flops,
        "Roofline: attainable FLOP/s = min(peak, intensity * bandwidth).",
        {
            "arithmetic_intensity": _prop(_NUM, "FLOP per byte", exclusiveMinimum=0),
            "peak_flops": _prop(_NUM, "peak FLOP/s", exclusiveMinimum=0),
            "bandwidth": _prop(_NUM, "memory bandwidth in bytes/s", exclusiveMinimum=0),
        },
        ("arithmetic_intensity", "peak_flops", "bandwidth"),
    ),
    "roofline_time_s": _Entry(
        models.roofline_time_s,
        "Roofline lower bound on a kernel's time: max(flops/peak, bytes/bandwidth) seconds.",
        {
            "flops": _prop(_NUM, "FLOPs of the kernel", exclusiveMinimum=0),
            "bytes_moved": _prop(_NUM, "bytes moved to and from memory", exclusiveMinimum=0),
            "peak_flops": _prop(_NUM, "peak FLOP/s", exclusiveMinimum=0),
            "bandwidth": _prop(_NUM, "memory bandwidth in bytes/s", exclusiveMinimum=0),
        },
        ("flops", "bytes_moved", "peak_flops", "bandwidth"),
    ),
}


def tool_specs() -> list[Tool]:
    return [Tool(name, e.description, e.schema()) for name, e in TOOLS.items()]


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else "-inf" if value < 0 else "nan"
    return value


def _argument(name: str, value: Any, schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    if kind == "string":
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if kind == "integer":
        if float(value) != int(value):
            raise ValueError(f"{name} must be a whole number, got {value!r}")
        return int(value)
    return float(value)


def run(name: str, arguments: str | Mapping[str, Any]) -> dict[str, Any]:
    """Run one tool call; the result (or ``{"error": ...}``) as a JSON-ready dict."""
    entry = TOOLS.get(name)
    if entry is None:
        return {"error": f"unknown tool {name!r}; tools: {', '.join(TOOLS)}"}
    try:
        args = json.loads(arguments or "{}") if isinstance(arguments, str) else dict(arguments)
    except json.JSONDecodeError as exc:
        return {"error": f"arguments are not valid JSON ({exc.msg})"}
    if not isinstance(args, dict):
        return {"error": "arguments must be a JSON object"}
    unknown = sorted(set(args) - set(entry.properties))
    missing = [k for k in entry.required if k not in args]
    if unknown or missing:
        what = [f"unknown argument(s) {unknown}"] if unknown else []
        what += [f"missing argument(s) {missing}"] if missing else []
        return {"error": "; ".join(what)}
    try:
        call = {k: _argument(k, v, entry.properties[k]) for k, v in args.items()}
        result = entry.function(**call)
    except (ValueError, TypeError, ArithmeticError) as exc:
        return {"error": str(exc)}
    return {
        "name": result.name,
        "value": _plain(float(result)),
        "unit": result.unit,
        "formula": result.formula,
        "inputs": {k: _plain(v) for k, v in result.inputs.items()},
        "source": result.source,
    }

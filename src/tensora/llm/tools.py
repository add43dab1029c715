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
        "Parameters + gradients + optimizer states per GPU in GiB (ZeRO accounting, 16 bytes/param for Adam).",
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
}


def tool_specs() -> list[Tool]:
    return [Tool(name, e.description, e.schema()) for name, e in TOOLS.items()]


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else "-inf" if value < 0 else "nan"
    return value


def _argument(name: str, value: Any, schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
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

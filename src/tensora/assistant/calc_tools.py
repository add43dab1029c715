"""Every ``tensora calc`` subcommand as an MCP tool, built from the command's own options.

The tool's parameters are the subcommand's options (``--micro-batch`` becomes ``micro_batch``), with the
option's help, or a short gloss where the command gives none, as the description. Values are passed to the
command exactly as a person would type them, so the assistant gets the same numbers as ``tensora calc ...
--format json``: the command runs in-process (``typer.testing.CliRunner``, one at a time) and its JSON is the
result. A refusal (impossible inputs, an unknown device) is a ``ToolError`` carrying the command's one line.
Built from the command table at start, so a new calc subcommand or option appears without changes here.
"""

from __future__ import annotations

import inspect
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer.main
from pydantic import Field

_SKIP = {"fmt", "plot"}
_LOCK = threading.Lock()
#: descriptions for options that ``tensora calc`` leaves without help text
GLOSS = {
    "layers": "Transformer layers.",
    "hidden": "Hidden size (model width).",
    "heads": "Attention heads.",
    "head_dim": "Size of one attention head.",
    "seq": "Sequence length in tokens.",
    "micro_batch": "Micro-batch size in sequences.",
    "microbatches": "Micro-batches per step (pipeline).",
    "virtual": "Model chunks per device (interleaved pipeline).",
    "param_bytes": "Bytes per parameter (overrides the optimizer's accounting).",
    "grad_bytes": "Bytes per gradient.",
    "optimizer_bytes": "Optimizer-state bytes per parameter.",
    "vocab": "Vocabulary size.",
    "gpus": "Number of GPUs.",
    "iteration_time": "Seconds per training iteration.",
    "dtype": "Number format: fp32, tf32, bf16, fp16, fp8, int8 or fp4.",
    "flops_per_token": "Model FLOPs per token.",
    "gemm": "GEMM shape as M,N,K (e.g. 16,5120,13824).",
    "attention": "Attention shape as seq,head_dim (or as the command documents).",
    "heads_count": "Attention heads.",
    "batch": "Batch size.",
    "causal": "Causal attention.",
    "achieved_tflops": "Measured TFLOP/s of the kernel.",
    "achieved_gbs": "Measured memory GB/s of the kernel.",
    "claimed_speedup": "The speedup the draft claims.",
    "ranks": "Ranks taking part in the collective.",
    "nodes": "Nodes.",
    "gpus_per_node": "GPUs per node.",
    "inter_latency_us": "Per-step latency across nodes, microseconds.",
    "global_batch": "Global batch in sequences.",
    "micro_batch_size": "Micro-batch size in sequences.",
    "dp": "Data-parallel degree.",
    "tp": "Tensor-parallel degree.",
    "pp": "Pipeline-parallel degree.",
    "name": "Device or NIC name; omit to list the catalog.",
}
_VALUE_NOTE = " A number; it may carry a suffix as on the command line (7.5B, 175e9, 512MiB)."
#: options that take a word or a shape, not a number
TEXT = {
    "gpu",
    "nic",
    "gemm",
    "attention",
    "op",
    "optimizer",
    "sharding",
    "recompute",
    "schedule",
    "dtype",
    "algo",
    "name",
}


class CalcError(Exception):
    """The calc command refused its inputs; the message is its one line."""


@dataclass(frozen=True, slots=True)
class CalcTool:
    name: str
    command: str
    description: str
    fn: Callable[..., dict[str, Any]]


def _commands() -> dict[str, Any]:
    from tensora.calc import calc_app

    group: Any = typer.main.get_command(calc_app)  # typer's own click: read by attribute, not by class
    return dict(group.commands)


def run_calc(argv: list[str]) -> dict[str, Any]:
    """``tensora calc ARGV --format json`` in-process: its JSON, or ``CalcError`` with its message."""
    from typer.testing import CliRunner

    from tensora.calc import calc_app

    with _LOCK:
        result = CliRunner().invoke(calc_app, [*argv, "--format", "json"])
    if result.exit_code != 0:
        lines = [line.strip() for line in (result.stderr or result.output).splitlines() if line.strip()]
        message = next((line for line in reversed(lines) if not line.startswith(("Usage:", "Try "))), "")
        message = re.sub(r"^(tensora: )?(error: )?", "", message.strip("│╭╰─ ").strip(), flags=re.IGNORECASE)
        raise CalcError(message or f"tensora calc {argv[0]} refused these inputs.")
    data = json.loads(result.stdout)
    if not isinstance(data, dict):
        return {"result": data}
    return data


def _value(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _tool_for(command_name: str, command: Any) -> CalcTool:
    params: list[inspect.Parameter] = []
    argv_of: list[tuple[str, Any]] = []
    for p in command.params:
        if p.name is None or p.name in _SKIP:
            continue
        desc = (getattr(p, "help", None) or GLOSS.get(p.name, "") or p.name.replace("_", " ")).strip()
        default: Any = inspect.Parameter.empty
        if getattr(p, "is_flag", False):
            annotation: Any = Annotated[bool, Field(description=desc)]
            default = bool(p.default)
        else:
            text = p.name in TEXT
            kind: Any = str if text else str | float
            if not text:
                desc += _VALUE_NOTE
            if p.default is not None and not p.required:
                desc += f" Default: {p.default}."
            if p.required:
                annotation = Annotated[kind, Field(description=desc)]
            else:
                annotation = Annotated[kind | None, Field(description=desc)]
                default = None
        params.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default))
        argv_of.append((p.name, p))
    # required ones first, so the signature is valid and the schema lists them first
    params.sort(key=lambda q: q.default is not inspect.Parameter.empty)

    def call(**kwargs: Any) -> dict[str, Any]:
        argv = [command_name]
        for name, p in argv_of:
            value = kwargs.get(name)
            if p.param_type_name == "argument":
                if value is not None:
                    argv.append(_value(value))
                continue
            if p.is_flag:
                if bool(value) != bool(p.default):
                    argv.append(p.opts[0] if value else (p.secondary_opts or p.opts)[0])
                continue
            if value is not None:
                argv += [p.opts[0], _value(value)]
        return run_calc(argv)

    call.__signature__ = inspect.Signature(params, return_annotation=dict[str, Any])  # type: ignore[attr-defined]
    call.__name__ = f"calc_{command_name}"
    first = (command.help or "").strip().split("\n\n")[0].replace("\n", " ")
    description = (
        f"{first} Same numbers as `tensora calc {command_name} --format json`: the result has the computed "
        "quantities with their formulas, inputs and sources, and the conventions used."
    )
    return CalcTool(f"calc_{command_name}", command_name, description, call)


def calc_tools() -> list[CalcTool]:
    return [_tool_for(name, cmd) for name, cmd in _commands().items()]

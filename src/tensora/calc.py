"""``tensora calc``: the analytical models on the command line.

Each subcommand takes explicit inputs (sizes accept suffixes: 7.5B, 175e9, 1GiB, 512MB), calls one or more
functions of ``tensora.models``, and prints the numbers with the formula, the inputs and the conventions
used (MFU vs HFU, bytes per parameter, dense vs sparse peak, one-way vs bidirectional bandwidth, GB vs
GiB). ``--format json`` prints the same as JSON. Hardware comes from the catalog by name (``--gpu h100``).
Impossible inputs print one line to stderr and exit with code 2.

matplotlib is imported only when ``--plot`` is given, so the CLI starts fast.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tensora.errors import ModelInputError, TensoraError, UnknownHardwareError
from tensora.knowledge.hardware import Device, get_device, get_nic, list_devices, list_nics, load_catalog
from tensora.models import (
    OPTIMIZERS,
    Computed,
    achieved_flops_per_device,
    activation_bytes_per_layer,
    activation_memory_per_gpu_gib,
    amdahl_max_speedup,
    attainable_flops,
    attention_intensity,
    bus_bandwidth,
    check_divisibility,
    collective_time_s,
    deepspeed_zero2_estimate,
    deepspeed_zero3_estimate,
    dp_comm_bytes_per_step,
    elementwise_intensity,
    gemm_intensity,
    hardware_flops_per_token,
    hfu,
    hierarchical_all_reduce_time_s,
    in_flight_microbatches,
    kv_cache_gib,
    megatron_flops_per_iteration,
    megatron_params,
    megatron_training_time_s,
    memory_per_gpu_gib,
    mfu,
    min_devices_for_model_states,
    model_states_per_gpu_gib,
    offloaded_model_states_gib,
    palm_flops_per_token,
    pipeline_bubble_fraction,
    pipeline_bubble_relative_to_ideal,
    ridge_point,
    roofline_max_speedup,
    roofline_time_s,
    scaling_efficiency,
    strong_scaling_fit,
    time_to_train_s,
    training_flops_per_token,
    transformer_params,
    utilisation_from_achieved,
    zero3_comm_bytes_per_step,
    zero3_comm_time_s,
    zero_activation_bytes,
)

__all__ = ["calc_app"]

calc_app = typer.Typer(
    name="calc",
    help="Compute the numbers a reviewer checks: memory, activations, FLOPs, MFU, roofline, collectives, "
    "pipeline bubble, Amdahl, and the hardware catalog.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

GIB = 2**30


class Format(StrEnum):
    text = "text"
    json = "json"


FORMAT_OPT = typer.Option(Format.text, "--format", "-f", case_sensitive=False, help="text (default) or json.")
PLOT_OPT = typer.Option(None, "--plot", metavar="FILE", help="Also draw a plot to FILE (.png or .svg).")
SHAPE_OPT = typer.Option(
    None,
    "--shape",
    metavar="SPEC",
    help="Count parameters from the shape instead of --params: comma-separated layers=L, hidden=H, "
    "vocab=V, heads=A, kv-heads=G, ffn=F (or ffn-ratio=R), experts=E, top-k=K, positions=S and the flags "
    "gated, biases, untied; e.g. layers=32,hidden=4096,vocab=32000,heads=32,ffn=11008,gated,untied.",
)
GPU_OPT = typer.Option(None, "--gpu", metavar="NAME", help="Device from the catalog, e.g. h100, a100-40gb, tpu-v4.")


# --------------------------------------------------------------------------------------------- parsing

_SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}
_BYTE_UNITS = {
    "b": 1.0,
    "kb": 1e3,
    "mb": 1e6,
    "gb": 1e9,
    "tb": 1e12,
    "kib": 2.0**10,
    "mib": 2.0**20,
    "gib": 2.0**30,
    "tib": 2.0**40,
}


def _num(name: str, text: str) -> float:
    """A number with an optional decimal suffix K, M, B/G, T: '7.5B' -> 7.5e9, '238.3e3' -> 238300."""
    m = re.fullmatch(
        r"\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)\s*([kmbgt]?)\s*",
        text.replace(",", ""),
        re.IGNORECASE,
    )
    if not m:
        if text.strip().lower() in ("inf", "infinity"):
            return math.inf
        raise ModelInputError(f"--{name}: cannot read {text!r} as a number (e.g. 7.5B, 175e9, 2048)")
    return float(m.group(1)) * _SCALE[m.group(2).lower()]


def _int(name: str, text: str) -> int:
    value = _num(name, text)
    if not math.isfinite(value) or not float(value).is_integer():
        raise ModelInputError(f"--{name}: expected a whole number, got {text!r}")
    return int(value)


def _bytes(name: str, text: str) -> float:
    """A size in bytes: '1GB' = 1e9, '1GiB' = 2**30, '512MiB', or a plain number of bytes."""
    m = re.fullmatch(
        r"\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)\s*([kmgt]?i?b)?\s*",
        text.replace(",", ""),
        re.IGNORECASE,
    )
    if not m:
        raise ModelInputError(f"--{name}: cannot read {text!r} as a size (e.g. 1GB, 512MiB, 1e9)")
    unit = (m.group(2) or "b").lower()
    return float(m.group(1)) * _BYTE_UNITS[unit]


def _opt_num(name: str, text: str | None) -> float | None:
    return None if text is None else _num(name, text)


def _opt_int(name: str, text: str | None) -> int | None:
    return None if text is None else _int(name, text)


def _triple(name: str, text: str) -> list[int]:
    parts = [p for p in re.split(r"[,x\s]+", text.strip()) if p]
    return [_int(name, p) for p in parts]


_SHAPE_KEYS = {
    "layers": "layers",
    "hidden": "hidden",
    "vocab": "vocab",
    "heads": "heads",
    "kv-heads": "kv_heads",
    "ffn": "ffn_hidden",
    "ffn-hidden": "ffn_hidden",
    "ffn-ratio": "ffn_ratio",
    "experts": "experts",
    "top-k": "top_k",
    "positions": "positions",
}
_SHAPE_FLAGS = {"gated": ("gated", True), "biases": ("biases", True), "untied": ("tied", False), "tied": ("tied", True)}


def _shape(text: str) -> Computed:
    """``transformer_params`` from a --shape SPEC (see SHAPE_OPT)."""
    kwargs: dict[str, Any] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if "=" in part:
            key, _, value = part.partition("=")
            key = key.strip().lower().replace("_", "-")
            if key not in _SHAPE_KEYS:
                raise ModelInputError(f"--shape: unknown key {key!r}; use {', '.join(_SHAPE_KEYS)}")
            arg = _SHAPE_KEYS[key]
            kwargs[arg] = _num("shape", value) if arg == "ffn_ratio" else _int("shape", value)
        elif part.lower() in _SHAPE_FLAGS:
            arg, flag = _SHAPE_FLAGS[part.lower()]
            kwargs[arg] = flag
        else:
            raise ModelInputError(f"--shape: cannot read {part!r}; use key=value or gated, biases, untied")
    missing = [k for k in ("layers", "hidden", "vocab") if k not in kwargs]
    if missing:
        raise ModelInputError(f"--shape needs {', '.join(missing)}")
    return transformer_params(**kwargs)


def _param_count(params: str | None, shape: str | None, report: Report | None = None) -> float | None:
    """--params N or --shape SPEC (not both); the shape's count joins the report's quantities."""
    if params is not None and shape is not None:
        raise ModelInputError("give --params or --shape, not both")
    if shape is None:
        return None if params is None else _num("params", params)
    count = _shape(shape)
    if report is not None:
        report.quantities.append(count)
    return float(count)


_DTYPE_BYTES = {"fp32": 4.0, "tf32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 0.5}


# --------------------------------------------------------------------------------------------- output


@dataclass
class Report:
    """What a subcommand prints: its quantities, extra rows, conventions and optional plot path."""

    title: str
    quantities: list[Computed] = field(default_factory=list)
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    conventions: list[str] = field(default_factory=list)
    extra_json: dict[str, Any] = field(default_factory=dict)
    plot: str | None = None

    def row(self, label: str, value: str, formula: str = "") -> None:
        self.rows.append((label, value, formula))


def _si(value: float, unit: str) -> str:
    if not math.isfinite(value):
        return f"{value} {unit}".strip()
    for factor, prefix in ((1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.4g} {prefix}{unit}"
    return f"{value:.4g} {unit}"


def _count(value: float) -> str:
    """7.5e9 -> '7.5B', 540.35e9 -> '540.35B'."""
    for factor, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= factor:
            return f"{value / factor:.6g}{suffix}"
    return f"{value:g}"


def _seconds(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value >= 86400:
        return f"{value:.4g} s ({value / 86400:.3g} days)"
    if value >= 1:
        return f"{value:.4g} s"
    if value >= 1e-3:
        return f"{value * 1e3:.4g} ms"
    return f"{value * 1e6:.4g} us"


def _fmt(c: Computed) -> str:
    v = float(c)
    if c.unit == "ratio":
        return "inf" if math.isinf(v) else f"{v:.4g} ({v * 100:.3g}%)" if v <= 1 else f"{v:.4g}x"
    if c.unit == "GiB":
        return f"{v:.4g} GiB ({v * GIB / 1e9:.4g} GB)"
    if c.unit == "bytes":
        return f"{v:.4g} bytes ({v / GIB:.4g} GiB, {v / 1e9:.4g} GB)"
    if c.unit == "s":
        return _seconds(v)
    if c.unit in ("FLOP/s", "bytes/s"):
        return _si(v, c.unit.replace("bytes", "B"))
    if c.unit in ("FLOP", "FLOP/token", "parameters"):
        return f"{v:.5g} {c.unit}"
    return f"{v:.5g} {c.unit}"


def _json_value(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return "inf" if v > 0 else "-inf" if v < 0 else "nan"
    if isinstance(v, dict):
        return {k: _json_value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_json_value(x) for x in v]
    return v


def _emit(report: Report, fmt: Format) -> None:
    if fmt is Format.json:
        quantities: dict[str, Any] = {}
        for c in report.quantities:
            quantities.setdefault(c.name, float(c))
        payload = {
            "title": report.title,
            "quantities": quantities,
            "results": [c.as_dict() for c in report.quantities],
            "conventions": report.conventions,
            **report.extra_json,
        }
        if report.plot:
            payload["plot"] = report.plot
        sys.stdout.write(json.dumps(_json_value(payload), indent=2) + "\n")
        return
    console = _console()
    table = Table(title=Text(report.title), show_lines=False, title_justify="left")
    table.add_column("quantity", style="bold")
    table.add_column("value")
    table.add_column("formula")
    for c in report.quantities:
        table.add_row(Text(c.name), Text(_fmt(c)), Text(c.formula))
    for label, value, formula in report.rows:
        table.add_row(Text(label), Text(value), Text(formula))
    console.print(table)
    inputs: dict[str, Any] = {}
    sources: list[str] = []
    notes: list[str] = []
    for c in report.quantities:
        for k, v in c.inputs.items():
            inputs.setdefault(k, v)
        if c.source not in sources:
            sources.append(c.source)
        for n in c.notes:
            if n not in notes:
                notes.append(n)
    if inputs:
        console.print("inputs: " + ", ".join(f"{k}={_short(v)}" for k, v in inputs.items() if v is not None))
    for n in [*notes, *report.conventions]:
        console.print(f"note: {n}")
    for s in sources:
        console.print(f"source: {s}")
    if report.plot:
        console.print(f"plot: {report.plot}")


def _console() -> Console:
    # markup off: formulas contain brackets; wide enough that numbers are not wrapped mid-way
    return Console(width=max(110, Console().width), highlight=False, soft_wrap=False, markup=False)


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn a TensoraError into one line on stderr and exit code 2."""
    try:
        yield
    except TensoraError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _device(name: str | None) -> Device | None:
    return None if name is None else get_device(name)


def _peak_and_bandwidth(
    gpu: str | None, dtype: str, peak_tflops: str | None, bandwidth_gbs: str | None
) -> tuple[float, float, list[str]]:
    dev = _device(gpu)
    conventions: list[str] = []
    if peak_tflops is not None:
        peak = _num("peak-tflops", peak_tflops) * 1e12
    elif dev is not None:
        peak = dev.peak_flops(dtype)
        conventions.append(f"{dev.name}: dense {dtype} peak {peak / 1e12:g} TFLOP/s (not the sparse datasheet figure)")
    else:
        raise ModelInputError("give --gpu NAME or --peak-tflops")
    if bandwidth_gbs is not None:
        bw = _num("bandwidth-gbs", bandwidth_gbs) * 1e9
    elif dev is not None:
        bw = dev.memory_bandwidth
        conventions.append(f"{dev.name}: {dev.memory.type} bandwidth {bw / 1e9:g} GB/s")
    else:
        raise ModelInputError("give --gpu NAME or --bandwidth-gbs")
    return peak, bw, conventions


def _peak(report: Report, gpu: str | None, peak_tflops: str | None, dtype: str) -> float:
    """The dense peak in FLOP/s: stated with --peak-tflops, else the catalog's for --gpu (noted in the report)."""
    if peak_tflops is not None:
        return _num("peak-tflops", peak_tflops) * 1e12
    dev = _device(gpu)
    if dev is None:
        raise ModelInputError("give --gpu NAME or --peak-tflops")
    peak = dev.peak_flops(dtype)
    report.conventions.append(
        f"peak: {dev.name} dense {dtype} {peak / 1e12:g} TFLOP/s per device (sparse figures not used)"
    )
    return peak


def _plot_path(plot: Path | None) -> Path | None:
    if plot is None:
        return None
    if plot.suffix.lower() not in (".png", ".svg"):
        raise ModelInputError(f"--plot: {plot.name} must end in .png or .svg")
    folder = plot.expanduser().resolve().parent
    if not folder.is_dir():
        raise ModelInputError(f"--plot: the folder {folder} does not exist; create it or choose another path")
    if not os.access(folder, os.W_OK):
        raise ModelInputError(f"--plot: the folder {folder} is not writable; choose another path")
    return plot


# --------------------------------------------------------------------------------------------- plots


def _save(fig: Any, path: Path) -> None:
    try:
        fig.savefig(path)
    except OSError as exc:
        raise ModelInputError(f"--plot: cannot write {path} ({exc.strerror or exc})") from None


def _plot_roofline(path: Path, peak: float, bw: float, points: Sequence[tuple[str, float, float]], title: str) -> None:
    from matplotlib.figure import Figure  # lazy: keeps `tensora calc --help` fast

    ridge = peak / bw
    lo = min([ridge / 100, *[p[1] / 4 for p in points]])
    hi = max([ridge * 100, *[p[1] * 4 for p in points]])
    xs = [lo * (hi / lo) ** (i / 199) for i in range(200)]
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    ax.loglog(xs, [min(peak, x * bw) / 1e12 for x in xs], color="black", lw=1.5, label="roofline")
    ax.axvline(ridge, color="grey", ls=":", lw=1)
    ax.annotate(
        f"ridge {ridge:.0f} FLOP/B",
        (ridge, peak / 1e12),
        textcoords="offset points",
        xytext=(5, -12),
        fontsize=8,
        color="grey",
    )
    for label, ai, flops in points:
        ax.plot([ai], [flops / 1e12], "o", label=f"{label} (AI {ai:.3g})")
    ax.set_xlabel("arithmetic intensity (FLOP/byte)")
    ax.set_ylabel("TFLOP/s")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, which="both", lw=0.3, alpha=0.5)
    fig.tight_layout()
    _save(fig, path)


def _plot_memory(path: Path, parts: dict[str, float], capacity_gib: float | None, title: str) -> None:
    from matplotlib.figure import Figure  # lazy

    fig = Figure(figsize=(6.4, 2.8))
    ax = fig.add_subplot()
    left = 0.0
    for label, gib in parts.items():
        if gib <= 0:
            continue
        ax.barh([0], [gib], left=[left], label=f"{label} {gib:.3g} GiB")
        left += gib
    if capacity_gib is not None:
        ax.axvline(capacity_gib, color="red", ls="--", lw=1.2, label=f"capacity {capacity_gib:.3g} GiB")
    ax.set_yticks([])
    ax.set_xlabel("GiB per device")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3)
    fig.tight_layout()
    _save(fig, path)


# --------------------------------------------------------------------------------------------- memory


@calc_app.command("memory")
def memory_cmd(
    params: str | None = typer.Option(None, "--params", metavar="N", help="Parameters (count), e.g. 7.5B."),
    shape: str | None = SHAPE_OPT,
    dp: str = typer.Option("1", "--dp", metavar="D", help="Data-parallel degree (GPUs)."),
    tp: str = typer.Option("1", "--tp", metavar="T", help="Tensor-parallel degree (GPUs)."),
    pp: str = typer.Option("1", "--pp", metavar="P", help="Pipeline-parallel degree (stages)."),
    sharding: str = typer.Option(
        "none", "--sharding", help="none (plain DP), zero1, zero2, zero3, fsdp (full shard), fsdp-hybrid."
    ),
    shard_group: str | None = typer.Option(None, "--shard-group", metavar="G", help="fsdp-hybrid group size (GPUs)."),
    accounting: str = typer.Option(
        "zero-paper",
        "--accounting",
        help="zero-paper: the ZeRO paper's 2+2+K bytes/param by stage (with ZeRO-Offload/Infinity when "
        "offloading); deepspeed: DeepSpeed's estimate_zero2/zero3_model_states_mem_needs (GiB, host per node).",
    ),
    offload_optimizer: str = typer.Option(
        "none", "--offload-optimizer", help="none, cpu or nvme: gradients and optimizer states leave the GPU."
    ),
    offload_params: str = typer.Option(
        "none", "--offload-params", help="none, cpu or nvme: parameters leave the GPU too (ZeRO-3 only)."
    ),
    largest_layer: str | None = typer.Option(
        None,
        "--largest-layer",
        metavar="N",
        help="Parameters (count) of the largest layer, gathered whole under ZeRO-3; --shape supplies it.",
    ),
    gpus_per_node: str | None = typer.Option(
        None, "--gpus-per-node", metavar="G", help="GPUs per node (deepspeed accounting; default min(dp, 8))."
    ),
    zero_init: bool = typer.Option(
        True, "--zero-init/--no-zero-init", help="deepspeed accounting, ZeRO-3: model built with zero.Init."
    ),
    buffer_factor: str = typer.Option(
        "1.5", "--buffer-factor", metavar="X", help="deepspeed accounting: host memory safety factor (ratio)."
    ),
    optimizer: str = typer.Option("adam-zero", "--optimizer", help="Byte accounting: " + ", ".join(OPTIMIZERS) + "."),
    param_bytes: str | None = typer.Option(None, "--param-bytes", metavar="B", help="Bytes per parameter."),
    grad_bytes: str | None = typer.Option(None, "--grad-bytes", metavar="B", help="Bytes per gradient."),
    optimizer_bytes: str | None = typer.Option(
        None, "--optimizer-bytes", metavar="B", help="Optimizer bytes per parameter."
    ),
    all_stages: bool = typer.Option(
        False,
        "--all-stages",
        help="Also show plain DP and ZeRO-1/2/3 side by side (with --accounting deepspeed: every row of "
        "DeepSpeed's estimator table).",
    ),
    layers: str | None = typer.Option(None, "--layers", metavar="L", help="Transformer layers."),
    hidden: str | None = typer.Option(None, "--hidden", metavar="H", help="Hidden size."),
    heads: str | None = typer.Option(None, "--heads", metavar="A", help="Attention heads."),
    seq: str | None = typer.Option(None, "--seq", metavar="S", help="Sequence length (tokens)."),
    micro_batch: str = typer.Option("1", "--micro-batch", metavar="B", help="Micro-batch (sequences)."),
    activations: str = typer.Option(
        "korthikanti",
        "--activations",
        help="Activation accounting: korthikanti (Table 2, bytes) or zero-paper (12*h*b*s*L 16-bit values).",
    ),
    sp: bool = typer.Option(False, "--sp/--no-sp", help="Sequence parallelism (with TP)."),
    recompute: str = typer.Option("none", "--recompute", help="none, selective or full."),
    schedule: str = typer.Option("1f1b", "--schedule", help="gpipe, 1f1b or interleaved."),
    microbatches: str | None = typer.Option(None, "--microbatches", metavar="M", help="Micro-batches per step."),
    virtual: str = typer.Option("1", "--virtual", metavar="V", help="Virtual stages per GPU (interleaved)."),
    other_gib: str = typer.Option("0", "--other-gib", metavar="X", help="Buffers and runtime reserve, GiB."),
    gpu: str | None = GPU_OPT,
    plot: Path | None = PLOT_OPT,
    fmt: Format = FORMAT_OPT,
) -> None:
    """Model states (and activations) per device vs the device's memory, in a named accounting."""
    with _errors():
        plot_path = _plot_path(plot)
        acc_name = accounting.strip().lower().replace("_", "-")
        if acc_name not in ("zero-paper", "deepspeed"):
            raise ModelInputError(f"--accounting must be zero-paper or deepspeed; got {accounting!r}")
        count_report = Report("")
        n_opt = _param_count(params, shape, count_report)
        if n_opt is None:
            raise ModelInputError("give --params N or --shape SPEC")
        n = n_opt
        shape_count = count_report.quantities[0] if count_report.quantities else None
        d, t, p = _int("dp", dp), _int("tp", tp), _int("pp", pp)
        largest = _opt_num("largest-layer", largest_layer)
        if largest is None and shape_count is not None:
            largest = shape_count.details["largest_layer"]
        off_opt = offload_optimizer.strip().lower()
        off_par = offload_params.strip().lower()
        ds_rows: list[dict[str, Any]] = []
        if acc_name == "deepspeed":
            states, ds_rows = _deepspeed_states(
                n, d, t, p, sharding, largest, gpus_per_node, off_opt, off_par, zero_init, buffer_factor
            )
            gpu_bytes = states.details["gpu_bytes"]
        elif off_opt != "none" or off_par != "none":
            if shard_group is not None:
                raise ModelInputError("--shard-group does not combine with offload")
            states = offloaded_model_states_gib(
                n / (t * p), d, sharding, off_opt, off_par, (largest or 0.0) / t, optimizer
            )
            gpu_bytes = states.details["gpu_bytes"]
        else:
            states = model_states_per_gpu_gib(
                n,
                d,
                t,
                p,
                sharding,
                optimizer,
                _opt_int("shard-group", shard_group),
                _opt_num("param-bytes", param_bytes),
                _opt_num("grad-bytes", grad_bytes),
                _opt_num("optimizer-bytes", optimizer_bytes),
            )
            gpu_bytes = states.details["total_bytes"]
        report = Report(
            f"Memory per device: {_count(n)} parameters, DP={d} TP={t} PP={p}, "
            f"{states.inputs.get('sharding', sharding)}, accounting {acc_name}"
        )
        report.quantities.extend(count_report.quantities)
        report.quantities.append(states)
        report.extra_json["accounting"] = acc_name
        if "host_bytes_per_node" in states.details:
            report.row(
                "host memory per node",
                f"{states.details['host_gib_per_node']:.2f} GiB",
                "DeepSpeed's per-CPU column",
            )
        if "host_bytes_per_gpu" in states.details and (off_opt != "none" or off_par != "none"):
            report.row("host memory per GPU", f"{states.details['host_gb_per_gpu']:.4g} GB", "offloaded states")
            if states.details["nvme_bytes_per_gpu"]:
                report.row("NVMe per GPU", f"{states.details['nvme_gb_per_gpu']:.4g} GB", "offloaded states")
        act_args = [layers, hidden, heads, seq]
        act: Computed | None = None
        act_kind = activations.strip().lower().replace("_", "-")
        if act_kind not in ("korthikanti", "zero-paper"):
            raise ModelInputError(f"--activations must be korthikanti or zero-paper; got {activations!r}")
        if any(a is not None for a in act_args):
            if act_kind == "zero-paper":
                if not all(a is not None for a in (layers, hidden, seq)):
                    raise ModelInputError("zero-paper activations need --layers, --hidden and --seq")
                raw = zero_activation_bytes(
                    _int("hidden", hidden or ""),
                    _int("micro-batch", micro_batch),
                    _int("seq", seq or ""),
                    _int("layers", layers or ""),
                )
                report.quantities.append(raw)
                act = Computed(
                    float(raw) / GIB,
                    name="activation_memory_per_gpu_gib",
                    unit="GiB",
                    formula=raw.formula,
                    inputs=dict(raw.inputs),
                    source=raw.source,
                    notes=raw.notes,
                )
            else:
                if not all(a is not None for a in act_args):
                    raise ModelInputError("activations need all of --layers, --hidden, --heads and --seq")
                act = activation_memory_per_gpu_gib(
                    _int("seq", seq or ""),
                    _int("micro-batch", micro_batch),
                    _int("hidden", hidden or ""),
                    _int("heads", heads or ""),
                    _int("layers", layers or ""),
                    t,
                    p,
                    sp,
                    recompute,
                    schedule,
                    _opt_int("microbatches", microbatches),
                    _int("virtual", virtual),
                )
                report.quantities.append(act)
            report.conventions.append(f"activation accounting: {act_kind}")
        dev = _device(gpu)
        cap = dev.memory_bytes if dev else None
        other = _num("other-gib", other_gib) * GIB
        total = memory_per_gpu_gib(gpu_bytes, float(act) * GIB if act is not None else 0.0, 0.0, other, cap)
        report.quantities.append(total)
        if all_stages and acc_name == "deepspeed":
            for row in ds_rows:
                report.row(
                    f"deepspeed: {row['options']}",
                    f"{row['host_gib_per_node']:.2f} GiB host | {row['gpu_gib']:.2f} GiB GPU",
                    row["formula"],
                )
            report.extra_json["deepspeed_table"] = ds_rows
        elif all_stages:
            stage_gb: dict[str, float] = {}
            for stage in ("none", "zero1", "zero2", "zero3"):
                c = model_states_per_gpu_gib(
                    n,
                    d,
                    t,
                    p,
                    stage,
                    optimizer,
                    None,
                    _opt_num("param-bytes", param_bytes),
                    _opt_num("grad-bytes", grad_bytes),
                    _opt_num("optimizer-bytes", optimizer_bytes),
                )
                stage_gb[stage] = c.details["total_gb"]
                report.row(
                    f"model states, {stage}",
                    f"{c.details['total_gb']:.4g} GB ({float(c):.4g} GiB)",
                    c.formula,
                )
            report.extra_json["model_states_gb_by_stage"] = stage_gb
        report.conventions.append(
            "accounting: "
            + (
                "deepspeed (DeepSpeed's estimators: 16-bit params whole on every GPU under ZeRO-2, "
                "the largest layer gathered under ZeRO-3; host memory per node with a buffer factor)"
                if acc_name == "deepspeed"
                else "zero-paper (2 + 2 + K bytes per parameter by ZeRO stage"
                + ("; ZeRO-Offload/Infinity for what leaves the GPU)" if off_opt != "none" else ")")
            )
        )
        if dev is not None and cap is not None:
            report.conventions.append(
                f"{dev.name}: {dev.memory.capacity:g} {dev.memory.capacity_unit} as the datasheet prints it "
                f"= {cap / GIB:.4g} GiB"
            )
            if not total.details["fits"] and "bytes_per_param" in states.details:
                bpp = states.details["bytes_per_param"]
                if n * bpp / (d * t * p) > cap:
                    need = min_devices_for_model_states(n, bpp, cap)
                    raise ModelInputError(
                        f"{_count(n)} parameters at {bpp:g} bytes/param need {n * bpp / 1e9:,.0f} GB of "
                        f"model states: at least {int(need)} x {dev.name} even fully sharded, "
                        f"and this run has {d * t * p}"
                    )
            report.row("fits", "yes" if total.details["fits"] else "NO", "total <= capacity")
            report.row("headroom", f"{total.details['headroom_gib']:.4g} GiB", "capacity - total")
        if plot_path is not None:
            if "params_bytes" in states.details:
                parts = {
                    "params": states.details["params_bytes"] / GIB,
                    "grads": states.details["grads_bytes"] / GIB,
                    "optimizer": states.details["optimizer_bytes"] / GIB,
                }
            else:
                parts = {"model states": gpu_bytes / GIB}
            parts["activations"] = float(act) if act is not None else 0.0
            parts["other"] = other / GIB
            _plot_memory(plot_path, parts, cap / GIB if cap else None, report.title)
            report.plot = str(plot_path)
        _emit(report, fmt)


def _deepspeed_states(
    n: float,
    d: int,
    t: int,
    p: int,
    sharding: str,
    largest: float | None,
    gpus_per_node: str | None,
    off_opt: str,
    off_par: str,
    zero_init: bool,
    buffer_factor: str,
) -> tuple[Computed, list[dict[str, Any]]]:
    """DeepSpeed's estimator for the chosen stage and options, and every row of its printed table."""
    stage = sharding.strip().lower().replace("-", "").replace("_", "")
    if stage not in ("zero2", "zero3"):
        raise ModelInputError("--accounting deepspeed has estimators for --sharding zero2 and zero3 only")
    if t * p != 1:
        raise ModelInputError("--accounting deepspeed has no TP or PP; use --accounting zero-paper")
    if off_opt not in ("none", "cpu") or off_par not in ("none", "cpu"):
        raise ModelInputError("DeepSpeed's estimators know cpu offload only (NVMe: --accounting zero-paper)")
    gpn = _int("gpus-per-node", gpus_per_node) if gpus_per_node is not None else min(d, 8)
    if gpn < 1 or d % gpn:
        raise ModelInputError(f"--gpus-per-node ({gpn}) does not divide --dp ({d})")
    nodes = d // gpn
    buf = _num("buffer-factor", buffer_factor)
    rows: list[dict[str, Any]] = []
    if stage == "zero2":
        if off_par != "none":
            raise ModelInputError("parameter offload needs --sharding zero3")
        for opt in (True, False):
            c = deepspeed_zero2_estimate(n, gpn, nodes, opt, buf)
            rows.append(
                {
                    "options": f"offload_optimizer={'cpu' if opt else 'none'}",
                    "host_gib_per_node": c.details["host_gib_per_node"],
                    "gpu_gib": float(c),
                    "formula": c.formula,
                }
            )
        return deepspeed_zero2_estimate(n, gpn, nodes, off_opt == "cpu", buf), rows
    if largest is None:
        raise ModelInputError("the ZeRO-3 estimator needs --largest-layer N (or --shape)")
    for opt, par in ((True, True), (True, False), (False, False)):
        for zi in (True, False):
            c = deepspeed_zero3_estimate(n, largest, gpn, nodes, opt, par, zi, buf)
            rows.append(
                {
                    "options": f"offload_param={'cpu' if par else 'none'}, "
                    f"offload_optimizer={'cpu' if opt else 'none'}, zero_init={int(zi)}",
                    "host_gib_per_node": c.details["host_gib_per_node"],
                    "gpu_gib": float(c),
                    "formula": c.formula,
                }
            )
    chosen = deepspeed_zero3_estimate(n, largest, gpn, nodes, off_opt == "cpu", off_par == "cpu", zero_init, buf)
    return chosen, rows


@calc_app.command("params")
def params_cmd(
    shape: str = typer.Option(..., "--shape", metavar="SPEC", help=SHAPE_OPT.help),
    fmt: Format = FORMAT_OPT,
) -> None:
    """Parameter count (with and without embeddings, total and active per token) from the shape."""
    with _errors():
        count = _shape(shape)
        report = Report("Parameters from the shape")
        report.quantities.append(count)
        for key, label in (
            ("non_embedding", "without embeddings"),
            ("embedding", "embeddings"),
            ("active_per_token", "active per token (MoE: top-k experts)"),
            ("largest_layer", "largest layer"),
        ):
            report.row(label, _count(count.details[key]), "")
        report.extra_json["params"] = dict(count.details)
        _emit(report, fmt)


# --------------------------------------------------------------------------------------------- activations


@calc_app.command("activations")
def activations_cmd(
    seq: str = typer.Option(..., "--seq", metavar="S", help="Sequence length."),
    hidden: str = typer.Option(..., "--hidden", metavar="H"),
    heads: str = typer.Option(..., "--heads", metavar="A"),
    micro_batch: str = typer.Option("1", "--micro-batch", metavar="B"),
    tp: str = typer.Option("1", "--tp", metavar="T"),
    sp: bool = typer.Option(False, "--sp/--no-sp", help="Sequence parallelism (with TP)."),
    recompute: str = typer.Option("none", "--recompute", help="none, selective or full."),
    layers: str | None = typer.Option(None, "--layers", metavar="L", help="Give to get the per-device total."),
    pp: str = typer.Option("1", "--pp", metavar="P"),
    schedule: str = typer.Option("1f1b", "--schedule", help="gpipe, 1f1b or interleaved."),
    microbatches: str | None = typer.Option(None, "--microbatches", metavar="M"),
    virtual: str = typer.Option("1", "--virtual", metavar="V"),
    table: bool = typer.Option(False, "--table", help="Show every row of Korthikanti et al. Table 2."),
    accounting: str = typer.Option(
        "korthikanti",
        "--accounting",
        help="korthikanti (Table 2, bytes per layer) or zero-paper (12*h*b*s*L 16-bit values; needs --layers).",
    ),
    fmt: Format = FORMAT_OPT,
) -> None:
    """Activation memory per transformer layer (Korthikanti et al. Table 2) and per device, in bytes."""
    with _errors():
        if accounting.strip().lower().replace("_", "-") == "zero-paper":
            if layers is None:
                raise ModelInputError("--accounting zero-paper needs --layers")
            raw = zero_activation_bytes(
                _int("hidden", hidden), _int("micro-batch", micro_batch), _int("seq", seq), _int("layers", layers)
            )
            report = Report("Activations: accounting zero-paper")
            report.quantities.append(raw)
            report.extra_json["accounting"] = "zero-paper"
            _emit(report, fmt)
            return
        if accounting.strip().lower() != "korthikanti":
            raise ModelInputError(f"--accounting must be korthikanti or zero-paper; got {accounting!r}")
        s, h, a, b, t = (
            _int("seq", seq),
            _int("hidden", hidden),
            _int("heads", heads),
            _int("micro-batch", micro_batch),
            _int("tp", tp),
        )
        per_layer = activation_bytes_per_layer(s, b, h, a, t, sp, recompute)
        report = Report(f"Activations: s={s} b={b} h={h} a={a} t={t}")
        report.quantities.append(per_layer)
        if layers is not None:
            report.quantities.append(
                activation_memory_per_gpu_gib(
                    s,
                    b,
                    h,
                    a,
                    _int("layers", layers),
                    t,
                    _int("pp", pp),
                    sp,
                    recompute,
                    schedule,
                    _opt_int("microbatches", microbatches),
                    _int("virtual", virtual),
                )
            )
        if table:
            rows: dict[str, float] = {}
            variants: list[tuple[str, int, bool, str]] = [
                ("no parallelism", 1, False, "none"),
                ("tensor parallel", t, False, "none"),
                ("tensor + sequence parallel", t, True, "none"),
                ("TP + selective recomputation", t, False, "selective"),
                ("TP + SP + selective recomputation", t, True, "selective"),
                ("full recomputation", t, False, "full"),
            ]
            for label, tt, spp, rc in variants:
                if spp and tt == 1:
                    continue
                c = activation_bytes_per_layer(s, b, h, a, tt, spp, rc)
                rows[label] = float(c)
                report.row(label, f"{float(c):.4g} bytes ({float(c) / GIB:.4g} GiB)", c.formula)
            report.extra_json["table2_bytes_per_layer"] = rows
        report.conventions.append(
            "accounting: korthikanti (16-bit activations, 1-byte dropout masks; Korthikanti et al. Sec. 4)"
        )
        report.extra_json["accounting"] = "korthikanti"
        _emit(report, fmt)


@calc_app.command("kvcache")
def kvcache_cmd(
    layers: str = typer.Option(..., "--layers", metavar="L"),
    kv_heads: str = typer.Option(..., "--kv-heads", metavar="H", help="KV heads (= heads for MHA)."),
    head_dim: str = typer.Option(..., "--head-dim", metavar="D"),
    seq: str = typer.Option(..., "--seq", metavar="S", help="Cached positions per sequence."),
    batch: str = typer.Option("1", "--batch", metavar="B"),
    dtype_bytes: str = typer.Option("2", "--dtype-bytes", metavar="N", help="2 for bf16/fp16, 1 for fp8."),
    tp: str = typer.Option("1", "--tp", metavar="T"),
    gpu: str | None = GPU_OPT,
    fmt: Format = FORMAT_OPT,
) -> None:
    """KV-cache size for inference: 2 * layers * kv_heads * head_dim * seq * batch * bytes."""
    with _errors():
        kv = kv_cache_gib(
            _int("layers", layers),
            _int("kv-heads", kv_heads),
            _int("head-dim", head_dim),
            _int("seq", seq),
            _int("batch", batch),
            _num("dtype-bytes", dtype_bytes),
            _int("tp", tp),
        )
        report = Report("KV cache per device")
        report.quantities.append(kv)
        dev = _device(gpu)
        if dev is not None:
            total = memory_per_gpu_gib(0.0, kv_cache_bytes=kv.details["total_bytes"], capacity_bytes=dev.memory_bytes)
            report.row(
                f"share of {dev.name}",
                f"{total.details['utilisation'] * 100:.3g}% of {dev.memory.capacity:g} {dev.memory.capacity_unit}",
                "kv_cache / capacity",
            )
        _emit(report, fmt)


# --------------------------------------------------------------------------------------------- flops and mfu


@calc_app.command("flops")
def flops_cmd(
    params: str | None = typer.Option(None, "--params", metavar="N", help="Parameters: 6N FLOPs per token."),
    shape: str | None = SHAPE_OPT,
    layers: str | None = typer.Option(None, "--layers", metavar="L"),
    hidden: str | None = typer.Option(None, "--hidden", metavar="H"),
    vocab: str | None = typer.Option(None, "--vocab", metavar="V"),
    seq: str | None = typer.Option(None, "--seq", metavar="S"),
    batch: str | None = typer.Option(None, "--batch", metavar="B", help="Global batch in sequences."),
    recompute: str = typer.Option(
        "full",
        "--recompute",
        help="none, selective or full (default, as Narayanan et al. count: 96*...); selective doubles the "
        "s/(6h) term (Korthikanti et al.). The model FLOPs (72*..., MFU) are always shown next to it.",
    ),
    no_recompute: bool = typer.Option(False, "--no-recompute", help="Same as --recompute none."),
    gpus: str | None = typer.Option(None, "--gpus", metavar="N"),
    iteration_time: str | None = typer.Option(None, "--iteration-time", metavar="SECONDS"),
    tflops_per_gpu: str | None = typer.Option(None, "--tflops-per-gpu", metavar="X", help="Reported throughput."),
    tokens: str | None = typer.Option(None, "--tokens", metavar="T", help="Training tokens, for time to train."),
    gpu: str | None = GPU_OPT,
    dtype: str = typer.Option("bf16", "--dtype"),
    fmt: Format = FORMAT_OPT,
) -> None:
    """Training FLOPs: 6N per token, or Narayanan et al.'s per-iteration count and throughput."""
    with _errors():
        megatron_args = [layers, hidden, vocab, seq, batch]
        report = Report("Training FLOPs")
        if any(x is not None for x in megatron_args):
            if not all(x is not None for x in megatron_args):
                raise ModelInputError("the per-iteration count needs --batch, --seq, --layers, --hidden and --vocab")
            b, s, n_layers = _int("batch", batch or ""), _int("seq", seq or ""), _int("layers", layers or "")
            h, v = _int("hidden", hidden or ""), _int("vocab", vocab or "")
            mode = "none" if no_recompute else recompute.strip().lower()
            f_iter = megatron_flops_per_iteration(b, s, n_layers, h, v, mode)
            report.quantities.append(f_iter)
            by_mode = {
                m: float(megatron_flops_per_iteration(b, s, n_layers, h, v, m)) for m in ("none", "selective", "full")
            }
            for m_name, f_m in by_mode.items():
                report.row(
                    f"step time, {m_name} / none",
                    f"{f_m / by_mode['none']:.4g}x",
                    "hardware FLOPs ratio at equal HFU",
                )
            report.extra_json["flops_by_recompute"] = by_mode
            report.extra_json["step_time_ratio_vs_none"] = {k: x / by_mode["none"] for k, x in by_mode.items()}
            n_params = megatron_params(n_layers, h, v, s)
            report.quantities.append(n_params)
            dev = _device(gpu)
            if gpus is not None:
                n_gpus = _int("gpus", gpus)
                x: float | None = None
                if iteration_time is not None and tflops_per_gpu is not None:
                    raise ModelInputError("give --iteration-time or --tflops-per-gpu, not both")
                if iteration_time is not None:
                    ach = achieved_flops_per_device(float(f_iter), _num("iteration-time", iteration_time), n_gpus)
                    report.quantities.append(ach)
                    x = float(ach)
                    if dev is not None:
                        t_it = _num("iteration-time", iteration_time)
                        peak_all = dev.peak_flops(dtype) * n_gpus * t_it
                        report.quantities.append(
                            utilisation_from_achieved(by_mode["none"] / (n_gpus * t_it), peak_all / (n_gpus * t_it))
                        )
                        report.quantities.append(
                            utilisation_from_achieved(
                                float(f_iter) / (n_gpus * t_it), peak_all / (n_gpus * t_it), "hardware"
                            )
                        )
                elif tflops_per_gpu is not None:
                    x = _num("tflops-per-gpu", tflops_per_gpu) * 1e12
                    t_iter = float(f_iter) / (x * n_gpus)
                    report.row("implied iteration time", f"{t_iter:.4g} s", "F / (X * n)")
                    report.row("aggregate throughput", f"{x * n_gpus / 1e15:.4g} PFLOP/s", "X * n")
                    report.extra_json["implied_iteration_time_s"] = t_iter
                if x is not None and dev is not None:
                    frac = x / dev.peak_flops(dtype)
                    report.row(f"fraction of {dev.name} dense {dtype} peak", f"{frac * 100:.3g}%", "X / P_dense")
                    report.extra_json["fraction_of_peak"] = frac
                if x is not None and tokens is not None:
                    report.quantities.append(
                        megatron_training_time_s(_num("tokens", tokens), float(n_params), n_gpus, x)
                    )
            report.conventions.append(
                "with --recompute the FLOPs include the recomputed forward pass "
                "(hardware FLOPs, as in Narayanan et al.'s Table 1); MFU would use --no-recompute"
            )
        elif params is not None or shape is not None:
            n = _param_count(params, shape, report) or 0.0
            per_tok = training_flops_per_token(n)
            report.quantities.append(per_tok)
            if tokens is not None:
                total = _num("tokens", tokens) * float(per_tok)
                report.row("total training FLOPs", f"{total:.4g} FLOP", "6 * N * T")
                report.extra_json["total_flops"] = total
        else:
            raise ModelInputError("give --params (or --shape), or --batch --seq --layers --hidden --vocab")
        _emit(report, fmt)


@calc_app.command("mfu")
def mfu_cmd(
    tokens_per_s: str | None = typer.Option(None, "--tokens-per-s", metavar="R", help="Training throughput, tokens/s."),
    devices: str | None = typer.Option(None, "--devices", metavar="N", help="Accelerators (GPUs or TPU chips)."),
    achieved_tflops_per_gpu: str | None = typer.Option(
        None,
        "--achieved-tflops-per-gpu",
        metavar="X",
        help="A report's stated TFLOP/s per device: utilisation = X / dense peak, no model shape needed.",
    ),
    counts: str = typer.Option(
        "model",
        "--counts",
        help="What --achieved-tflops-per-gpu counts: model (gives MFU) or hardware (recomputation too: HFU).",
    ),
    params: str | None = typer.Option(None, "--params", metavar="N"),
    shape: str | None = SHAPE_OPT,
    layers: str | None = typer.Option(
        None, "--layers", metavar="L", help="With --heads --head-dim --seq: PaLM's count."
    ),
    heads: str | None = typer.Option(None, "--heads", metavar="H"),
    head_dim: str | None = typer.Option(None, "--head-dim", metavar="Q"),
    seq: str | None = typer.Option(None, "--seq", metavar="T"),
    flops_per_token: str | None = typer.Option(None, "--flops-per-token", metavar="F"),
    recompute: str = typer.Option("none", "--recompute", help="none, selective or full: adds HFU."),
    convention: str = typer.Option(
        "megatron",
        "--hfu-convention",
        help="Selective recomputation's extra FLOPs: megatron (the attention-score term doubled, as "
        "Korthikanti et al. count) or forward (one forward of the scores, A/3).",
    ),
    tokens: str | None = typer.Option(None, "--tokens", metavar="T", help="Training tokens, for time to train."),
    gpu: str | None = GPU_OPT,
    dtype: str = typer.Option("bf16", "--dtype"),
    peak_tflops: str | None = typer.Option(None, "--peak-tflops", metavar="P", help="Dense peak per device."),
    fmt: Format = FORMAT_OPT,
) -> None:
    """MFU (model FLOPs over dense peak) and, with recomputation, HFU; or either from stated TFLOP/s."""
    with _errors():
        report = Report("Model FLOPs utilisation")
        attention = 0.0
        if achieved_tflops_per_gpu is not None:
            peak = _peak(report, gpu, peak_tflops, dtype)
            report.quantities.append(
                utilisation_from_achieved(_num("achieved-tflops-per-gpu", achieved_tflops_per_gpu) * 1e12, peak, counts)
            )
            _emit(report, fmt)
            return
        if tokens_per_s is None or devices is None:
            raise ModelInputError("give --tokens-per-s and --devices, or --achieved-tflops-per-gpu")
        if shape is not None:
            params = str(_param_count(None, shape, report))
        if flops_per_token is not None:
            f_tok = _num("flops-per-token", flops_per_token)
        elif params is not None:
            palm = [layers, heads, head_dim, seq]
            if any(x is not None for x in palm):
                if not all(x is not None for x in palm):
                    raise ModelInputError("PaLM's count needs all of --layers, --heads, --head-dim and --seq")
                ft = palm_flops_per_token(
                    _num("params", params),
                    _int("layers", layers or ""),
                    _int("heads", heads or ""),
                    _int("head-dim", head_dim or ""),
                    _int("seq", seq or ""),
                )
                attention = ft.details["attention_12LHQT"]
            else:
                ft = training_flops_per_token(_num("params", params))
            report.quantities.append(ft)
            f_tok = float(ft)
        else:
            raise ModelInputError(
                "give --params (with --layers --heads --head-dim --seq for PaLM's count) or --flops-per-token"
            )
        peak = _peak(report, gpu, peak_tflops, dtype)
        rate, n = _num("tokens-per-s", tokens_per_s), _int("devices", devices)
        m = mfu(f_tok, rate, n, peak)
        report.quantities.append(m)
        if recompute.strip().lower() != "none":
            hw = hardware_flops_per_token(f_tok, recompute, attention, convention)
            report.quantities.append(hw)
            report.quantities.append(hfu(float(hw), rate, n, peak))
            report.row("step time, recomputed / none", f"{float(hw) / f_tok:.4g}x", "H_token / F_token at equal HFU")
        if tokens is not None:
            report.quantities.append(time_to_train_s(_num("tokens", tokens), f_tok, n, peak, float(m)))
        report.conventions.append("MFU counts model FLOPs only; HFU adds recomputed FLOPs (HFU >= MFU)")
        _emit(report, fmt)


# --------------------------------------------------------------------------------------------- roofline


@calc_app.command("roofline")
def roofline_cmd(
    gpu: str | None = GPU_OPT,
    dtype: str = typer.Option("bf16", "--dtype", help="Selects the dense peak and the bytes per element."),
    peak_tflops: str | None = typer.Option(None, "--peak-tflops", metavar="P"),
    bandwidth_gbs: str | None = typer.Option(None, "--bandwidth-gbs", metavar="B", help="Memory GB/s."),
    gemm: str | None = typer.Option(None, "--gemm", metavar="M,N,K"),
    attention: str | None = typer.Option(None, "--attention", metavar="SEQ,HEAD_DIM"),
    heads: str = typer.Option("1", "--heads", metavar="H"),
    batch: str = typer.Option("1", "--batch", metavar="B"),
    causal: bool = typer.Option(False, "--causal/--no-causal"),
    io_aware: bool = typer.Option(False, "--io-aware/--standard", help="Tiled (FlashAttention-style) or standard."),
    kv_passes: str = typer.Option("1", "--kv-passes", metavar="N", help="K/V re-reads of the tiled kernel."),
    op: str | None = typer.Option(
        None, "--op", help="add, mul, relu, gelu, bias-gelu, dropout, softmax, layernorm, rmsnorm."
    ),
    elements: str | None = typer.Option(None, "--elements", metavar="N", help="Elements of the --op kernel."),
    flops: str | None = typer.Option(None, "--flops", metavar="F", help="FLOPs of a custom kernel."),
    nbytes: str | None = typer.Option(None, "--bytes", metavar="Q", help="Bytes moved by a custom kernel."),
    time_us: str | None = typer.Option(None, "--time-us", metavar="T", help="Measured kernel time, us."),
    achieved_tflops: str | None = typer.Option(None, "--achieved-tflops", metavar="X"),
    achieved_gbs: str | None = typer.Option(None, "--achieved-gbs", metavar="X"),
    claimed_speedup: str | None = typer.Option(None, "--claimed-speedup", metavar="S"),
    ridge_only: bool = typer.Option(
        False, "--ridge-only", help="Print only the ridge point (FLOP/byte) of the device; no kernel needed."
    ),
    plot: Path | None = PLOT_OPT,
    fmt: Format = FORMAT_OPT,
) -> None:
    """Arithmetic intensity, attainable FLOP/s and the largest speedup the roofline allows."""
    with _errors():
        plot_path = _plot_path(plot)
        peak, bw, conventions = _peak_and_bandwidth(gpu, dtype, peak_tflops, bandwidth_gbs)
        if ridge_only:
            report = Report("Roofline: ridge point")
            report.conventions.extend(conventions)
            report.quantities.append(ridge_point(peak, bw))
            _emit(report, fmt)
            return
        key = dtype.strip().lower()
        if key not in _DTYPE_BYTES:
            raise ModelInputError(f"--dtype must be one of {', '.join(_DTYPE_BYTES)}; got {dtype!r}")
        eb = _DTYPE_BYTES[key]
        kinds = [x is not None for x in (gemm, attention, op, flops or nbytes)]
        if sum(kinds) != 1:
            raise ModelInputError(
                "describe one kernel: --gemm M,N,K | --attention SEQ,HEAD_DIM | --op NAME "
                "--elements N | --flops F --bytes Q"
            )
        if gemm is not None:
            dims = _triple("gemm", gemm)
            if len(dims) != 3:
                raise ModelInputError(f"--gemm needs M,N,K; got {gemm!r}")
            ai = gemm_intensity(dims[0], dims[1], dims[2], eb)
            label = f"GEMM {dims[0]}x{dims[1]}x{dims[2]}"
        elif attention is not None:
            dims = _triple("attention", attention)
            if len(dims) != 2:
                raise ModelInputError(f"--attention needs SEQ,HEAD_DIM; got {attention!r}")
            ai = attention_intensity(
                dims[0],
                dims[1],
                _int("heads", heads),
                _int("batch", batch),
                eb,
                causal,
                io_aware,
                _int("kv-passes", kv_passes),
            )
            label = f"attention N={dims[0]} d={dims[1]} ({'IO-aware' if io_aware else 'standard'})"
        elif op is not None:
            if elements is None:
                raise ModelInputError("--op needs --elements")
            ai = elementwise_intensity(op, _int("elements", elements), dtype_bytes=eb)
            label = f"{op} x {elements}"
        else:
            if flops is None or nbytes is None:
                raise ModelInputError("a custom kernel needs both --flops and --bytes")
            f, q = _num("flops", flops), _bytes("bytes", nbytes)
            if f <= 0 or q <= 0:
                raise ModelInputError("--flops and --bytes must be positive")
            ai = Computed(
                f / q,
                name="arithmetic_intensity",
                unit="FLOP/byte",
                formula="F / Q",
                inputs={"F": f, "Q_bytes": q},
                source="given",
                details={"flops": f, "bytes": q},
            )
            label = "kernel"
        f_k, q_k = ai.details["flops"], ai.details["bytes"]
        report = Report(f"Roofline: {label}")
        report.conventions.extend(conventions)
        ridge = ridge_point(peak, bw)
        att = attainable_flops(float(ai), peak, bw)
        t_min = roofline_time_s(f_k, q_k, peak, bw)
        report.quantities.extend([ai, ridge, att, t_min])
        report.row("bound", "compute" if t_min.details["compute_bound"] else "memory", "F/P vs Q/B")
        measured = [x is not None for x in (time_us, achieved_tflops, achieved_gbs)]
        points = [(label + " (roofline)", float(ai), float(att))]
        if any(measured):
            sp = roofline_max_speedup(
                f_k,
                q_k,
                peak,
                bw,
                measured_time_s=_num("time-us", time_us) * 1e-6 if time_us is not None else None,
                achieved_flops=_num("achieved-tflops", achieved_tflops) * 1e12 if achieved_tflops is not None else None,
                achieved_bandwidth=_num("achieved-gbs", achieved_gbs) * 1e9 if achieved_gbs is not None else None,
                claimed_speedup=_opt_num("claimed-speedup", claimed_speedup),
            )
            report.quantities.append(sp)
            points.append((label + " (measured)", float(ai), f_k / sp.details["t_measured_s"]))
        elif claimed_speedup is not None:
            raise ModelInputError(
                "--claimed-speedup needs the kernel's measured --time-us, --achieved-tflops or --achieved-gbs"
            )
        if plot_path is not None:
            _plot_roofline(plot_path, peak, bw, points, report.title)
            report.plot = str(plot_path)
        _emit(report, fmt)


# --------------------------------------------------------------------------------------------- scaling


def _pair(name: str, text: str) -> tuple[int, float]:
    left, sep, right = text.partition(":")
    if not sep:
        raise ModelInputError(f"--{name}: expected DEVICES:VALUE, e.g. 64:1.5; got {text!r}")
    return _int(name, left), _num(name, right)


POINT_OPT = typer.Option(
    None, "--point", metavar="N:SECONDS", help="A measured step time (s) at N devices; two or more to fit."
)
AT_OPT = typer.Option(None, "--at", metavar="N", help="Extrapolate the fit to N devices (repeatable).")
THROUGHPUT_OPT = typer.Option(
    None,
    "--throughput",
    metavar="N:X",
    help="Aggregate throughput X (FLOP/s, tokens/s, ...) at N devices; the first is the reference for "
    "scaling efficiency (ratio).",
)


@calc_app.command("scaling")
def scaling_cmd(
    point: list[str] | None = POINT_OPT,
    at: list[str] | None = AT_OPT,
    throughput: list[str] | None = THROUGHPUT_OPT,
    fmt: Format = FORMAT_OPT,
) -> None:
    """Fit t(n) = t_serial + W/n to measured step times and extrapolate; scaling efficiency from throughput."""
    with _errors():
        report = Report("Scaling")
        if not point and not throughput:
            raise ModelInputError("give two or more --point N:SECONDS, or --throughput N:X pairs")
        if point:
            pts = [_pair("point", x) for x in point]
            report.quantities.append(strong_scaling_fit(pts))
            curve: dict[str, dict[str, float]] = {}
            for n_text in at or [str(max(n for n, _ in pts) * 2)]:
                c = strong_scaling_fit(pts, _int("at", n_text))
                report.quantities.append(c)
                report.row(
                    f"efficiency at {c.inputs['at']}", f"{c.details['efficiency'] * 100:.3g}%", "n0*t(n0) / (n*t(n))"
                )
                curve[str(c.inputs["at"])] = {"step_time_s": float(c), "efficiency": c.details["efficiency"]}
            report.extra_json["extrapolated"] = curve
        if throughput:
            xs = [_pair("throughput", x) for x in throughput]
            if len(xs) < 2:
                raise ModelInputError("scaling efficiency needs a reference and at least one more --throughput")
            n0, x0 = xs[0]
            effs: dict[str, float] = {}
            for n, x in xs[1:]:
                e = scaling_efficiency(n, x, n0, x0)
                report.quantities.append(e)
                effs[str(n)] = float(e)
            report.extra_json["efficiency"] = effs
        _emit(report, fmt)


# --------------------------------------------------------------------------------------------- collectives


@calc_app.command("collective")
def collective_cmd(
    op: str = typer.Option("all-reduce", "--op", help="all-reduce, all-gather, reduce-scatter, all-to-all."),
    algo: str = typer.Option("ring", "--algo", help="ring, tree (all-reduce) or hierarchical (all-reduce)."),
    size: str | None = typer.Option(None, "--size", metavar="BYTES", help="Full buffer: 1GB, 512MiB, 1e9."),
    params: str | None = typer.Option(None, "--params", metavar="N", help="Gradient all-reduce of N params."),
    shape: str | None = SHAPE_OPT,
    grad_bytes: str = typer.Option("2", "--grad-bytes", metavar="B", help="Bytes per gradient (2 bf16, 4 fp32)."),
    zero3: bool = typer.Option(False, "--zero3", help="With --params: ZeRO-3/FSDP traffic (1.5x DP)."),
    ranks: str | None = typer.Option(None, "--ranks", metavar="N"),
    bandwidth_gbs: str | None = typer.Option(
        None, "--bandwidth-gbs", metavar="B", help="ONE-WAY GB/s per rank (halve bidirectional figures)."
    ),
    gpu: str | None = GPU_OPT,
    nodes: str | None = typer.Option(None, "--nodes", metavar="N"),
    gpus_per_node: str | None = typer.Option(None, "--gpus-per-node", metavar="G"),
    nic: str | None = typer.Option(None, "--nic", metavar="NAME", help="Scale-out NIC per GPU: ndr, hdr, roce..."),
    inter_gbs: str | None = typer.Option(None, "--inter-gbs", metavar="B", help="One-way GB/s per GPU across nodes."),
    latency_us: str = typer.Option("0", "--latency-us", metavar="A", help="Per-step latency alpha, us."),
    inter_latency_us: str = typer.Option("0", "--inter-latency-us", metavar="A"),
    time_ms: str | None = typer.Option(None, "--time-ms", metavar="T", help="Measured time: gives busbw."),
    fmt: Format = FORMAT_OPT,
) -> None:
    """Alpha-beta time of a collective, its bus bandwidth, and DP/ZeRO-3 gradient traffic."""
    with _errors():
        report = Report(f"Collective: {op} ({algo})")
        if shape is not None:
            params = repr(_param_count(params, shape))
        if (size is None) == (params is None):
            raise ModelInputError("give --size BYTES or --params N")
        alpha = _num("latency-us", latency_us) * 1e-6
        dev = _device(gpu)
        if algo.strip().lower() == "hierarchical":
            if op.strip().lower() != "all-reduce":
                raise ModelInputError("the hierarchical algorithm is modelled for all-reduce only")
            if nodes is None or gpus_per_node is None:
                raise ModelInputError("--algo hierarchical needs --nodes and --gpus-per-node")
            g, nn = _int("gpus-per-node", gpus_per_node), _int("nodes", nodes)
            n = g * nn
        else:
            if ranks is None and nodes is not None and gpus_per_node is not None:
                n = _int("nodes", nodes) * _int("gpus-per-node", gpus_per_node)
            elif ranks is None:
                raise ModelInputError("give --ranks N (or --nodes and --gpus-per-node)")
            else:
                n = _int("ranks", ranks)
        if params is not None:
            vol = (zero3_comm_bytes_per_step if zero3 else dp_comm_bytes_per_step)(
                _num("params", params), n, _num("grad-bytes", grad_bytes)
            )
            report.quantities.append(vol)
            s_bytes = _num("params", params) * _num("grad-bytes", grad_bytes)
            if op.strip().lower() != "all-reduce":
                raise ModelInputError("--params models the gradient all-reduce (or ZeRO-3 with --zero3); drop --op")
            if zero3 and algo.strip().lower() != "ring":
                raise ModelInputError("--zero3 is modelled with ring collectives only")
        else:
            s_bytes = _bytes("size", size or "")
        if bandwidth_gbs is not None:
            bw = _num("bandwidth-gbs", bandwidth_gbs) * 1e9
        elif dev is not None:
            bw = dev.link_one_way_bytes_per_s
            link = dev.link
            if link is not None:
                report.conventions.append(
                    f"{dev.name}: {link.name} {link.bandwidth_GBps:g} GB/s {link.direction} "
                    f"-> {bw / 1e9:g} GB/s one-way"
                )
        else:
            raise ModelInputError("give --bandwidth-gbs (one-way GB/s per rank) or --gpu NAME")
        if algo.strip().lower() == "hierarchical":
            if inter_gbs is not None:
                bx = _num("inter-gbs", inter_gbs) * 1e9
            elif nic is not None:
                card = get_nic(nic)
                bx = card.one_way_bytes_per_s
                report.conventions.append(
                    f"{card.name}: {card.line_rate_gbps:g} Gb/s per direction = "
                    f"{bx / 1e9:g} GB/s one-way, one NIC per GPU"
                )
            else:
                raise ModelInputError("--algo hierarchical needs --nic NAME or --inter-gbs")
            t = hierarchical_all_reduce_time_s(
                s_bytes, g, nn, bw, bx, alpha, _num("inter-latency-us", inter_latency_us) * 1e-6
            )
        elif zero3 and params is not None:
            t = zero3_comm_time_s(_num("params", params), n, bw, _num("grad-bytes", grad_bytes), alpha)
        else:
            t = collective_time_s(op, s_bytes, n, bw, alpha, algo)
        if bandwidth_gbs is None and dev is not None and algo.strip().lower() != "hierarchical" and n > 8:
            report.conventions.append(
                f"{n} ranks at {dev.name}'s intra-node link bandwidth assumes one scale-up domain; "
                "across nodes use --algo hierarchical --nodes --gpus-per-node --nic"
            )
        report.quantities.append(t)
        report.row("algbw", f"{t.details['algbw_bytes_per_s'] / 1e9:.4g} GB/s", "S / t")
        report.row("busbw", f"{t.details['busbw_bytes_per_s'] / 1e9:.4g} GB/s", "algbw x nccl-tests factor")
        if time_ms is not None:
            report.quantities.append(bus_bandwidth(op, s_bytes, _num("time-ms", time_ms) * 1e-3, n))
        report.conventions.append("bandwidths are one-way per rank; sizes in bytes (GB = 1e9, GiB = 2**30)")
        _emit(report, fmt)


# --------------------------------------------------------------------------------------------- pipeline


@calc_app.command("bubble")
def bubble_cmd(
    stages: str = typer.Option(..., "--stages", metavar="P", help="Pipeline stages (PP degree)."),
    microbatches: str | None = typer.Option(None, "--microbatches", metavar="M", help="Micro-batches per step."),
    virtual: str = typer.Option("1", "--virtual", metavar="V", help="Chunks per device (interleaved 1F1B)."),
    schedule: str = typer.Option("1f1b", "--schedule", help="gpipe, 1f1b or interleaved."),
    global_batch: str | None = typer.Option(None, "--global-batch", metavar="B"),
    micro_batch_size: str | None = typer.Option(None, "--micro-batch-size", metavar="b"),
    dp: str = typer.Option("1", "--dp", metavar="D"),
    tp: str = typer.Option("1", "--tp", metavar="T"),
    layers: str | None = typer.Option(None, "--layers", metavar="L"),
    heads: str | None = typer.Option(None, "--heads", metavar="A"),
    gpus: str | None = typer.Option(None, "--gpus", metavar="N"),
    fmt: Format = FORMAT_OPT,
) -> None:
    """Pipeline bubble (share of the step and relative to ideal), in-flight micro-batches, divisibility."""
    with _errors():
        p, v = _int("stages", stages), _int("virtual", virtual)
        if v > 1 and schedule.strip().lower() == "1f1b":
            schedule = "interleaved"
        m: int | None = _opt_int("microbatches", microbatches)
        report = Report(f"Pipeline: p={p}, v={v}, {schedule}")
        if global_batch is not None or micro_batch_size is not None:
            if global_batch is None or micro_batch_size is None:
                raise ModelInputError("divisibility needs both --global-batch and --micro-batch-size")
            check = check_divisibility(
                _int("global-batch", global_batch),
                _int("micro-batch-size", micro_batch_size),
                _int("dp", dp),
                _opt_int("layers", layers),
                p,
                _int("tp", tp),
                _opt_int("heads", heads),
                v,
                _opt_int("gpus", gpus),
            )
            if not check.ok:
                raise ModelInputError("; ".join(check.problems))
            if m is not None and m != check.microbatches:
                raise ModelInputError(
                    f"--microbatches ({m}) != global batch / (micro-batch size x DP) ({check.microbatches})"
                )
            m = check.microbatches
            report.row("divisibility", f"ok, m = {m}", "m = B / (b * d)")
        elif v > 1 and m is not None and m % p:
            raise ModelInputError(f"interleaved schedule needs micro-batches ({m}) to be a multiple of stages ({p})")
        if m is None:
            raise ModelInputError("give --microbatches M, or --global-batch and --micro-batch-size")
        report.quantities.append(pipeline_bubble_fraction(p, m, v))
        report.quantities.append(pipeline_bubble_relative_to_ideal(p, m, v))
        report.quantities.append(in_flight_microbatches(p, m, schedule, v))
        report.conventions.append("GPipe and 1F1B have the same bubble; they differ in in-flight activations")
        _emit(report, fmt)


# --------------------------------------------------------------------------------------------- amdahl


@calc_app.command("amdahl")
def amdahl_cmd(
    fraction: str = typer.Option(..., "--fraction", metavar="F", help="Share of step time the change touches."),
    speedup: str = typer.Option("inf", "--speedup", metavar="S", help="Speedup of that part (default: infinite)."),
    fmt: Format = FORMAT_OPT,
) -> None:
    """Amdahl's bound: 1 / ((1 - f) + f / s)."""
    with _errors():
        report = Report("Amdahl")
        report.quantities.append(amdahl_max_speedup(_num("fraction", fraction), _num("speedup", speedup)))
        _emit(report, fmt)


# --------------------------------------------------------------------------------------------- hardware


def _device_json(d: Device) -> dict[str, Any]:
    return {
        "id": d.id,
        "name": d.name,
        "vendor": d.vendor,
        "kind": d.kind,
        "aliases": d.aliases,
        "peak_tflops_dense": d.peak_tflops,
        "peak_tflops_sparse": d.sparse_tflops,
        "memory": {
            "type": d.memory.type,
            "capacity": d.memory.capacity,
            "capacity_unit": d.memory.capacity_unit,
            "capacity_bytes": d.memory_bytes,
            "capacity_gib": d.memory_gib,
            "bandwidth_GBps": d.memory.bandwidth_GBps,
        },
        "link": None
        if d.link is None
        else {
            "name": d.link.name,
            "bandwidth_GBps": d.link.bandwidth_GBps,
            "direction": d.link.direction,
            "one_way_GBps": d.link.one_way_bytes_per_s / 1e9,
            "note": d.link.note,
        },
        "source": d.source,
        "notes": d.notes,
    }


@calc_app.command("hardware")
def hardware_cmd(
    name: str | None = typer.Argument(None, help="Device or NIC name; omit to list the catalog."),
    nics: bool = typer.Option(False, "--nics", help="List network cards instead of devices."),
    fmt: Format = FORMAT_OPT,
) -> None:
    """The hardware catalog: dense peaks, memory (GB as printed, and GiB), links, sources."""
    with _errors():
        console = _console()
        if nics:
            cards = list_nics()
            if fmt is Format.json:
                sys.stdout.write(
                    json.dumps(
                        [{**c.model_dump(), "one_way_GBps": c.one_way_bytes_per_s / 1e9} for c in cards],
                        indent=2,
                    )
                    + "\n"
                )
                return
            table = Table(title="Network cards (line rate per direction)", title_justify="left")
            for col in ("id", "name", "Gb/s", "GB/s one-way", "aliases"):
                table.add_column(col)
            for c in cards:
                table.add_row(
                    c.id,
                    c.name,
                    f"{c.line_rate_gbps:g}",
                    f"{c.one_way_bytes_per_s / 1e9:g}",
                    ", ".join(c.aliases),
                )
            console.print(table)
            return
        if name is not None:
            try:
                dev = get_device(name)
            except UnknownHardwareError:
                if not _is_nic(name):
                    raise
                card = get_nic(name)
                if fmt is Format.json:
                    sys.stdout.write(
                        json.dumps({**card.model_dump(), "one_way_GBps": card.one_way_bytes_per_s / 1e9}, indent=2)
                        + "\n"
                    )
                else:
                    console.print(
                        f"{card.name}: {card.line_rate_gbps:g} Gb/s per direction = "
                        f"{card.one_way_bytes_per_s / 1e9:g} GB/s one-way\nsource: {card.source}"
                    )
                return
            if fmt is Format.json:
                sys.stdout.write(json.dumps(_device_json(dev), indent=2) + "\n")
                return
            table = Table(title=f"{dev.name} ({dev.id})", title_justify="left")
            table.add_column("dtype")
            table.add_column("dense peak")
            table.add_column("sparse (2:4) peak, datasheet")
            for dtype, value in dev.peak_tflops.items():
                sparse = dev.sparse_tflops.get(dtype)
                unit = "TOPS" if dtype == "int8" else "TFLOP/s"
                table.add_row(dtype, f"{value:g} {unit}", f"{sparse:g} {unit}" if sparse else "-")
            console.print(table)
            console.print(
                f"memory: {dev.memory.type} {dev.memory.capacity:g} {dev.memory.capacity_unit} "
                f"({dev.memory_gb:.4g} GB = {dev.memory_gib:.4g} GiB), {dev.memory.bandwidth_GBps:g} GB/s"
            )
            if dev.link is not None:
                console.print(
                    f"link: {dev.link.name} {dev.link.bandwidth_GBps:g} GB/s {dev.link.direction} "
                    f"({dev.link.one_way_bytes_per_s / 1e9:g} GB/s one-way). {dev.link.note}"
                )
            else:
                console.print("link: not in the catalog")
            if dev.notes:
                console.print(f"note: {dev.notes}")
            console.print(f"source: {dev.source}")
            return
        devices = list_devices()
        if fmt is Format.json:
            sys.stdout.write(json.dumps([_device_json(d) for d in devices], indent=2) + "\n")
            return
        table = Table(title="Devices (dense peaks; GB as the source prints it)", title_justify="left")
        for col in ("id", "name", "BF16 TFLOP/s", "FP8 TFLOP/s", "memory", "GB/s", "link (one-way GB/s)"):
            table.add_column(col)
        for d in devices:
            link = "-" if d.link is None else f"{d.link.name} ({d.link.one_way_bytes_per_s / 1e9:g})"
            table.add_row(
                d.id,
                d.name,
                f"{d.peak_tflops.get('bf16', 0):g}",
                f"{d.peak_tflops['fp8']:g}" if "fp8" in d.peak_tflops else "-",
                f"{d.memory.capacity:g} {d.memory.capacity_unit}",
                f"{d.memory.bandwidth_GBps:g}",
                link,
            )
        console.print(table)
        console.print("defaults: " + ", ".join(f"{k} -> {v}" for k, v in _defaults().items()))


def _is_nic(name: str) -> bool:
    try:
        get_nic(name)
    except UnknownHardwareError:
        return False
    return True


def _defaults() -> dict[str, str]:
    return load_catalog().defaults

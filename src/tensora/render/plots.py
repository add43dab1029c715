"""Plots for the HTML report, each returned as a self-contained SVG string.

Three figures, each drawn from a model in ``tensora.models`` and nothing else: the roofline of a device
with a draft's kernels on it (``roofline_svg``), per-GPU memory against the device's capacity
(``memory_svg``) and a pipeline-parallel timeline whose idle share is the schedule's bubble
(``pipeline_svg``, drawn from ``pipeline_timeline``, whose geometry a test checks against
``pipeline_bubble_fraction``).

matplotlib is imported inside the functions (Agg-free: a bare ``Figure`` renders itself), so importing this
module, and starting the CLI, costs nothing. Output is deterministic: a fixed ``svg.hashsalt``, text kept as
text (``svg.fonttype = 'none'``, the browser's sans-serif), no date or creator metadata, no XML prolog
or DOCTYPE, and every element id prefixed by the plot's name so that several SVGs can sit in one page.

Left out: PNG output (the Markdown renderer does not embed plots), interactive plots (no JavaScript), and
kernels that the draft does not place (a roofline point needs its arithmetic intensity or its FLOP/s).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Literal

from tensora.errors import ModelInputError, UnknownHardwareError
from tensora.knowledge.hardware import Device, get_device, list_devices
from tensora.models.pipeline import pipeline_bubble_fraction
from tensora.models.roofline import attainable_flops, ridge_point

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "Block",
    "Kernel",
    "Timeline",
    "memory_svg",
    "pipeline_svg",
    "pipeline_timeline",
    "resolve_device",
    "roofline_svg",
]

Kernel = tuple[str, float | None, float | None]
"""(label, arithmetic intensity in FLOP/byte or None, achieved FLOP/s or None); one of the two is needed."""

BlockKind = Literal["forward", "backward", "idle"]

# one palette for all plots: colour-blind safe (Okabe-Ito)
_BLUE, _ORANGE, _GREEN, _PURPLE, _RED, _SKY, _YELLOW = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#d55e00",
    "#56b4e9",
    "#f0e442",
)
_KERNEL_COLOURS = (_BLUE, _RED, _GREEN, _PURPLE, _ORANGE, _SKY)
_MEMORY_COLOURS = (_BLUE, _SKY, _GREEN, _ORANGE, _PURPLE, _YELLOW)
_IDLE = "#d9d9d9"

# A timeline with more blocks than this is not drawn: it would be a grey smear and a multi-megabyte SVG.
_MAX_BLOCKS = 20_000


# --------------------------------------------------------------------------------------------- SVG


@contextmanager
def _style(name: str) -> Iterator[None]:
    import matplotlib as mpl

    with mpl.rc_context(
        {
            "svg.hashsalt": f"tensora-{name}",
            "svg.fonttype": "none",
            "font.family": "sans-serif",
            "font.size": 9.0,
            "axes.titlesize": 10.0,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        yield


_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'((?:xlink:)?href)="#([^"]+)"')
_URL = re.compile(r"url\(#([^)]+)\)")


def _to_svg(fig: Figure, name: str, title: str) -> str:
    """The figure as an SVG element: no prolog, no metadata, ids prefixed with ``name``, a <title>."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = _ID.sub(lambda m: f'id="{name}-{m.group(1)}"', text)
    text = _HREF.sub(lambda m: f'{m.group(1)}="#{name}-{m.group(2)}"', text)
    text = _URL.sub(lambda m: f"url(#{name}-{m.group(1)})", text)
    head_end = text.index(">") + 1
    head = text[:head_end].replace("<svg ", f'<svg class="plot plot-{name}" role="img" ', 1)
    return f"{head}\n <title>{escape(title, quote=False)}</title>{text[head_end:]}"


# --------------------------------------------------------------------------------------------- roofline


def resolve_device(name: str) -> Device:
    """The catalog device for an id, an alias or a display name ("NVIDIA H100 SXM5 80GB")."""
    try:
        return get_device(name)
    except UnknownHardwareError:
        wanted = " ".join(name.lower().split())
        for dev in list_devices():
            if " ".join(dev.name.lower().split()) == wanted:
                return dev
        raise


def _tflops(x: float) -> float:
    return x / 1e12


def roofline_svg(device_name: str, kernels: Sequence[Kernel], dtype: str = "bf16", title: str | None = None) -> str:
    """The roofline of ``device_name`` in ``dtype`` (log-log), its ridge point, and ``kernels`` on it.

    The roof is ``attainable_flops`` (min(P, I * B)) with P the catalog's dense peak in ``dtype`` and B
    its memory bandwidth; the ridge is ``ridge_point(P, B)``. A kernel with an intensity and FLOP/s is a
    filled point (a dashed drop line marks one above the roof); with an intensity only, a hollow point on
    the roof; with FLOP/s only, a dashed horizontal line (a throughput claim whose kernel is unknown).
    Raises UnknownHardwareError for an unknown device, ModelInputError for a dtype without a peak.
    """
    dev = resolve_device(device_name)
    peak = dev.peak_flops(dtype)
    bw = dev.memory_bandwidth
    ridge = float(ridge_point(peak, bw))
    placed = [k for k in kernels if k[1] is not None or k[2] is not None]
    intensities = [float(k[1]) for k in placed if k[1] is not None]
    flops_all = [float(k[2]) for k in placed if k[2] is not None]
    lo = min([ridge / 300, *[i / 4 for i in intensities]])
    hi = max([ridge * 30, *[i * 4 for i in intensities]])
    xs = [lo, ridge, hi]
    roof = [_tflops(float(attainable_flops(x, peak, bw))) for x in xs]
    heading = title or (
        f"Roofline: {dev.name}, dense {dtype.upper()} {_tflops(peak):.4g} TFLOP/s, {bw / 1e12:.3g} TB/s memory"
    )

    from matplotlib.figure import Figure  # lazy: keeps the CLI's start fast
    from matplotlib.ticker import FuncFormatter, NullFormatter

    with _style("roofline"):
        fig = Figure(figsize=(7.2, 4.6), layout="constrained")
        ax = fig.add_subplot()
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.plot(xs, roof, color="#222222", lw=2.0, label="roofline: min(P, I·B)", gid="roof")
        ax.axvline(ridge, color="#777777", ls=":", lw=1.0)
        ax.plot([ridge], [_tflops(peak)], marker="D", color="#222222", ms=5, ls="none", gid="ridge")
        ax.annotate(
            f"ridge {ridge:.0f} FLOP/byte",
            (ridge, _tflops(peak)),
            textcoords="offset points",
            xytext=(6, -14),
            color="#555555",
        )
        ax.annotate(
            f"HBM {bw / 1e12:.3g} TB/s",
            (lo * 3, _tflops(lo * 3 * bw)),
            textcoords="offset points",
            xytext=(8, -10),
            color="#555555",
        )
        for n, (label, ai, achieved) in enumerate(placed):
            colour = _KERNEL_COLOURS[n % len(_KERNEL_COLOURS)]
            gid = f"kernel-{n + 1}"
            if ai is not None and achieved is not None:
                y = _tflops(float(achieved))
                ax.plot(
                    [ai],
                    [y],
                    "o",
                    color=colour,
                    ms=8,
                    gid=gid,
                    label=f"{label}: {ai:.3g} FLOP/B, {y:.3g} TFLOP/s",
                )
                top = _tflops(float(attainable_flops(float(ai), peak, bw)))
                if y > top:
                    ax.plot([ai, ai], [top, y], color=colour, ls="--", lw=1.2)
            elif ai is not None:
                y = _tflops(float(attainable_flops(float(ai), peak, bw)))
                ax.plot(
                    [ai],
                    [y],
                    "o",
                    mfc="white",
                    mec=colour,
                    mew=2,
                    ms=8,
                    gid=gid,
                    label=f"{label}: {ai:.3g} FLOP/B (at most {y:.3g} TFLOP/s)",
                )
            else:
                assert achieved is not None
                y = _tflops(float(achieved))
                ax.axhline(y, color=colour, ls="--", lw=1.4, gid=gid, label=f"{label}: {y:.4g} TFLOP/s")
        ymax = max([_tflops(peak), *[_tflops(f) for f in flops_all]]) * 3
        ymin = min([roof[0], *[_tflops(f) for f in flops_all]]) / 3
        ax.set_xlim(lo, hi)
        ax.set_ylim(ymin, ymax)
        # plain numbers ("100", "0.1") instead of mathtext powers: easier to read and 3x faster to lay out
        plain = FuncFormatter(lambda value, _pos: f"{value:g}")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(plain)
            axis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("arithmetic intensity (FLOP/byte)")
        ax.set_ylabel("TFLOP/s")
        ax.set_title(heading)
        ax.grid(True, which="major", lw=0.4, alpha=0.5)
        ax.legend(loc="lower right", fontsize=8, frameon=True)
        return _to_svg(fig, "roofline", heading)


# --------------------------------------------------------------------------------------------- memory


def memory_svg(breakdown: Mapping[str, float], capacity_gib: float | None = None, title: str | None = None) -> str:
    """A stacked bar of per-GPU memory in GiB (``breakdown``: part -> GiB, in order) and the capacity line.

    Parts of zero or less are left out; ModelInputError if nothing is left. A total above the capacity is
    marked with the overflow in GiB.
    """
    parts = [(k, float(v)) for k, v in breakdown.items() if float(v) > 0]
    if not parts:
        raise ModelInputError("memory plot: no positive part in the breakdown")
    total = sum(v for _, v in parts)
    if capacity_gib is not None and capacity_gib <= 0:
        raise ModelInputError(f"memory plot: capacity must be positive, got {capacity_gib!r}")
    heading = title or (
        f"Per-GPU memory: {total:.3g} GiB"
        + (f" of {capacity_gib:.3g} GiB ({total / capacity_gib:.0%})" if capacity_gib else "")
    )

    from matplotlib.figure import Figure  # lazy

    with _style("memory"):
        fig = Figure(figsize=(7.2, 2.9), layout="constrained")
        ax = fig.add_subplot()
        right = max(total, capacity_gib or 0.0) * 1.12
        left = 0.0
        for n, (label, gib) in enumerate(parts):
            colour = _MEMORY_COLOURS[n % len(_MEMORY_COLOURS)]
            ax.barh(
                [0],
                [gib],
                left=[left],
                height=0.55,
                color=colour,
                edgecolor="white",
                label=f"{label}: {gib:.3g} GiB",
                gid=f"part-{n + 1}",
            )
            if gib / right > 0.07:
                ax.text(
                    left + gib / 2,
                    0,
                    f"{gib:.3g}",
                    ha="center",
                    va="center",
                    color="white",
                    fontweight="bold",
                )
            left += gib
        if capacity_gib is not None:
            ax.axvline(capacity_gib, color=_RED, ls="--", lw=1.6, gid="capacity")
            ax.annotate(
                f"capacity {capacity_gib:.3g} GiB",
                (capacity_gib, 0.36),
                textcoords="offset points",
                xytext=(4, 0),
                color=_RED,
            )
            if total > capacity_gib:
                ax.annotate(
                    f"over by {total - capacity_gib:.3g} GiB",
                    (total, -0.36),
                    textcoords="offset points",
                    xytext=(-4, 0),
                    ha="right",
                    color=_RED,
                    fontweight="bold",
                )
        ax.set_xlim(0, right)
        ax.set_ylim(-0.6, 0.6)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_xlabel("GiB per GPU")
        ax.set_title(heading)
        fig.legend(loc="outside lower center", ncol=min(3, len(parts)), fontsize=8, frameon=False)
        return _to_svg(fig, "memory", heading)


# --------------------------------------------------------------------------------------------- pipeline


@dataclass(frozen=True, slots=True)
class Block:
    """One rectangle of a pipeline timeline: a stage busy with a micro-batch (of one chunk), or idle."""

    stage: int
    kind: BlockKind
    start: float
    duration: float
    microbatch: int = -1
    chunk: int = 0

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(frozen=True, slots=True)
class Timeline:
    """A simulated pipeline step: every stage's forward, backward and idle blocks up to ``makespan``."""

    stages: int
    microbatches: int
    virtual: int
    schedule: str
    forward_time: float
    backward_time: float
    blocks: tuple[Block, ...]
    makespan: float

    @property
    def idle_time(self) -> float:
        return sum(b.duration for b in self.blocks if b.kind == "idle")

    @property
    def idle_fraction(self) -> float:
        """Idle area over the whole area (stages x makespan): the bubble as drawn."""
        return self.idle_time / (self.stages * self.makespan)


_Op = tuple[BlockKind, int, int]  # (kind, micro-batch, chunk)


def _units(p: int, m: int, v: int, backward: bool) -> list[tuple[int, int]]:
    """(micro-batch, chunk) in Megatron's interleaved order: groups of p micro-batches, chunk by chunk."""
    out: list[tuple[int, int]] = []
    for first in range(0, m, p):
        group = range(first, min(first + p, m))
        for c in reversed(range(v)) if backward else range(v):
            out += [(i, c) for i in group]
    return out


def _order(s: int, p: int, m: int, v: int, schedule: str) -> list[_Op]:
    """The order in which stage ``s`` runs its forward and backward blocks."""
    if schedule == "gpipe":
        return [("forward", i, 0) for i in range(m)] + [("backward", i, 0) for i in range(m)]
    fwd = _units(p, m, v, backward=False)
    bwd = _units(p, m, v, backward=True)
    total = m * v
    # Megatron-LM's warm-up: (p - s - 1) forwards for 1F1B; 2(p - s - 1) + (v - 1)p when interleaved
    warm = min(total, p - s - 1 if v == 1 else 2 * (p - s - 1) + (v - 1) * p)
    ops: list[_Op] = [("forward", i, c) for i, c in fwd[:warm]]
    for j in range(total - warm):
        ops.append(("forward", *fwd[warm + j]))
        ops.append(("backward", *bwd[j]))
    ops += [("backward", i, c) for i, c in bwd[total - warm :]]
    return ops


def pipeline_timeline(
    stages: int,
    microbatches: int,
    virtual: int = 1,
    schedule: str = "1f1b",
    forward_time: float = 1.0,
    backward_time: float = 2.0,
) -> Timeline:
    """Simulate one step of a GPipe, 1F1B or interleaved-1F1B schedule and return its blocks.

    Each stage runs its blocks in the schedule's order (GPipe: all forwards, then all backwards; 1F1B:
    p - s - 1 warm-up forwards, then one forward, one backward; interleaved: Megatron-LM's order with
    v model chunks per stage, each block 1/v as long); a block starts when its stage is free and its
    input is ready (the previous virtual stage's forward, the next one's backward). Gaps are idle blocks.
    With equal stage times the idle share equals ``pipeline_bubble_fraction`` = (p - 1)/(v·m + p - 1);
    a test checks this. Interleaving needs m to be a multiple of p (Megatron-LM's requirement; other m
    give a different bubble or an order that waits on itself): a ModelInputError otherwise.
    Ignores point-to-point communication time. Times are in units of one stage's forward of a whole
    micro-batch (backward = 2 forwards by default).
    """
    p = int(stages)
    m = int(microbatches)
    v = int(virtual)
    if p < 1 or m < 1 or v < 1 or p != stages or m != microbatches or v != virtual:
        raise ModelInputError(
            "pipeline timeline: stages, micro-batches and virtual stages must be whole numbers of at "
            f"least 1; got {stages!r}, {microbatches!r}, {virtual!r}"
        )
    sched = schedule.strip().lower()
    if sched not in ("gpipe", "1f1b", "interleaved"):
        raise ModelInputError(f"pipeline timeline: schedule must be gpipe, 1f1b or interleaved; got {schedule!r}")
    if sched == "gpipe" and v > 1:
        raise ModelInputError("pipeline timeline: virtual stages need the interleaved schedule, not gpipe")
    # 1F1B with v chunks per stage is the interleaved schedule; interleaving one chunk is plain 1F1B
    sched = "interleaved" if v > 1 else ("1f1b" if sched == "interleaved" else sched)
    if sched == "interleaved" and m % p:
        raise ModelInputError(
            f"pipeline timeline: the interleaved schedule needs micro-batches ({m}) to be a multiple of "
            f"stages ({p}), as Megatron-LM requires"
        )
    if 2 * p * m * v > _MAX_BLOCKS:
        raise ModelInputError(
            f"pipeline timeline: {2 * p * m * v} blocks (p = {p}, m = {m}, v = {v}) are too many to draw"
        )
    if forward_time <= 0 or backward_time <= 0:
        raise ModelInputError("pipeline timeline: forward and backward times must be positive")
    tf, tb = forward_time / v, backward_time / v
    last = p * v - 1  # index of the last virtual stage
    orders = [_order(s, p, m, v, sched) for s in range(p)]
    done: dict[tuple[BlockKind, int, int], float] = {}  # (kind, micro-batch, virtual stage) -> end
    busy: list[list[Block]] = [[] for _ in range(p)]
    free = [0.0] * p
    nxt = [0] * p
    left = sum(len(o) for o in orders)
    while left:
        moved = False
        for s in range(p):
            while nxt[s] < len(orders[s]):
                kind, i, c = orders[s][nxt[s]]
                k = c * p + s
                if kind == "forward":
                    dep = ("forward", i, k - 1) if k > 0 else None
                else:
                    dep = ("backward", i, k + 1) if k < last else ("forward", i, k)
                if dep is not None and dep not in done:
                    break
                ready = done[dep] if dep is not None else 0.0
                start = max(free[s], ready)
                dur = tf if kind == "forward" else tb
                busy[s].append(Block(s, kind, start, dur, i, c))
                done[(kind, i, k)] = free[s] = start + dur
                nxt[s] += 1
                left -= 1
                moved = True
        if not moved:  # an order that waits on itself; cannot happen for the schedules above
            raise ModelInputError(f"pipeline timeline: the {sched} order deadlocks at p = {p}, m = {m}, v = {v}")
    makespan = max(free)
    blocks: list[Block] = []
    for s in range(p):
        t = 0.0
        for b in busy[s]:
            if b.start > t + 1e-9:
                blocks.append(Block(s, "idle", t, b.start - t))
            blocks.append(b)
            t = b.end
        if makespan > t + 1e-9:
            blocks.append(Block(s, "idle", t, makespan - t))
    return Timeline(p, m, v, sched, forward_time, backward_time, tuple(blocks), makespan)


_SCHEDULE_NAMES = {"gpipe": "GPipe", "1f1b": "1F1B", "interleaved": "Interleaved 1F1B"}
_CHUNK_SHADES = {
    "forward": ("#0072b2", "#56b4e9", "#004b75", "#8fcdf0"),
    "backward": ("#e69f00", "#f5c45e", "#a87400", "#f9dc9e"),
}


def pipeline_svg(stages: int, microbatches: int, virtual: int = 1, schedule: str = "1f1b") -> str:
    """A pipeline timeline: one row per stage, forward and backward blocks, idle time shaded grey.

    The title gives the bubble from ``pipeline_bubble_fraction``; the legend gives the drawn idle share
    (the same number, up to rounding, as a test checks).
    Each row's blocks are SVG groups with ids ``pipeline-stage<s>-forward|backward|idle``.
    """
    tl = pipeline_timeline(stages, microbatches, virtual, schedule)
    p, m, v = tl.stages, tl.microbatches, tl.virtual
    bubble = float(pipeline_bubble_fraction(p, m, v))
    name = _SCHEDULE_NAMES[tl.schedule]
    heading = (
        f"{name}: p = {p} stages, m = {m} micro-batches"
        + (f", v = {v}" if v > 1 else "")
        + f"; bubble (p-1)/(v·m+p-1) = {bubble:.1%}"
    )

    from matplotlib.figure import Figure  # lazy
    from matplotlib.patches import Patch

    with _style("pipeline"):
        fig = Figure(figsize=(9.0, min(9.0, 1.5 + 0.32 * p)), layout="constrained")
        ax = fig.add_subplot()
        label_blocks = 2 * m * v <= 48
        for s in range(p):
            row = [b for b in tl.blocks if b.stage == s]
            for kind in ("forward", "backward", "idle"):
                mine = [b for b in row if b.kind == kind]
                if not mine:
                    continue
                if kind == "idle":
                    colours: list[str] | str = _IDLE
                else:
                    shades = _CHUNK_SHADES[kind]
                    colours = [shades[b.chunk % len(shades)] for b in mine]
                coll = ax.broken_barh(
                    [(b.start, b.duration) for b in mine],
                    (s - 0.4, 0.8),
                    facecolors=colours,
                    edgecolor="white",
                    linewidth=0.6,
                    hatch="//" if kind == "idle" else None,
                )
                coll.set_gid(f"stage{s}-{kind}")
                if label_blocks and kind != "idle":
                    for b in mine:
                        ax.text(
                            b.start + b.duration / 2,
                            s,
                            str(b.microbatch + 1),
                            ha="center",
                            va="center",
                            fontsize=7,
                            color="white" if kind == "forward" else "black",
                        )
        ax.set_xlim(0, tl.makespan)
        ax.set_ylim(p - 0.5, -0.5)
        ax.set_yticks(range(p), [f"stage {s + 1}" for s in range(p)])
        ax.set_xlabel("time (one stage's forward pass of one micro-batch = 1; backward = 2)")
        ax.set_title(heading)
        handles = [
            Patch(facecolor=_CHUNK_SHADES["forward"][0], label="forward"),
            Patch(facecolor=_CHUNK_SHADES["backward"][0], label="backward"),
            Patch(facecolor=_IDLE, hatch="//", label=f"idle ({tl.idle_fraction:.1%} of the area)"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8, frameon=False)
        return _to_svg(fig, "pipeline", heading)

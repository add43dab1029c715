"""Render a ``Review`` as one self-contained HTML file: the four parts, a card per finding, inline SVG plots.

The page and its fragments live in ``render/templates/report.html`` (``<!-- @fragment NAME -->`` starts a
fragment; the part before the first one is the page) and the style in ``report.css``; both are filled with
``string.Template`` from pieces escaped here. Everything that comes from a document (quotes, claims, names)
is untrusted and passes through ``html.escape``. No external resource: system fonts, inline CSS, inline SVG,
no JavaScript. The same review gives the same bytes.

Plots appear only where a finding carries their inputs: the roofline for QNT-ROOFLINE (its kernel, measured
and claimed) and QNT-PEAK (the claimed TFLOP/s, when the review names a device the catalog knows), the
memory bar for QNT-MEMORY or PEAK-MEMORY (model states split by ``model_states_per_gpu_gib``), the pipeline
timeline for PIPE-BUBBLE. A plot whose inputs a model refuses is left out rather than failing the report.

Left out: the LLM's prose (the review's ``text`` is the Markdown rendering; this page is built from the
structured review), and interactivity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from html import escape
from importlib import resources
from string import Template
from typing import Any

from tensora.audit.findings import Finding, Review, Severity
from tensora.errors import TensoraError
from tensora.extract.quantities import Quote
from tensora.knowledge.hardware import Device
from tensora.models.memory import model_states_per_gpu_gib
from tensora.models.roofline import attainable_flops
from tensora.render import markdown, plots
from tensora.render.voice import say

__all__ = ["Plot", "plots_for", "render"]

_GIB = 2**30  # bytes per GiB
_NOVELTY_PREFIXES = ("DLT-", "NOV-")
_OPTIMIZER_BY_BYTES = {16: "adam-zero", 18: "adam-megatron"}
_FRAGMENT = re.compile(r"^<!-- @fragment ([a-z-]+) -->\n", re.MULTILINE)


# --------------------------------------------------------------------------------------------- templates


@cache
def _templates() -> dict[str, Template]:
    folder = resources.files("tensora.render").joinpath("templates")
    text = folder.joinpath("report.html").read_text(encoding="utf-8")
    pieces = _FRAGMENT.split(text)
    out = {"page": Template(pieces[0])}
    for name, body in zip(pieces[1::2], pieces[2::2], strict=True):
        out[name] = Template(body.rstrip("\n"))
    return out


@cache
def _css() -> str:
    folder = resources.files("tensora.render").joinpath("templates")
    return folder.joinpath("report.css").read_text(encoding="utf-8")


def _fill(fragment: str, /, **values: str) -> str:
    """The template ``fragment`` with ``values``, which must already be HTML (escaped or built here)."""
    return _templates()[fragment].substitute(values)


def _voice(key: str, **values: object) -> str:
    """A phrase of the voice (``templates/voice.yaml``) as plain text: Markdown emphasis removed."""
    try:
        text = say(key, **values)
    except (KeyError, IndexError, TypeError):
        return ""
    return text.replace("**", "").strip("_")


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _slug(code: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-") or "finding"


# --------------------------------------------------------------------------------------------- numbers


def _number(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_number(v) for v in value)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e7:
            return f"{value:.0f}"
        if abs(value) >= 1e7:  # engineering notation: 20e9 parameters, not 2e+10
            exp = len(str(int(abs(value)))) - 1
            exp -= exp % 3
            return f"{value / 10**exp:.4g}e{exp}"
        return f"{value:.4g}"
    return str(value)


def _computed_value(name: str, value: float) -> str:
    text = _number(float(value))
    lname = name.lower()
    if lname.endswith("_gib"):
        return f"{text} GiB"
    if lname.endswith(("_fraction", "_share")) or lname in ("mfu", "hfu"):
        return f"{text} ({value:.1%})"
    if "speedup" in lname:
        return f"{text}×"
    return text


# --------------------------------------------------------------------------------------------- plots


@dataclass(slots=True)
class Plot:
    """One figure of the report: what it shows, which findings it illustrates, and its SVG."""

    kind: str
    svg: str
    caption: str
    findings: list[int] = field(default_factory=list)  # indices into review.findings


def _review_device(review: Review) -> Device | None:
    """The device a finding names (its ``device`` input), else the draft profile's hardware."""
    for f in review.findings:
        name = f.inputs.get("device")
        if isinstance(name, str):
            try:
                return plots.resolve_device(name)
            except TensoraError:
                continue
    profile = review.profile
    if profile is not None and profile.hardware.value:
        try:
            return plots.resolve_device(profile.hardware.value)
        except TensoraError:
            return None
    return None


def _num_input(inputs: Mapping[str, Any], key: str) -> float | None:
    value = inputs.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _whole(inputs: Mapping[str, Any], key: str, default: int | None = None) -> int | None:
    value = _num_input(inputs, key)
    if value is None:
        return default
    return int(value) if value.is_integer() and value >= 1 else None


def _roofline_plot(review: Review, device: Device | None) -> Plot | None:
    kernels: list[plots.Kernel] = []
    used: list[int] = []
    dev: Device | None = None
    dtype: str | None = None
    for n, f in enumerate(review.findings):
        if f.code != "QNT-ROOFLINE" or "arithmetic_intensity" not in f.computed:
            continue
        name = f.inputs.get("device")
        if not isinstance(name, str):
            continue
        try:
            this = plots.resolve_device(name)
        except TensoraError:
            continue
        if dev is not None and this.id != dev.id:
            continue
        dev = this
        dtype = dtype or str(f.inputs.get("dtype") or "bf16")
        ai = float(f.computed["arithmetic_intensity"])
        shape = "x".join(_number(f.inputs[k]) for k in ("M", "N", "K") if k in f.inputs)
        label = f"GEMM {shape}" if shape else "kernel"
        limit, claimed = f.computed.get("roofline_max_speedup"), f.computed.get("claimed_speedup")
        try:
            roof = float(attainable_flops(ai, dev.peak_flops(dtype), dev.memory_bandwidth))
        except TensoraError:
            continue
        if limit and claimed:
            # the rule's limit is t_library / t_min and t_min = FLOPs / roof, so the library runs at
            # roof / limit and the claimed time at roof * claimed / limit
            kernels.append((f"{label}, library (measured)", ai, roof / limit))
            kernels.append((f"{label}, the draft's claim", ai, roof * claimed / limit))
        else:
            kernels.append((label, ai, None))
        used.append(n)
    dev = dev or device
    gemm = review.setting.get("gemm")
    if not kernels and dev is not None and isinstance(gemm, dict) and "arithmetic_intensity" in gemm:
        # no finding puts a kernel on the roof: show where the draft's own largest GEMM sits
        shape = "x".join(_number(gemm[k]) for k in ("M", "N", "K") if k in gemm)
        kernels.append((f"{gemm.get('label', 'GEMM')} {shape}", float(gemm["arithmetic_intensity"]), None))
        dtype = dtype or str(review.setting.get("dtype") or "bf16")
    if dev is not None:
        for n, f in enumerate(review.findings):
            tflops = _num_input(f.inputs, "claimed_tflops")
            if f.code != "QNT-PEAK" or tflops is None or tflops <= 0:
                continue
            dtype = dtype or str(f.inputs.get("dtype") or "bf16")
            kernels.append(("claimed per-GPU throughput", None, tflops * 1e12))
            used.append(n)
    if dev is None or not kernels:
        return None
    dtype = dtype or "bf16"
    try:
        svg = plots.roofline_svg(dev.id, kernels, dtype=dtype)
    except TensoraError:
        return None
    caption = (
        f"Roofline of the {_e(dev.name)} in {_e(dtype.upper())} (dense peak and memory bandwidth from the "
        "hardware catalog), with the draft's figures placed on it. A point above the roof is faster than "
        "the hardware allows."
    )
    return Plot("roofline", svg, caption, used)


def _states_breakdown(inputs: Mapping[str, Any], total_gib: float | None) -> dict[str, float] | None:
    params = _num_input(inputs, "params")
    dp, tp, pp = (_whole(inputs, k, 1) for k in ("dp", "tp", "pp"))
    if params is None or params <= 0 or dp is None or tp is None or pp is None:
        return None
    sharding = str(inputs.get("sharding") or "none")
    group = _whole(inputs, "shard_group")
    if sharding == "fsdp-hybrid" and group is None:
        group = dp  # every state shares the group's divisor, so the split is the same; the total is scaled
    bpp = _whole(inputs, "bytes_per_param")
    optimizer = _OPTIMIZER_BY_BYTES.get(bpp or 16, "adam-zero")
    try:
        states = model_states_per_gpu_gib(
            params,
            dp=dp,
            tp=tp,
            pp=pp,
            sharding=sharding,
            optimizer=optimizer,
            shard_group=group if sharding == "fsdp-hybrid" else None,
        )
    except TensoraError:
        return None
    scale = total_gib / float(states) if total_gib else 1.0
    d = states.details
    return {
        "parameters": d["params_bytes"] / _GIB * scale,
        "gradients": d["grads_bytes"] / _GIB * scale,
        "optimizer states": d["optimizer_bytes"] / _GIB * scale,
    }


def _memory_plot(review: Review, device: Device | None) -> Plot | None:
    candidates = [
        (n, f)
        for n, f in enumerate(review.findings)
        if f.code in ("QNT-MEMORY", "PEAK-MEMORY") and "model_states_per_gpu_gib" in f.computed
    ]
    candidates.sort(key=lambda nf: nf[1].code != "QNT-MEMORY")  # the one that states a capacity first
    for n, f in candidates:
        total = float(f.computed["model_states_per_gpu_gib"])
        parts = _states_breakdown(f.inputs, total) or {"model states": total}
        capacity = f.computed.get("capacity_gib")
        where = "the stated capacity"
        if capacity is None and device is not None:
            capacity, where = device.memory_gib, f"the {_e(device.name)}"
        elif device is not None:
            where = f"the {_e(device.name)}"
        try:
            svg = plots.memory_svg(parts, capacity)
        except TensoraError:
            continue
        inputs = f.inputs
        config = ", ".join(
            f"{k} = {_e(_number(inputs[k]))}" for k in ("params", "dp", "tp", "pp", "sharding") if k in inputs
        )
        caption = (
            f"Model states per GPU ({config}; bytes per parameter as the ZeRO paper counts them)"
            + (f" against the capacity of {where}" if capacity is not None else "")
            + ". Activations, buffers and fragmentation come on top."
        )
        return Plot("memory", svg, caption, [n])
    return _setting_memory_plot(review, device)


def _setting_memory_plot(review: Review, device: Device | None) -> Plot | None:
    """The draft's configuration per GPU (model states and activations) when no finding is about memory."""
    setting = review.setting
    total = setting.get("model_states_per_gpu_gib")
    inputs = setting.get("model_states_inputs")
    if not isinstance(total, float) or not isinstance(inputs, dict):
        return None
    parts = _states_breakdown(inputs, total) or {"model states": total}
    acts = setting.get("activations_per_gpu_gib")
    if isinstance(acts, float):
        parts["activations"] = acts
    capacity = setting.get("capacity_gib")
    cap = float(capacity) if isinstance(capacity, float) else None
    try:
        svg = plots.memory_svg(parts, cap)
    except TensoraError:
        return None
    config = ", ".join(
        f"{k} = {_e(_number(inputs[k]))}" for k in ("params", "dp", "tp", "pp", "sharding") if k in inputs
    )
    where = f" against the capacity of the {_e(device.name)}" if device is not None and cap is not None else ""
    caption = (
        f"Memory per GPU of the draft's configuration ({config}; model states as the ZeRO paper counts them"
        + ("; activations after Korthikanti et al." if isinstance(acts, float) else "")
        + f"){where}. Buffers and fragmentation come on top."
    )
    return Plot("memory", svg, caption, [])


def _pipeline_plot(review: Review) -> Plot | None:
    for n, f in enumerate(review.findings):
        if f.code != "PIPE-BUBBLE":
            continue
        p, m = _whole(f.inputs, "stages"), _whole(f.inputs, "microbatches")
        v = _whole(f.inputs, "virtual_stages", 1)
        if p is None or m is None or v is None:
            continue
        try:
            svg = plots.pipeline_svg(p, m, v)
        except TensoraError:
            continue
        caption = (
            f"One training step at the draft's p = {p} stages and m = {m} micro-batches"
            + (f" (v = {v} chunks per stage, interleaved)" if v > 1 else " (1F1B)")
            + ": one row per stage, numbered forward and backward blocks, idle time hatched grey. Equal "
            "stage times, backward = 2 x forward, point-to-point communication ignored."
        )
        return Plot("pipeline", svg, caption, [n])
    pipe = review.setting.get("pipeline")
    if isinstance(pipe, dict) and pipe.get("stages") and pipe.get("microbatches"):
        p, m, v = int(pipe["stages"]), int(pipe["microbatches"]), int(pipe.get("virtual") or 1)
        try:
            svg = plots.pipeline_svg(p, m, v)
        except TensoraError:
            return None
        caption = f"One training step of the draft's pipeline: p = {p} stages, m = {m} micro-batches, v = {v}."
        return Plot("pipeline", svg, caption, [])
    return None


_ABOUT = {
    "memory": ("QNT-MEMORY", "PEAK-MEMORY", "MIXED-PRECISION", "RECOMPUTE", "ZERO", "FAULT"),
    "pipeline": ("PIPE-",),
}


def _about(review: Review, figure: str) -> int | None:
    """The position of the first stress-test finding a figure is about (its code, or a number it computed)."""
    for n, f in enumerate(review.findings):
        if f.code.startswith(("DLT-", "NOV-")):
            continue
        if f.code.startswith(_ABOUT[figure]):
            return n
        if figure == "memory" and any(k.endswith("_gib") for k in f.computed):
            return n
        if figure == "pipeline" and any("bubble" in k for k in f.computed):
            return n
    return None


def plots_for(review: Review) -> list[Plot]:
    """The figures chosen by what the findings are about, in the order of the first finding each serves.

    A roofline is drawn for a finding that computed one; the memory bar and the pipeline diagram only when a
    stress-test finding is about memory or the pipeline (a kernel draft gets no model-state bar).
    """
    device = _review_device(review)
    found: list[tuple[int, Plot]] = []
    roofline = _roofline_plot(review, device)
    if roofline is not None:
        found.append((min(roofline.findings, default=0), roofline))
    memory_at, pipeline_at = _about(review, "memory"), _about(review, "pipeline")
    memory = _memory_plot(review, device) if memory_at is not None else None
    if memory is not None and memory_at is not None:
        found.append((memory_at, memory))
    pipeline = _pipeline_plot(review) if pipeline_at is not None else None
    if pipeline is not None and pipeline_at is not None:
        found.append((pipeline_at, pipeline))
    return [p for _, p in sorted(found, key=lambda x: x[0])]


# --------------------------------------------------------------------------------------------- parts


def _quotes(quotes: Iterable[Quote]) -> str:
    return "\n".join(_fill("quote", text=f"“{_e(q.text)}”", doc=_e(q.doc), page=_e(q.page)) for q in quotes)


def _card(f: Finding, anchor: str, figure_links: str) -> str:
    computed = ""
    if f.computed:
        rows = "\n".join(
            _fill("computed-row", name=_e(k), value=_e(_computed_value(k, v))) for k, v in f.computed.items()
        )
        computed = _fill("computed", rows=rows)
    inputs = ""
    shown = [(k, v) for k, v in f.inputs.items() if v is not None]
    if shown:
        items = ", ".join(f"<code>{_e(k)}</code> = {_e(_number(v))}" for k, v in shown)
        inputs = _fill("inputs", items=items)
    return _fill(
        "card",
        severity=_e(f.severity.value),
        anchor=_e(anchor),
        code=_e(f.code),
        title=_e(f.title),
        message=_e(f.message),
        quotes=_quotes(f.evidence),
        computed=computed,
        inputs=inputs,
        figures=figure_links,
        must_solve=_e(f.must_solve),
    )


def _summary(review: Review, anchors: list[str]) -> str:
    counts = []
    for sev in sorted(Severity, key=lambda s: s.rank):
        k = sum(1 for f in review.findings if f.severity is sev)
        if k:
            counts.append(f'<span class="badge sev-{sev.value}">{sev.value}</span> {k}')
    items = "\n".join(
        _fill("summary-item", anchor=_e(a), severity=_e(f.severity.value), code=_e(f.code), title=_e(f.title))
        for f, a in zip(review.findings, anchors, strict=True)
    )
    count_text = " &middot; ".join(counts) if counts else "No findings."
    return _fill("summary", counts=count_text, items=items)


def _mirror(review: Review) -> str:
    mir = review.mirror
    rows = [
        ("Component", mir.component),
        ("Replaces", mir.replaces),
        ("With", mir.with_),
        ("Hypothesis", mir.hypothesis),
        ("Setting", mir.setting),
    ]
    parts = "\n".join(f"<dt>{k}</dt><dd>{_e(v)}</dd>" for k, v in rows if v.strip())
    return _fill("mirror", text=_e(mir.text or markdown.mirror_text(review)), parts=parts)


def _novelty(review: Review, cards: list[str]) -> str:
    delta = review.delta
    out = [
        _fill(
            "delta",
            cls=_e(_slug(delta.cls)),
            word=_e(_voice(f"delta.{delta.cls}") or f"Delta audit: {delta.cls}."),
            rationale=_e(delta.rationale),
            # a DLT- card below quotes the same passages
            quotes="" if any(f.code.startswith("DLT-") for f in review.findings) else _quotes(delta.evidence),
        )
    ]
    out += cards
    if not review.prior_work:
        return "\n".join(out)
    if not any(f.code == "NOV-PRIOR" for f in review.findings):
        # without a NOV-PRIOR card, the voice's lead sentence names the closest work
        first = review.prior_work[0]
        lead = _voice(
            "novelty_lead",
            system=review.system,
            name=first.name,
            venue=first.venue,
            year=first.year,
            why=first.why[:1].lower() + first.why[1:],
        )
        if lead:
            out.append(f'<p class="novelty-lead">{_e(lead)}</p>')
    items = []
    for p in review.prior_work:
        cited = ' <span class="cited">cited in the draft</span>' if p.cited else ""
        items.append(
            _fill(
                "prior-item",
                name=_e(p.name),
                venue=_e(p.venue),
                year=_e(p.year),
                cited=cited,
                why=_e(p.why),
                differ=_e(p.differ),
            )
        )
    out.append(_fill("prior-work", items="\n".join(items)))
    return "\n".join(out)


def _twist(review: Review) -> str:
    tw = review.twist
    text = tw.text or markdown.twist_text(review)
    combines = ""
    if tw.combines:
        combines = _fill("twist-combines", items=" + ".join(_e(c) for c in tw.combines))
    return _fill("twist", text=_e(text), combines=combines)


def render(review: Review) -> str:
    """The review as one HTML document (a str): no external resources, deterministic."""
    findings = review.findings
    anchors = [f"finding-{n + 1}-{_slug(f.code)}" for n, f in enumerate(findings)]
    figures = plots_for(review)
    fig_anchors = [f"figure-{k + 1}-{p.kind}" for k, p in enumerate(figures)]
    links: dict[int, list[str]] = {}
    for k, p in enumerate(figures):
        for n in p.findings:
            links.setdefault(n, []).append(_fill("figure-link", anchor=fig_anchors[k], number=str(k + 1)))
    cards = [_card(f, anchors[n], "\n".join(links.get(n, []))) for n, f in enumerate(findings)]
    novelty_cards = [c for f, c in zip(findings, cards, strict=True) if f.code.startswith(_NOVELTY_PREFIXES)]
    stress_cards = [c for f, c in zip(findings, cards, strict=True) if not f.code.startswith(_NOVELTY_PREFIXES)]

    stress: list[str] = []
    if figures:
        blocks = []
        for k, p in enumerate(figures):
            named = " and ".join(
                _fill("illustrates", anchor=anchors[n], code=_e(findings[n].code), title=_e(findings[n].title))
                for n in p.findings
            )
            # a figure of the draft's own configuration illustrates no particular finding
            illustrates = f" Illustrates {named}." if named else ""
            blocks.append(
                _fill(
                    "figure",
                    anchor=fig_anchors[k],
                    number=str(k + 1),
                    svg=p.svg,
                    caption=p.caption,
                    illustrates=illustrates,
                )
            )
        stress.append(_fill("figures", figures="\n".join(blocks)))
    stress += stress_cards or [_fill("no-stress")]

    return _fill(
        "page",
        version=_e(review.version),
        title=_e(f"tensora: {review.system} against {review.baseline_title or review.baseline}"),
        css=_css(),
        heading=_e(f"{review.system} against {review.baseline_title or review.baseline}"),
        proposal=_e(review.proposal),
        baseline=_e(review.baseline),
        summary=_summary(review, anchors),
        mirror=_mirror(review),
        novelty=_novelty(review, novelty_cards),
        stress="\n".join(stress),
        twist=_twist(review),
    )

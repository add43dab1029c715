from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable

import pytest

from tensora.errors import ModelInputError, UnknownHardwareError
from tensora.knowledge.hardware import get_device
from tensora.models.pipeline import pipeline_bubble_fraction
from tensora.models.roofline import ridge_point
from tensora.render import plots

SVG = "{http://www.w3.org/2000/svg}"


def _roofline() -> str:
    return plots.roofline_svg(
        "h100",
        [("GEMM", 60.0, 150e12), ("attention", 62.06, None), ("claimed", None, 800e12)],
    )


def _memory() -> str:
    return plots.memory_svg({"parameters": 10.0, "gradients": 10.0, "optimizer states": 60.0}, 74.5)


def _pipeline() -> str:
    return plots.pipeline_svg(8, 4)


MAKERS: dict[str, Callable[[], str]] = {"roofline": _roofline, "memory": _memory, "pipeline": _pipeline}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_plot_is_valid_svg_with_prefixed_unique_ids(name: str) -> None:
    svg = MAKERS[name]()
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title") is not None
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert ids and all(i.startswith(f"{name}-") for i in ids if i)
    assert not [i for i, k in Counter(ids).items() if k > 1]
    # every internal reference points at an id of the same SVG
    refs = re.findall(r'href="#([^"]+)"|url\(#([^)]+)\)', svg)
    assert {a or b for a, b in refs} <= set(ids)


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_plot_is_deterministic_and_self_contained(name: str) -> None:
    first, second = MAKERS[name](), MAKERS[name]()
    assert first == second
    assert not first.startswith("<?xml") and "<!DOCTYPE" not in first
    # no metadata (date, creator) and no resource outside the SVG; the xmlns URIs are names, not fetches
    assert "<metadata" not in first and "Matplotlib" not in first
    assert not re.search(r"(?:href|src)\s*=\s*[\"'](?:https?:)?//", first)
    assert "font-family" in first and "sans-serif" in first


def test_importing_the_renderers_does_not_import_matplotlib() -> None:
    code = "import sys, tensora.render.plots, tensora.render.html; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------------------------------------ roofline


def test_roofline_marks_the_catalog_ridge_and_every_kernel() -> None:
    svg = _roofline()
    dev = get_device("h100")
    ridge = float(ridge_point(dev.peak_flops("bf16"), dev.memory_bandwidth))
    assert f"ridge {ridge:.0f} FLOP/byte" in svg
    assert dev.name in svg
    for n in (1, 2, 3):
        assert f'id="roofline-kernel-{n}"' in svg
    assert 'id="roofline-roof"' in svg and 'id="roofline-ridge"' in svg


def test_roofline_takes_a_display_name_and_a_dtype() -> None:
    dev = get_device("a100")
    svg = plots.roofline_svg(dev.name, [("k", 10.0, None)], dtype="fp16")
    assert "FP16" in svg
    assert plots.resolve_device(dev.name).id == dev.id


def test_roofline_refuses_an_unknown_device() -> None:
    with pytest.raises(UnknownHardwareError):
        plots.roofline_svg("no-such-gpu", [("k", 10.0, None)])


# ------------------------------------------------------------------------------------------------ memory


def test_memory_plot_shows_parts_capacity_and_overflow() -> None:
    svg = plots.memory_svg({"parameters": 40.0, "gradients": 40.0, "optimizer states": 30.0}, 80.0)
    for part in ("parameters: 40 GiB", "gradients: 40 GiB", "optimizer states: 30 GiB"):
        assert part in svg
    assert 'id="memory-capacity"' in svg
    assert "over by 30 GiB" in svg
    assert "110 GiB of 80 GiB" in svg


def test_memory_plot_without_capacity_has_no_capacity_line() -> None:
    svg = plots.memory_svg({"model states": 12.5})
    assert 'id="memory-capacity"' not in svg and "12.5 GiB" in svg


@pytest.mark.parametrize("parts", [{}, {"a": 0.0}, {"a": -1.0}])
def test_memory_plot_refuses_an_empty_breakdown(parts: dict[str, float]) -> None:
    with pytest.raises(ModelInputError):
        plots.memory_svg(parts, 80.0)


# ------------------------------------------------------------------------------------------------ pipeline

CASES = [(p, m, 1, sched) for sched in ("gpipe", "1f1b") for p in (1, 2, 4, 8, 16) for m in (1, 3, 4, 8, 32)] + [
    (p, m, v, "interleaved") for p in (2, 4, 8) for v in (2, 3, 4) for m in (p, 2 * p, 4 * p)
]


@pytest.mark.parametrize(("p", "m", "v", "schedule"), CASES)
def test_timeline_idle_share_is_the_bubble_fraction(p: int, m: int, v: int, schedule: str) -> None:
    tl = plots.pipeline_timeline(p, m, v, schedule)
    assert tl.idle_fraction == pytest.approx(float(pipeline_bubble_fraction(p, m, v)), abs=1e-9)


@pytest.mark.parametrize(("p", "m", "v", "schedule"), CASES[::7])
def test_timeline_respects_dependencies_and_tiles_each_row(p: int, m: int, v: int, schedule: str) -> None:
    tl = plots.pipeline_timeline(p, m, v, schedule)
    end: dict[tuple[str, int, int], float] = {}
    start: dict[tuple[str, int, int], float] = {}
    for s in range(p):
        row = [b for b in tl.blocks if b.stage == s]
        assert row[0].start == 0 and row[-1].end == pytest.approx(tl.makespan)
        for a, b in zip(row, row[1:], strict=False):
            assert b.start == pytest.approx(a.end)  # no overlap, no gap: idle blocks fill the gaps
        for b in row:
            if b.kind != "idle":
                key = (b.kind, b.microbatch, b.chunk * p + s)
                assert key not in end
                start[key], end[key] = b.start, b.end
    last = p * v - 1
    assert len(end) == 2 * m * p * v
    for (kind, i, k), t0 in start.items():
        if kind == "forward" and k > 0:
            assert t0 >= end[("forward", i, k - 1)] - 1e-9
        if kind == "backward":
            dep = ("backward", i, k + 1) if k < last else ("forward", i, k)
            assert t0 >= end[dep] - 1e-9


def _rect_width(d: str) -> float:
    xs = [float(x) for x in re.findall(r"[ML]\s*(-?[\d.]+)\s+-?[\d.]+", d)]
    return max(xs) - min(xs)


@pytest.mark.parametrize(("p", "m", "v"), [(8, 4, 1), (4, 16, 1), (4, 4, 2), (16, 8, 1)])
def test_drawn_idle_area_is_the_bubble_fraction(p: int, m: int, v: int) -> None:
    root = ET.fromstring(plots.pipeline_svg(p, m, v))
    area: Counter[str] = Counter()
    for g in root.iter(f"{SVG}g"):
        found = re.fullmatch(r"pipeline-stage\d+-(forward|backward|idle)", g.get("id", ""))
        if found:
            area[found.group(1)] += sum(_rect_width(path.get("d", "")) for path in g.iter(f"{SVG}path"))
    drawn = area["idle"] / sum(area.values())
    assert drawn == pytest.approx(float(pipeline_bubble_fraction(p, m, v)), abs=0.01)


def test_pipeline_title_gives_the_model_bubble() -> None:
    svg = plots.pipeline_svg(8, 4)
    assert "bubble (p-1)/(v·m+p-1) = 63.6%" in svg
    assert "idle (63.6% of the area)" in svg


@pytest.mark.parametrize(
    ("p", "m", "v", "schedule"),
    [
        (4, 6, 2, "interleaved"),
        (4, 8, 2, "gpipe"),
        (0, 4, 1, "1f1b"),
        (4, 4, 1, "zb-h1"),
        (128, 128, 1, "1f1b"),
    ],
)
def test_timeline_refuses_what_it_cannot_draw(p: int, m: int, v: int, schedule: str) -> None:
    with pytest.raises(ModelInputError):
        plots.pipeline_timeline(p, m, v, schedule)

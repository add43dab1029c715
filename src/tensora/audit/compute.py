"""From a draft's stated numbers to the analytical models' inputs.

Rules never compute a formula themselves: they ask this module, which reads the quantities a draft
states (with their roles), picks the consistent ones, and calls ``tensora.models``. Every function returns
None when the draft does not state enough to compute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tensora.extract.claims import Claims
from tensora.models.amdahl import amdahl_max_speedup
from tensora.models.pipeline import (
    check_divisibility,
    pipeline_bubble_fraction,
    pipeline_bubble_relative_to_ideal,
)


def _int(x: float | None) -> int | None:
    if x is None or math.isnan(x) or x <= 0 or abs(x - round(x)) > 1e-9:
        return None
    return int(round(x))


def micro_batches(c: Claims) -> float | None:
    """m = B / (b·d), when the global batch, micro-batch size and data-parallel degree are stated."""
    b_glob, b, d = c.value("global_batch"), c.value("micro_batch_size"), c.value("dp")
    if b_glob and b and d:
        m = b_glob / (b * d)
        return m if m >= 1 else None
    return None


def bubble(p: float, m: float, v: float = 1.0) -> float:
    return float(pipeline_bubble_fraction(int(p), max(1, int(m)), int(v)))


def bubble_relative(p: float, m: float, v: float = 1.0) -> float:
    return float(pipeline_bubble_relative_to_ideal(int(p), max(1, int(m)), int(v)))


@dataclass(frozen=True)
class Problem:
    message: str
    pattern: str
    computed: dict[str, float] = field(default_factory=dict)
    inputs: dict[str, object] = field(default_factory=dict)


def divisibility_problems(c: Claims) -> list[Problem]:
    """Every stated (global batch, micro-batch size, DP degree) combination whose split is not whole."""
    problems: list[Problem] = []
    batches = sorted({q.value for q in c.values("global_batch") if _int(q.value)})
    sizes = sorted({q.value for q in c.values("micro_batch_size") if _int(q.value)})
    degrees = sorted({q.value for q in c.values("dp") if _int(q.value)})
    for g in batches:
        for b in sizes:
            for d in degrees:
                report = check_divisibility(int(g), int(b), int(d))
                if report.ok:
                    continue
                per_replica = g / d
                m = per_replica / b
                problems.append(
                    Problem(
                        f"With global batch {g:,.0f}, data-parallel degree {d:.0f} and micro-batch size {b:.0f}, "
                        f"each replica gets {per_replica:,.2f} sequences = {m:.2f} micro-batches: not a whole "
                        "number, so the stated batch, micro-batch size and degree cannot all hold.",
                        r"(global )?batch|data[- ]parallel|\bd = |micro-?batch",
                        {"microbatches_per_replica": m},
                        {"global_batch": g, "micro_batch_size": b, "dp": d},
                    )
                )
    layers, p = _int(c.value("layers")), _int(c.value("pp"))
    if layers and p and p > 1 and layers % p:
        problems.append(
            Problem(
                f"{layers} layers do not split evenly over {p} pipeline stages ({layers / p:.2f} per stage): "
                "the heaviest stage sets the pace.",
                r"layers|stages",
                {"layers_per_stage": layers / p},
                {"layers": layers, "pp": p},
            )
        )
    return problems


def amdahl(fraction: float, local: float = math.inf) -> float:
    return float(amdahl_max_speedup(fraction, local))


@dataclass(frozen=True)
class States:
    gib: float
    explain: str
    inputs: dict[str, object]


def model_states(c: Claims) -> States | None:
    return None

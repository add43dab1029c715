"""Pipeline-parallel schedules: bubble, in-flight micro-batches, and the divisibility a config needs.

Follows GPipe (Huang et al., NeurIPS 2019), PipeDream-Flush / 1F1B (Narayanan et al., ICML 2021) and the
interleaved 1F1B schedule of Narayanan et al. (SC'21, arXiv 2104.04473, Sec. 2.2). All schedules assume
equal stage times and a flush per step; zero-bubble schedules (Qi et al., 2023), asynchronous pipelines
and stage imbalance (embedding and loss on the first and last stages) are left out.

Two bubble conventions are in use and both are named here:
- ``pipeline_bubble_fraction`` = (p - 1) / (v*m + p - 1): the idle share of the whole step (the JSON
  contract's quantity; GPipe's Sec. 2.3 writes O((K-1)/(M+K-1))).
- ``pipeline_bubble_relative_to_ideal`` = (p - 1) / (v*m): idle time over ideal compute time, as
  Narayanan et al. write "(p - 1)/m" and "1/v * (p - 1)/m".
"""

from __future__ import annotations

from dataclasses import dataclass

from tensora.errors import ModelInputError
from tensora.models._validate import choice, positive_int
from tensora.models.result import Computed

__all__ = [
    "SCHEDULES",
    "DivisibilityReport",
    "check_divisibility",
    "in_flight_microbatches",
    "pipeline_bubble_fraction",
    "pipeline_bubble_relative_to_ideal",
]

SCHEDULES = ("gpipe", "1f1b", "interleaved")

_NARAYANAN = "Narayanan et al., SC'21 (arXiv 2104.04473), Sec. 2.2"


def _check_schedule(schedule: str, virtual: int) -> str:
    sched = choice("schedule", schedule, SCHEDULES)
    if sched != "interleaved" and virtual != 1:
        raise ModelInputError(f"virtual stages ({virtual}) need the interleaved schedule, not {sched}")
    return sched


def pipeline_bubble_fraction(stages: int, microbatches: int, virtual: int = 1) -> Computed:
    """Idle fraction of a pipeline schedule over a whole step.

    (p - 1) / (v*m + p - 1), p = stages, m = micro-batches per step, v = model chunks per device
    (v = 1 for GPipe and 1F1B, which have the same bubble; v > 1 for interleaved 1F1B).
    Source: GPipe (Huang et al., 2019); interleaving from Narayanan et al. (SC'21) Sec. 2.2.2, whose
    bubble (p-1)/(v*m) is relative to ideal time (see ``pipeline_bubble_relative_to_ideal``).
    Assumes equal stage times and t_f + t_b per micro-batch; ignores p2p communication time.

    Example: stages=8, microbatches=4 -> 0.6364 (7/11)
    """
    p = positive_int("stages", stages)
    m = positive_int("microbatches", microbatches)
    v = positive_int("virtual", virtual)
    value = (p - 1) / (v * m + p - 1)
    return Computed(
        value,
        name="pipeline_bubble_fraction",
        unit="ratio",
        formula="(p - 1) / (v*m + p - 1)",
        inputs={"p": p, "m": m, "v": v},
        source="GPipe (Huang et al., 2019); " + _NARAYANAN,
        details={"relative_to_ideal": (p - 1) / (v * m)},
        notes=("share of the whole step; Narayanan et al.'s (p-1)/(v*m) is relative to ideal time",),
    )


def pipeline_bubble_relative_to_ideal(stages: int, microbatches: int, virtual: int = 1) -> Computed:
    """Pipeline bubble time over the ideal (bubble-free) compute time, as Narayanan et al. write it.

    t_pb / t_id = (p - 1) / (v*m). It exceeds 1 when m < p - 1: the bubble is longer than the work.
    Source: Narayanan et al., SC'21 (arXiv 2104.04473), Sec. 2.2.1 "(p-1)/m" and 2.2.2 "1/v * (p-1)/m".
    Assumes equal stage times; ignores p2p communication time.

    Example: stages=8, microbatches=32 -> 0.21875 (7/32)
    """
    p = positive_int("stages", stages)
    m = positive_int("microbatches", microbatches)
    v = positive_int("virtual", virtual)
    value = (p - 1) / (v * m)
    return Computed(
        value,
        name="pipeline_bubble_relative_to_ideal",
        unit="ratio",
        formula="(p - 1) / (v*m)",
        inputs={"p": p, "m": m, "v": v},
        source=_NARAYANAN,
        details={"share_of_step": (p - 1) / (v * m + p - 1)},
        notes=("relative to ideal compute time, not the share of the step",),
    )


def in_flight_microbatches(stages: int, microbatches: int, schedule: str = "1f1b", virtual: int = 1) -> Computed:
    """Micro-batches whose activations the first stage holds at its peak, in whole-stage units.

    GPipe: m (all forwards before any backward). 1F1B: min(p, m). Interleaved 1F1B with v chunks:
    p * (1 + (p - 1)/(p*v)) = p + (p - 1)/v, counted in units of a full stage's activations (each chunk
    holds 1/v of them); Megatron's warm-up runs 2(p-1) + (v-1)p + 1 chunk forwards on the first rank.
    Source: Narayanan et al. (SC'21) Sec. 2.2; Korthikanti et al. (arXiv 2205.05198) Sec. 4.2.3 for the
    interleaved factor (1 + (p-1)/(p*m)), their m being our v. Ignores stages other than the first.

    Example: stages=8, microbatches=32, schedule='interleaved', virtual=2 -> 11.5
    """
    p = positive_int("stages", stages)
    m = positive_int("microbatches", microbatches)
    v = positive_int("virtual", virtual)
    sched = _check_schedule(schedule, v)
    if sched == "gpipe":
        value, formula = float(m), "m"
    elif sched == "1f1b":
        value, formula = float(min(p, m)), "min(p, m)"
    else:
        # the interleaved schedule needs m >= p (Megatron requires m to be a multiple of p)
        value, formula = p * (1 + (p - 1) / (p * v)), "p * (1 + (p - 1)/(p*v))"
    return Computed(
        value,
        name="in_flight_microbatches",
        unit="micro-batches",
        formula=formula,
        inputs={"p": p, "m": m, "v": v, "schedule": sched},
        source=_NARAYANAN + "; Korthikanti et al., arXiv 2205.05198, Sec. 4.2.3",
        notes=("first pipeline stage, in units of one full stage's activations",),
    )


@dataclass(frozen=True)
class DivisibilityReport:
    """Whether a parallel configuration divides evenly, and which quantity does not."""

    ok: bool
    problems: tuple[str, ...]
    microbatches: int | None
    inputs: dict[str, int | None]

    def __bool__(self) -> bool:
        return self.ok


def check_divisibility(
    global_batch: int,
    micro_batch: int,
    dp: int,
    layers: int | None = None,
    pp: int = 1,
    tp: int = 1,
    heads: int | None = None,
    virtual: int = 1,
    gpus: int | None = None,
) -> DivisibilityReport:
    """Check that batch, micro-batch, DP/TP/PP degrees and layers divide as a schedule needs.

    m = B / (b * d) must be whole (B global batch in sequences, b micro-batch size, d DP degree);
    layers must split evenly over p * v chunks; heads over t; gpus = d * t * p when given; the
    interleaved schedule (v > 1) needs m to be a multiple of p (Megatron's requirement).
    Source: Narayanan et al., SC'21, Sec. 3.1 (notation, m = B/(b*d)) and Sec. 2.2.2.
    Ignores uneven layer splits that some frameworks allow (e.g. a lighter first or last stage).

    Example: global_batch=512, micro_batch=2, dp=8, layers=30, pp=4 -> not ok: layers (30) do not divide
    over pp * v (4)
    """
    b_glob = positive_int("global_batch", global_batch)
    b = positive_int("micro_batch", micro_batch)
    d = positive_int("dp", dp)
    p = positive_int("pp", pp)
    t = positive_int("tp", tp)
    v = positive_int("virtual", virtual)
    problems: list[str] = []
    m: int | None = None
    if b_glob % (b * d):
        problems.append(f"global batch ({b_glob}) does not divide into micro-batch size x DP ({b} x {d} = {b * d})")
    else:
        m = b_glob // (b * d)
    if layers is not None:
        n_layers = positive_int("layers", layers)
        if n_layers % (p * v):
            problems.append(f"layers ({n_layers}) do not divide over pp * v ({p * v})")
    if heads is not None:
        n_heads = positive_int("heads", heads)
        if n_heads % t:
            problems.append(f"attention heads ({n_heads}) do not divide over tp ({t})")
    if gpus is not None:
        n_gpus = positive_int("gpus", gpus)
        if n_gpus != d * t * p:
            problems.append(f"gpus ({n_gpus}) != dp x tp x pp ({d} x {t} x {p} = {d * t * p})")
    if v > 1 and m is not None and m % p:
        problems.append(f"interleaved schedule needs micro-batches ({m}) to be a multiple of pp ({p})")
    return DivisibilityReport(
        ok=not problems,
        problems=tuple(problems),
        microbatches=m,
        inputs={
            "global_batch": b_glob,
            "micro_batch": b,
            "dp": d,
            "layers": layers,
            "pp": p,
            "tp": t,
            "heads": heads,
            "virtual": v,
            "gpus": gpus,
        },
    )

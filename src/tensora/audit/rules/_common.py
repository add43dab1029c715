"""Helpers shared by rules: number formatting and the setting a draft states."""

from __future__ import annotations

import math

from tensora.extract.claims import Claims
from tensora.extract.quantities import Quote
from tensora.extract.sentences import Sentence


def pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


def num(x: float) -> str:
    if x == math.inf:
        return "unbounded"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def quotes(sentences: list[Sentence], limit: int = 3) -> list[Quote]:
    return [s.quote() for s in sentences[:limit]]


def total_gpus(c: Claims, qualifier: str | None = None) -> float | None:
    """The largest GPU count of the draft's runs, from GPU counts or nodes x GPUs per node."""
    counts = [q.value for q in c.values("gpus") if qualifier is None or q.qualifier == qualifier]
    nodes = c.max_value("nodes")
    per_node = c.value("gpus_per_node")
    if nodes and per_node:
        counts.append(nodes * per_node)
    counts = [x for x in counts if not math.isnan(x)]
    return max(counts) if counts else None


def precision(c: Claims) -> str:
    """The precision the matrix arithmetic runs in, as the draft states it (bf16 by default).

    FP32 or TF32 counts only where the draft runs its arithmetic in it: a gradient reduced in FP32, an FP32
    master copy or accumulator says nothing about the tensor-core peak the GEMMs reach."""
    texts = [
        q.text.lower()
        for q in c.values("precision")
        if q.text.lower() not in ("fp32", "tf32") or c.text_has_cue("fp32_compute_stated", q.quote.text)
    ]
    for p in ("fp8", "int8", "fp16", "bf16", "tf32", "fp32"):
        if p in texts:
            return p
    return "bf16"

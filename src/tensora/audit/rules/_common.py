"""Helpers shared by rules: number formatting and the setting a draft states."""

from __future__ import annotations

import math
from dataclasses import dataclass

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
    """The first ``limit`` sentences as quotes, a lead-in to a list or table ("1 GB all-reduce, ring, 64 GPUs:")
    only when no sentence that says something is left."""
    said = [s for s in sentences if not s.text.rstrip().endswith(":")]
    lead_ins = [s for s in sentences if s.text.rstrip().endswith(":")]
    return [s.quote() for s in (said + lead_ins)[:limit]]


def total_gpus(c: Claims, qualifier: str | None = None) -> float | None:
    """The largest GPU count of the draft's runs, from GPU counts or nodes x GPUs per node."""
    counts = [q.value for q in c.values("gpus") if qualifier is None or q.qualifier == qualifier]
    nodes = c.max_value("nodes")
    per_node = c.value("gpus_per_node")
    if nodes and per_node:
        counts.append(nodes * per_node)
    counts = [x for x in counts if not math.isnan(x)]
    return max(counts) if counts else None


def precision_at(c: Claims, sentence: str) -> str:
    """The precision a sentence states for itself ("1,148 TFLOPS in BF16"), or the draft's (``precision``)."""
    here = {q.text.lower() for q in c.values("precision") if q.quote.text == sentence}
    return next((p for p in ("fp8", "int8", "fp16", "bf16", "tf32", "fp32") if p in here), "") or compute_precision(c)


# bytes per unit of size as drafts write them (matched case-insensitively)
BYTES_PER_UNIT = {"tb": 1e12, "gb": 1e9, "mb": 1e6, "gib": 2.0**30, "mib": 2.0**20}


def size_bytes(value: str | float, unit: str) -> float:
    """A size the draft states ("1.4", "GB") in bytes."""
    return float(str(value).replace(",", "")) * BYTES_PER_UNIT[unit.lower()]


def compute_precision(c: Claims) -> str:
    """The precision the GEMMs run in, for a peak: the draft's, except that weights stored in 8 or fewer bits
    and dequantized for 16-bit matmuls ("int8 weight-only, all matmuls in bf16") run at the 16-bit peak."""
    dtype = precision(c)
    if dtype in ("int8", "fp8") and c.has_cue("matmuls_in_16_bit"):
        stated = {str(span.groups.get("dtype") or "").lower() for span in c.cue_spans("matmuls_in_16_bit")}
        return "fp16" if "fp16" in stated and "bf16" not in stated else "bf16"
    return dtype


def precision(c: Claims) -> str:
    """The precision the matrix arithmetic runs in, as the draft states it (bf16 by default).

    FP32 or TF32 counts only where the draft runs its arithmetic in it: a gradient reduced in FP32, an FP32
    master copy or accumulator says nothing about the tensor-core peak the GEMMs reach."""
    texts = [
        q.text.lower()
        for q in c.values("precision")
        if (q.text.lower() not in ("fp32", "tf32") or c.text_has_cue("fp32_compute_stated", q.quote.text))
        # "we stay in BF16 and see FP8 as orthogonal" names FP8 only to set it aside
        and not c.text_has_cue("low_precision_rejected", q.quote.text)
        # "FP8 payloads would halve the bytes again" in the next steps is not what the draft ran
        and q.qualifier not in ("planned", "baseline")
    ]
    for p in ("fp8", "int8", "fp16", "bf16", "tf32", "fp32"):
        if p in texts:
            return p
    return "bf16"


def table_header(c: Claims, sentence: Sentence) -> Sentence | None:
    """The header row of the table a row sentence belongs to (None for a sentence that is not a table row)."""
    if sentence.kind != "table":
        return None
    return next((t.header for t in tables(c) if any(row is sentence for _, _, row in t.rows)), None)


@dataclass(frozen=True, slots=True)
class Table:
    """A table of the draft: its header row's cells, and each row's label, numeric cells (None where a cell holds
    no plain number) and sentence."""

    header: Sentence
    columns: list[str]
    rows: list[tuple[str, list[float | None], Sentence]]


def cells(text: str) -> list[str]:
    """A row's cells; outer pipes are dropped, and a row that starts with a pipe and no closing one has an
    empty first cell (a header row over the labels' column)."""
    text = text.strip()
    if text.startswith("|") and text.endswith("|") and len(text) > 1:
        text = text[1:-1]
    return [x.strip() for x in text.split("|")]


def _cell_number(cell: str) -> float | None:
    text = cell.strip("*_ ").replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def tables(c: Claims) -> list[Table]:
    """The draft's tables, read from their row sentences (a header row, then rows of the same paragraph)."""
    out: list[Table] = []
    current: Table | None = None
    for s in c.sentences:
        if s.kind != "table":
            current = None
            continue
        if current is None or s.paragraph != current.header.paragraph:
            current = Table(s, cells(s.text)[1:], [])
            out.append(current)
            continue
        row = cells(s.text)
        if row and set(row[0]) <= set("-: "):
            continue  # a Markdown rule row
        if row:
            current.rows.append((row[0].strip("*_ "), [_cell_number(x) for x in row[1:]], s))
    return [t for t in out if t.rows]


# seconds per unit of a time as drafts write it
UNIT_SECONDS = {"ms": 1e-3, "us": 1e-6, "µs": 1e-6, "μs": 1e-6}


def _cell_with_unit(cell: str, units: dict[str, float]) -> float | None:
    """A cell that is a number and one unit of ``units`` (lower-cased keys, their scale) as the scaled value."""
    parts = cell.strip("*_ ").split()
    if len(parts) != 2 or parts[1].lower() not in units:
        return None
    value = _cell_number(parts[0])
    return None if value is None else value * units[parts[1].lower()]


def cell_rate(cell: str) -> float | None:
    """A cell that holds a bandwidth with its unit ("6.25 TB/s", "900 GB/s") in bytes per second; None otherwise."""
    return _cell_with_unit(cell, {"tb/s": 1e12, "gb/s": 1e9})


def cell_seconds(cell: str) -> float | None:
    """A cell that holds a time with its unit ("29 us", "1.2 ms") in seconds; None otherwise."""
    return _cell_with_unit(cell, {**UNIT_SECONDS, "s": 1.0})


def table_seconds(c: Claims, table: Table) -> float | None:
    """Seconds per unit of a table's times: "(ms)" in its header or in the caption just above it."""
    at = table.header.index
    for m in c.cue_spans("table_time_unit"):
        if at - 3 <= m.sentence.index <= at:
            return UNIT_SECONDS.get(m.groups["unit"])
    # a caption that ends on its unit: "Projection GEMMs at decode, batch 8, median of 1,000 runs, ms."
    for s in c.sentences[max(0, at - 2) : at]:
        tail = s.text.rstrip("*_ ").rstrip(".").rsplit(" ", 1)[-1].strip("(),*")
        if s.kind != "table" and tail in UNIT_SECONDS:
            return UNIT_SECONDS[tail]
    return None


def shape_in(label: str) -> tuple[int, int] | None:
    """The two dimensions a table row's label gives in parentheses: "Gate/up (4,096 x 28,672)" -> (4096, 28672)."""
    if "(" not in label:
        return None
    inner = label.split("(", 1)[1].split(")", 1)[0]
    return batch_by_length(inner)


def batch_by_length(label: str, header: str = "") -> tuple[int, int] | None:
    """A table row's "32 x 32K" (batch by sequence length) as numbers, or "8, 2K" under a header that says "batch,
    context"; None when the label is not of that form."""
    text = label.replace("×", "x").strip("*_ ")
    head = header.lower()
    if " x " not in text and ", " in text and "batch" in head and any(w in head for w in ("context", "length", "seq")):
        text = text.replace(", ", " x ", 1)
    text = text.replace(",", "")
    parts = [x.strip() for x in text.split(" x ")]
    if len(parts) != 2:
        return None
    out = []
    for part in parts:
        scale = {"k": 1024, "m": 1024 * 1024}.get(part[-1:].lower(), 1) if part else 1
        digits = part[:-1] if scale > 1 else part
        if not digits.isdigit():
            return None
        out.append(int(digits) * scale)
    return out[0], out[1]

"""Table rows: columns mapped to roles by their headers; other cells read as text."""

from __future__ import annotations

import re
from dataclasses import replace

from tensora import rxcache
from tensora.extract import units
from tensora.extract.numbers.base import _QUOTE_LIMIT, _Hit, _Lexicon, _Num, _read, _Sentence
from tensora.extract.numbers.reader import _quantities, _sentence_hits
from tensora.extract.numbers.split import _EMPHASIS
from tensora.extract.numbers.tokens import _numbers
from tensora.extract.quantities import Quantity
from tensora.extract.sentences import Sentence

# Column headers that name a role; counted and dimension columns must match the whole header.
_COLUMN_EXACT: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (rxcache.compile(rf"(?:{p})", re.I), role)
    for p, role in (
        (r"#?\s*gpus?|num(?:ber of)?\s+gpus|gpu\s+count", "gpus"),
        (r"#?\s*nodes?|num(?:ber of)?\s+nodes", "nodes"),
        (r"#?\s*layers?|num(?:ber of)?\s+layers|n_layers", "layers"),
        (r"hidden(?:\s+(?:size|dim(?:ension)?))?|d_?model", "hidden"),
        (r"#?\s*(?:attention\s+)?heads|num(?:ber of)?\s+heads|n_heads", "heads"),
        (r"#?\s*params|parameters|(?:model\s+)?size|model", "params"),
        (r"seq(?:uence)?(?:\s+len(?:gth)?)?|context(?:\s+length)?", "seq_len"),
        (r"global\s+batch(?:\s+size)?|batch(?:\s+size)?|gbs", "global_batch"),
        (r"micro-?batch\s+size|mbs", "micro_batch_size"),
        (r"#?\s*micro-?batches", "micro_batches"),
        (r"tp|tensor[- ]parallel(?:ism)?(?:\s+(?:degree|size))?", "tp"),
        (r"pp|pipeline[- ]parallel(?:ism)?(?:\s+(?:degree|size))?|(?:pipeline\s+)?stages", "pp"),
        (r"dp|data[- ]parallel(?:ism)?(?:\s+(?:degree|size))?", "dp"),
        (r"ep|expert[- ]parallel(?:ism)?(?:\s+(?:degree|size))?", "ep"),
        (r"cp|context[- ]parallel(?:ism)?(?:\s+(?:degree|size))?", "cp"),
        (r"#?\s*experts", "experts"),
        (r"top-?k", "top_k"),
    )
)
# Megatron's letters as column headers, case and all: a header "A" or "B" more likely names a method.
_COLUMN_LETTERS = {
    "t": "tp",
    "p": "pp",
    "d": "dp",
    "b": "micro_batch_size",
    "m": "micro_batches",
    "v": "virtual_stages",
    "h": "hidden",
    "L": "layers",
    "k": "top_k",
}
# Metric headers: these may name a method too ("ZeRO-3 MFU", "SkipMax (TFLOP/s)").
_COLUMN_METRIC: tuple[tuple[re.Pattern[str], str], ...] = (
    (rxcache.compile(r"speed-?up", re.I), "speedup"),
    (rxcache.compile(r"\bMFU\b|model\s+flops\s+utili", re.I), "mfu"),
    (rxcache.compile(r"peak.*TFLOP|TFLOP.*peak", re.I), "peak_tflops"),
    (rxcache.compile(r"[TP]FLOP", re.I), "tflops_per_gpu"),
    # "tokens per step" is a count per step, not a rate
    (rxcache.compile(r"tokens?\s*/\s*s(?:ec)?\b|tokens\s+per\s+s(?:ec(?:ond)?)?\b", re.I), "tokens_per_s"),
    (rxcache.compile(r"(?:step|iteration)[- ]time.*\((?:s|ms|us|µs|sec)\)", re.I), "step_time"),
    (rxcache.compile(r"\((?:ns|us|µs|μs|ms|s|sec)\)|\blatency\b.*\((?:ns|us|µs|μs|ms|s)\)", re.I), "kernel_time"),
    # a column headed by its unit alone ("ms", "time [ms]", "time, ms"): a profile's times
    (rxcache.compile(r"^(?:time\s*(?:,\s*|\[))?(?:ns|us|µs|μs|ms|sec)\]?$", re.I), "kernel_time"),
    # "Step time" with the unit in each cell ("3.20 s")
    (rxcache.compile(r"^(?:step|iteration)[- ]time$|^time per (?:training )?(?:step|iteration)$", re.I), "step_time"),
    # a profile's column: each row's part of the step (or of the GPU time); read per row with the row's label
    (
        rxcache.compile(
            r"^(?:share|fraction|%)(?:\s+of\s+(?:the\s+)?(?:step|iteration|(?:gpu|wall[- ]clock|decode|step)?\s*time))?"
            # "(%)", or the total the shares are of: "Share of step (1.52 s)"
            r"(?:\s*\((?:%|[\d.,]+\s*(?:ns|us|µs|μs|ms|s|sec|min|h)|of\s+[^)]{1,30})\))?$",
            re.I,
        ),
        "time_fraction",
    ),
)
# a label column's header that says what every value column holds: "Component (share of step time, 64 GPUs)"
_LABEL_OF_SHARES = rxcache.compile(
    r"(?:^|\((?:[^)]*\b)?)(?:share|fraction|%)\s+of\s+(?:the\s+)?(?:decode\s+|training\s+|prefill\s+)?"
    r"(?:step|iteration|(?:gpu|wall[- ]clock|decode)?\s*time)\b",
    re.I,
)
_HEADER_UNIT = rxcache.compile(r"(?:\(|\[|^|,\s*)(?P<u>ns|us|µs|μs|ms|s|sec)(?:\)|\]|$)", re.I)
_TABLE_SEPARATOR = rxcache.compile(r"^\s*:?-{2,}:?\s*$")


def _cells(line: str, piped: bool) -> list[str]:
    if piped:
        line = line.strip()
        line = line[1:] if line.startswith("|") else line
        line = line[:-1] if line.endswith("|") else line
        return [c.strip() for c in line.split("|")]
    return [c.strip() for c in re.split(r"\t|\s{2,}", line.strip())]


def _column_role(header: str) -> str:
    clean = _EMPHASIS.sub("", header).strip()
    for rx, role in _COLUMN_METRIC:
        if rx.search(clean):
            return role
    bare = re.sub(r"\([^)]*\)", "", clean).strip()
    if bare in _COLUMN_LETTERS:
        return _COLUMN_LETTERS[bare]
    return next((role for rx, role in _COLUMN_EXACT if rx.fullmatch(bare)), "")


_CELL_TIME = rxcache.compile(r"(?<![\w.])(?P<v>\d[\d,]*(?:\.\d+)?)\s*(?P<u>ns|us|µs|μs|ms|s|sec)\b")


def _cell_value(role: str, cell: str, header: str) -> float | None:
    """The first number of a cell that reads as a value of the column's role ("GPT-3 175B" -> 175e9)."""
    if role in ("step_time", "kernel_time") and not _HEADER_UNIT.search(header):
        # the unit is in the cell ("3.20 s"), not in the header
        m = _CELL_TIME.search(cell)
        return units.seconds(float(m.group("v").replace(",", "")), m.group("u")) if m else None
    for num in _numbers(cell, cell.lower()):
        value = _read_cell(role, num, header)
        if value is not None:
            return value
    return None


def _read_cell(role: str, num: _Num, header: str) -> float | None:
    if num.word:
        return None
    if role in ("step_time", "kernel_time"):
        unit = _HEADER_UNIT.search(header)
        return units.seconds(num.value, unit.group("u")) if unit and not num.suffix else None
    if role in ("tflops_per_gpu", "peak_tflops"):
        return _read("float", num)
    if role == "tokens_per_s":
        return _read("rate", num)
    return _read(_CELL_READS.get(role, "int"), num)


_CELL_READS = {
    "speedup": "ratio",
    "mfu": "fraction",
    "time_fraction": "fraction",
    "params": "params",
    "seq_len": "seq",
    "global_batch": "batch",
}


def _table_rows(lines: list[str], kind: str) -> tuple[list[str], list[list[str]]] | None:
    piped = any("|" in line for line in lines)
    rows = [_cells(line, piped) for line in lines if line.strip()]
    rows = [r for r in rows if not all(_TABLE_SEPARATOR.match(c) or not c for c in r)]
    if len(rows) < 2 or (not piped and kind != "table"):
        return None
    header, body = rows[0], rows[1:]
    if not piped and len(header) < 2:
        # a PDF line with single spaces between columns: split on every space
        header, body = header[0].split(), [" ".join(r).split() for r in body]
    return header, body


def _table_quantities(rows: list[Sentence], kind: str, lex: _Lexicon) -> list[Quantity] | None:
    """Quantities of a table's body rows (one sentence a row), or None when they do not parse as a table."""
    parsed = _table_rows([r.text for r in rows], kind)
    if parsed is None:
        return None
    header, body = parsed
    roles = [_column_role(h) for h in header]
    if roles and not roles[0] and _LABEL_OF_SHARES.search(header[0]) and not any(roles[1:]):
        # "Component (share of step time) | Baseline": the label column says what the value columns hold (also
        # those a header with an empty last cell leaves unnamed)
        width = max([len(header), *(len(r) for r in body)])
        roles = ["", *("time_fraction" for _ in range(width - 1))]
    lines = [r for r in rows if r.text.strip()][-len(body) :] if body else []
    out: list[Quantity] = []
    shares = _shares_of_total(header, roles, body)
    for k, (row, line) in enumerate(zip(body, lines, strict=False)):
        quote = line.text.strip()[:_QUOTE_LIMIT]
        hits = _row_hits(row, header, roles, line.section, lex)
        if k in shares:
            hits.append(_Hit("time_fraction", shares[k], "ratio", 0, 0, qualifier="profile", text=_column_name(row[0])))
        out.extend(_quantities(_Sentence.of(quote, line.section, lex, line.page, line.index), hits, line.doc, quote))
    return out


def _shares_of_total(header: list[str], roles: list[str], body: list[list[str]]) -> dict[int, float]:
    """A profile given as times with a total row ("Straggler wait | 2.4" ... "Total | 13.1"): each part's share of
    the total, by row position, when the table has one time column and no share column of its own."""
    timed = [i for i, role in enumerate(roles) if role in ("step_time", "kernel_time") and i > 0]
    if len(timed) != 1 or "time_fraction" in roles:
        return {}
    col = timed[0]
    values: dict[int, float] = {}
    total: float | None = None
    for k, row in enumerate(body):
        if col >= len(row):
            continue
        value = _cell_value(roles[col], row[col], header[col])
        if value is None or value <= 0:
            continue
        label = _EMPHASIS.sub("", row[0]).strip().lower()
        if label.startswith("total") or label.endswith(" total"):  # "Total", "Iteration total"
            total = value
        else:
            values[k] = value
    if total is None or len(values) < 2 or any(v >= total for v in values.values()):
        return {}
    return {k: v / total for k, v in values.items()}


def _row_hits(row: list[str], header: list[str], roles: list[str], section: str, lex: _Lexicon) -> list[_Hit]:
    """A row's values by column role; a label cell may name the role ("TFLOP/s per GPU"); other cells are
    read as text."""
    label = _column_role(row[0]) if row and not roles[0] else ""
    label = label if label in _ROW_ROLES else ""
    hits: list[_Hit] = []
    for i, cell in enumerate(row):
        head = header[i] if i < len(header) else ""
        role = roles[i] if i < len(roles) else ""
        text = _column_name(head) if role in _METRIC_ROLES else ""
        if not role and i > 0 and label:
            role, text, head = label, _column_name(head), row[0] + " " + head
        if not role:
            hits.extend(replace(h, start=0, end=0) for h in _sentence_hits(_Sentence.of(cell, section, lex)))
            continue
        value = _cell_value(role, cell, head)
        if value is not None and role == "time_fraction":
            # the part is the row's label ("GEMMs (cuBLAS) | 62%"): the share belongs to it, as the draft profiled it
            if 0 < value < 1 and i > 0:
                hits.append(_Hit(role, value, "ratio", 0, 0, qualifier="profile", text=_column_name(row[0])))
        elif value is not None:
            hits.append(_Hit(role, value, "", 0, 0, text=text))
    return hits


def _column_name(header: str) -> str:
    """A header without its unit: "SkipMax (TFLOP/s)" -> "SkipMax"."""
    return _EMPHASIS.sub("", re.sub(r"\s*\([^)]*\)\s*", " ", header)).strip()


_METRIC_ROLES = frozenset(role for _, role in _COLUMN_METRIC)
_ROW_ROLES = frozenset({"speedup", "mfu", "tflops_per_gpu", "peak_tflops", "tokens_per_s", "step_time", "kernel_time"})

"""Review one batch item inside a worker process; each baseline is read once per worker.

The worker returns plain data (the JSON line, the report as JSON and Markdown) so that a process pool and a Ray
task hand back the same thing, and only the parent writes files. Any ``TensoraError`` (and, so that one
pathological file never stops thousands, any other exception) becomes an error record naming the item.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tensora.batch.manifest import Item
from tensora.errors import TensoraError
from tensora.extract.claims import Claims

# a finding's weight in the ranking: one fatal outweighs any number of majors that a draft is likely to have
SEVERITY_WEIGHT = {"fatal": 100, "major": 10, "minor": 1, "info": 0}

_BASELINES: dict[tuple[str, int, int], Claims] = {}


def _baseline(path: Path, limits: Any) -> Claims:
    from tensora.pipeline import _baseline_claims

    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _BASELINES:
        _BASELINES[key] = _baseline_claims(path, limits)
    return _BASELINES[key]


def _review(item: Item, limits: Any) -> Any:
    from tensora.audit.engine import audit
    from tensora.knowledge.loader import load_knowledge
    from tensora.pipeline import _proposal_claims, _refuse_same_document, run_without_baseline
    from tensora.render import markdown

    kb = load_knowledge()
    if item.baseline is None:
        return run_without_baseline(item.draft, limits=limits, kb=kb)
    _refuse_same_document(item.draft, item.baseline)
    prop, hidden = _proposal_claims(item.draft, limits, kb)
    base = _baseline(item.baseline, limits)
    names = (item.draft.name, item.baseline.name)
    return markdown.fill(audit(prop, base, kb, names, {"proposal": hidden}))


def review_item(item: Item, limits: Any = None) -> dict[str, Any]:
    """``{"line": the JSON line, "json": the report or None, "markdown": its text or None}``."""
    from tensora import __version__

    start = time.perf_counter()
    line: dict[str, Any] = {
        "id": item.id,
        "draft": str(item.draft),
        "baseline": str(item.baseline) if item.baseline is not None else None,
    }
    try:
        result = _review(item, limits)
    except TensoraError as exc:
        line.update(status="error", error=str(exc), seconds=round(time.perf_counter() - start, 3))
        return {"line": line, "json": None, "markdown": None}
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
        line.update(status="error", error=f"{item.draft}: unexpected {type(exc).__name__}: {exc}")
        line["seconds"] = round(time.perf_counter() - start, 3)
        return {"line": line, "json": None, "markdown": None}
    result.version = __version__
    counts: dict[str, int] = {}
    by_severity = dict.fromkeys(SEVERITY_WEIGHT, 0)
    for f in result.findings:
        counts[f.code] = counts.get(f.code, 0) + 1
        by_severity[f.severity.value] += 1
    line.update(
        status="ok",
        system=result.system,
        against=result.baseline,
        implicit_baseline=item.baseline is None,
        score=sum(SEVERITY_WEIGHT[s] * n for s, n in by_severity.items()),
        severity=by_severity,
        codes=counts,
        delta=result.delta.cls,
        seconds=round(time.perf_counter() - start, 3),
    )
    return {"line": line, "json": result.to_dict(), "markdown": result.text}


def died(item: Item) -> dict[str, Any]:
    """The record of an item whose worker process ended without a result."""
    line = {
        "id": item.id,
        "draft": str(item.draft),
        "baseline": str(item.baseline) if item.baseline is not None else None,
        "status": "error",
        "error": f"{item.draft}: the worker reviewing it ended without a result (out of memory?)",
    }
    return {"line": line, "json": None, "markdown": None}

"""What a batch writes, and how it resumes.

Layout under OUT: ``reports/ID.json`` and ``reports/ID.md`` (the review), ``items/ID.json`` (the item's JSON
line; written last, so its presence means the item is done), ``results.jsonl`` (one line per item, appended as
items finish and rewritten in input order at the end), ``summary.csv`` and ``summary.html`` (drafts ranked by
the severity of their findings, with counts per finding code). Every file is written to a temporary name and
renamed, so an interrupted batch leaves no half-written report.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tensora.batch.manifest import Item


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Output:
    """The output folder of one batch."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.items = root / "items"
        self.reports = root / "reports"
        self.items.mkdir(parents=True, exist_ok=True)
        self.reports.mkdir(parents=True, exist_ok=True)

    def line(self, item_id: str) -> dict[str, Any] | None:
        """The recorded JSON line of an item, or None when it has none (or an unreadable one)."""
        try:
            data = json.loads((self.items / f"{item_id}.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None
        return data if isinstance(data, dict) else None

    def done(self, item: Item) -> bool:
        """An item reviewed before (errors are tried again: the file may have been fixed)."""
        line = self.line(item.id)
        return line is not None and line.get("status") == "ok" and line.get("draft") == str(item.draft)

    def record(self, result: dict[str, Any]) -> None:
        line = result["line"]
        item_id = line["id"]
        if result["json"] is not None:
            write_atomic(self.reports / f"{item_id}.json", json.dumps(result["json"], indent=2) + "\n")
            write_atomic(self.reports / f"{item_id}.md", result["markdown"])
        write_atomic(self.items / f"{item_id}.json", json.dumps(line) + "\n")
        with (self.root / "results.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")

    def finish(self, items: Iterable[Item]) -> list[dict[str, Any]]:
        """Rewrite results.jsonl in input order and write the summaries; the lines, ranked."""
        lines = [line for item in items if (line := self.line(item.id)) is not None]
        write_atomic(self.root / "results.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
        ranked = rank(lines)
        write_atomic(self.root / "summary.csv", summary_csv(ranked))
        write_atomic(self.root / "summary.html", summary_html(ranked))
        return ranked


def rank(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reviewed drafts by severity score (then fatal, then major count), highest first; errors last."""

    def key(line: dict[str, Any]) -> tuple[int, int, int, int, str]:
        sev = line.get("severity") or {}
        ok = line.get("status") == "ok"
        return (0 if ok else 1, -int(line.get("score", 0)), -sev.get("fatal", 0), -sev.get("major", 0), line["id"])

    return sorted(lines, key=key)


def _codes(lines: list[dict[str, Any]]) -> list[str]:
    return sorted({code for line in lines for code in line.get("codes") or {}})


_HEAD = ["rank", "id", "status", "score", "fatal", "major", "minor", "info", "against", "draft", "error"]


def _row(n: int, line: dict[str, Any]) -> list[str]:
    sev = line.get("severity") or {}
    ok = line.get("status") == "ok"
    return [
        str(n) if ok else "",
        line["id"],
        str(line.get("status", "")),
        str(line.get("score", "")) if ok else "",
        *(str(sev.get(s, "")) if ok else "" for s in ("fatal", "major", "minor", "info")),
        str(line.get("against") or ""),
        str(line.get("draft") or ""),
        str(line.get("error") or ""),
    ]


def summary_csv(ranked: list[dict[str, Any]]) -> str:
    codes = _codes(ranked)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*_HEAD, *codes])
    for n, line in enumerate(ranked, 1):
        counts = line.get("codes") or {}
        writer.writerow([*_row(n, line), *(str(counts.get(c, 0)) for c in codes)])
    return buf.getvalue()


def summary_html(ranked: list[dict[str, Any]]) -> str:
    codes = _codes(ranked)
    ok = sum(1 for line in ranked if line.get("status") == "ok")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in [*_HEAD, *codes])
    rows = []
    for n, line in enumerate(ranked, 1):
        counts = line.get("codes") or {}
        cells = [*_row(n, line), *(str(counts.get(c, 0) or "") for c in codes)]
        link = f'<a href="reports/{html.escape(line["id"])}.md">{html.escape(line["id"])}</a>'
        tds = [link if i == 1 and line.get("status") == "ok" else html.escape(c) for i, c in enumerate(cells)]
        cls = "" if line.get("status") == "ok" else ' class="error"'
        rows.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in tds) + "</tr>")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>tensora batch summary</title>\n'
        "<style>body{font-family:sans-serif}table{border-collapse:collapse;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:2px 6px}tr.error{color:#a00}</style></head><body>\n"
        f"<h1>tensora batch: {ok} reviewed, {len(ranked) - ok} failed</h1>\n"
        "<p>Ranked by severity score: 100 per fatal, 10 per major, 1 per minor finding.</p>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table></body></html>\n"
    )

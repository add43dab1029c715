"""A stored session as a transcript: Markdown for people, JSON for tools.

Both are built from the database alone (no document is re-read), so ``export`` works after the documents
have moved. The JSON keeps every turn's findings snapshot with its statuses and computed numbers.
"""

from __future__ import annotations

import json
from typing import Any

from tensora.whiteboard.store import FindingRow, SessionRecord, TurnRecord
from tensora.whiteboard.voice import number


def _finding(f: FindingRow) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity,
        "status": f.status,
        "title": f.title,
        "message": f.message,
        "must_solve": f.must_solve,
        "computed": {k: round(v, 4) for k, v in f.computed.items()},
    }


def to_dict(record: SessionRecord, turns: list[TurnRecord]) -> dict[str, Any]:
    return {
        "session": {
            "id": record.id,
            "created": record.created,
            "proposal": {"path": record.proposal_path, "sha256": record.proposal_sha256},
            "baseline": {"path": record.baseline_path, "sha256": record.baseline_sha256},
        },
        "turns": [
            {
                "n": t.n,
                "role": t.role,
                "text": t.text,
                "created": t.created,
                "findings": [_finding(f) for f in t.findings],
            }
            for t in turns
        ],
    }


def to_json(record: SessionRecord, turns: list[TurnRecord]) -> str:
    return json.dumps(to_dict(record, turns), indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def findings_table(rows: tuple[FindingRow, ...] | list[FindingRow]) -> list[str]:
    lines = ["| Code | Severity | Status | Numbers |", "|---|---|---|---|"]
    for f in rows:
        nums = ", ".join(f"{k.replace('_', ' ')} {number(k, v)}" for k, v in f.computed.items())
        lines.append(f"| {f.code} | {f.severity} | {f.status} | {_cell(nums)} |")
    return lines


def to_markdown(record: SessionRecord, turns: list[TurnRecord]) -> str:
    lines = [
        f"# Whiteboard session {record.id}",
        "",
        f"- Proposal: `{record.proposal_path}` (sha256 {record.proposal_sha256[:12]})",
        f"- Baseline: `{record.baseline_path}` (sha256 {record.baseline_sha256[:12]})",
        f"- Started: {record.created}",
    ]
    for t in turns:
        lines += ["", f"## Turn {t.n}: {t.role}", ""]
        if t.role == "student":
            lines += [f"> {line}" if line else ">" for line in t.text.splitlines()]
        else:
            lines.append(t.text)
        if t.findings:
            lines += ["", *findings_table(t.findings)]
    return "\n".join(lines) + "\n"

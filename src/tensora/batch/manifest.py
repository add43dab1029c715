"""What a batch reviews: a folder of drafts, or a manifest (CSV or JSONL) of draft, optional baseline and id.

A folder may hold drafts (each reviewed against the closest prior work tensora knows) and sub-folders with a
``proposal.*`` and a ``baseline.*`` (reviewed as a pair). Paths in a manifest are relative to the manifest.
Files whose format tensora cannot read are still items: their error is recorded, the batch goes on.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from tensora.errors import InputError

_DRAFT_SUFFIXES = (".pdf", ".md", ".markdown", ".tex", ".txt")
_PAIR_ORDER = (".pdf", ".md", ".markdown", ".tex", ".txt")


@dataclass(frozen=True, slots=True)
class Item:
    """One draft to review: its id (unique in the batch, safe as a file name), its path and its baseline's."""

    id: str
    draft: Path
    baseline: Path | None = None


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "draft"


def _first(folder: Path, stem: str) -> Path | None:
    for suffix in _PAIR_ORDER:
        p = folder / f"{stem}{suffix}"
        if p.is_file():
            return p
    return None


def _from_folder(folder: Path) -> list[Item]:
    items: list[Item] = []
    for p in sorted(folder.iterdir()):
        if p.is_dir():
            draft = _first(p, "proposal")
            if draft is not None:
                items.append(Item(p.name, draft, _first(p, "baseline")))
        elif p.is_file() and not p.name.startswith(".") and p.suffix.lower() in _DRAFT_SUFFIXES:
            items.append(Item(p.stem, p))
    return items


def _rows(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        table = csv.DictReader(text.splitlines())
        return [{k.strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in table]
    rows: list[dict[str, str]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise InputError(path, f"line {n} is not JSON", "write one JSON object per line.") from None
        if not isinstance(row, dict):
            raise InputError(path, f"line {n} is not a JSON object", "write one JSON object per line.")
        rows.append({str(k).lower(): "" if v is None else str(v) for k, v in row.items()})
    return rows


def _from_manifest(path: Path) -> list[Item]:
    try:
        rows = _rows(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, f"cannot be read as a manifest ({exc})", "check the file.") from None
    items: list[Item] = []
    for n, row in enumerate(rows, 1):
        draft = row.get("draft") or row.get("proposal")
        if not draft:
            raise InputError(path, f"entry {n} has no 'draft'", "give every entry a draft path.")
        base = row.get("baseline") or None
        item_id = row.get("id") or Path(draft).stem
        items.append(Item(item_id, path.parent / draft, path.parent / base if base else None))
    return items


def items_of(source: Path) -> list[Item]:
    """The items of a folder or a manifest, each with a unique file-safe id (a repeated id gets ``-2``, ...)."""
    if source.is_dir():
        items = _from_folder(source)
    elif source.is_file() and source.suffix.lower() in (".csv", ".jsonl", ".ndjson"):
        items = _from_manifest(source)
    elif source.exists():
        raise InputError(source, "is neither a folder nor a .csv/.jsonl manifest", "pass a folder or a manifest.")
    else:
        raise InputError(source, "does not exist", "check the path.")
    seen: dict[str, int] = {}
    out: list[Item] = []
    for item in items:
        base = _safe(item.id)
        seen[base] = seen.get(base, 0) + 1
        unique = base if seen[base] == 1 else f"{base}-{seen[base]}"
        out.append(Item(unique, item.draft, item.baseline))
    if not out:
        raise InputError(source, "holds no drafts", "give a folder of PDF/Markdown/LaTeX/text drafts or a manifest.")
    return out

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from tensora.batch import items_of, run_batch
from tensora.batch import worker as batch_worker
from tensora.batch.output import rank, write_atomic


@pytest.fixture(scope="module")
def first_run(batch_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("out")
    return out, run_batch(items_of(batch_dir), out, workers=1, progress=False)


def test_every_item_has_a_line_and_the_bad_file_is_recorded(first_run: tuple[Path, Any]) -> None:
    out, result = first_run
    lines = [json.loads(s) for s in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["alone", "broken", "pair"]  # input order
    by_id = {line["id"]: line for line in lines}
    assert by_id["broken"]["status"] == "error" and "broken.pdf" in by_id["broken"]["error"]
    assert [e["id"] for e in result.errors] == ["broken"]
    for name in ("alone", "pair"):
        assert by_id[name]["status"] == "ok"
        report = json.loads((out / "reports" / f"{name}.json").read_text(encoding="utf-8"))
        assert sorted(f["code"] for f in report["findings"]) == sorted(
            code for code, n in by_id[name]["codes"].items() for _ in range(n)
        )
        assert (out / "reports" / f"{name}.md").read_text(encoding="utf-8").startswith("# ") and "## 1. The Mirror" in (
            out / "reports" / f"{name}.md"
        ).read_text(encoding="utf-8")
    assert by_id["alone"]["implicit_baseline"] and not by_id["pair"]["implicit_baseline"]
    assert not list(out.rglob(".*"))  # no temporary file left behind


def test_summary_ranks_by_severity_with_counts_per_code(first_run: tuple[Path, Any]) -> None:
    out, _ = first_run
    rows = list(csv.DictReader((out / "summary.csv").read_text(encoding="utf-8").splitlines()))
    ok = [r for r in rows if r["status"] == "ok"]
    assert [int(r["score"]) for r in ok] == sorted((int(r["score"]) for r in ok), reverse=True)
    assert rows[-1]["id"] == "broken"
    codes = [c for c in rows[0] if c.isupper()]
    assert codes
    for r in ok:
        line = json.loads((out / "items" / f"{r['id']}.json").read_text(encoding="utf-8"))
        assert {c: int(r[c]) for c in codes if int(r[c])} == line["codes"]
    page = (out / "summary.html").read_text(encoding="utf-8")
    assert "2 reviewed, 1 failed" in page and 'href="reports/pair.md"' in page


def test_rerun_skips_done_items_and_retries_failures(batch_dir: Path, first_run: tuple[Path, Any]) -> None:
    out, _ = first_run
    seen: list[str] = []
    again = run_batch(items_of(batch_dir), out, progress=False, on_result=lambda r: seen.append(r["line"]["id"]))
    assert (again.skipped, again.reviewed, seen) == (2, 1, ["broken"])
    assert len((out / "results.jsonl").read_text(encoding="utf-8").splitlines()) == 3


def test_a_baseline_is_read_once_per_worker(tmp_path: Path, batch_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tensora.pipeline as pipeline

    calls: list[Path] = []
    real = pipeline._baseline_claims

    def counting(path: Path, limits: Any) -> Any:
        calls.append(path)
        return real(path, limits)

    monkeypatch.setattr(pipeline, "_baseline_claims", counting)
    monkeypatch.setattr(batch_worker, "_BASELINES", {})
    pair = batch_dir / "pair"
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        f"draft,baseline,id\n{pair}/proposal.md,{pair}/baseline.md,a\n{batch_dir}/alone.md,{pair}/baseline.md,b\n",
        encoding="utf-8",
    )
    result = run_batch(items_of(manifest), tmp_path / "out", workers=1, progress=False)
    assert not result.errors and calls == [pair / "baseline.md"]


def test_rank_puts_fatal_first_then_errors_last() -> None:
    lines = [
        {"id": "e", "status": "error"},
        {"id": "a", "status": "ok", "score": 30, "severity": {"fatal": 0, "major": 3}},
        {"id": "b", "status": "ok", "score": 100, "severity": {"fatal": 1, "major": 0}},
    ]
    assert [line["id"] for line in rank(lines)] == ["b", "a", "e"]


def test_write_atomic_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.txt"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text(encoding="utf-8") == "two" and [p.name for p in target.parent.iterdir()] == ["f.txt"]

"""The process pool gives the same results as one process; Ray (when installed) the same as the pool."""

from __future__ import annotations

import importlib.util
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from tensora.batch import Item, items_of, run_batch, runner


def _results(out: Path) -> dict[str, Any]:
    lines = [json.loads(s) for s in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    return {line["id"]: (line["status"], line.get("codes"), line.get("score"), line.get("against")) for line in lines}


@pytest.fixture(scope="module")
def pooled(batch_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pool")
    run_batch(items_of(batch_dir), out, workers=2, progress=False)
    return out


def test_pool_equals_one_process(batch_dir: Path, pooled: Path, tmp_path: Path) -> None:
    run_batch(items_of(batch_dir), tmp_path, workers=1, progress=False)
    assert _results(pooled) == _results(tmp_path)


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed (the 'ray' extra)")
def test_ray_equals_pool(batch_dir: Path, pooled: Path, tmp_path: Path) -> None:
    start = time.perf_counter()
    run_batch(items_of(batch_dir), tmp_path, workers=2, ray="local", progress=False)
    assert _results(tmp_path) == _results(pooled)
    assert time.perf_counter() - start < 120


def _fake_review(item: Item, limits: Any = None) -> dict[str, Any]:
    if item.id == "boom":
        os._exit(1)  # a worker killed from outside, as the out-of-memory killer would
    line = {"id": item.id, "draft": str(item.draft), "status": "ok", "score": 0, "severity": {}, "codes": {}}
    return {"line": line, "json": {}, "markdown": "# tensora\n"}


def test_a_dead_worker_fails_its_draft_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "review_item", _fake_review)
    items = [Item(name, tmp_path / f"{name}.md") for name in ("a", "b", "boom", "c", "d", "e", "f")]
    result = run_batch(items, tmp_path / "out", workers=2, progress=False)
    lines = {line["id"]: line for line in result.ranked}
    assert set(lines) == {i.id for i in items}
    assert lines["boom"]["status"] == "error" and "ended without a result" in lines["boom"]["error"]
    assert all(lines[i]["status"] == "ok" for i in "acdef")  # drafts after the crash still get reviewed

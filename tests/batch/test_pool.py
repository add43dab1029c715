"""The process pool gives the same results as one process; Ray (when installed) the same as the pool."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path
from typing import Any

import pytest

from tensora.batch import items_of, run_batch


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

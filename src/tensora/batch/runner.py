"""Run a batch: skip what is done, review the rest on a backend, write each result as it arrives.

Backends yield results in completion order: ``local`` (this process for one worker, else a process pool forked
after the knowledge base is loaded, so the workers share it) and ``ray`` (``ray_backend.py``). A progress bar on
stderr shows done/total, drafts per minute, errors and the time left.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tensora.batch.manifest import Item
from tensora.batch.output import Output
from tensora.batch.worker import died, review_item


@dataclass(slots=True)
class BatchResult:
    """What a batch did: items in the input, skipped as done, reviewed now, failed now, the ranked lines."""

    total: int
    skipped: int
    reviewed: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    ranked: list[dict[str, Any]] = field(default_factory=list)


def _local(items: Sequence[Item], workers: int, limits: Any) -> Iterator[dict[str, Any]]:
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield review_item(item, limits)
        return
    from tensora.extract import embed
    from tensora.knowledge.loader import load_knowledge

    load_knowledge()  # loaded once here; forked workers inherit it, and the embedder (never fork mid-load)
    try:
        embed.get_embedder()
    except embed.EmbeddingUnavailableError:
        pass  # the workers fall back as a single review does
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    queue = iter(items)
    while True:
        # a worker killed from outside (out of memory) breaks the pool and every draft in flight with it: each of
        # those is tried again alone, so only the one that kills its worker is recorded as failed
        lost = yield from _pool(queue, workers, limits, context)
        if not lost:
            return
        for item in lost:
            yield _alone(item, limits, context)


def _alone(item: Item, limits: Any, context: Any) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(review_item, item, limits).result()
        except BrokenProcessPool:
            return died(item)


def _pool(
    queue: Iterator[Item], workers: int, limits: Any, context: Any
) -> Generator[dict[str, Any], None, list[Item]]:
    """Results until ``queue`` is empty; the items in flight when a worker died, if one did."""
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: dict[Future[dict[str, Any]], Item] = {}
        # a bounded number in flight: thousands of futures would hold thousands of results at once
        for item in itertools.islice(queue, 4 * workers):
            pending[pool.submit(review_item, item, limits)] = item
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                item = pending.pop(future)
                try:
                    res = future.result()
                except BrokenProcessPool:
                    return [item, *pending.values()]
                yield res
                nxt = next(queue, None)
                if nxt is not None:
                    pending[pool.submit(review_item, nxt, limits)] = nxt
    return []


def run_batch(
    items: Sequence[Item],
    out: Path,
    *,
    workers: int = 1,
    ray: str | None = None,
    limits: Any = None,
    progress: bool = True,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> BatchResult:
    """Review every item not done in ``out``; ``ray``: a cluster address, or "local" for a local instance."""
    output = Output(out)
    todo = [item for item in items if not output.done(item)]
    result = BatchResult(len(items), len(items) - len(todo), 0)
    if ray is not None:
        from tensora.batch.ray_backend import ray_results

        stream = ray_results(todo, None if ray == "local" else ray, workers, limits)
    else:
        stream = _local(todo, workers, limits)
    with _Bar(len(todo), progress) as bar:
        for res in stream:
            output.record(res)
            result.reviewed += 1
            if res["line"]["status"] != "ok":
                result.errors.append(res["line"])
            bar.advance(len(result.errors))
            if on_result is not None:
                on_result(res)
    result.ranked = output.finish(items)
    return result


class _Bar:
    """A rich progress bar (done/total, drafts per minute, errors, time left) on stderr; silent when off."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and total > 0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Bar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("reviewing"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}/min"),
                TextColumn("{task.fields[errors]} failed"),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                refresh_per_second=4,
            )
            self._progress.start()
            self._task = self._progress.add_task("batch", total=self.total, rate="-", errors=0)
        return self

    def advance(self, errors: int) -> None:
        if self._progress is None:
            return
        self._progress.advance(self._task)
        task = self._progress.tasks[0]
        speed = task.speed
        self._progress.update(self._task, rate=f"{speed * 60:.1f}" if speed else "-", errors=errors)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))

"""The batch on a Ray cluster: one Ray task per draft, results streamed back as they finish.

Ray is an optional extra (``pip install 'tensora[ray]'``). Each Ray worker is a long-lived process, so the
baseline cache of ``worker.py`` works there as in the local pool. The draft and baseline paths must be readable
by the workers: on a multi-machine cluster, a shared file system.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from tensora.batch.manifest import Item
from tensora.batch.worker import died, review_item
from tensora.errors import TensoraError


class RayMissingError(TensoraError):
    """``--ray`` was asked for and Ray is not installed."""


def ray_results(items: Sequence[Item], address: str | None, workers: int, limits: Any) -> Iterator[dict[str, Any]]:
    """Results of ``items`` in completion order; ``address`` None starts a local Ray instance with ``workers`` CPUs."""
    try:
        import ray
    except ImportError:
        raise RayMissingError("--ray needs Ray: pip install 'tensora[ray]'.") from None
    started = not ray.is_initialized()
    if started:
        if address is None:
            ray.init(num_cpus=max(1, workers), include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    try:
        task = ray.remote(num_cpus=1, max_retries=1)(review_item)
        queue = iter(items)
        pending = {task.remote(item, limits): item for item in itertools.islice(queue, max(2, 4 * workers))}
        while pending:
            finished, _ = ray.wait(list(pending), num_returns=1)
            for ref in finished:
                item = pending.pop(ref)
                try:
                    yield ray.get(ref)
                except ray.exceptions.RayError:  # the worker died: the item is recorded, the batch goes on
                    yield died(item)
                nxt = next(queue, None)
                if nxt is not None:
                    pending[task.remote(nxt, limits)] = nxt
    finally:
        if started:
            ray.shutdown()

"""Retries with exponential backoff for 429 and 5xx, the same for every backend.

A ``RateLimitedError`` or ``ServerError`` is retried up to ``retries`` times. The wait honours the server's
``Retry-After`` when it sent one, else doubles from ``base_delay`` (1, 2, 4 s ...), capped at ``max_delay``.
A server that asks to wait longer than ``max_retry_after`` is not waited for: the error is raised at once
(an hour-long rate-limit window is better reported than slept through). Connection failures, timeouts, a
refused key and other 4xx are never retried: waiting does not fix them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tensora.llm.errors import BackendCallError

__all__ = ["RetryPolicy", "call_with_retries"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int = 3
    base_delay: float = 1.0
    max_delay: float = 20.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, error: BackendCallError) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``, or None to give up."""
        if not error.retryable or attempt >= self.retries:
            return None
        if error.retry_after is not None:
            return error.retry_after if error.retry_after <= self.max_retry_after else None
        return min(self.max_delay, self.base_delay * 2.0**attempt)


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[BackendCallError, float], None] | None = None,
) -> T:
    """``call()``, retried per ``policy`` on retryable errors; the last error is raised."""
    attempt = 0
    while True:
        try:
            return call()
        except BackendCallError as exc:
            wait = policy.delay(attempt, exc)
            if wait is None:
                raise
            if on_retry is not None:
                on_retry(exc, wait)
            sleep(wait)
            attempt += 1

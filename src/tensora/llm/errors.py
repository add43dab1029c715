"""Errors of the LLM layer, under ``TensoraError`` like every error a user can cause.

Two kinds, because the CLI treats them differently: a ``BackendConfigError`` is a mistake in what the user
asked for, found before any request (exit code 2, one line); a ``BackendCallError`` is a request that failed
(server down, key refused, answer unusable): tensora prints one warning line and answers with the
deterministic review (exit code 0).

    TensoraError
    └── LLMError
        ├── BackendConfigError        malformed --llm, unknown provider, SDK not installed, bad setting
        │   └── MissingKeyError         the backend needs a key and none is configured
        └── BackendCallError          a request failed
            ├── UnreachableError        connection refused, DNS failure: the server is down
            ├── TimedOutError           no answer within --llm-timeout
            ├── UnauthorizedError       401/403: the key is wrong or lacks access
            ├── RateLimitedError        429 (retried with backoff; raised when retries run out)
            ├── ServerError             5xx (retried with backoff; raised when retries run out)
            ├── RequestRejectedError    another 4xx: the server refused the request itself
            └── BadAnswerError          the answer stayed unusable after the repair round
"""

from __future__ import annotations

from tensora.errors import TensoraError

__all__ = [
    "BackendCallError",
    "BackendConfigError",
    "BadAnswerError",
    "LLMError",
    "MissingKeyError",
    "RateLimitedError",
    "RequestRejectedError",
    "ServerError",
    "TimedOutError",
    "UnauthorizedError",
    "UnreachableError",
]


class LLMError(TensoraError):
    """Base of the LLM layer's errors."""


class BackendConfigError(LLMError):
    """What the user asked for cannot be set up (found before any request)."""


class MissingKeyError(BackendConfigError):
    def __init__(self, backend: str, env_var: str | None) -> None:
        where = f"set {env_var} or pass --llm-key-env" if env_var else "pass --llm-key-env"
        super().__init__(f"No API key for backend '{backend}': {where}.")


class BackendCallError(LLMError):
    """A request to the backend failed; ``reason`` is the short phrase for the warning line."""

    retryable = False

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        super().__init__(reason)


class UnreachableError(BackendCallError):
    pass


class TimedOutError(BackendCallError):
    pass


class UnauthorizedError(BackendCallError):
    pass


class RateLimitedError(BackendCallError):
    retryable = True


class ServerError(BackendCallError):
    retryable = True


class RequestRejectedError(BackendCallError):
    pass


class BadAnswerError(BackendCallError):
    pass

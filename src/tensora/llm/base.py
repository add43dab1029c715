"""The backend interface: one class per provider, one method to implement.

Follows llm's ``Model.execute`` and httpx's ``BaseTransport.handle_request``: a ``Backend`` turns a list of
chat messages (plus the tools the model may call and the JSON schema its answer should follow) into one
``Completion``. Everything else (the prompt, tool execution, retries, parsing, validation, accounting) lives
above it in ``tensora.llm.review`` and works the same for every backend. A backend raises the
``BackendCallError`` subclasses of ``tensora.llm.errors`` so that the layer above can retry (429, 5xx) or fall
back to the deterministic review (anything else).

A backend declares ``name`` (the PROVIDER of ``--llm PROVIDER:MODEL``), ``needs_key`` and ``key_env_var``.
Backends are registered through the ``register_backends`` hook (``tensora.hookspecs``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

__all__ = [
    "Backend",
    "BackendSettings",
    "Completion",
    "Message",
    "StreamCallback",
    "Tool",
    "ToolCall",
    "Usage",
]

Role = Literal["system", "user", "assistant", "tool"]
#: called with each piece of answer text as it arrives (streaming)
StreamCallback = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ToolCall:
    """The model's request to run one tool; ``arguments`` is the raw JSON text it sent."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message. ``tool_calls`` on an assistant message; ``tool_call_id`` on a tool result."""

    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class Tool:
    """A function the model may call: its name, what it does, and a JSON schema of its arguments."""

    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(slots=True)
class Usage:
    """Tokens spent, as the server reports them (0 where it does not)."""

    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.requests += other.requests

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(slots=True)
class Completion:
    """One answer: its text, the tools it asks to run, the tokens it cost."""

    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    finish_reason: str = ""
    model: str = ""


@dataclass(frozen=True, slots=True)
class BackendSettings:
    """What a backend instance needs: the model, where the server is, the key, and request options."""

    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    temperature: float = 0.2
    max_tokens: int = 2048


class Backend(ABC):
    """Base class of an LLM backend. Subclasses set the class attributes and implement ``complete``."""

    #: the PROVIDER in ``--llm PROVIDER:MODEL``
    name: ClassVar[str]
    #: one line for ``tensora llm`` listings and error messages
    description: ClassVar[str] = ""
    #: whether a request needs an API key (see ``key_required`` for servers that only sometimes do)
    needs_key: ClassVar[bool] = True
    #: the environment variable the key is read from by default
    key_env_var: ClassVar[str | None] = None
    #: the server used when no base URL is configured (None: the SDK's own default)
    default_base_url: ClassVar[str | None] = None
    #: (module, extra) of the SDK the backend needs, checked before any work: ("openai", "llm")
    sdk: ClassVar[tuple[str, str] | None] = None

    def __init__(self, settings: BackendSettings) -> None:
        self.settings = settings

    @classmethod
    def key_required(cls, base_url: str | None) -> bool:
        """Whether a key is needed for this server (a local OpenAI-compatible server needs none)."""
        return cls.needs_key

    def close(self) -> None:  # noqa: B027 - optional: most backends hold nothing to release
        """Release connections (an SDK client's pool); the default holds none."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        response_schema: Mapping[str, Any] | None = None,
        stream: StreamCallback | None = None,
    ) -> Completion:
        """Send one request and return the answer.

        ``tools``: functions the model may call (empty: it must answer). ``response_schema``: a JSON schema
        the answer text should follow, used as structured output where the server supports it.
        ``stream``: when given, answer text is passed to it piece by piece as it arrives.
        Raises a ``BackendCallError`` subclass when the request fails; never retries by itself.
        """

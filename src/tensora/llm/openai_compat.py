"""Backends for OpenAI-compatible servers (OpenAI, vLLM, Ollama, the llama.cpp server) through the openai SDK.

One adapter serves them all, pointed at a server by ``base_url``; the providers below differ only in their
default URL and whether they need a key. Structured output is asked for as ``response_format`` of type
``json_schema``; a server that rejects it (400/422) is asked again with ``json_object`` (with the schema
alongside, which the llama.cpp server uses as a grammar), then with no format at all, and the adapter
remembers what worked. (The llama.cpp server of llama-cpp-python answers an unknown format with a 500 that
names ``response_format``; that counts as a refusal too.) Streaming assembles tool calls from their deltas.
The SDK's own retries are off.

Not covered: the Responses API, image inputs, parallel-tool-call settings, logprobs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import urlparse

from tensora.hookspecs import hookimpl
from tensora.llm._sdk import import_sdk, translate
from tensora.llm.base import Backend, BackendSettings, Completion, Message, StreamCallback, Tool, ToolCall, Usage
from tensora.llm.errors import BackendCallError, BadAnswerError, RequestRejectedError, ServerError

__all__ = ["LlamaCppBackend", "OllamaBackend", "OpenAIBackend", "VLLMBackend"]

# the formats tried in order until the server accepts one
_FORMATS = ("json_schema", "json_object", "none")
# a key for servers that check none; the SDK refuses an empty one
_NO_KEY = "no-key"


def _wire_message(m: Message) -> dict[str, Any]:
    if m.role == "tool":
        return {"role": "tool", "tool_call_id": m.tool_call_id, "content": m.content}
    out: dict[str, Any] = {"role": m.role, "content": m.content}
    if m.tool_calls:
        out["content"] = m.content or None
        out["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in m.tool_calls
        ]
    return out


def _wire_tool(t: Tool) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": t.name, "description": t.description, "parameters": dict(t.parameters)},
    }


def _response_format(mode: str, schema: Mapping[str, Any]) -> dict[str, Any] | None:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "tensora_answer", "schema": dict(schema)}}
    if mode == "json_object":
        return {"type": "json_object", "schema": dict(schema)}
    return None


class OpenAIBackend(Backend):
    """OpenAI's API, or any OpenAI-compatible server given with ``--llm-base-url``."""

    name: ClassVar[str] = "openai"
    description: ClassVar[str] = "OpenAI, or any OpenAI-compatible server at --llm-base-url"
    needs_key: ClassVar[bool] = True
    key_env_var: ClassVar[str | None] = "OPENAI_API_KEY"
    default_base_url: ClassVar[str | None] = None
    sdk: ClassVar[tuple[str, str] | None] = ("openai", "llm")

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self._sdk = import_sdk("openai", self.name, "llm")
        base_url = settings.base_url or self.default_base_url
        self._where = base_url or "the OpenAI API"
        self._client = self._sdk.OpenAI(
            api_key=settings.api_key or _NO_KEY,
            base_url=base_url,
            timeout=settings.timeout,
            max_retries=0,
        )
        self._format = 0  # index into _FORMATS of the first format the server may accept

    @classmethod
    def key_required(cls, base_url: str | None) -> bool:
        url = base_url or cls.default_base_url
        if url is None:
            return cls.needs_key
        host = (urlparse(url).hostname or "").lower()
        return host == "openai.com" or host.endswith(".openai.com")

    def close(self) -> None:
        self._client.close()

    def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        response_schema: Mapping[str, Any] | None = None,
        stream: StreamCallback | None = None,
    ) -> Completion:
        while True:
            mode = _FORMATS[self._format] if response_schema is not None else "none"
            request: dict[str, Any] = {
                "model": self.settings.model,
                "messages": [_wire_message(m) for m in messages],
                "temperature": self.settings.temperature,
                "max_tokens": self.settings.max_tokens,
            }
            if tools:
                request["tools"] = [_wire_tool(t) for t in tools]
            if response_schema is not None:
                fmt = _response_format(mode, response_schema)
                if fmt is not None:
                    request["response_format"] = fmt
            try:
                return self._stream(request, stream) if stream is not None else self._once(request)
            except (RequestRejectedError, ServerError) as exc:
                # a server without structured output refuses the field by name (400 or 422; the llama.cpp
                # server of llama-cpp-python says 500): ask again with a plainer format
                refused = any(word in exc.reason for word in ("response_format", "json_schema", "json_object"))
                if mode != "none" and refused and self._format < len(_FORMATS) - 1:
                    self._format += 1
                    continue
                raise

    def _call(self, request: dict[str, Any]) -> Any:
        try:
            return self._client.chat.completions.create(**request)
        except (self._sdk.OpenAIError, ValueError) as exc:  # ValueError: a body that is not JSON
            raise self._translated(exc) from None

    def _translated(self, exc: Exception) -> BackendCallError:
        return translate(exc, self._sdk, self._where) or BadAnswerError(
            f"{self._where} sent an unusable answer ({exc})"
        )

    def _once(self, request: dict[str, Any]) -> Completion:
        resp = self._call(request)
        if not getattr(resp, "choices", None):
            raise BadAnswerError(f"{self._where} sent an answer without choices")
        choice = resp.choices[0]
        msg = choice.message
        calls = [
            ToolCall(c.id or f"call_{i}", c.function.name, c.function.arguments or "{}")
            for i, c in enumerate(getattr(msg, "tool_calls", None) or [])
            if getattr(c, "function", None) is not None
        ]
        return Completion(
            text=msg.content or "",
            tool_calls=calls,
            usage=_usage(getattr(resp, "usage", None)),
            finish_reason=choice.finish_reason or "",
            model=getattr(resp, "model", "") or self.settings.model,
        )

    def _stream(self, request: dict[str, Any], on_text: StreamCallback) -> Completion:
        request = dict(request, stream=True)
        text: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        usage = Usage(requests=1)
        finish, model = "", self.settings.model
        try:
            for chunk in self._call(request):
                if getattr(chunk, "usage", None) is not None:
                    usage = _usage(chunk.usage)
                model = getattr(chunk, "model", None) or model
                for choice in getattr(chunk, "choices", None) or []:
                    delta = choice.delta
                    if delta is not None and delta.content:
                        text.append(delta.content)
                        on_text(delta.content)
                    for part in (getattr(delta, "tool_calls", None) or []) if delta is not None else []:
                        slot = calls.setdefault(part.index or 0, {"id": "", "name": "", "arguments": ""})
                        slot["id"] = part.id or slot["id"]
                        if part.function is not None:
                            slot["name"] += part.function.name or ""
                            slot["arguments"] += part.function.arguments or ""
                    finish = choice.finish_reason or finish
        except (self._sdk.OpenAIError, ValueError) as exc:
            raise self._translated(exc) from None
        return Completion(
            text="".join(text),
            tool_calls=[
                ToolCall(c["id"] or f"call_{i}", c["name"], c["arguments"] or "{}")
                for i, c in sorted(calls.items())
                if c["name"]
            ],
            usage=usage,
            finish_reason=finish,
            model=model,
        )


def _usage(raw: Any) -> Usage:
    if raw is None:
        return Usage(requests=1)
    return Usage(
        input_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
        requests=1,
    )


class OllamaBackend(OpenAIBackend):
    """A local Ollama server (its OpenAI-compatible endpoint)."""

    name: ClassVar[str] = "ollama"
    description: ClassVar[str] = "a local Ollama server (default http://127.0.0.1:11434/v1)"
    needs_key: ClassVar[bool] = False
    key_env_var: ClassVar[str | None] = None
    default_base_url: ClassVar[str | None] = "http://127.0.0.1:11434/v1"

    @classmethod
    def key_required(cls, base_url: str | None) -> bool:
        return False


class LlamaCppBackend(OllamaBackend):
    """A local llama.cpp server (``llama-server`` or ``python -m llama_cpp.server``)."""

    name: ClassVar[str] = "llamacpp"
    description: ClassVar[str] = "a local llama.cpp server (default http://127.0.0.1:8080/v1)"
    default_base_url: ClassVar[str | None] = "http://127.0.0.1:8080/v1"


class VLLMBackend(OllamaBackend):
    """A vLLM server (``vllm serve``)."""

    name: ClassVar[str] = "vllm"
    description: ClassVar[str] = "a vLLM server (default http://127.0.0.1:8000/v1)"
    default_base_url: ClassVar[str | None] = "http://127.0.0.1:8000/v1"


@hookimpl
def register_backends(register: Callable[[type[Backend]], None]) -> None:
    for backend in (OpenAIBackend, OllamaBackend, LlamaCppBackend, VLLMBackend):
        register(backend)

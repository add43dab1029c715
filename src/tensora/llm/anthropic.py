"""The Anthropic backend, through the anthropic SDK (the optional extra ``tensora[anthropic]``).

The Messages API has no ``response_format``; structured output is asked for the way Anthropic documents it:
a tool named ``respond`` whose ``input_schema`` is the answer's schema, forced with ``tool_choice`` when no
other tool is offered. Its input comes back as the completion's text (JSON), never as a tool call. System
messages are joined into the ``system`` parameter, and consecutive tool results go into one user message
as ``tool_result`` blocks (a user note that follows them joins that message as a text block). The temperature
is sent only to SDK versions whose ``messages.create`` takes one. The SDK's own retries are off.

Not covered: extended thinking, prompt caching, images, batches.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from tensora.hookspecs import hookimpl
from tensora.llm._sdk import import_sdk, translate
from tensora.llm.base import Backend, BackendSettings, Completion, Message, StreamCallback, Tool, ToolCall, Usage
from tensora.llm.errors import BackendCallError, BadAnswerError

__all__ = ["AnthropicBackend"]

RESPOND = "respond"


def _arguments(raw: str) -> Any:
    try:
        return json.loads(raw or "{}")
    except json.JSONDecodeError:
        return {}


def wire_messages(messages: Sequence[Message]) -> tuple[str, list[dict[str, Any]]]:
    """The ``system`` text and the Messages API's list (tool results merged into user turns)."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "system":
            continue
        if m.role == "tool":
            block = {"type": "tool_result", "tool_use_id": m.tool_call_id, "content": m.content}
            if out and out[-1]["role"] == "user" and isinstance(out[-1]["content"], list):
                out[-1]["content"].append(block)
            else:
                out.append({"role": "user", "content": [block]})
            continue
        if m.role == "assistant" and m.tool_calls:
            blocks: list[dict[str, Any]] = [{"type": "text", "text": m.content}] if m.content else []
            blocks += [
                {"type": "tool_use", "id": c.id, "name": c.name, "input": _arguments(c.arguments)} for c in m.tool_calls
            ]
            out.append({"role": "assistant", "content": blocks})
            continue
        if m.role == "user" and out and out[-1]["role"] == "user" and isinstance(out[-1]["content"], list):
            # tensora's note after a round of tool results joins their turn: roles must alternate
            out[-1]["content"].append({"type": "text", "text": m.content})
            continue
        out.append({"role": m.role, "content": m.content})
    return system, out


class AnthropicBackend(Backend):
    """Anthropic's Messages API."""

    name: ClassVar[str] = "anthropic"
    description: ClassVar[str] = "Anthropic's Messages API (pip install 'tensora[anthropic]')"
    needs_key: ClassVar[bool] = True
    key_env_var: ClassVar[str | None] = "ANTHROPIC_API_KEY"
    sdk: ClassVar[tuple[str, str] | None] = ("anthropic", "anthropic")

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self._sdk = import_sdk("anthropic", self.name, "anthropic")
        self._where = settings.base_url or "the Anthropic API"
        self._client = self._sdk.Anthropic(
            api_key=settings.api_key,
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=0,
        )
        # the SDK's later versions no longer take a sampling temperature: pass it only where accepted
        self._takes_temperature = "temperature" in inspect.signature(self._client.messages.create).parameters

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
        system, wire = wire_messages(messages)
        specs = [{"name": t.name, "description": t.description, "input_schema": dict(t.parameters)} for t in tools]
        request: dict[str, Any] = {
            "model": self.settings.model,
            "max_tokens": self.settings.max_tokens,
            "messages": wire,
        }
        if self._takes_temperature:
            request["temperature"] = self.settings.temperature
        if system:
            request["system"] = system
        if response_schema is not None:
            specs.append(
                {
                    "name": RESPOND,
                    "description": "Give your final answer: call this once, with the whole answer as its input.",
                    "input_schema": dict(response_schema),
                }
            )
            if not tools:
                request["tool_choice"] = {"type": "tool", "name": RESPOND}
        if specs:
            request["tools"] = specs
        try:
            if stream is not None:
                return self._stream(request, stream)
            return self._once(request)
        except (self._sdk.AnthropicError, ValueError) as exc:  # ValueError: a body that is not JSON
            raise self._translated(exc) from None

    def _translated(self, exc: Exception) -> BackendCallError:
        return translate(exc, self._sdk, self._where) or BadAnswerError(
            f"{self._where} sent an unusable answer ({exc})"
        )

    def _once(self, request: dict[str, Any]) -> Completion:
        resp = self._client.messages.create(**request)
        text: list[str] = []
        calls: list[ToolCall] = []
        for block in resp.content or []:
            kind = getattr(block, "type", "")
            if kind == "text":
                text.append(block.text)
            elif kind == "tool_use":
                args = json.dumps(block.input, ensure_ascii=False)
                if block.name == RESPOND:
                    text = [args]
                else:
                    calls.append(ToolCall(block.id, block.name, args))
        usage = getattr(resp, "usage", None)
        return Completion(
            text="".join(text),
            tool_calls=calls,
            usage=Usage(int(getattr(usage, "input_tokens", 0) or 0), int(getattr(usage, "output_tokens", 0) or 0), 1),
            finish_reason=str(getattr(resp, "stop_reason", "") or ""),
            model=str(getattr(resp, "model", "") or self.settings.model),
        )

    def _stream(self, request: dict[str, Any], on_text: StreamCallback) -> Completion:
        blocks: dict[int, dict[str, str]] = {}
        usage = Usage(requests=1)
        finish, model = "", self.settings.model
        for event in self._client.messages.create(**request, stream=True):
            kind = getattr(event, "type", "")
            if kind == "message_start":
                model = getattr(event.message, "model", model) or model
                usage.input_tokens = int(getattr(event.message.usage, "input_tokens", 0) or 0)
            elif kind == "content_block_start":
                block = event.content_block
                blocks[event.index] = {
                    "type": getattr(block, "type", ""),
                    "id": getattr(block, "id", "") or "",
                    "name": getattr(block, "name", "") or "",
                    "text": getattr(block, "text", "") or "",
                }
            elif kind == "content_block_delta":
                slot = blocks.setdefault(event.index, {"type": "text", "id": "", "name": "", "text": ""})
                delta = event.delta
                piece = getattr(delta, "text", None) or getattr(delta, "partial_json", None) or ""
                slot["text"] += piece
                if piece and (slot["type"] == "text" or slot["name"] == RESPOND):
                    on_text(piece)
            elif kind == "message_delta":
                finish = str(getattr(event.delta, "stop_reason", "") or finish)
                usage.output_tokens = int(getattr(event.usage, "output_tokens", 0) or 0)
        text: list[str] = []
        calls: list[ToolCall] = []
        for _, b in sorted(blocks.items()):
            if b["type"] == "text":
                text.append(b["text"])
            elif b["type"] == "tool_use" and b["name"] == RESPOND:
                text = [b["text"] or "{}"]
            elif b["type"] == "tool_use":
                calls.append(ToolCall(b["id"], b["name"], b["text"] or "{}"))
        return Completion("".join(text), calls, usage, finish, model)


@hookimpl
def register_backends(register: Callable[[type[Backend]], None]) -> None:
    register(AnthropicBackend)

"""Helpers of the LLM tests: the fake backend, canned answers, loopback servers (see conftest.py)."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tensora.llm.base import Backend, BackendSettings, Completion, Message, StreamCallback, Tool, ToolCall, Usage
from tensora.llm.settings import LLMSettings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "sp-chunking"


# ------------------------------------------------------------------------------------------------------------
# canned answers

CANNED: dict[str, Any] = {
    "mirror": (
        "Let me make sure I understand the core claim. You are proposing to change the chunking of sequence "
        "parallelism. Is that the crux?"
    ),
    "novelty_gap": "The audit names the closest prior work; you must say what your mechanism adds to it.",
    "stress_test": "Walk me through the worst case the audit lists; the numbers above are the ones to beat.",
    "twist": "Here is a thought: pair the mechanism with a measured overlap study and it becomes a story.",
    "findings": [],
}


def answer_json(**changes: Any) -> str:
    return json.dumps({**CANNED, **changes})


def settings(**changes: Any) -> LLMSettings:
    # the own reading is a request of its own; tests of the review request leave it out (test_reading has it)
    base: dict[str, Any] = {"provider": "fake", "model": "fake-model", "timeout": 5.0, "retries": 2}
    base["own_reading"] = False
    return LLMSettings(**{**base, **changes})


# ------------------------------------------------------------------------------------------------------------
# the in-process fake backend

Reply = Completion | Exception | Callable[[Sequence[Message], Sequence[Tool]], "Completion"]


@dataclass
class Call:
    messages: list[Message]
    tools: list[Tool]
    schema: dict[str, Any] | None
    streamed: bool


class FakeBackend(Backend):
    """Answers from a list of replies (a ``Completion``, an exception to raise, or a function of the request);
    when the list runs out, with the canned answer. Records every call."""

    name = "fake"
    needs_key = False

    def __init__(self, settings: BackendSettings | None = None, replies: Sequence[Reply] = ()) -> None:
        super().__init__(settings or BackendSettings(model="fake-model"))
        self.replies: deque[Reply] = deque(replies)
        self.calls: list[Call] = []

    def prompt_text(self) -> str:
        return "\n".join(m.content for c in self.calls for m in c.messages)

    def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        response_schema: Any = None,
        stream: StreamCallback | None = None,
    ) -> Completion:
        self.calls.append(Call(list(messages), list(tools), response_schema, stream is not None))
        reply: Reply = self.replies.popleft() if self.replies else text(answer_json())
        if isinstance(reply, Exception):
            raise reply
        if not isinstance(reply, Completion):
            reply = reply(messages, tools)
        if stream is not None and reply.text:
            stream(reply.text)
        return reply


def text(content: str, usage: tuple[int, int] = (100, 20)) -> Completion:
    return Completion(text=content, usage=Usage(usage[0], usage[1], 1), finish_reason="stop", model="fake-model")


def tool_calls(*calls: tuple[str, dict[str, Any]]) -> Completion:
    return Completion(
        tool_calls=[ToolCall(f"call_{i}", name, json.dumps(args)) for i, (name, args) in enumerate(calls)],
        usage=Usage(50, 10, 1),
        finish_reason="tool_calls",
    )


# ------------------------------------------------------------------------------------------------------------
# loopback HTTP servers


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: server-sent events: a list of JSON objects (OpenAI) or (event, JSON) pairs (Anthropic)
    events: list[Any] | None = None
    raw: bytes | None = None


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class LoopbackServer:
    """A scripted HTTP server on 127.0.0.1. ``push`` queues responses; ``responder`` answers when none is
    queued; ``requests`` records what came in."""

    def __init__(self, responder: Callable[[Received], Response]) -> None:
        self.responder = responder
        self.queue: deque[Response] = deque()
        self.requests: list[Received] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    body = {}
                got = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                owner.requests.append(got)
                response = owner.queue.popleft() if owner.queue else owner.responder(got)
                if response.delay:
                    time.sleep(response.delay)
                try:
                    self._send(response)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _send(self, r: Response) -> None:
                if r.events is not None:
                    payload = b"".join(_sse(e) for e in r.events)
                    content_type = "text/event-stream"
                elif r.raw is not None:
                    payload, content_type = r.raw, "application/json"
                else:
                    payload, content_type = json.dumps(r.body).encode(), "application/json"
                self.send_response(r.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for k, v in r.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *responses: Response) -> None:
        self.queue.extend(responses)

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _sse(event: Any) -> bytes:
    if event == "[DONE]":
        return b"data: [DONE]\n\n"
    if isinstance(event, tuple):
        name, data = event
        return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
    return f"data: {json.dumps(event)}\n\n".encode()


def chat_completion(
    content: str | None = None, calls: Sequence[tuple[str, dict[str, Any]]] = (), usage: tuple[int, int] = (120, 30)
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = [
            {"id": f"call_{i}", "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
            for i, (n, a) in enumerate(calls)
        ]
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop", "logprobs": None}
        ],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
    }


def chunk(delta: dict[str, Any], finish: str | None = None, usage: tuple[int, int] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "test-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        out["usage"] = {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}
    return out


def error_body(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": None}}


def openai_responder(received: Received) -> Response:
    """The default: a valid answer, whatever was asked."""
    return Response(body=chat_completion(answer_json()))


def anthropic_message(blocks: list[dict[str, Any]], usage: tuple[int, int] = (200, 40)) -> dict[str, Any]:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": blocks,
        "stop_reason": "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": usage[0], "output_tokens": usage[1]},
    }


def anthropic_responder(received: Received) -> Response:
    answer = json.loads(answer_json())
    return Response(body=anthropic_message([{"type": "tool_use", "id": "toolu_1", "name": "respond", "input": answer}]))

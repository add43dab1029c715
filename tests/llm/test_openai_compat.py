"""The OpenAI-compatible adapter against a scripted server on loopback: answers, tool calls, streaming,
structured output and its fallbacks, and each way a request fails."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

pytest.importorskip("openai")

from tensora.llm.base import Backend, BackendSettings, Message, Tool, ToolCall
from tensora.llm.errors import (
    BadAnswerError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    TimedOutError,
    UnauthorizedError,
    UnreachableError,
)
from tensora.llm.openai_compat import OpenAIBackend
from tensora.llm.retry import RetryPolicy, call_with_retries

from ._support import LoopbackServer, Response, chat_completion, chunk, error_body

MESSAGES = [Message("system", "be brief"), Message("user", "hello")]
TOOL = Tool("pipeline_bubble_fraction", "bubble", {"type": "object", "properties": {"stages": {"type": "integer"}}})
SCHEMA = {"type": "object", "properties": {"mirror": {"type": "string"}}}


_OPEN: list[Backend] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def backend(server: LoopbackServer, **kw: object) -> OpenAIBackend:
    options: dict[str, object] = {"model": "test-model", "base_url": server.url, "api_key": "sk-test", "timeout": 5.0}
    made = OpenAIBackend(BackendSettings(**{**options, **kw}))  # type: ignore[arg-type]
    _OPEN.append(made)
    return made


def test_canned_answer_and_request_shape(openai_server: LoopbackServer) -> None:
    openai_server.push(Response(body=chat_completion("hi there", usage=(11, 3))))
    done = backend(openai_server, temperature=0.3).complete(MESSAGES, tools=[TOOL], response_schema=SCHEMA)
    assert done.text == "hi there"
    assert (done.usage.input_tokens, done.usage.output_tokens, done.usage.requests) == (11, 3, 1)
    got = openai_server.requests[0]
    assert got.path == "/v1/chat/completions"
    assert got.headers["authorization"] == "Bearer sk-test"
    assert got.body["model"] == "test-model" and got.body["temperature"] == 0.3
    assert got.body["messages"] == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}]
    assert got.body["tools"][0]["function"]["name"] == "pipeline_bubble_fraction"
    assert got.body["response_format"]["type"] == "json_schema"
    assert got.body["response_format"]["json_schema"]["schema"] == SCHEMA


def test_tool_calls_come_back_and_results_go_out(openai_server: LoopbackServer) -> None:
    openai_server.push(Response(body=chat_completion(None, [("pipeline_bubble_fraction", {"stages": 8})])))
    b = backend(openai_server)
    done = b.complete(MESSAGES, tools=[TOOL])
    assert done.tool_calls == [ToolCall("call_0", "pipeline_bubble_fraction", '{"stages": 8}')]
    follow = [
        *MESSAGES,
        Message("assistant", "", tuple(done.tool_calls)),
        Message("tool", '{"value": 0.6}', tool_call_id="call_0"),
    ]
    b.complete(follow)
    sent = openai_server.requests[1].body["messages"]
    assert sent[2]["tool_calls"][0]["function"]["arguments"] == '{"stages": 8}'
    assert sent[3] == {"role": "tool", "tool_call_id": "call_0", "content": '{"value": 0.6}'}


def test_a_server_without_json_schema_gets_json_object_then_nothing(openai_server: LoopbackServer) -> None:
    rejected = Response(status=400, body=error_body("response_format json_schema is not supported"))
    openai_server.push(rejected, rejected, Response(body=chat_completion("{}")))
    b = backend(openai_server)
    assert b.complete(MESSAGES, response_schema=SCHEMA).text == "{}"
    formats = [r.body.get("response_format", {}).get("type") for r in openai_server.requests]
    assert formats == ["json_schema", "json_object", None]
    b.complete(MESSAGES, response_schema=SCHEMA)  # remembered: no more 400s
    assert "response_format" not in openai_server.requests[-1].body


def test_streaming_assembles_text_and_tool_calls(openai_server: LoopbackServer) -> None:
    events = [
        chunk({"role": "assistant", "content": "Let me "}),
        chunk({"content": "see."}),
        chunk({"tool_calls": [{"index": 0, "id": "c1", "type": "function", "function": {"name": "mfu"}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"devices"'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": ": 8}"}}]}, finish="tool_calls"),
        chunk({}, usage=(40, 9)),
        "[DONE]",
    ]
    openai_server.push(Response(events=events))
    pieces: list[str] = []
    done = backend(openai_server).complete(MESSAGES, stream=pieces.append)
    assert pieces == ["Let me ", "see."] and done.text == "Let me see."
    assert done.tool_calls == [ToolCall("c1", "mfu", '{"devices": 8}')]
    assert done.finish_reason == "tool_calls" and done.usage.input_tokens == 40
    assert openai_server.requests[0].body["stream"] is True


def test_wrong_key_is_unauthorized(openai_server: LoopbackServer) -> None:
    openai_server.push(Response(status=401, body=error_body("Incorrect API key provided", "invalid_api_key")))
    with pytest.raises(UnauthorizedError, match="refused the API key") as info:
        backend(openai_server).complete(MESSAGES)
    assert info.value.status == 401


def test_429_carries_retry_after_and_is_retried(openai_server: LoopbackServer) -> None:
    limited = Response(status=429, body=error_body("slow down"), headers={"Retry-After": "7"})
    openai_server.push(limited, limited, Response(body=chat_completion("ok")))
    waits: list[float] = []
    b = backend(openai_server)
    done = call_with_retries(lambda: b.complete(MESSAGES), RetryPolicy(retries=3), sleep=waits.append)
    assert done.text == "ok" and waits == [7.0, 7.0]
    assert len(openai_server.requests) == 3


def test_429_with_a_long_retry_after_is_not_waited_for(openai_server: LoopbackServer) -> None:
    openai_server.push(Response(status=429, body=error_body("quota"), headers={"Retry-After": "3600"}))
    waits: list[float] = []
    b = backend(openai_server)
    with pytest.raises(RateLimitedError) as info:
        call_with_retries(lambda: b.complete(MESSAGES), RetryPolicy(retries=3), sleep=waits.append)
    assert info.value.retry_after == 3600.0 and waits == []


def test_500s_back_off_exponentially_then_give_up(openai_server: LoopbackServer) -> None:
    failing = Response(status=500, body=error_body("boom", "server_error"))
    openai_server.push(failing, failing, failing)
    waits: list[float] = []
    b = backend(openai_server)
    with pytest.raises(ServerError, match="500"):
        call_with_retries(lambda: b.complete(MESSAGES), RetryPolicy(retries=2, base_delay=0.5), sleep=waits.append)
    assert waits == [0.5, 1.0] and len(openai_server.requests) == 3


def test_other_4xx_is_not_retried(openai_server: LoopbackServer) -> None:
    openai_server.push(Response(status=404, body=error_body("model 'x' not found")))
    waits: list[float] = []
    b = backend(openai_server)
    with pytest.raises(RequestRejectedError, match="404"):
        call_with_retries(lambda: b.complete(MESSAGES), RetryPolicy(), sleep=waits.append)
    assert waits == []


def test_timeout(openai_server: LoopbackServer) -> None:
    openai_server.push(Response(body=chat_completion("late"), delay=1.0))
    with pytest.raises(TimedOutError, match="within the timeout"):
        backend(openai_server, timeout=0.2).complete(MESSAGES)


def test_server_down_is_unreachable() -> None:
    with socket.socket() as s:  # a port that was free a moment ago and has no listener now
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    b = OpenAIBackend(BackendSettings(model="m", base_url=f"http://127.0.0.1:{port}/v1", timeout=2.0))
    _OPEN.append(b)
    with pytest.raises(UnreachableError, match=f"cannot connect to http://127.0.0.1:{port}/v1"):
        b.complete(MESSAGES)


@pytest.mark.parametrize("raw", [b"this is not json", b'{"id": "x", "choices": []}'])
def test_malformed_response_is_a_bad_answer(openai_server: LoopbackServer, raw: bytes) -> None:
    openai_server.push(Response(raw=raw))
    with pytest.raises((BadAnswerError, ServerError)):
        backend(openai_server).complete(MESSAGES)


def test_no_key_sends_a_placeholder_to_local_servers(openai_server: LoopbackServer) -> None:
    backend(openai_server, api_key=None).complete(MESSAGES)
    assert openai_server.requests[0].headers["authorization"] == "Bearer no-key"
    assert not OpenAIBackend.key_required("http://127.0.0.1:8080/v1")
    assert OpenAIBackend.key_required(None) and OpenAIBackend.key_required("https://api.openai.com/v1")
    assert json.dumps(openai_server.requests[0].body)  # the request was plain JSON

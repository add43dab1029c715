"""The Anthropic adapter against a scripted Messages API on loopback: the forced 'respond' tool as
structured output, tool use, streaming events, and errors."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

pytest.importorskip("anthropic")

from tensora.llm.anthropic import AnthropicBackend, wire_messages
from tensora.llm.base import Backend, BackendSettings, Message, Tool, ToolCall
from tensora.llm.errors import RateLimitedError, UnauthorizedError

from ._support import LoopbackServer, Response, anthropic_message, error_body

MESSAGES = [Message("system", "persona"), Message("user", "review this")]
SCHEMA = {"type": "object", "properties": {"mirror": {"type": "string"}}}
TOOL = Tool("mfu", "model FLOPs utilisation", {"type": "object", "properties": {}})


_OPEN: list[Backend] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def backend(server: LoopbackServer) -> AnthropicBackend:
    url = f"http://127.0.0.1:{server.port}"
    made = AnthropicBackend(BackendSettings(model="claude-test", base_url=url, api_key="sk-ant-test", timeout=5.0))
    _OPEN.append(made)
    return made


def test_structured_answer_through_the_respond_tool(anthropic_server: LoopbackServer) -> None:
    done = backend(anthropic_server).complete(MESSAGES, response_schema=SCHEMA)
    assert json.loads(done.text)["mirror"].startswith("Let me make sure")
    assert (done.usage.input_tokens, done.usage.output_tokens) == (200, 40) and not done.tool_calls
    got = anthropic_server.requests[0]
    assert got.path == "/v1/messages"
    assert "sk-ant-test" in got.headers.get("x-api-key", got.headers.get("authorization", ""))  # by SDK version
    assert got.body["system"] == "persona" and got.body["messages"] == [{"role": "user", "content": "review this"}]
    assert got.body["tool_choice"] == {"type": "tool", "name": "respond"}
    assert got.body["tools"][-1]["input_schema"] == SCHEMA


def test_tool_use_comes_back_as_tool_calls(anthropic_server: LoopbackServer) -> None:
    blocks = [{"type": "text", "text": "Let me compute."}, {"type": "tool_use", "id": "t1", "name": "mfu", "input": {}}]
    anthropic_server.push(Response(body=anthropic_message(blocks)))
    done = backend(anthropic_server).complete(MESSAGES, tools=[TOOL], response_schema=SCHEMA)
    assert done.tool_calls == [ToolCall("t1", "mfu", "{}")] and done.text == "Let me compute."
    assert "tool_choice" not in anthropic_server.requests[0].body


def test_tool_results_are_merged_into_one_user_turn() -> None:
    calls = (ToolCall("a", "mfu", '{"devices": 8}'), ToolCall("b", "mfu", "{}"))
    system, wire = wire_messages(
        [
            *MESSAGES,
            Message("assistant", "", calls),
            Message("tool", "1", tool_call_id="a"),
            Message("tool", "2", tool_call_id="b"),
        ]
    )
    assert system == "persona"
    assert wire[1]["content"][0] == {"type": "tool_use", "id": "a", "name": "mfu", "input": {"devices": 8}}
    assert [b["tool_use_id"] for b in wire[2]["content"]] == ["a", "b"]


def test_streaming_events(anthropic_server: LoopbackServer) -> None:
    events = [
        ("message_start", {"type": "message_start", "message": anthropic_message([], (50, 0)) | {"content": []}}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "tool_use", "id": "r", "name": "respond", "input": {}},
            },
        ),
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": '{"mir'}},
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": 'ror": "x"}'},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                "usage": {"output_tokens": 9},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    anthropic_server.push(Response(events=events))
    pieces: list[str] = []
    done = backend(anthropic_server).complete(MESSAGES, response_schema=SCHEMA, stream=pieces.append)
    assert "".join(pieces) == '{"mirror": "x"}' and done.text == '{"mirror": "x"}'
    assert (done.usage.input_tokens, done.usage.output_tokens) == (50, 9)


def test_errors(anthropic_server: LoopbackServer) -> None:
    anthropic_server.push(
        Response(status=401, body={"type": "error", "error": {"type": "authentication_error", "message": "bad key"}}),
        Response(status=429, body=error_body("slow"), headers={"retry-after": "2"}),
    )
    b = backend(anthropic_server)
    with pytest.raises(UnauthorizedError, match="bad key"):
        b.complete(MESSAGES)
    with pytest.raises(RateLimitedError) as info:
        b.complete(MESSAGES)
    assert info.value.retry_after == 2.0

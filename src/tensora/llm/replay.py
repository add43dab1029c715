"""Record and replay: the model's replies from files, so that any model (or a person) can be put in the loop.

``--llm replay --llm-exchange DIR``: every request tensora would send is written to ``DIR/NNN.request.json``
(messages, tools, the answer's schema) and ``DIR/NNN.request.md`` (the same, readable, with the instructions
for replying). When ``DIR/NNN.reply.json`` exists it is the model's reply; tool calls in it are run by
tensora and the next request is written. When it is missing, ``ReplyMissing`` stops the run (the CLI exits
with code 3 and one line naming the file it waits for). The requests are numbered from 001 on each run and
tensora is deterministic, so rerunning the same command after writing a reply walks the same exchange one
step further. When the last reply needed has been read, ``completion_line`` is the one line the CLI prints on
stderr: how many exchanges were used, from which directory, where the review went, and any reply files left
over (the exit code stays 0).

``--llm PROVIDER:MODEL --llm-exchange DIR`` records instead: the requests are written the same way and the
real model's replies are saved as ``NNN.reply.json``; the directory then replays without the model.

A reply file is one JSON object, either an answer or tool calls::

    {"content": "..."}                    the answer: a string, or the JSON object itself
    {"tool_calls": [{"id": "call_1", "name": "arithmetic", "arguments": {"expression": "40 * 0.4"}}]}

with an optional ``"usage": {"input_tokens": 0, "output_tokens": 0}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tensora.llm.base import Backend, BackendSettings, Completion, Message, StreamCallback, Tool, ToolCall, Usage
from tensora.llm.errors import LLMError

__all__ = [
    "RecordingBackend",
    "ReplayBackend",
    "ReplayError",
    "ReplyMissing",
    "completion_line",
    "reply_instructions",
]


class ReplyMissing(LLMError):
    """The exchange waits for a reply file (exit code 3)."""

    def __init__(self, path: Path, request: Path) -> None:
        self.path = path
        super().__init__(f"waiting for {path}: read {request}, write the reply there, then rerun the command.")


class ReplayError(LLMError):
    """A reply file is malformed, or the exchange directory cannot be used."""


def completion_line(directory: Path, used: int, written_to: str) -> str:
    """The line that ends a replay: every reply it needed was there.

    Example: (Path("ex"), 3, "review.md") -> "replay complete: 3 exchanges used (001-003 in ex); the review
    was written to review.md."
    """
    span = f"{1:03d}-{used:03d}" if used > 1 else f"{used:03d}"
    line = f"replay complete: {used} exchange{'s' if used != 1 else ''} used ({span} in {directory}); "
    line += f"the review was written to {written_to}."
    spare = sorted(p.name for p in directory.glob("*.reply.json") if p.name[:3].isdigit() and int(p.name[:3]) > used)
    if spare:
        line += f" Not needed: {spare[0]}" + (f" and {len(spare) - 1} more." if len(spare) > 1 else ".")
    return line


def _message(m: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"role": m.role, "content": m.content}
    if m.tool_calls:
        out["tool_calls"] = [{"id": c.id, "name": c.name, "arguments": _arguments(c.arguments)} for c in m.tool_calls]
    if m.tool_call_id:
        out["tool_call_id"] = m.tool_call_id
    if m.name:
        out["name"] = m.name
    return out


def _arguments(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def reply_instructions(index: int, directory: Path, tools: Sequence[Tool], schema: Mapping[str, Any] | None) -> str:
    reply = directory / f"{index:03d}.reply.json"
    example_tool = tools[0].name if tools else "arithmetic"
    lines = [
        f"# tensora request {index:03d}",
        "",
        "You are the model in a tensora review. Read the messages below (the system message first: it is your",
        "role, your rules and your budget; then the user message: the documents and the task; then any earlier",
        "tool calls, their results and tensora's note on the rounds left), and reply by writing ONE JSON object to",
        "the file",
        "",
        f"    {reply}",
        "",
        "then rerun the same tensora command. The reply is one of:",
        "",
        "1. **Your answer**, when you are done calling tools:",
        "",
        '       {"content": <answer>}',
        "",
        "   where <answer> is the JSON object the last message asks for"
        + (" (schema below)" if schema else "")
        + ", written either as a JSON object or as a string.",
    ]
    if tools:
        lines += [
            "",
            "2. **Tool calls** (tensora runs them and writes the next request with the results):",
            "",
            '       {"tool_calls": [{"id": "call_1", "name": "' + example_tool + '", "arguments": {...}},',
            '                       {"id": "call_2", "name": "...", "arguments": {...}}]}',
            "",
            "   Each id is yours to choose (unique in the reply); arguments follow the tool's parameters below.",
            "   At most 8 calls per reply (more come back as errors). The system message says how many tool rounds",
            "   you have, and the note after each round's results how many are left; then the answer is due.",
        ]
    else:
        lines += ["", "No tools are offered in this request: reply with your answer (tool calls would be ignored)."]
    lines += [
        "",
        'Optionally add "usage": {"input_tokens": N, "output_tokens": M} to the object.',
        "Do not edit this file or the .request.json: tensora rewrites them on every run.",
    ]
    if tools:
        lines += ["", "## Tools you may call", ""]
        for t in tools:
            props = t.parameters.get("properties", {})
            required = set(t.parameters.get("required", []))
            lines.append(f"### {t.name}")
            lines.append("")
            lines.append(t.description)
            lines.append("")
            for name, spec in props.items():
                kind = spec.get("type", "any")
                if "enum" in spec:
                    kind += " one of " + ", ".join(str(e) for e in spec["enum"])
                need = "required" if name in required else "optional"
                lines.append(f"- `{name}` ({kind}, {need}): {spec.get('description', '')}".rstrip(": "))
            lines.append("")
    if schema:
        lines += ["## The answer's JSON schema", "", "```json", json.dumps(schema, indent=2), "```", ""]
    return "\n".join(lines)


def _render_messages(messages: Sequence[Message]) -> str:
    out = ["## Messages", ""]
    for i, m in enumerate(messages, 1):
        out.append(f"### {i}. {m.role}" + (f" (result of {m.name}, id {m.tool_call_id})" if m.role == "tool" else ""))
        out.append("")
        if m.content:
            out.append(m.content)
            out.append("")
        for c in m.tool_calls:
            out.append(f"- tool call `{c.id}`: {c.name}({c.arguments})")
        if m.tool_calls:
            out.append("")
    return "\n".join(out)


class _Exchange:
    """Writes numbered request files into a directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.index = 0
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ReplayError(f"{directory}: cannot create the exchange directory ({exc.strerror}).") from None

    def write_request(
        self, messages: Sequence[Message], tools: Sequence[Tool], schema: Mapping[str, Any] | None
    ) -> tuple[Path, Path]:
        self.index += 1
        n = f"{self.index:03d}"
        request = {
            "index": self.index,
            "messages": [_message(m) for m in messages],
            "tools": [{"name": t.name, "description": t.description, "parameters": dict(t.parameters)} for t in tools],
            "response_schema": dict(schema) if schema else None,
            "reply_file": f"{n}.reply.json",
        }
        json_path = self.directory / f"{n}.request.json"
        md_path = self.directory / f"{n}.request.md"
        try:
            json_path.write_text(json.dumps(request, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            md = reply_instructions(self.index, self.directory, tools, schema) + "\n" + _render_messages(messages)
            md_path.write_text(md + "\n", encoding="utf-8")
        except OSError as exc:
            raise ReplayError(f"{self.directory}: cannot write the request ({exc.strerror}).") from None
        return md_path, self.directory / f"{n}.reply.json"


def read_reply(path: Path) -> Completion:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReplayError(f"{path}: cannot read ({exc.strerror}).") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReplayError(f"{path}: not valid JSON ({exc}).") from None
    if not isinstance(data, dict) or not ("content" in data or "tool_calls" in data):
        raise ReplayError(f'{path}: a reply is {{"content": ...}} or {{"tool_calls": [...]}}.')
    content = data.get("content", "")
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    calls: list[ToolCall] = []
    raw_calls = data.get("tool_calls") or []
    if not isinstance(raw_calls, list):
        raise ReplayError(f"{path}: tool_calls must be a list.")
    for i, c in enumerate(raw_calls, 1):
        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            raise ReplayError(f'{path}: tool call {i} needs a "name" and "arguments".')
        args = c.get("arguments", {})
        calls.append(
            ToolCall(str(c.get("id") or f"call_{i}"), c["name"], args if isinstance(args, str) else json.dumps(args))
        )
    usage_raw = data["usage"] if isinstance(data.get("usage"), dict) else {}
    usage = Usage(int(usage_raw.get("input_tokens", 0) or 0), int(usage_raw.get("output_tokens", 0) or 0), 1)
    return Completion(text, calls, usage, "tool_calls" if calls else "stop", str(data.get("model", "")))


def completion_json(completion: Completion) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if completion.tool_calls:
        out["tool_calls"] = [
            {"id": c.id, "name": c.name, "arguments": _arguments(c.arguments)} for c in completion.tool_calls
        ]
    if completion.text or not completion.tool_calls:
        out["content"] = completion.text
    out["usage"] = {"input_tokens": completion.usage.input_tokens, "output_tokens": completion.usage.output_tokens}
    if completion.model:
        out["model"] = completion.model
    return out


class ReplayBackend(Backend):
    """Replies from ``NNN.reply.json`` files; stops with ``ReplyMissing`` at the first one not written yet."""

    name = "replay"
    description = "the model's replies from files (--llm-exchange DIR): any model, or a person, in the loop"
    needs_key = False

    def __init__(self, settings: BackendSettings, directory: Path) -> None:
        super().__init__(settings)
        self.exchange = _Exchange(directory)

    def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        response_schema: Mapping[str, Any] | None = None,
        stream: StreamCallback | None = None,
    ) -> Completion:
        request, reply = self.exchange.write_request(messages, tools, response_schema)
        if not reply.exists():
            raise ReplyMissing(reply, request)
        completion = read_reply(reply)
        if stream is not None and completion.text:
            stream(completion.text)
        return completion


class RecordingBackend(Backend):
    """A real backend whose requests and replies are written to the exchange directory as they happen."""

    name = "record"
    needs_key = False

    def __init__(self, inner: Backend, directory: Path) -> None:
        super().__init__(inner.settings)
        self.inner = inner
        self.exchange = _Exchange(directory)

    def close(self) -> None:
        self.inner.close()

    def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Tool] = (),
        response_schema: Mapping[str, Any] | None = None,
        stream: StreamCallback | None = None,
    ) -> Completion:
        _, reply = self.exchange.write_request(messages, tools, response_schema)
        completion = self.inner.complete(messages, tools=tools, response_schema=response_schema, stream=stream)
        try:
            reply.write_text(json.dumps(completion_json(completion), indent=2, ensure_ascii=False) + "\n", "utf-8")
        except OSError as exc:
            raise ReplayError(f"{reply}: cannot write ({exc.strerror}).") from None
        return completion

"""The model's answer: its JSON schema, and a tolerant parser for servers without structured output.

The schema asks for the four parts' prose and any findings the audit missed, with the finding codes as an
enum, so that a server that turns schemas into grammars (llama.cpp, vLLM) cannot even write an unknown code.
It sets no ``maxLength``: llama.cpp expands a string bound into one nested rule per character, and a bound of
a thousand characters crashes its grammar parser; ``max_tokens`` bounds the answer instead. The parser takes
the first JSON object in the text (after stripping code fences), tolerating trailing commas and smart quotes
around keys; anything else is a ``ParseError`` for the repair round.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "PARTS",
    "Answer",
    "ParseError",
    "Reading",
    "corrections_schema",
    "parse",
    "parse_chat",
    "parse_reading",
    "reading_schema",
    "parse_corrections",
    "schema",
]

PARTS = ("mirror", "novelty_gap", "stress_test", "twist")
# what the self-check may correct: the four parts, the findings the model added, and its verdicts' reasons
CORRECTABLE = (*PARTS, "findings", "hypotheses")
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.S)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


class ParseError(ValueError):
    """The answer is not a usable JSON object; the message says why, for the repair prompt."""


@dataclass(slots=True)
class Answer:
    """The model's answer, coerced: missing parts are empty strings, malformed findings are dropped."""

    parts: dict[str, str] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    hypotheses: list[dict[str, Any]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)


def schema(codes: list[str], *, max_findings: int = 3) -> dict[str, Any]:
    prose = {"type": "string"}
    short = {"type": "string"}
    finding = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "enum": list(codes)},
            "severity": {"type": "string", "enum": ["fatal", "major", "minor", "info"]},
            "title": short,
            "message": short,
            "must_solve": short,
            "evidence": {
                "type": "array",
                "maxItems": 2,
                "items": {
                    "type": "object",
                    "properties": {
                        "doc": {"type": "string", "enum": ["proposal", "baseline"]},
                        "page": {"type": "integer"},
                        "quote": short,
                    },
                    "required": ["doc", "page", "quote"],
                },
            },
        },
        "required": ["code", "severity", "title", "message", "must_solve", "evidence"],
    }
    verdict = {
        "type": "object",
        "properties": {
            "code": short,
            "verdict": {"type": "string", "enum": ["confirmed", "rejected", "revised"]},
            "reason": short,
        },
        "required": ["code", "verdict", "reason"],
    }
    citation = {
        "type": "object",
        "properties": {"name": short, "venue": short, "year": {"type": "integer"}},
        "required": ["name", "venue", "year"],
    }
    return {
        "type": "object",
        "properties": {
            **{part: prose for part in PARTS},
            "hypotheses": {"type": "array", "items": verdict},
            "citations": {"type": "array", "items": citation},
            "findings": {"type": "array", "maxItems": max_findings, "items": finding},
        },
        "required": [*PARTS, "hypotheses", "citations", "findings"],
    }


def corrections_schema(grounded: bool = False) -> dict[str, Any]:
    """The self-check's answer: corrections to the draft review; ``grounded``: with the statements about the
    documents and the text each rests on (``grounding``)."""
    text = {"type": "string"}
    item = {
        "type": "object",
        "properties": {
            "part": {"type": "string", "enum": list(CORRECTABLE)},
            "find": text,
            "replace": text,
            "reason": text,
        },
        "required": ["part", "find", "replace", "reason"],
    }
    properties: dict[str, Any] = {"corrections": {"type": "array", "items": item}}
    if grounded:
        statement = {
            "type": "object",
            "properties": {
                "part": text,
                "claim": text,
                "doc": {"type": "string", "enum": ["proposal", "baseline"]},
                "quote": text,
            },
            "required": ["claim", "quote"],
        }
        properties["grounding"] = {"type": "array", "items": statement}
    return {"type": "object", "properties": properties, "required": ["corrections"]}


def reading_schema() -> dict[str, Any]:
    """The own reading's answer: the crux, notes (point and check), prior work, a twist."""
    text = {"type": "string"}
    note = {"type": "object", "properties": {"point": text, "check": text}, "required": ["point", "check"]}
    return {
        "type": "object",
        "properties": {
            "crux": text,
            "notes": {"type": "array", "items": note},
            "prior_work": {"type": "array", "items": text},
            "twist": text,
        },
        "required": ["crux", "notes", "prior_work", "twist"],
    }


@dataclass(slots=True)
class Reading:
    """The model's own reading of the documents, written before it sees tensora's audit."""

    crux: str
    notes: list[tuple[str, str]]  # (point, check)
    prior_work: list[str]
    twist: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "crux": self.crux,
            "notes": [{"point": p, "check": c} for p, c in self.notes],
            "prior_work": self.prior_work,
            "twist": self.twist,
        }


def _line(value: Any, limit: int) -> str:
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def parse_reading(text: str, *, max_notes: int = 12) -> Reading:
    """The own reading in ``text`` (a ``ParseError`` when it holds no JSON object or no note)."""
    if not text.strip():
        raise ParseError("it is empty")
    data = _loads(text)
    if not isinstance(data, dict):
        raise ParseError("it is not a JSON object")
    notes = []
    for item in _objects(data, "notes")[:max_notes]:
        point, check = _line(item.get("point"), 700), _line(item.get("check"), 700)
        if point:
            notes.append((point, check))
    if not notes:
        raise ParseError("it has no notes")
    works = data.get("prior_work")
    prior = [_line(w, 300) for w in works if _line(w, 300)][:8] if isinstance(works, list) else []
    return Reading(_line(data.get("crux"), 700), notes, prior, _line(data.get("twist"), 900))


def _first_object(text: str) -> str:
    """The first balanced ``{...}`` in the text (strings and escapes respected)."""
    start = text.find("{")
    if start < 0:
        raise ParseError("it contains no JSON object")
    depth, in_string, escaped = 0, False, False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    raise ParseError("its JSON object is cut off before the closing brace (answer more briefly)")


def _without_trailing_commas(text: str) -> str:
    """Drop commas before a closing bracket, outside strings."""
    out: list[str] = []
    in_string, escaped = False, False
    i = 0
    while i < len(text):
        ch = text[i]
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif ch == ",":
            m = _TRAILING_COMMA.match(text, i)
            if m is None:
                out.append(ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _loads(text: str) -> Any:
    fenced = _FENCE.search(text)
    if fenced is not None and "{" in fenced.group(1):
        text = fenced.group(1)
    candidate = _first_object(text)
    attempts = [candidate, _without_trailing_commas(candidate)]
    attempts.append(attempts[-1].replace("\u201c", '"').replace("\u201d", '"'))
    error: json.JSONDecodeError | None = None
    for attempt in attempts:
        try:
            return json.loads(attempt)
        except json.JSONDecodeError as exc:
            error = exc
    assert error is not None
    raise ParseError(f"its JSON is malformed ({error.msg} at line {error.lineno}, column {error.colno})")


_STRUCTURED_LINE = re.compile(r"^\s*(?:\||[-*+]\s|\d+[.)]\s|#{1,6}\s|>\s)")


def _prose(value: Any) -> str:
    """A part's text with its paragraphs kept and the spaces inside lines collapsed. A block with Markdown
    structure (a table, a list, a heading) keeps its lines: joined, a table would read as a row of pipes."""
    if not isinstance(value, str):
        return ""
    out = []
    for block in re.split(r"\n\s*\n", value):
        lines = [" ".join(line.split()) for line in block.splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            continue
        if any(_STRUCTURED_LINE.match(line) for line in lines):
            out.append("\n".join(lines))
        else:
            out.append(" ".join(lines))
    return "\n\n".join(out)


def parse(text: str) -> Answer:
    """The answer in ``text``, or a ``ParseError`` saying what is wrong with it."""
    if not text.strip():
        raise ParseError("it is empty")
    data = _loads(text)
    if not isinstance(data, dict):
        raise ParseError("it is not a JSON object")
    parts = {p: _prose(data.get(p)) for p in PARTS}
    if not any(parts.values()):
        raise ParseError(f"it has none of the fields {', '.join(PARTS)}")
    return Answer(parts, _objects(data, "findings"), _objects(data, "hypotheses"), _objects(data, "citations"))


def _objects(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    raw = data.get(key) or []
    return [f for f in raw if isinstance(f, dict)] if isinstance(raw, list) else []


def parse_corrections(text: str) -> list[dict[str, Any]]:
    """The self-check's corrections (a ``ParseError`` when the text holds no JSON object)."""
    if not text.strip():
        raise ParseError("it is empty")
    data = _loads(text)
    if not isinstance(data, dict):
        raise ParseError("it is not a JSON object")
    return _objects(data, "corrections")


def parse_grounding(text: str) -> list[dict[str, Any]]:
    """The statements the self-check grounded (empty when the answer has none or is not JSON)."""
    try:
        data = _loads(text)
    except ParseError:
        return []
    return _objects(data, "grounding") if isinstance(data, dict) else []


def parse_chat(text: str) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """A whiteboard turn: (reply, moves, citations); plain Markdown is taken as the reply with no moves."""
    try:
        data = _loads(text)
    except ParseError:
        return text.strip(), [], []
    if not isinstance(data, dict) or not isinstance(data.get("reply"), str):
        return text.strip(), [], []
    return data["reply"].strip(), _objects(data, "moves"), _objects(data, "citations")

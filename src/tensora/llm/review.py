"""The LLM pass over a finished deterministic review: voice on top, the audit as the backbone.

``enhance`` sends the persona and the evidence pack, lets the model call ``tensora.models`` as tools (at most
``max_tool_rounds`` rounds of at most 8 calls), parses its answer (structured output where the server has it,
else the tolerant parser plus one repair round), validates it, and returns an ``LLMReview``:

- the deterministic findings, untouched, plus the model's extra findings that passed validation
  (``source: "llm"``);
- the Mirror and the Twist in the model's words, its Novelty Gap and Stress Test paragraphs ahead of the
  audit's own, and a closing note with the numbers nobody can trace and the suggestions set aside;
- ``llm`` in the JSON: backend, model, status, usage and cost, tool calls, unverified numbers, rejections.

Any failed request (server down, key refused, 429/5xx after the retries, an answer unusable after repair)
gives the deterministic review back with ``llm.status = "fallback"`` and a one-line ``llm.warning``.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from tensora.audit.findings import Finding, Review
from tensora.audit.registry import RULES
from tensora.extract.claims import Claims
from tensora.llm import answer as answers
from tensora.llm import evidence as evidence_pack
from tensora.llm import prompts, tools
from tensora.llm.base import Backend, Completion, Message, StreamCallback, ToolCall, Usage
from tensora.llm.errors import BackendCallError, BadAnswerError, UnauthorizedError
from tensora.llm.numbers import KnownNumbers
from tensora.llm.pricing import cost_usd
from tensora.llm.retry import RetryPolicy, call_with_retries
from tensora.llm.settings import LLMSettings
from tensora.llm.validate import QuoteIndex, check_findings, unverified_numbers
from tensora.render import markdown
from tensora.render.markdown import Detail
from tensora.render.voice import say

__all__ = ["Conversation", "LLMFinding", "LLMReview", "create_backend", "enhance", "usage_line", "warning_line"]

MAX_CALLS_PER_ROUND = 8


@dataclass(slots=True)
class LLMFinding(Finding):
    """A finding the model added (validated: its code exists, its quotes occur in the documents)."""

    source: str = "llm"

    def to_dict(self) -> dict[str, Any]:
        out = Finding.to_dict(self)
        out["source"] = self.source
        return out


@dataclass(slots=True)
class LLMReview(Review):
    """A review after an LLM pass (or its fallback): ``llm`` says what the model did and what it cost."""

    llm: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = Review.to_dict(self)
        out["llm"] = self.llm
        return out

    @property
    def warning(self) -> str | None:
        value = self.llm.get("warning")
        return str(value) if value else None


def create_backend(settings: LLMSettings) -> Backend:
    from tensora.plugins import backends

    return backends()[settings.provider](settings.backend_settings())


def warning_line(settings: LLMSettings, exc: BackendCallError) -> str:
    advice = ""
    if isinstance(exc, UnauthorizedError):
        from tensora.plugins import backends

        env = backends()[settings.provider].key_env_var
        advice = f" (check {env} or --llm-key-env)" if env else " (check --llm-key-env)"
    return f"LLM {settings.spec} not used: {exc.reason}{advice}; showing the deterministic review."


def usage_block(settings: LLMSettings, usage: Usage) -> dict[str, Any]:
    cost = cost_usd(settings.model, usage, settings.prices)
    return {
        "requests": usage.requests,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
        "cost_usd": round(cost, 6) if cost is not None else "unknown",
    }


def usage_line(block: dict[str, Any], spec: str) -> str:
    cost = block.get("cost_usd", "unknown")
    money = f"${cost:.4f}" if isinstance(cost, int | float) else "cost unknown"
    return (
        f"LLM {spec}: {block.get('requests', 0)} request(s), {block.get('input_tokens', 0):,} input + "
        f"{block.get('output_tokens', 0):,} output tokens, {money}."
    )


class Conversation:
    """Requests to one backend with tools, retries and accounting."""

    def __init__(
        self,
        backend: Backend,
        settings: LLMSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.backend = backend
        self.settings = settings
        self.sleep = sleep
        self.policy = RetryPolicy(retries=settings.retries)
        self.usage = Usage()
        self.tool_log: list[dict[str, Any]] = []
        self.known = KnownNumbers()

    def _complete(
        self, messages: list[Message], offer: list[Any], schema: dict[str, Any] | None, on_text: StreamCallback | None
    ) -> Completion:
        return call_with_retries(
            lambda: self.backend.complete(messages, tools=offer, response_schema=schema, stream=on_text),
            self.policy,
            sleep=self.sleep,
        )

    def _run_tools(self, calls: list[ToolCall]) -> list[Message]:
        out = []
        for i, call in enumerate(calls):
            if i >= MAX_CALLS_PER_ROUND:
                result: dict[str, Any] = {"error": f"at most {MAX_CALLS_PER_ROUND} tool calls per turn"}
            else:
                result = tools.run(call.name, call.arguments)
                if "error" not in result:
                    self.known.add_json({"value": result["value"], "inputs": result["inputs"]})
            self.tool_log.append({"name": call.name, "arguments": call.arguments, "result": result})
            out.append(Message("tool", json.dumps(result), tool_call_id=call.id, name=call.name))
        return out

    def ask(
        self,
        messages: list[Message],
        *,
        schema: dict[str, Any] | None,
        on_text: StreamCallback | None = None,
        use_tools: bool = True,
    ) -> Completion:
        """The model's answer after up to ``max_tool_rounds`` rounds of tool calls (``messages`` grows)."""
        rounds = 0
        while True:
            offer = tools.tool_specs() if use_tools and rounds < self.settings.max_tool_rounds else []
            completion = self._complete(messages, offer, schema, on_text)
            self.usage.add(completion.usage)
            if not (completion.tool_calls and offer):
                return completion
            messages.append(Message("assistant", completion.text, tuple(completion.tool_calls)))
            messages.extend(self._run_tools(completion.tool_calls))
            rounds += 1


# characters per token assumed when fitting the prompt into a small context window (JSON and prose run at
# 2.9 to 4 with common tokenizers, SmolLM2 the lowest; 2.7 leaves room)
_CHARS_PER_TOKEN = 2.7


def _evidence_budget(settings: LLMSettings, system: str, codes: list[str]) -> int | None:
    """Characters the evidence may take so that prompt and answer fit ``context_tokens`` (None: no limit)."""
    if settings.context_tokens is None:
        return None
    fixed = len(system) + len(prompts.review_request("", codes))
    if settings.max_tool_rounds > 0:
        fixed += len(json.dumps([dict(t.parameters) for t in tools.tool_specs()]))
    return max(0, int((settings.context_tokens - settings.max_tokens) * _CHARS_PER_TOKEN) - fixed)


def _as_llm_review(review: Review) -> LLMReview:
    copied = copy.deepcopy(review)
    return LLMReview(**{f.name: getattr(copied, f.name) for f in fields(Review)})


def _insert_after(text: str, heading: str, paragraph: str) -> str:
    marker = heading + "\n\n"
    at = text.find(marker)
    if at < 0 or not paragraph:
        return text
    at += len(marker)
    return text[:at] + paragraph + "\n\n" + text[at:]


def _notes(result: LLMReview) -> str:
    info = result.llm
    lines = [
        "---",
        "",
        f"*The prose of this answer was written by {info['backend']}:{info['model']} from tensora's evidence; "
        "the findings, quotes and computed numbers are tensora's, except those marked as the model's.*",
    ]
    unverified = info.get("unverified_numbers") or []
    if unverified:
        shown = "; ".join(f"{u['number']} (\u201c{u['context']}\u201d)" for u in unverified[:8])
        lines += [
            "",
            f"**Numbers to check:** the model stated {len(unverified)} number(s) found neither in the "
            f"documents, nor in tensora's audit, nor in a tool result: {shown}.",
        ]
    rejected = info.get("rejected") or []
    if rejected:
        shown = "; ".join(f"{r['code']} ({r['reason']})" for r in rejected[:8])
        lines += ["", f"**Set aside:** {len(rejected)} finding(s) the model suggested: {shown}."]
    return "\n".join(lines) + "\n"


def compose(result: LLMReview, parts: dict[str, str], detail: Detail) -> None:
    """Write the texts: the model's Mirror and Twist, its paragraphs ahead of the audit's, the notes."""
    mirror_det, twist_det = markdown.mirror_text(result), markdown.twist_text(result)
    text = markdown.render(result, detail)
    if parts.get("mirror"):
        text = text.replace(mirror_det, parts["mirror"], 1)
    if parts.get("twist"):
        text = text.replace(twist_det, parts["twist"], 1)
    text = _insert_after(text, say("parts.novelty"), parts.get("novelty_gap", ""))
    text = _insert_after(text, say("parts.stress"), parts.get("stress_test", ""))
    result.mirror.text = parts.get("mirror") or mirror_det
    result.twist.text = parts.get("twist") or twist_det
    result.text = text.rstrip() + "\n\n" + _notes(result)


def _parse_with_repair(
    conversation: Conversation,
    messages: list[Message],
    completion: Completion,
    schema: dict[str, Any],
    on_text: StreamCallback | None,
) -> answers.Answer:
    try:
        return answers.parse(completion.text)
    except answers.ParseError as first:
        problem = str(first)
    messages.append(Message("assistant", completion.text[:4000]))
    messages.append(Message("user", prompts.REPAIR.format(problem=problem)))
    again = conversation.ask(messages, schema=schema, on_text=on_text, use_tools=False)
    try:
        return answers.parse(again.text)
    except answers.ParseError as second:
        raise BadAnswerError(f"the model's answer was not usable JSON, even after a repair round ({second})") from None


def enhance(
    review: Review,
    proposal: Claims,
    baseline: Claims,
    settings: LLMSettings,
    *,
    detail: Detail = "default",
    on_text: StreamCallback | None = None,
    backend: Backend | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> LLMReview:
    """The review with the model's voice on top, or the deterministic review with a warning."""
    result = _as_llm_review(review)
    result.llm = {"backend": settings.provider, "model": settings.model, "status": "ok"}
    if settings.base_url:
        result.llm["base_url"] = settings.base_url
    owned = backend is None
    conversation = Conversation(backend or create_backend(settings), settings, sleep=sleep)
    try:
        return _enhance(result, review, proposal, baseline, conversation, detail, on_text)
    finally:
        if owned:
            conversation.backend.close()


def _enhance(
    result: LLMReview,
    review: Review,
    proposal: Claims,
    baseline: Claims,
    conversation: Conversation,
    detail: Detail,
    on_text: StreamCallback | None,
) -> LLMReview:
    settings = conversation.settings
    codes = [c for c in RULES if c != "DOC-HIDDEN-TEXT"]
    schema = answers.schema(codes)
    system = prompts.REVIEW_SYSTEM
    pack = evidence_pack.build(review, proposal, baseline, max_chars=_evidence_budget(settings, system, codes))
    request = prompts.review_request(pack.render(), codes)
    messages = [Message("system", system), Message("user", request)]
    try:
        completion = conversation.ask(messages, schema=schema, on_text=on_text)
        parsed = _parse_with_repair(conversation, messages, completion, schema, on_text)
    except BackendCallError as exc:
        result.llm.update(status="fallback", warning=warning_line(settings, exc))
        result.llm["usage"] = usage_block(settings, conversation.usage)
        return result

    known = pack.known_numbers()
    known.add_json(system)
    known.add_json(review.text)
    for f in review.findings:
        known.add(f.computed.values())
        known.add_json(f.inputs)
        known.add_json([q.text for q in f.evidence])
    known.merge(conversation.known)
    index = QuoteIndex({"proposal": proposal, "baseline": baseline})
    checked = check_findings(parsed.findings, set(review.codes()), index, make=LLMFinding)
    for f in checked.findings:
        known.add_json([q.text for q in f.evidence])
        f.title = f"{f.title} (the model's suggestion)"
    texts = {part: parsed.parts[part] for part in answers.PARTS if parsed.parts.get(part)}
    for f in checked.findings:
        texts[f"finding {f.code}"] = f"{f.title} {f.message} {f.must_solve}"
    result.findings.extend(checked.findings)
    result.findings.sort(key=lambda f: f.severity.rank)
    result.llm.update(
        {
            "usage": usage_block(settings, conversation.usage),
            "parts": {part: parsed.parts.get(part, "") for part in answers.PARTS},
            "tool_calls": conversation.tool_log,
            "unverified_numbers": unverified_numbers(known, texts),
            "rejected": checked.rejected,
        }
    )
    compose(result, parsed.parts, detail)
    return result

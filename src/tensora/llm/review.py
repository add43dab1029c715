"""The LLM pass over a finished deterministic review: the model is the reasoner, tensora its instruments,
memory and guard.

``enhance`` sends the persona and the rules (``prompts``), the visible text of both documents by section with
page numbers (``documents``, planned to fit ``context_tokens`` with nothing cut silently), and tensora's audit
as hypotheses to confirm or reject (``hypotheses``). The model may call tools (``toolbox``: the analytical
models, arithmetic, the sections left out, the knowledge base) for at most ``max_tool_rounds`` rounds of at
most 8 calls; the system message states that budget, and a note after each round's results says how many
rounds are left (and, after the last, that the answer is due). Its answer is parsed (structured output where
the server has it, else the tolerant parser plus one repair round); then a second request, the self-check
(announced in the first system message), has the persona read its draft against the documents, with only
``prompts.SELF_CHECK_TOOLS`` offered, and return corrections, which are applied (a "find" that differs from
the draft only by escaping, quote marks, dashes or spacing still applies). The guard (``guard``) then:

- refuses a review that reads as obeying instructions planted in the draft (praise without a weakness, every
  serious finding rejected): the deterministic review answers, with a warning;
- applies the verdicts: a rejected finding or prior-work candidate leaves the review;
- checks each quote against the visible text (a quote of hidden text is removed), each named prior work
  against the knowledge base, each number against the documents, the audit, the tool results and the
  formulas written out; what cannot be traced is listed in ``llm`` and under the answer.

``llm`` in the JSON: backend, model, status, usage and cost, the documents' plan, hypotheses (verdict and
reason), citations, quotes, self_check, tool calls, unverified numbers, wrong arithmetic, rejected findings.
Any failed request (server down, key refused, 429/5xx after the retries, an answer unusable after repair)
gives the deterministic review back with ``llm.status = "fallback"`` and a one-line ``llm.warning``. A
missing reply in replay (``replay.ReplyMissing``) propagates: the run waits for it.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields
from typing import Any

from tensora.audit.findings import Finding, Review
from tensora.audit.registry import RULES
from tensora.audit.rules.security.doc_hidden_text import INJECTION
from tensora.extract.claims import Claims
from tensora.knowledge.loader import KnowledgeBase, load_knowledge
from tensora.knowledge.schema import PriorWork
from tensora.llm import absence, artifacts, documents, grounding, hypotheses, prompts
from tensora.llm import answer as answers
from tensora.llm.base import Backend, Completion, Message, StreamCallback, ToolCall, Usage
from tensora.llm.documents import ADDRESSED
from tensora.llm.errors import BackendCallError, BadAnswerError, UnauthorizedError
from tensora.llm.guard import NOT_FOUND, NOT_IN_KB, Guard, find_work, obeys_injection
from tensora.llm.numbers import KnownNumbers, numbers_in
from tensora.llm.pricing import cost_usd
from tensora.llm.retry import RetryPolicy, call_with_retries
from tensora.llm.settings import LLMSettings
from tensora.llm.toolbox import Toolbox
from tensora.llm.validate import QuoteIndex, check_findings, locate, normalise
from tensora.render import markdown
from tensora.render.markdown import Detail, place
from tensora.render.voice import say

__all__ = ["Conversation", "LLMFinding", "LLMReview", "create_backend", "enhance", "usage_line", "warning_line"]

MAX_CALLS_PER_ROUND = 8
#: characters the own reading may take in the review request (about 2,000 tokens), kept free when fitting
READING_ROOM = 6000
_HIDDEN = "DOC-HIDDEN-TEXT"


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

    def untraced_line(self) -> str:
        """What the guard could not trace, for stderr: the review itself stays the model's prose."""
        return untraced_summary(self.llm)

    def to_dict(self) -> dict[str, Any]:
        out = Review.to_dict(self)
        out["llm"] = self.llm
        return out

    @property
    def warning(self) -> str | None:
        value = self.llm.get("warning")
        return str(value) if value else None


def create_backend(settings: LLMSettings) -> Backend:
    """The backend of the settings; with an exchange directory, replaying from it or recording into it."""
    from pathlib import Path

    from tensora.llm.replay import RecordingBackend, ReplayBackend

    if settings.provider == "replay":
        return ReplayBackend(settings.backend_settings(), Path(settings.exchange or "."))
    from tensora.plugins import backends

    backend = backends()[settings.provider](settings.backend_settings())
    return RecordingBackend(backend, Path(settings.exchange)) if settings.exchange else backend


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
        toolbox: Toolbox | None = None,
    ) -> None:
        self.backend = backend
        self.settings = settings
        self.sleep = sleep
        self.policy = RetryPolicy(retries=settings.retries)
        self.usage = Usage()
        self.tool_log: list[dict[str, Any]] = []
        self.known = KnownNumbers()
        self.toolbox = toolbox or Toolbox(None, None)

    def _complete(
        self, messages: list[Message], offer: list[Any], schema: dict[str, Any] | None, on_text: StreamCallback | None
    ) -> Completion:
        return call_with_retries(
            lambda: self.backend.complete(messages, tools=offer, response_schema=schema, stream=on_text),
            self.policy,
            sleep=self.sleep,
        )

    def _run_tools(self, calls: list[ToolCall], offered: Collection[str]) -> list[Message]:
        out = []
        for i, call in enumerate(calls):
            if i >= MAX_CALLS_PER_ROUND:
                result: dict[str, Any] = {"error": f"at most {MAX_CALLS_PER_ROUND} tool calls per turn"}
            elif call.name not in offered:
                result = {"error": f"{call.name!r} is not offered in this request; offered: {', '.join(offered)}"}
            else:
                result = self.toolbox.run(call.name, call.arguments)
                if "error" not in result:
                    self.known.add_json({k: v for k, v in result.items() if k not in ("text", "source")})
            self.tool_log.append({"name": call.name, "arguments": call.arguments, "result": result})
            out.append(Message("tool", json.dumps(result, ensure_ascii=False), tool_call_id=call.id, name=call.name))
        return out

    def ask(
        self,
        messages: list[Message],
        *,
        schema: dict[str, Any] | None,
        on_text: StreamCallback | None = None,
        use_tools: bool = True,
        tools: Collection[str] | None = None,
    ) -> Completion:
        """The model's answer after up to ``max_tool_rounds`` rounds of tool calls (``messages`` grows).

        ``tools`` names the tools offered (all of the toolbox's when None). After each round's results a user
        note says how many rounds are left, and after the last one that the answer is due: a model that does
        not know its budget plans its calls badly, and one that calls again after the last round wastes its
        answer."""
        budget = self.settings.max_tool_rounds
        specs = [t for t in self.toolbox.specs() if tools is None or t.name in tools] if use_tools else []
        rounds = 0
        while True:
            offer = specs if rounds < budget else []
            completion = self._complete(messages, offer, schema, on_text)
            self.usage.add(completion.usage)
            if not (completion.tool_calls and offer):
                return completion
            messages.append(Message("assistant", completion.text, tuple(completion.tool_calls)))
            messages.extend(self._run_tools(completion.tool_calls, [t.name for t in offer]))
            rounds += 1
            messages.append(Message("user", prompts.rounds_left(rounds, budget)))


# characters per token assumed when fitting the prompt into a small context window (JSON and prose run at
# 2.9 to 4 with common tokenizers, SmolLM2 the lowest; 2.7 leaves room)
_CHARS_PER_TOKEN = 2.7


def document_budget(settings: LLMSettings, fixed: str, toolbox: Toolbox) -> int | None:
    """Characters the documents may take so that prompt and answer fit ``context_tokens`` (None: no limit)."""
    if settings.context_tokens is None:
        return None
    spent = len(fixed)
    if settings.max_tool_rounds > 0:
        spent += len(json.dumps([[t.name, t.description, dict(t.parameters)] for t in toolbox.specs()]))
    return max(0, int((settings.context_tokens - settings.max_tokens) * _CHARS_PER_TOKEN) - spent)


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


def untraced_summary(info: dict[str, Any]) -> str:
    """One line on the numbers and named works the guard could not trace, or "" when all were traced."""
    works = info.get("citations") or []
    unverified = info.get("unverified_numbers") or []
    unknown = [c for c in works if c.get("status") == NOT_IN_KB or "differs" in c.get("status", "")]
    parts = []
    if unverified:
        parts.append(f"{len(unverified)} number(s) to a document, a tool result or a written formula")
    if unknown:
        parts.append(f"{len(unknown)} named work(s) to its knowledge base")
    quotes = [q for q in info.get("quotes") or [] if q.get("status") == NOT_FOUND]
    if quotes:
        parts.append(f"{len(quotes)} quote(s) to the documents (shown as paraphrase, without quotation marks)")
    if not parts:
        return ""
    return f"could not trace {' or '.join(parts)} (not necessarily wrong; --format json lists them)"


def _enumerated(text: str) -> str:
    """A part written as one run "1) ... 2) ... 3) ..." (models often do), one paragraph per item."""
    pieces = re.split(r"(?<=[.!?)\]*])\s+(?=(\d{1,2})[).]\s)", text)
    if len(pieces) < 3:
        return text
    numbers = [int(n) for n in pieces[1::2]]
    expected = 1 if numbers[0] == 1 else 2  # "1)" may start the run, or the part may open with item 1 bare
    if numbers[:2] != [expected, expected + 1]:
        return text
    out = [pieces[0]]
    for i in range(1, len(pieces) - 1, 2):
        number, body = int(pieces[i]), pieces[i + 1]
        out.append(("\n\n" if number == expected else " ") + body)
        expected += number == expected
    return "".join(out).strip()


_PARTS = (
    ("parts.mirror", "mirror"),
    ("parts.novelty", "novelty_gap"),
    ("parts.stress", "stress_test"),
    ("parts.twist", "twist"),
)


def compose(result: LLMReview, parts: dict[str, str], detail: Detail) -> None:
    """The answer in the model's words: each of the four parts it wrote replaces the audit's own text for that
    part (no template paragraph survives next to the model's, where it could contradict it); a part the model
    left empty keeps the audit's. The findings stay in the JSON, confirmed or added by the model."""
    mirror_det, twist_det = markdown.mirror_text(result), markdown.twist_text(result)
    text = markdown.render(result, detail)
    heads = [(say(key), field) for key, field in _PARTS]
    starts = [text.find(head + "\n") for head, _ in heads]
    if all(s >= 0 for s in starts) and starts == sorted(starts):
        out = [text[: starts[0]].rstrip() + "\n"]
        for i, (head, field) in enumerate(heads):
            body_start = starts[i] + len(head) + 1
            body_end = starts[i + 1] if i + 1 < len(heads) else len(text)
            body = _enumerated((parts.get(field) or "").strip()) or text[body_start:body_end].strip()
            out.append(f"{head}\n\n{body}\n")
        text = "\n".join(out)
    result.mirror.text = parts.get("mirror") or mirror_det
    result.twist.text = parts.get("twist") or twist_det
    result.text = _hidden_text_first(result, text).rstrip() + "\n"


def _hidden_text_first(result: LLMReview, text: str) -> str:
    """Text addressed to reviewers never reaches the model, so the model cannot warn about it: the audit's
    DOC-HIDDEN-TEXT finding opens the Stress Test, in the audit's words, whatever the model wrote."""
    hidden = next((f for f in result.findings if f.code == _HIDDEN), None)
    head = say("parts.stress") + "\n\n"
    at = text.find(head)
    if hidden is None or at < 0:
        return text
    quotes = "; ".join(f"\u201c{q.text[:160]}\u201d ({place(q, result)})" for q in hidden.evidence[:2])
    note = f"**Before anything else: {hidden.title}.** {hidden.message}" + (f" {quotes}." if quotes else "")
    note += f" **{hidden.must_solve}**"
    at += len(head)
    return text[:at] + note + "\n\n" + text[at:]


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
    kb: KnowledgeBase | None = None,
) -> LLMReview:
    """The review with the model as the reasoner, or the deterministic review with a warning.

    Raises ``replay.ReplyMissing`` when replaying and a reply file is not written yet."""
    result = _as_llm_review(review)
    result.llm = {"backend": settings.provider, "model": settings.model, "status": "ok"}
    if settings.base_url:
        result.llm["base_url"] = settings.base_url
    if settings.exchange:
        result.llm["exchange"] = settings.exchange
    owned = backend is None
    conversation = Conversation(backend or create_backend(settings), settings, sleep=sleep)
    try:
        return _enhance(result, review, proposal, baseline, conversation, detail, on_text, kb or load_knowledge())
    finally:
        if owned:
            conversation.backend.close()


def _fallback(result: LLMReview, review: Review, conversation: Conversation, warning: str) -> LLMReview:
    fresh = _as_llm_review(review)
    fresh.llm = {**result.llm, "status": "fallback", "warning": warning}
    fresh.llm["usage"] = usage_block(conversation.settings, conversation.usage)
    return fresh


def _draft_json(parsed: answers.Answer) -> str:
    draft = {
        **{part: parsed.parts.get(part, "") for part in answers.PARTS},
        "findings": parsed.findings,
        "hypotheses": parsed.hypotheses,
        "citations": parsed.citations,
    }
    return json.dumps(draft, indent=2, ensure_ascii=False).replace("</", "<\\/")


_ITEM_FIELDS = {"findings": ("title", "message", "must_solve"), "hypotheses": ("reason",)}


def _correct_items(parsed: answers.Answer, part: str, find: str, replace: str) -> bool:
    """Apply one correction to the first text field of a finding the model added (or of a verdict's reason)
    that holds ``find``."""
    items = parsed.findings if part == "findings" else parsed.hypotheses
    for item in items:
        for key in _ITEM_FIELDS[part]:
            text = item.get(key)
            if not isinstance(text, str):
                continue
            span = locate(find, text)
            if span is not None:
                item[key] = (text[: span[0]] + replace + text[span[1] :]).strip()
                return True
    return False


def _apply_corrections(parsed: answers.Answer, raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply the self-check's corrections to the draft review; one record per correction."""
    records = []
    for c in raw:
        part = c.get("part")
        find = " ".join(str(c.get("find") or "").split())
        replace = " ".join(str(c.get("replace") or "").split())
        reason = " ".join(str(c.get("reason") or "").split())[:600]
        record = {"part": part, "find": find, "replace": replace, "reason": reason, "applied": False}
        text = parsed.parts.get(part, "") if isinstance(part, str) else ""
        span = locate(find, text) if isinstance(part, str) and part in answers.PARTS and find and reason else None
        if span is not None and isinstance(part, str):
            parsed.parts[part] = (text[: span[0]] + replace + text[span[1] :]).strip()
            record["applied"] = True
        elif part in ("findings", "hypotheses") and find and reason and _correct_items(parsed, part, find, replace):
            record["applied"] = True
        elif not reason:
            record["note"] = "no reason given"
        else:
            record["note"] = "text not found in the draft"
        records.append(record)
    return records


def _self_check(
    conversation: Conversation,
    documents_text: str,
    parsed: answers.Answer,
    proposal: Claims | None = None,
    index: QuoteIndex | None = None,
    kb: KnowledgeBase | None = None,
) -> dict[str, Any]:
    """The critical second pass: the persona checks its draft against the documents; corrections applied.

    With ``proposal``, the draft's claims that the document does not state something come with the sentences
    of the document that may state it (``absence.leads``). With ``index``, the statements the model grounds
    are looked up in the documents, and those whose text is not found go back to it once (``grounding``). With
    ``kb``, the knowledge base's record of each work the draft review cites comes along, to check how the review
    describes it."""
    found = absence.leads(parsed.parts, proposal.sentences) if proposal is not None else []
    request = prompts.self_check_request(documents_text, _draft_json(parsed))
    if found:
        request += "\n\n" + absence.render(found)
    works = _cited_works(parsed, kb) if kb is not None else []
    if works:
        request += "\n\n" + grounding.render_works(works)
    messages = [
        Message("system", prompts.self_check_system(conversation.settings.max_tool_rounds)),
        Message("user", request),
    ]
    try:
        completion = conversation.ask(
            messages, schema=answers.corrections_schema(grounded=True), tools=prompts.SELF_CHECK_TOOLS
        )
        raw = answers.parse_corrections(completion.text)
    except BackendCallError as exc:
        return {"status": f"not run: {exc.reason}", "corrections": []}
    except answers.ParseError as exc:
        return {"status": f"unusable answer ({exc}); the draft stands", "corrections": []}
    out: dict[str, Any] = {"status": "ok", "corrections": _apply_corrections(parsed, raw)}
    statements = grounding.check(answers.parse_grounding(completion.text), index) if index is not None else []
    if statements:
        out["grounding"] = grounding.summary(statements)
    if not any(not s.found for s in statements):
        return out
    messages.append(Message("assistant", completion.text))
    messages.append(Message("user", grounding.render(statements)))
    try:
        follow = conversation.ask(messages, schema=answers.corrections_schema(), tools=prompts.SELF_CHECK_TOOLS)
        more = answers.parse_corrections(follow.text)
    except BackendCallError as exc:
        out["grounding"]["status"] = f"follow-up not run: {exc.reason}"
        return out
    except answers.ParseError as exc:
        out["grounding"]["status"] = f"unusable follow-up ({exc}); the review stands"
        return out
    out["grounding"]["status"] = "ok"
    out["grounding"]["corrections"] = _apply_corrections(parsed, more)
    return out


def _cited_works(parsed: answers.Answer, kb: KnowledgeBase) -> list[PriorWork]:
    """The knowledge base's entries for the works the draft review cites, once each, in its order."""
    out: list[PriorWork] = []
    for c in parsed.citations:
        name = c.get("name") if isinstance(c, dict) else None
        work = find_work(kb, name) if isinstance(name, str) else None
        if work is not None and work not in out:
            out.append(work)
    return out


def _own_reading(conversation: Conversation, documents_text: str) -> tuple[answers.Reading | None, dict[str, Any]]:
    """The model's reading of the documents alone, before the audit's hypotheses (no tools)."""
    messages = [Message("system", prompts.reading_system()), Message("user", prompts.reading_request(documents_text))]
    try:
        completion = conversation.ask(messages, schema=answers.reading_schema(), use_tools=False)
        reading = answers.parse_reading(completion.text)
    except answers.ParseError as exc:
        return None, {"status": f"unusable answer ({exc}); the review went on without it"}
    return reading, {"status": "ok", **reading.to_dict()}


def _refused_texts(review: Review, proposal: Claims) -> list[str]:
    """Text the model must never quote: what the draft hides, and visible sentences aimed at reviewers."""
    out = [normalise(q.text) for f in review.findings if f.code == _HIDDEN for q in f.evidence]
    out += [normalise(s.text) for s in proposal.sentences if INJECTION.search(s.text) or ADDRESSED.search(s.text)]
    return [t.strip(" .\u2026\"'") for t in out if t.strip()]


def _enhance(
    result: LLMReview,
    review: Review,
    proposal: Claims,
    baseline: Claims,
    conversation: Conversation,
    detail: Detail,
    on_text: StreamCallback | None,
    kb: KnowledgeBase,
) -> LLMReview:
    settings = conversation.settings
    codes = [c for c in RULES if c != _HIDDEN]
    schema = answers.schema(codes)
    system = prompts.review_system(settings.max_tool_rounds)
    docs = documents.build(proposal, baseline, (review.proposal, review.baseline))
    own = tuple(x for x in (review.system, proposal.title) if x and x != "your approach")
    conversation.toolbox = Toolbox(docs, kb, own)
    # a small context window takes fewer of the draft's numbers as hypotheses, so that documents still fit
    for max_numbers in (hypotheses.MAX_NUMBERS, 6, 0):
        offered = hypotheses.build(review, proposal, max_numbers, baseline=baseline)
        hypotheses_text = hypotheses.render(offered)
        room = "x" * READING_ROOM if settings.own_reading else ""
        fixed = system + prompts.review_request("", hypotheses_text, codes, room)
        budget = document_budget(settings, fixed, conversation.toolbox)
        if budget is None or budget >= 8000:
            break
    plan = documents.plan(docs, budget)
    documents_text = plan.render()
    result.llm["documents"] = plan.to_dict()
    try:
        reading_text = ""
        if settings.own_reading:
            reading, result.llm["reading"] = _own_reading(conversation, documents_text)
            if reading is not None:
                reading_text = prompts.render_reading(reading.crux, reading.notes, reading.prior_work, reading.twist)
                reading_text = reading_text[:READING_ROOM]
        request = prompts.review_request(documents_text, hypotheses_text, codes, reading_text)
        messages = [Message("system", system), Message("user", request)]
        completion = conversation.ask(messages, schema=schema, on_text=on_text)
        parsed = _parse_with_repair(conversation, messages, completion, schema, on_text)
    except BackendCallError as exc:
        return _fallback(result, review, conversation, warning_line(settings, exc))

    index = QuoteIndex({"proposal": proposal, "baseline": baseline})
    self_check = _self_check(conversation, documents_text, parsed, proposal, index, kb)
    serious = {f.code for f in review.findings if f.severity.value in ("fatal", "major") and f.code != _HIDDEN}
    obeyed = obeys_injection(parsed.parts, parsed.hypotheses, serious)
    if obeyed is not None:
        warning = (
            f"LLM {settings.spec} not used: its review was refused because {obeyed}, as a review that follows "
            "instructions planted in a draft would; showing the deterministic review."
        )
        fresh = _fallback(result, review, conversation, warning)
        fresh.llm["refused_parts"] = {part: parsed.parts.get(part, "") for part in answers.PARTS}
        return fresh

    verdicts = hypotheses.apply(result, offered, parsed.hypotheses)

    known = KnownNumbers()
    known.add_json([s.text for s in docs.sections])
    known.add_json([s.pages for s in plan.included])
    known.add_json(system)
    known.add_json(hypotheses_text)
    known.add_json(review.text)
    for f in review.findings:
        known.add(f.computed.values())
        known.add_json(f.inputs)
        known.add_json([q.text for q in f.evidence])
    known.merge(conversation.known)
    guard = Guard(known, index, _refused_texts(review, proposal), kb)

    checked = check_findings(parsed.findings, set(result.codes()), index, make=LLMFinding)
    for f in checked.findings:
        known.add_json([q.text for q in f.evidence])
        f.title = f"{f.title} (the model's suggestion)"
    # sentences that answer a hypothesis in the prose ("drop the candidate twist") speak of the review's making
    clean, scrubbed = artifacts.scrub({part: parsed.parts[part] for part in answers.PARTS if parsed.parts.get(part)})
    parts, quotes = guard.check_quotes({part: text for part, text in clean.items() if text})
    citations = guard.check_citations(parsed.citations, parts)
    texts = dict(parts)
    for f in checked.findings:
        texts[f"finding {f.code}"] = f"{f.title} {f.message} {f.must_solve}"
    unverified, wrong = guard.check_numbers(texts)
    result.findings.extend(checked.findings)
    result.findings.sort(key=lambda f: f.severity.rank)
    result.llm.update(
        {
            "usage": usage_block(settings, conversation.usage),
            "parts": {part: parts.get(part, "") for part in answers.PARTS},
            "hypotheses": verdicts,
            "citations": citations,
            "quotes": quotes,
            "self_check": self_check,
            "scrubbed": [{"part": x.part, "sentence": x.sentence} for x in scrubbed],
            "tool_calls": conversation.tool_log,
            "numbers_checked": {"total": sum(1 for text in texts.values() for _ in numbers_in(text))},
            "unverified_numbers": unverified,
            "arithmetic": wrong,
            "rejected": checked.rejected,
        }
    )
    compose(result, parts, detail)
    return result

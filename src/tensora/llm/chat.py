"""The whiteboard's skeptic with a model as the reasoner: ``tensora chat --llm PROVIDER:MODEL``.

Each turn the model gets the persona and the rules, the visible text of both documents (planned as in a
review), the session so far, the student's answer inside ``<answer>`` tags, and what tensora's deterministic
re-audit says changed (as hypotheses), with the same tools as a review (models, arithmetic, sections, the
knowledge base). It answers ``{"reply", "moves", "citations"}``: a finding moves (open, resolved, new) only
with a reason; a move without one is ignored and said so under the reply. Numbers in the reply that nothing
supports, quotes not in the visible text and prior work not in the knowledge base are listed under it. The
deterministic turn from ``tensora.whiteboard.voice`` is the fallback: for an empty reply, and for the rest of
the session once a request fails (one warning, through ``on_warning``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tensora.audit.registry import RULES
from tensora.knowledge.loader import load_knowledge
from tensora.llm import answer as answers
from tensora.llm import documents, prompts
from tensora.llm.base import Backend, Message, StreamCallback
from tensora.llm.errors import BackendCallError
from tensora.llm.guard import NOT_IN_KB, Guard
from tensora.llm.numbers import KnownNumbers
from tensora.llm.review import Conversation, create_backend, document_budget, usage_block, warning_line
from tensora.llm.settings import LLMSettings
from tensora.llm.toolbox import Toolbox
from tensora.llm.validate import QuoteIndex
from tensora.whiteboard import voice

if TYPE_CHECKING:
    from tensora.whiteboard.session import Update, Whiteboard

__all__ = ["LLMSpeaker"]

_STATUSES = {"open", "resolved", "new"}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class LLMSpeaker:
    """Writes the skeptic's turns with an LLM; ``voice`` when it cannot."""

    def __init__(
        self,
        settings: LLMSettings,
        *,
        backend: Backend | None = None,
        on_warning: Callable[[str], None] | None = None,
        on_text: StreamCallback | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.conversation = Conversation(backend or create_backend(settings), settings, sleep=sleep)
        self.on_warning = on_warning
        self.on_text = on_text
        self.failed: str | None = None
        #: the session so far: (who, text) per turn
        self.history: list[tuple[str, str]] = []
        #: every move the model asked for, with its reason and whether it was applied
        self.moves: list[dict[str, Any]] = []

    def opening(self, board: Whiteboard) -> str:
        return self._speak(board, voice.opening(board), "(the session starts: no answer yet; open it)")

    def follow_up(self, answer: str, update: Update, board: Whiteboard) -> str:
        return self._speak(board, voice.follow_up(update, board), answer)

    def close(self) -> None:
        self.conversation.backend.close()

    def usage(self) -> dict[str, object]:
        return usage_block(self.settings, self.conversation.usage)

    def _session(self) -> str:
        if not self.history:
            return "(no turns yet)"
        return "\n\n".join(f"[{who}] {_escape(text)}" for who, text in self.history[-12:])

    def _ledger(self, board: Whiteboard) -> str:
        rows = [f"- {code}: {t.status} ({t.finding.title})" for code, t in board.ledger.items()]
        return "Findings and their status:\n" + ("\n".join(rows) or "(none)")

    def _speak(self, board: Whiteboard, deterministic: str, answer: str) -> str:
        if self.failed is not None:
            self._remember(answer, deterministic)
            return deterministic
        kb = board.kb or load_knowledge()
        docs = documents.build(board.claims, board.baseline, board.names)
        self.conversation.toolbox = Toolbox(docs, kb, (board.claims.title,))
        update = f"{self._ledger(board)}\n\nThe deterministic follow-up:\n{deterministic}"
        system = prompts.chat_system(self.settings.max_tool_rounds)
        fixed = system + prompts.chat_turn("", self._session(), answer, update)
        plan = documents.plan(docs, document_budget(self.settings, fixed, self.conversation.toolbox))
        messages = [
            Message("system", system),
            Message("user", prompts.chat_turn(plan.render(), self._session(), _escape(answer), _escape(update))),
        ]
        try:
            completion = self.conversation.ask(messages, schema=None, on_text=self.on_text)
        except BackendCallError as exc:
            self.failed = warning_line(self.settings, exc).replace("deterministic review", "deterministic turns")
            if self.on_warning is not None:
                self.on_warning(self.failed)
            self._remember(answer, deterministic)
            return deterministic
        reply, moves, citations = answers.parse_chat(completion.text)
        if not reply:
            self._remember(answer, deterministic)
            return deterministic
        notes = self._apply_moves(board, moves)
        known = KnownNumbers()
        known.add_json([s.text for s in docs.sections])
        known.add_json(system)
        known.add_json(deterministic)
        known.add_json(answer)
        for text in (t for _, t in self.history):
            known.add_json(text)
        known.merge(self.conversation.known)
        guard = Guard(known, QuoteIndex({"proposal": board.claims, "baseline": board.baseline}), [], kb)
        checked, quotes = guard.check_quotes({"reply": reply})
        reply = checked["reply"]
        unverified, wrong = guard.check_numbers({"reply": reply})
        works = [c for c in guard.check_citations(citations, {"reply": reply}) if c.get("status") == NOT_IN_KB]
        if unverified:
            shown = "; ".join(u["number"] for u in unverified[:8])
            notes.append(f"Numbers to check (in neither the documents, the audit nor a tool result): {shown}.")
        if wrong:
            notes.append("Arithmetic that does not hold: " + "; ".join(w["formula"] for w in wrong[:4]) + ".")
        bad_quotes = [q for q in quotes if q["status"] != "verified"]
        if bad_quotes:
            notes.append("Quotes not verified: " + "; ".join(f"{q['quote'][:60]} ({q['status']})" for q in bad_quotes))
        if works:
            notes.append("Not in tensora's knowledge base: " + ", ".join(c["name"] for c in works) + ".")
        text = reply + ("\n\n" + "\n".join(f"*{n}*" for n in notes) if notes else "")
        self._remember(answer, text)
        return text

    def _remember(self, answer: str, reply: str) -> None:
        if not answer.startswith("(the session starts"):
            self.history.append(("student", answer))
        self.history.append(("skeptic", reply))

    def _apply_moves(self, board: Whiteboard, moves: list[dict[str, Any]]) -> list[str]:
        notes: list[str] = []
        for m in moves:
            code = str(m.get("code") or "").strip().upper()
            to = str(m.get("to") or "").strip().lower()
            reason = " ".join(str(m.get("reason") or "").split())
            record: dict[str, Any] = {"code": code, "to": to, "reason": reason, "applied": False}
            self.moves.append(record)
            if to not in _STATUSES or code not in RULES:
                continue
            if not reason:
                notes.append(f"A move of {code} to {to} was ignored: it gave no reason.")
                continue
            tracked = board.ledger.get(code)
            if to in ("open", "resolved") and tracked is not None:
                tracked.status = to  # type: ignore[assignment]
                record["applied"] = True
                notes.append(f"**{code}** -> {to}: {reason}")
            elif to == "new":
                record["applied"] = tracked is None
                notes.append(f"New concern **{code}**: {reason}")
        return notes

"""The whiteboard's skeptic with an LLM's voice: ``tensora chat --llm PROVIDER:MODEL``.

Each turn the model gets the same grounding as a review (the persona, the evidence pack of the claims so far
and the latest audit) plus the student's answer inside ``<answer>`` tags and what the deterministic follow-up
says changed. Its reply is the skeptic's turn; numbers in it that nothing supports are listed under it. The
deterministic turn from ``tensora.whiteboard.voice`` is the fallback: for an empty reply, and for the rest of
the session once a request fails (one warning, through ``on_warning``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from tensora.llm import evidence as evidence_pack
from tensora.llm import prompts
from tensora.llm.base import Backend, Message, StreamCallback
from tensora.llm.errors import BackendCallError
from tensora.llm.review import Conversation, create_backend, usage_block, warning_line
from tensora.llm.settings import LLMSettings
from tensora.whiteboard import voice

if TYPE_CHECKING:
    from tensora.whiteboard.session import Update, Whiteboard

__all__ = ["LLMSpeaker"]


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

    def opening(self, board: Whiteboard) -> str:
        return self._speak(board, voice.opening(board), "(the session starts: no answer yet; open it)")

    def follow_up(self, answer: str, update: Update, board: Whiteboard) -> str:
        return self._speak(board, voice.follow_up(update, board), answer)

    def close(self) -> None:
        self.conversation.backend.close()

    def usage(self) -> dict[str, object]:
        return usage_block(self.settings, self.conversation.usage)

    def _speak(self, board: Whiteboard, deterministic: str, answer: str) -> str:
        if self.failed is not None:
            return deterministic
        pack = evidence_pack.build(board.review, board.claims, board.baseline)
        messages = [
            Message("system", prompts.CHAT_SYSTEM),
            Message("user", prompts.chat_turn(pack.render(), _escape(answer), _escape(deterministic))),
        ]
        try:
            completion = self.conversation.ask(messages, schema=None, on_text=self.on_text)
        except BackendCallError as exc:
            self.failed = warning_line(self.settings, exc).replace("deterministic review", "deterministic turns")
            if self.on_warning is not None:
                self.on_warning(self.failed)
            return deterministic
        text = completion.text.strip()
        if not text:
            return deterministic
        known = pack.known_numbers()
        known.add_json(prompts.CHAT_SYSTEM)
        known.add_json(deterministic)
        known.add_json(answer)
        known.merge(self.conversation.known)
        unverified = known.unverified(text)
        if unverified:
            shown = "; ".join(s.text for s in unverified[:8])
            text += f"\n\n*Numbers to check (in neither the evidence, the audit nor a tool result): {shown}.*"
        return text

"""A persisted whiteboard session: a ``Whiteboard`` whose every turn is committed to a ``SessionStore``.

``start`` audits the draft, records the session and commits the skeptic's opening turn. ``answer`` commits the
student's turn, re-runs the audit on the merged claims, and commits the skeptic's follow-up with its findings
snapshot: two transactions, so a process killed in between keeps the answer, and ``resume`` writes the missing
follow-up. ``resume`` re-reads both documents (saying so when one changed since the session began) and
replays the stored student turns in order; it writes nothing for the turns it replays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tensora.errors import DocumentNotFoundError
from tensora.knowledge.loader import KnowledgeBase
from tensora.whiteboard import voice
from tensora.whiteboard.session import Update, Whiteboard, sha256_of
from tensora.whiteboard.store import SessionRecord, SessionStore


def _checked(path: Path) -> Path:
    if not path.is_file():
        what = "is a folder, not a document" if path.is_dir() else "no such file"
        raise DocumentNotFoundError(path, what, "check the path.")
    return path


class Speaker(Protocol):
    """Writes the skeptic's turns in place of ``voice`` (an LLM: ``tensora.llm.chat.LLMSpeaker``)."""

    def opening(self, board: Whiteboard) -> str: ...

    def follow_up(self, answer: str, update: Update, board: Whiteboard) -> str: ...


@dataclass(slots=True)
class ChatSession:
    store: SessionStore
    record: SessionRecord
    board: Whiteboard
    #: one-line notices for the user (a document that changed since the session began)
    notices: list[str] = field(default_factory=list)
    #: the skeptic's voice when not the deterministic one
    speaker: Speaker | None = None

    @property
    def id(self) -> str:
        return self.record.id

    @classmethod
    def start(
        cls, store: SessionStore, proposal: Path, baseline: Path, kb: KnowledgeBase, speaker: Speaker | None = None
    ) -> ChatSession:
        """Audit the draft, record a new session and commit the opening question."""
        proposal, baseline = _checked(proposal.expanduser()), _checked(baseline.expanduser())
        board = Whiteboard.from_files(proposal, baseline, kb)  # documents first: a bad one records nothing
        record = store.create_session(
            str(proposal.resolve()), str(baseline.resolve()), sha256_of(proposal), sha256_of(baseline)
        )
        opening = speaker.opening(board) if speaker is not None else voice.opening(board)
        store.add_turn(record.id, "skeptic", opening, board.snapshot())
        return cls(store, record, board, speaker=speaker)

    @classmethod
    def resume(cls, store: SessionStore, session_id: str, kb: KnowledgeBase) -> ChatSession:
        """Rebuild a session from its documents and its stored student turns."""
        record = store.get(session_id)
        proposal = _checked(Path(record.proposal_path))
        baseline = _checked(Path(record.baseline_path))
        notices = []
        for role, path, digest in (
            ("proposal", proposal, record.proposal_sha256),
            ("baseline", baseline, record.baseline_sha256),
        ):
            if sha256_of(path) != digest:
                notices.append(
                    f"{path}: the {role} changed since session {record.id} began; re-auditing the current text."
                )
        board = Whiteboard.from_files(proposal, baseline, kb)
        turns = store.turns(record.id)
        update = None
        for turn in turns:
            if turn.role == "student":
                update = board.answer(turn.text)
        if not turns:  # killed before the opening question was committed
            store.add_turn(record.id, "skeptic", voice.opening(board), board.snapshot())
        elif turns[-1].role == "student" and update is not None:
            # killed after the answer was committed and before the follow-up was: write the follow-up now
            store.add_turn(record.id, "skeptic", voice.follow_up(update, board), board.snapshot())
        return cls(store, record, board, notices)

    def answer(self, text: str) -> str:
        """Record the student's answer, re-audit, record and return the skeptic's follow-up."""
        self.store.add_turn(self.record.id, "student", text)
        update = self.board.answer(text)
        if self.speaker is not None:
            reply = self.speaker.follow_up(text, update, self.board)
        else:
            reply = voice.follow_up(update, self.board)
        self.store.add_turn(self.record.id, "skeptic", reply, self.board.snapshot())
        return reply

    def last_skeptic_text(self) -> str:
        for turn in reversed(self.store.turns(self.record.id)):
            if turn.role == "skeptic":
                return turn.text
        return ""

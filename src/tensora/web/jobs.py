"""The web app's workbench: reviews and whiteboard turns run on worker threads, off the request path.

A request only stores its uploads and enqueues a ``Job``; a pool of worker threads reads the documents, builds
the ``Whiteboard`` (``tensora.whiteboard.session``), records the session in the ``SessionStore`` exactly as
``ChatSession.start`` does (opening question and findings snapshot), and renders the HTML report
(``tensora.render.html``). An answer is one ``ChatSession.answer`` on the live session (rebuilt with
``ChatSession.resume`` when the server restarted or evicted it). The page polls a job's ``Progress``.

Each upload pair lives in its own folder under ``uploads/`` (a random name), with the rendered report; deleting
the session deletes the folder. SQLite connections are per thread (``sqlite3`` refuses to share one), and one
lock per session serialises its turns. No judgment here: every finding, status and sentence comes from the
library.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import tensora
from tensora.audit.base import HiddenText
from tensora.errors import InputError, SessionError, TensoraError
from tensora.extract.claims import extract_claims
from tensora.ingest import Limits, load_document
from tensora.knowledge.loader import KnowledgeBase, load_knowledge
from tensora.render import html as render_html
from tensora.render import markdown
from tensora.web.uploads import Upload, user_message
from tensora.whiteboard import voice
from tensora.whiteboard.chat import ChatSession
from tensora.whiteboard.session import Whiteboard
from tensora.whiteboard.store import SessionRecord, SessionStore

log = logging.getLogger("tensora.web")

State = Literal["queued", "running", "done", "failed"]
SESSION_ID = re.compile(r"^[0-9a-f]{8,32}$")
_NAMES = "names.json"
_REPORT = "report.html"


class NotFound(TensoraError):
    """A session or job id that the server does not know."""


@dataclass(slots=True)
class Job:
    """One unit of background work and what the progress page shows of it."""

    id: str
    kind: str
    created: float
    state: State = "queued"
    step: str = "Waiting for a worker"
    done_steps: int = 0
    total_steps: int = 1
    error: str = ""
    session_id: str = ""
    finished: float = 0.0

    def progress(self, position: int) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "step": self.step,
            "done": self.done_steps,
            "total": self.total_steps,
            "position": position,
            "error": self.error,
            "next": f"/sessions/{self.session_id}" if self.state == "done" and self.session_id else "",
        }


@dataclass(slots=True)
class SessionView:
    """What the pages show of a stored session."""

    record: SessionRecord
    turns: int
    proposal: str
    baseline: str
    web: bool


@dataclass
class Workbench:
    """Owns the worker threads, the jobs, the live sessions and the upload folders."""

    db_path: Path
    root: Path
    limits: Limits = field(default_factory=Limits)
    workers: int = 2
    live_cap: int = 32
    _jobs: dict[str, Job] = field(default_factory=dict, init=False)
    _live: OrderedDict[str, ChatSession] = field(default_factory=OrderedDict, init=False)
    _session_locks: dict[str, threading.Lock] = field(default_factory=dict, init=False)
    _reports: OrderedDict[str, str] = field(default_factory=OrderedDict, init=False)
    _pending: set[str] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.uploads = self.root / "uploads"
        self.uploads.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=max(1, self.workers), thread_name_prefix="tensora-review")
        self._drawing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tensora-report")
        self._kb: KnowledgeBase | None = None
        self.store()  # opens (and migrates) the database now, so a bad --session-db fails at start

    # plumbing ---------------------------------------------------------------------------------------------
    def store(self) -> SessionStore:
        """This thread's connection to the session database."""
        store: SessionStore | None = getattr(self._local, "store", None)
        if store is None:
            store = SessionStore(self.db_path)
            self._local.store = store
        return store

    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            self._kb = load_knowledge()
        return self._kb

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._drawing.shutdown(wait=True)  # reports under way are finished and kept

    def new_folder(self) -> Path:
        folder = self.uploads / secrets.token_hex(8)
        folder.mkdir(mode=0o700)
        return folder

    def _session_lock(self, session_id: str) -> threading.Lock:
        with self._lock:
            return self._session_locks.setdefault(session_id, threading.Lock())

    def _own_folder(self, record: SessionRecord) -> Path | None:
        """The upload folder of a session started here (None for one started from the command line)."""
        folder = Path(record.proposal_path).parent
        try:
            inside = folder.resolve().parent == self.uploads.resolve()
        except OSError:
            return None
        return folder if inside else None

    # jobs -------------------------------------------------------------------------------------------------
    def _submit(self, kind: str, total: int, work: Callable[[Job], None]) -> Job:
        job = Job(secrets.token_hex(8), kind, time.time(), total_steps=total)
        with self._lock:
            self._prune()
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def _prune(self) -> None:
        if len(self._jobs) < 2000:
            return
        cutoff = time.time() - 600
        for key in [k for k, j in self._jobs.items() if j.finished and j.finished < cutoff]:
            del self._jobs[key]

    def _run(self, job: Job, work: Callable[[Job], None]) -> None:
        job.state = "running"
        try:
            work(job)
        except TensoraError as exc:
            job.error = str(exc)
            job.state = "failed"
        except Exception:  # a bug in tensora: the page says so in one line, the log keeps the traceback
            log.exception("job %s (%s) failed", job.id, job.kind)
            job.error = "tensora could not finish this job because of an internal error; the server log has details."
            job.state = "failed"
        else:
            job.state = "done"
            job.step = "Done"
            job.done_steps = job.total_steps
        finally:
            job.finished = time.time()

    def job(self, job_id: str) -> tuple[Job, int]:
        """The job and the number of queued jobs ahead of it."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise NotFound("this job is unknown to the server (it restarted, or the link is wrong).")
            ahead = sum(1 for j in self._jobs.values() if j.state == "queued" and j.created < job.created)
        return job, ahead if job.state == "queued" else 0

    # reviews ----------------------------------------------------------------------------------------------
    def submit_review(self, folder: Path, draft: Upload, baseline: Upload) -> Job:
        (folder / _NAMES).write_text(json.dumps({"proposal": draft.display, "baseline": baseline.display}))
        return self._submit("review", 4, lambda job: self._review(job, folder, draft, baseline))

    def _review(self, job: Job, folder: Path, draft: Upload, baseline: Upload) -> None:
        names = {str(draft.path): draft.display, str(baseline.path): baseline.display}
        record: SessionRecord | None = None
        try:
            kb = self.kb()
            job.step, job.done_steps = "Reading the draft", 0
            try:
                document = load_document(draft.path, limits=self.limits)
                prop = extract_claims(document, "proposal", kb)
                job.step, job.done_steps = "Reading the baseline", 1
                base = extract_claims(load_document(baseline.path, limits=self.limits), "baseline", kb, numbers=False)
            except InputError as exc:
                raise TensoraError(user_message(exc, names)) from None
            job.step, job.done_steps = "Auditing the draft", 2
            board = Whiteboard(prop, base, kb, (draft.display, baseline.display), HiddenText.of(document))
            job.step, job.done_steps = "Saving the session", 3
            store = self.store()
            record = store.create_session(str(draft.path), str(baseline.path), _sha(draft.path), _sha(baseline.path))
            store.add_turn(record.id, "skeptic", voice.opening(board), board.snapshot())
            chat = ChatSession(store, record, board)
            self._keep(chat)
            job.session_id = record.id
            # the whiteboard is ready now; the report (plots take most of a second) is drawn right after
            with self._lock:
                self._pending.add(record.id)
            self._drawing.submit(self._draw, chat, (draft.display, baseline.display))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            if record is not None:  # a session whose report failed is not kept without its documents
                self.store().delete(record.id)
            raise

    @staticmethod
    def refuse_same(draft: Upload, baseline: Upload) -> None:
        if _sha(draft.path) == _sha(baseline.path):
            raise TensoraError(
                f"{draft.display}: is the same document as the baseline ({baseline.display}); "
                "upload the paper the draft improves on as the baseline."
            )

    # sessions ---------------------------------------------------------------------------------------------
    def _keep(self, chat: ChatSession) -> None:
        with self._lock:
            self._live[chat.id] = chat
            self._live.move_to_end(chat.id)
            while len(self._live) > self.live_cap:
                self._live.popitem(last=False)

    def record(self, session_id: str) -> SessionRecord:
        if not SESSION_ID.match(session_id):
            raise NotFound(f"no session '{session_id[:40]}'; pick one from the list of sessions.")
        try:
            record = self.store().get(session_id)
        except SessionError:
            raise NotFound(f"no session '{session_id}'; it was deleted, or the link is wrong.") from None
        if record.id != session_id:
            raise NotFound(f"no session '{session_id}'; pick one from the list of sessions.")
        return record

    def names(self, record: SessionRecord) -> tuple[str, str]:
        folder = self._own_folder(record)
        if folder is not None:
            try:
                data = json.loads((folder / _NAMES).read_text(encoding="utf-8"))
                return str(data["proposal"]), str(data["baseline"])
            except (OSError, ValueError, KeyError, TypeError):
                pass
        return Path(record.proposal_path).name, Path(record.baseline_path).name

    def sessions(self) -> list[SessionView]:
        """Every stored session, newest first."""
        out = []
        for record, turns in reversed(self.store().sessions()):
            proposal, baseline = self.names(record)
            out.append(SessionView(record, turns, proposal, baseline, self._own_folder(record) is not None))
        return out

    def _live_chat(self, record: SessionRecord, job: Job | None = None) -> ChatSession:
        with self._lock:
            chat = self._live.get(record.id)
        if chat is None:
            if job is not None:
                job.step = "Re-reading the documents"
            names = self.names(record)
            try:
                chat = ChatSession.resume(self.store(), record.id, self.kb())
            except InputError as exc:
                raise TensoraError(
                    user_message(exc, {record.proposal_path: names[0], record.baseline_path: names[1]})
                ) from None
            chat.board.names = names
            self._write_report(chat, names)
            self._keep(chat)
        chat.store = self.store()  # sqlite3 connections belong to one thread
        return chat

    def submit_reopen(self, session_id: str) -> Job:
        record = self.record(session_id)

        def work(job: Job) -> None:
            with self._session_lock(record.id):
                self._live_chat(record, job)
            job.session_id = record.id

        return self._submit("reopen", 2, work)

    def submit_answer(self, session_id: str, text: str, about: str = "") -> Job:
        record = self.record(session_id)
        text = text.strip()
        if not text:
            raise TensoraError("the answer is empty; write a mechanism, a number or a question.")
        if len(text) > 20_000:
            raise TensoraError(f"the answer is {len(text):,} characters long; keep it under 20,000.")

        def work(job: Job) -> None:
            with self._session_lock(record.id):
                chat = self._live_chat(record, job)
                job.step, job.done_steps = "Re-running the audit with your answer", 1
                if about and about in chat.board.ledger and chat.board.ledger[about].status != "resolved":
                    chat.board.asked = about  # the person chose which question this answers
                chat.answer(text)
                job.step, job.done_steps = "Writing the report", 2
                self._write_report(chat, chat.board.names)
            job.session_id = record.id

        return self._submit("answer", 3, work)

    def report(self, session_id: str) -> str | None:
        """The rendered report of the session's latest turn, if this server has built it."""
        record = self.record(session_id)
        folder = self._own_folder(record)
        with self._lock:
            html = self._reports.get(record.id)
        if html is None and folder is not None:
            try:
                html = (folder / _REPORT).read_text(encoding="utf-8")
            except OSError:
                html = None
        return html

    def _draw(self, chat: ChatSession, names: tuple[str, str]) -> None:
        try:
            with self._session_lock(chat.id):
                if self._own_folder(chat.record) is not None and Path(chat.record.proposal_path).exists():
                    self._write_report(chat, names)  # unless the session was deleted meanwhile
        except Exception:
            log.exception("drawing the report of session %s failed", chat.id)
        finally:
            with self._lock:
                self._pending.discard(chat.id)

    def drawing(self, session_id: str) -> bool:
        """Whether the session's report is being drawn (the page shows a placeholder meanwhile)."""
        with self._lock:
            return session_id in self._pending

    def _write_report(self, chat: ChatSession, names: tuple[str, str]) -> None:
        review = markdown.fill(replace(chat.board.review, proposal=names[0], baseline=names[1]))
        review.version = tensora.__version__
        page = render_html.render(review)
        folder = self._own_folder(chat.record)
        with self._lock:
            self._reports[chat.id] = page
            while len(self._reports) > self.live_cap:
                self._reports.popitem(last=False)
        if folder is not None:
            (folder / _REPORT).write_text(page, encoding="utf-8")

    def live(self, session_id: str) -> bool:
        with self._lock:
            return session_id in self._live

    def delete(self, session_id: str) -> None:
        record = self.record(session_id)
        with self._session_lock(record.id):
            self.store().delete(record.id)
            folder = self._own_folder(record)
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            with self._lock:
                self._live.pop(record.id, None)
                self._reports.pop(record.id, None)


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

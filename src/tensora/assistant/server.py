"""``tensora mcp``: tensora's tools for AI assistants, an MCP server over stdio (the SDK's ``MCPServer``).

Tools: ``review`` (a draft against its baseline, the JSON of spec/review-json.md), ``whiteboard_start`` /
``whiteboard_answer`` / ``whiteboard_sessions`` / ``whiteboard_transcript`` (the whiteboard sessions of
``tensora chat``, in the same database), ``list_rules`` / ``explain_rule``, and one ``calc_<model>`` tool per
``tensora calc`` subcommand (``calc_tools.py``). Each rule's documentation is also a resource,
``tensora://rules/<CODE>``. Documents are named by local paths (``~`` expanded; relative to the server's working
folder). A ``TensoraError`` comes back as a tool error with its one line; any other failure is a tool error too,
and the server keeps serving. No judgment lives here.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resources import FunctionResource
from pydantic import Field

import tensora
from tensora.assistant.calc_tools import CalcError, calc_tools
from tensora.errors import TensoraError
from tensora.whiteboard.store import FindingRow, SessionStore, default_db_path

INSTRUCTIONS = (
    "tensora is a deterministic, offline reviewer of ML-systems research drafts. Call `review` with a draft and "
    "the baseline paper it claims to improve on (local paths to PDF, Markdown, LaTeX or text). To discuss the "
    "findings, call `whiteboard_start`, then `whiteboard_answer` with the author's answer: the audit re-runs and "
    "findings move between open, resolved and new. `calc_*` tools compute the analytical models (memory, FLOPs, "
    "MFU, roofline, collectives, pipeline bubble, Amdahl). `list_rules` and `explain_rule` document every "
    "finding code; the same docs are resources at tensora://rules/<CODE>."
)

Path_ = Annotated[str, Field(description="Local path of a PDF (with a text layer), Markdown, LaTeX or text file.")]


def _finding(row: FindingRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "severity": row.severity,
        "status": row.status,
        "title": row.title,
        "message": row.message,
        "must_solve": row.must_solve,
        "computed": dict(row.computed),
    }


class _Sessions:
    """Whiteboard sessions in one database: live ones in memory, the others resumed on demand."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self._local = threading.local()
        self._lock = threading.Lock()
        self._live: dict[str, Any] = {}

    def store(self) -> SessionStore:
        store: SessionStore | None = getattr(self._local, "store", None)
        if store is None:
            store = SessionStore(self.db)
            self._local.store = store
        return store

    def start(self, proposal: Path, baseline: Path) -> dict[str, Any]:
        from tensora.knowledge.loader import load_knowledge
        from tensora.whiteboard.chat import ChatSession

        with self._lock:
            chat = ChatSession.start(self.store(), proposal, baseline, load_knowledge())
            self._live[chat.id] = chat
            return {
                "session_id": chat.id,
                "skeptic": chat.last_skeptic_text(),
                "findings": [_finding(r) for r in chat.board.snapshot()],
            }

    def answer(self, session_id: str, text: str, about: str | None) -> dict[str, Any]:
        from tensora.knowledge.loader import load_knowledge
        from tensora.whiteboard.chat import ChatSession

        with self._lock:
            record = self.store().get(session_id)
            chat = self._live.get(record.id)
            if chat is None:
                chat = ChatSession.resume(self.store(), record.id, load_knowledge())
                self._live[chat.id] = chat
            chat.store = self.store()
            before = {r.code: r.status for r in chat.board.snapshot()}
            if about:
                code = about.strip().upper()
                if code not in before or before[code] == "resolved":
                    raise TensoraError(f"{code} is not an open finding of session {chat.id}; see its findings.")
                chat.board.asked = code
            reply = chat.answer(text)
            rows = chat.board.snapshot()
            return {
                "session_id": chat.id,
                "skeptic": reply,
                "resolved": [r.code for r in rows if r.status == "resolved" and before.get(r.code) != "resolved"],
                "new": [r.code for r in rows if r.status == "new"],
                "still_open": [r.code for r in rows if r.status == "still open"],
                "findings": [_finding(r) for r in rows],
            }


def _path(text: str) -> Path:
    return Path(text).expanduser()


def build_server(session_db: Path | None = None) -> MCPServer:
    """The MCP server with every tool and rule resource registered."""
    server = MCPServer(
        name="tensora",
        title="tensora: a curious skeptic for ML-systems drafts",
        instructions=INSTRUCTIONS,
        version=tensora.__version__,
        log_level="WARNING",
    )
    sessions = _Sessions(session_db or default_db_path())

    @server.tool()
    def review(
        proposal: Path_,
        baseline: Path_,
        detail: Annotated[
            Literal["brief", "default", "full"],
            Field(description="brief: the three sharpest points; full: every finding with its inputs."),
        ] = "default",
        max_mb: Annotated[float, Field(description="Refuse documents larger than this many MB.", gt=0)] = 50.0,
        max_pages: Annotated[int, Field(description="Refuse PDFs with more pages.", ge=1)] = 200,
    ) -> dict[str, Any]:
        """Review a draft (proposal) against the paper it claims to improve on (baseline).

        Returns the review as JSON: the Mirror, the delta audit, the closest prior work, every finding (code,
        severity, quotes with pages, computed numbers, what must be solved) and the Twist, plus `markdown`,
        the four-part answer as text. Deterministic and offline; about a second.
        """
        from tensora.ingest import Limits

        try:
            result = tensora.review(
                _path(proposal), _path(baseline), limits=Limits.from_options(max_mb, max_pages), detail=detail
            )
        except TensoraError as exc:
            raise ToolError(str(exc)) from None
        data = result.to_dict()
        data["markdown"] = result.text
        return data

    @server.tool()
    def whiteboard_start(proposal: Path_, baseline: Path_) -> dict[str, Any]:
        """Open a whiteboard session on a draft and its baseline (saved like `tensora chat`).

        Returns the session id, the skeptic's opening (the Mirror and its sharpest question) and every finding
        with its status (all `open` at first). Answer with `whiteboard_answer`.
        """
        try:
            return sessions.start(_path(proposal), _path(baseline))
        except TensoraError as exc:
            raise ToolError(str(exc)) from None

    @server.tool()
    def whiteboard_answer(
        session_id: Annotated[str, Field(description="The id from whiteboard_start or whiteboard_sessions.")],
        answer: Annotated[
            str,
            Field(
                description="The author's answer or question, in plain words with mechanisms and numbers.",
                min_length=1,
                max_length=20_000,
            ),
        ],
        about: Annotated[
            str | None, Field(description="The finding code this answers (optional; default: the last question).")
        ] = None,
    ) -> dict[str, Any]:
        """Answer the skeptic in a whiteboard session: the audit re-runs on the draft plus every answer so far.

        Returns the skeptic's follow-up, the codes this answer resolved, the codes it raised (new), those still
        open, and every finding with its status (open, still open, new, resolved).
        """
        try:
            return sessions.answer(session_id, answer, about)
        except TensoraError as exc:
            raise ToolError(str(exc)) from None

    @server.tool()
    def whiteboard_sessions() -> list[dict[str, Any]]:
        """List the saved whiteboard sessions, newest first: id, start time, turns and documents."""
        try:
            rows = sessions.store().sessions()
        except TensoraError as exc:
            raise ToolError(str(exc)) from None
        return [
            {
                "session_id": r.id,
                "created": r.created,
                "turns": n,
                "proposal": r.proposal_path,
                "baseline": r.baseline_path,
            }
            for r, n in reversed(rows)
        ]

    @server.tool()
    def whiteboard_transcript(
        session_id: Annotated[str, Field(description="The session id.")],
        format: Annotated[Literal["markdown", "json"], Field(description="markdown or json.")] = "markdown",
    ) -> str:
        """A session's transcript: every turn with the findings snapshot of each skeptic turn."""
        from tensora.whiteboard import transcript

        try:
            store = sessions.store()
            record = store.get(session_id)
            turns = store.turns(record.id)
        except TensoraError as exc:
            raise ToolError(str(exc)) from None
        return transcript.to_json(record, turns) if format == "json" else transcript.to_markdown(record, turns)

    @server.tool()
    def list_rules() -> list[dict[str, str]]:
        """Every finding code tensora can raise, with its default severity and a one-line summary."""
        from tensora.audit.registry import RULES

        return [
            {"code": c, "severity": r.severity.value, "summary": r.summary().split(":", 1)[-1].strip()}
            for c, r in RULES.items()
        ]

    @server.tool()
    def explain_rule(
        code: Annotated[str, Field(description="A finding code, e.g. PIPE-BUBBLE (see list_rules).")],
    ) -> dict[str, str]:
        """What a rule checks, why a reviewer cares, and examples (as `tensora rules CODE`)."""
        from tensora.audit.registry import get

        try:
            rule = get(code)
        except TensoraError as exc:
            raise ToolError(str(exc)) from None
        return {"code": rule.code, "severity": rule.severity.value, "docs": rule.docs()}

    for tool in calc_tools():
        server.add_tool(_guarded(tool.fn), name=tool.name, description=tool.description)

    _add_rule_resources(server)
    return server


def _guarded(fn: Any) -> Any:
    """The calc tool with its refusals as tool errors (keeping its generated signature)."""

    def call(**kwargs: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = fn(**kwargs)
        except CalcError as exc:
            raise ToolError(str(exc)) from None
        return result

    call.__signature__ = fn.__signature__  # type: ignore[attr-defined]
    call.__name__ = fn.__name__
    return call


def _add_rule_resources(server: MCPServer) -> None:
    from tensora.audit.registry import RULES

    for code, rule in RULES.items():

        def read(rule: Any = rule) -> str:
            return f"# {rule.code} (default severity: {rule.severity.value})\n\n{rule.docs()}"

        server.add_resource(
            FunctionResource(
                uri=f"tensora://rules/{code}",
                name=code,
                title=f"{code}: {rule.summary().split(':', 1)[-1].strip()}",
                description=f"Documentation of the finding rule {code}.",
                mime_type="text/markdown",
                fn=read,
            )
        )


def main(session_db: Path | None = None) -> None:
    build_server(session_db).run("stdio")

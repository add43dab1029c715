"""The whiteboard's commands: ``tensora chat`` and ``tensora sessions list|show|resume|export``.

``chat_command`` is registered by the main CLI as ``tensora chat`` and ``sessions_app`` mounted as
``tensora sessions``; ``python -m tensora.whiteboard`` runs both on their own. With ``--answer`` (repeatable)
a session runs without a terminal, one turn per answer, and prints its transcript; without it, answers are
read from stdin after a prompt until ``/quit`` or end of input. A ``TensoraError`` becomes one line on stderr
and exit code 2.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table

from tensora.errors import TensoraError
from tensora.whiteboard.store import SessionStore, default_db_path

if TYPE_CHECKING:
    from tensora.llm.chat import LLMSpeaker
    from tensora.whiteboard.chat import ChatSession


class TranscriptFormat(StrEnum):
    markdown = "markdown"
    json = "json"


SessionDb = Annotated[
    Path | None,
    typer.Option(
        "--session-db",
        help="Session database (default: $TENSORA_HOME/sessions.db, else $XDG_DATA_HOME/tensora/sessions.db, "
        "else ~/.local/share/tensora/sessions.db).",
        show_default=False,
    ),
]
Answers = Annotated[
    list[str] | None,
    typer.Option(
        "--answer",
        "-a",
        help="An answer to the skeptic (repeatable): runs one turn per answer without a terminal, "
        "then prints the transcript.",
    ),
]
FormatOpt = Annotated[
    TranscriptFormat, typer.Option("--format", "-f", help="Transcript format (with --answer, or for export).")
]

HELP = (
    "Answer the skeptic in plain words (give mechanisms and numbers). Commands: /findings lists the findings "
    "with their status, /help shows this, /quit (or Ctrl-D) ends; the session is saved after every turn."
)
LLM_HELP = "Let an LLM speak for the skeptic, grounded in the audit (e.g. openai:gpt-4o-mini). Off by default."


@contextmanager
def _user_errors() -> Iterator[None]:
    """A ``TensoraError`` becomes one line on stderr and exit code 2 (a traceback would be a bug); a replay
    waiting for a reply file, exit code 3."""
    try:
        yield
    except TensoraError as exc:
        from tensora.llm.replay import ReplyMissing

        typer.echo(f"tensora: {exc}", err=True)
        raise typer.Exit(3 if isinstance(exc, ReplyMissing) else 2) from None


def _open(session_db: Path | None) -> SessionStore:
    return SessionStore(session_db or default_db_path())


# C0 controls other than tab and newline, DEL and C1 controls: an answer carrying ESC sequences must not
# retitle, clear or recolour the terminal of whoever reads the transcript
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """The text with every terminal control character shown as an escape (ESC as \\x1b)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _emit(text: str, console: Console) -> None:
    text = _printable(text)
    if console.is_terminal:
        console.print(Markdown(text))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()


def _transcript(store: SessionStore, session_id: str, fmt: TranscriptFormat) -> str:
    from tensora.whiteboard import transcript

    record = store.get(session_id)
    turns = store.turns(record.id)
    return transcript.to_json(record, turns) if fmt is TranscriptFormat.json else transcript.to_markdown(record, turns)


def _findings(chat: ChatSession, console: Console) -> None:
    rows = chat.board.snapshot()
    if not rows:
        console.print("No findings.")
        return
    from tensora.whiteboard.voice import label, number

    table = Table("Code", "Severity", "Status", "Title", "Numbers")
    for f in rows:
        nums = ", ".join(f"{label(k)} {number(k, v)}" for k, v in f.computed.items())
        table.add_row(*(escape(cell) for cell in (f.code, f.severity, f.status, f.title, nums)))
    console.print(table)


def _run(
    start: Callable[[SessionStore], ChatSession],
    store: SessionStore,
    answers: list[str] | None,
    fmt: TranscriptFormat,
    *,
    resumed: bool,
) -> None:
    """Drive a session: scripted (one turn per ``--answer``, then the transcript) or interactive."""
    chat = start(store)
    for notice in chat.notices:
        typer.echo(f"tensora: {notice}", err=True)
    if answers:
        for text in answers:
            if text.strip():
                chat.answer(text.strip())
        sys.stdout.write(_transcript(store, chat.id, fmt))
        return
    console = Console(highlight=False)
    console.print(f"[bold]Session {chat.id}[/bold]" + (" (resumed)" if resumed else ""))
    console.print("Answer in plain words; /findings lists the findings, /help explains, /quit ends.")
    _emit(chat.last_skeptic_text(), console)
    while True:
        try:
            line = console.input("[bold cyan]you>[/bold cyan] ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            break
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit", "/q"):
            break
        if text == "/findings":
            _findings(chat, console)
            continue
        if text == "/help":
            console.print(HELP)
            continue
        if text.startswith("/"):
            console.print(f"Unknown command {escape(text)}. {HELP}")
            continue
        _emit(chat.answer(text), console)
    console.print(
        f"Session {chat.id} saved in {escape(str(store.path))}; resume it with: tensora sessions resume {chat.id}"
    )


def chat_command(
    proposal: Annotated[Path, typer.Argument(metavar="PROPOSAL", help="The draft.", show_default=False)],
    baseline: Annotated[Path, typer.Option("--baseline", "-b", help="The baseline paper.", show_default=False)],
    answer: Answers = None,
    session_db: SessionDb = None,
    fmt: FormatOpt = TranscriptFormat.markdown,
    llm: Annotated[str | None, typer.Option("--llm", metavar="PROVIDER:MODEL", help=LLM_HELP)] = None,
    llm_base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server (http://HOST:PORT/v1).")] = None,
    llm_key_env: Annotated[str | None, typer.Option(metavar="VAR", help="Read the API key from this variable.")] = None,
    llm_timeout: Annotated[float | None, typer.Option(help="Seconds per LLM request (default 60).")] = None,
    llm_temperature: Annotated[float | None, typer.Option(help="LLM sampling temperature (default 0.2).")] = None,
    llm_exchange: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Record/replay directory (NNN.request.json/.md written; with --llm replay, NNN.reply.json read; "
            "exit code 3 while one is missing).",
        ),
    ] = None,
) -> None:
    """Stand at the whiteboard: the skeptic asks, you answer, it re-audits and follows up."""
    from tensora.knowledge.loader import load_knowledge
    from tensora.whiteboard.chat import ChatSession

    speaker = _speaker(llm, llm_base_url, llm_key_env, llm_timeout, llm_temperature, llm_exchange)
    with _user_errors():
        kb = load_knowledge()
        with _open(session_db) as store:
            try:
                _run(lambda s: ChatSession.start(s, proposal, baseline, kb, speaker), store, answer, fmt, resumed=False)
            finally:
                if speaker is not None:
                    speaker.close()
    if speaker is not None and speaker.failed is None:
        from tensora.llm.review import usage_line

        typer.echo(f"tensora: {usage_line(speaker.usage(), speaker.settings.spec)}", err=True)


def _speaker(
    spec: str | None,
    base_url: str | None,
    key_env: str | None,
    timeout: float | None,
    temperature: float | None,
    exchange: Path | None = None,
) -> LLMSpeaker | None:
    """The LLM speaker of the --llm options, or None; a configuration mistake exits with one line."""
    if spec is None:
        if any(v is not None for v in (base_url, key_env, timeout, temperature, exchange)):
            typer.echo("tensora: the --llm-* options need --llm PROVIDER:MODEL.", err=True)
            raise typer.Exit(2)
        return None
    from tensora.llm.chat import LLMSpeaker
    from tensora.llm.settings import resolve

    with _user_errors():
        settings = resolve(
            spec,
            base_url=base_url,
            key_env=key_env,
            timeout=timeout,
            temperature=temperature,
            exchange=str(exchange) if exchange is not None else None,
        )
        return LLMSpeaker(settings, on_warning=lambda line: typer.echo(f"tensora: warning: {line}", err=True))


sessions_app = typer.Typer(
    help="Whiteboard sessions: list, show, resume and export them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@sessions_app.command("list")
def list_sessions(session_db: SessionDb = None) -> None:
    """List the saved sessions: id, start, number of turns, documents."""
    with _user_errors(), _open(session_db) as store:
        rows = store.sessions()
        if not rows:
            typer.echo(f"No sessions in {store.path}.")
            return
        for record, turns in rows:
            typer.echo(
                f"{record.id}  {record.created}  {turns:3d} turns  "
                f"{Path(record.proposal_path).name} vs {Path(record.baseline_path).name}"
            )


@sessions_app.command("show")
def show_session(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="Session id (or a unique prefix).")],
    session_db: SessionDb = None,
    fmt: FormatOpt = TranscriptFormat.markdown,
) -> None:
    """Print a session's transcript."""
    with _user_errors(), _open(session_db) as store:
        text = _transcript(store, session_id, fmt)
    if fmt is TranscriptFormat.markdown:
        _emit(text, Console(highlight=False))
    else:
        sys.stdout.write(text)


@sessions_app.command("resume")
def resume_session(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="Session id (or a unique prefix).")],
    answer: Answers = None,
    session_db: SessionDb = None,
    fmt: FormatOpt = TranscriptFormat.markdown,
) -> None:
    """Continue a session: re-read its documents, replay its answers, and carry on."""
    from tensora.knowledge.loader import load_knowledge
    from tensora.whiteboard.chat import ChatSession

    with _user_errors():
        kb = load_knowledge()
        with _open(session_db) as store:
            _run(lambda s: ChatSession.resume(s, session_id, kb), store, answer, fmt, resumed=True)


@sessions_app.command("export")
def export_session(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="Session id (or a unique prefix).")],
    session_db: SessionDb = None,
    fmt: FormatOpt = TranscriptFormat.markdown,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Write a session's transcript as Markdown or JSON (to stdout, or to -o FILE)."""
    with _user_errors(), _open(session_db) as store:
        text = _transcript(store, session_id, fmt)
    if fmt is TranscriptFormat.markdown:
        text = _printable(text)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        typer.echo(f"tensora: {output}: cannot write ({exc.strerror}).", err=True)
        raise typer.Exit(2) from None

"""The command line: ``tensora review``, ``tensora rules``, ``tensora calc``.

The only module that prints or exits. A ``TensoraError`` becomes one line on stderr and exit code 2; a
traceback would be a bug in tensora.
"""

from __future__ import annotations

import errno
import os
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from tensora.errors import TensoraError

if TYPE_CHECKING:
    from rich.console import Console

    from tensora.llm.settings import LLMSettings
    from tensora.render.markdown import Detail

app = typer.Typer(
    name="tensora",
    help="A curious skeptic for ML-systems drafts: stress-tests a draft against its baseline paper.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help and usage errors: typer's rich formatting costs a third of a second to import
)


class Format(StrEnum):
    markdown = "markdown"
    json = "json"
    html = "html"


LLM_HELP = (
    "Let an LLM review with tensora as its instruments and guard, e.g. openai:gpt-4o-mini, "
    "anthropic:claude-3-5-haiku-latest, llamacpp:local; 'replay' takes the model's replies from files "
    "(--llm-exchange). Off by default: without it nothing leaves this machine."
)
EXCHANGE_HELP = (
    "Record/replay directory: each request is written there as NNN.request.json/.md; with --llm replay the "
    "replies are read from NNN.reply.json (exit code 3 while one is missing), with a real model they are saved."
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"tensora: {message}", err=True)
    return typer.Exit(2)


@app.command()
def review(
    proposal_arg: Annotated[Path | None, typer.Argument(metavar="PROPOSAL", help="The draft.")] = None,
    proposal: Annotated[Path | None, typer.Option("--proposal", help="The draft (as an option).")] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", "-b", help="The baseline paper (default: the closest prior work tensora knows)."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.markdown,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    max_pages: Annotated[int, typer.Option(help="Refuse documents with more pages.")] = 200,
    max_mb: Annotated[float, typer.Option(help="Refuse documents larger than this (MB).")] = 50.0,
    max_chars: Annotated[
        int, typer.Option(help="Refuse documents with more characters of text (about 125 pages).")
    ] = 500_000,
    brief: Annotated[bool, typer.Option("--brief", help="Only the three sharpest points.")] = False,
    full: Annotated[bool, typer.Option("--full", help="Every finding, its inputs, and more prior work.")] = False,
    llm: Annotated[str | None, typer.Option("--llm", metavar="PROVIDER:MODEL", help=LLM_HELP)] = None,
    llm_base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server (http://HOST:PORT/v1).")] = None,
    llm_key_env: Annotated[str | None, typer.Option(metavar="VAR", help="Read the API key from this variable.")] = None,
    llm_timeout: Annotated[float | None, typer.Option(help="Seconds per LLM request (default 60).")] = None,
    llm_temperature: Annotated[float | None, typer.Option(help="LLM sampling temperature (default 0.2).")] = None,
    llm_exchange: Annotated[Path | None, typer.Option(metavar="DIR", help=EXCHANGE_HELP)] = None,
) -> None:
    """Review PROPOSAL against --baseline: Mirror, Novelty Gap, Stress Test, Twist."""
    import tensora
    from tensora.ingest import Limits

    settings = llm_settings(llm, llm_base_url, llm_key_env, llm_timeout, llm_temperature, llm_exchange)

    if brief and full:
        raise _fail("choose one of --brief and --full.")
    detail: Detail = "brief" if brief else "full" if full else "default"
    draft = proposal or proposal_arg
    if draft is None:
        raise _fail("give the draft as PROPOSAL or --proposal FILE.")
    if baseline is None and settings is not None:
        raise _fail("an LLM review needs the baseline paper: give it with --baseline FILE.")
    try:
        limits = Limits.from_options(max_mb, max_pages, max_chars)
        if settings is None:
            result = tensora.review(draft, baseline, limits=limits, detail=detail)
        else:
            from tensora.llm.live import preview
            from tensora.pipeline import run

            assert baseline is not None
            live = fmt is Format.markdown and output is None and sys.stdout.isatty()
            with preview(_console()) if live else nullcontext() as on_text:
                result = run(draft, baseline, limits=limits, detail=detail, llm=settings, on_text=on_text)
            result.version = tensora.__version__
            llm_report(result, settings.spec, usage=False)
    except TensoraError as exc:
        _waiting(exc)
        raise _fail(str(exc)) from None
    if fmt is Format.json:
        from tensora.render import json as render_json

        text = render_json.render(result)
    elif fmt is Format.html:
        from tensora.render import html as render_html

        text = render_html.render(result)
    else:
        text = result.text
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _fail(f"{output}: cannot write ({exc.strerror}).") from None
    elif fmt is Format.markdown and sys.stdout.isatty():
        from rich.markdown import Markdown

        _console().print(Markdown(text))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if settings is not None:
        llm_report(result, settings.spec, warning=False, written_to=str(output) if output else "standard output")


def _console() -> Console:
    from rich.console import Console

    return Console()


def _waiting(exc: TensoraError) -> None:
    """A replay that waits for a reply file: one line naming it, exit code 3."""
    from tensora.llm.replay import ReplyMissing

    if isinstance(exc, ReplyMissing):
        typer.echo(f"tensora: {exc}", err=True)
        raise typer.Exit(3)


def llm_settings(
    spec: str | None,
    base_url: str | None,
    key_env: str | None,
    timeout: float | None,
    temperature: float | None,
    exchange: Path | None = None,
) -> LLMSettings | None:
    """The backend settings of the --llm options (None without --llm); a mistake exits with one line."""
    if spec is None:
        if any(v is not None for v in (base_url, key_env, timeout, temperature, exchange)):
            raise _fail("the --llm-* options need --llm PROVIDER:MODEL.")
        return None
    from tensora.llm.settings import resolve

    try:
        return resolve(
            spec,
            base_url=base_url,
            key_env=key_env,
            timeout=timeout,
            temperature=temperature,
            exchange=str(exchange) if exchange is not None else None,
        )
    except TensoraError as exc:
        raise _fail(str(exc)) from None


def llm_report(
    result: object, spec: str, *, warning: bool = True, usage: bool = True, written_to: str | None = None
) -> None:
    """The LLM pass's warning (when it fell back) and its token and cost line, on stderr; a replay ends with
    the line saying it is complete instead."""
    from tensora.llm.review import LLMReview, usage_line

    if not isinstance(result, LLMReview):
        return
    if warning and result.warning:
        typer.echo(f"tensora: warning: {result.warning}", err=True)
    untraced = result.untraced_line()
    if warning and untraced:
        typer.echo(f"tensora: {untraced}", err=True)
    if usage and written_to is not None and result.llm.get("backend") == "replay":
        from tensora.llm.replay import completion_line

        used = int(result.llm.get("usage", {}).get("requests", 0))
        typer.echo(f"tensora: {completion_line(Path(result.llm['exchange']), used, written_to)}", err=True)
    elif usage and result.llm.get("usage") and result.llm.get("status") == "ok":
        typer.echo(f"tensora: {usage_line(result.llm['usage'], spec)}", err=True)


@app.command()
def rules(
    code: Annotated[str | None, typer.Argument(help="Show one rule's documentation.")] = None,
) -> None:
    """List the finding rules, or show one rule's documentation (as a linter does)."""
    from tensora.audit.registry import RULES, get

    if code is None:
        for c, rule in RULES.items():
            typer.echo(f"{c:20s} {rule.severity.value:6s} {rule.summary().split(':', 1)[-1].strip()}")
        return
    try:
        rule = get(code)
    except TensoraError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"{rule.code} (default severity: {rule.severity.value})\n")
    typer.echo(rule.docs())


@app.command()
def batch(
    source: Annotated[Path, typer.Argument(metavar="INPUT", help="A folder of drafts, or a CSV/JSONL manifest.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The output folder (reused to resume).")],
    workers: Annotated[int, typer.Option("--workers", "-w", min=0, help="Worker processes (0: one per core).")] = 0,
    ray: Annotated[
        str | None,
        typer.Option("--ray", metavar="[ADDRESS]", help="Run on a Ray cluster at ADDRESS (alone: a local instance)."),
    ] = None,
    max_pages: Annotated[int, typer.Option(help="Refuse documents with more pages.")] = 200,
    max_mb: Annotated[float, typer.Option(help="Refuse documents larger than this (MB).")] = 50.0,
    max_chars: Annotated[
        int, typer.Option(help="Refuse documents with more characters of text (about 125 pages).")
    ] = 500_000,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Review many drafts: one report each, a JSON line each, and a summary ranked by severity.

    A manifest has the columns draft, baseline (optional: else the closest prior work) and id (optional). A
    folder holds drafts, or sub-folders with proposal.* and baseline.*. A file that fails is recorded and the
    batch goes on; a rerun with the same -o skips the drafts already reviewed.
    """
    from tensora.batch import items_of, run_batch
    from tensora.batch.runner import default_workers
    from tensora.ingest import Limits

    try:
        items = items_of(source)
        limits = Limits.from_options(max_mb, max_pages, max_chars)
        count = workers or default_workers()
        done = run_batch(items, output, workers=count, ray=ray, limits=limits, progress=not quiet)
    except TensoraError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"{output}: cannot write ({exc.strerror}).") from None
    typer.echo(
        f"tensora: {done.total} drafts, {done.skipped} already done, {done.reviewed} reviewed now, "
        f"{len(done.errors)} failed; summary in {output / 'summary.html'}",
        err=True,
    )
    for line in done.errors:
        typer.echo(f"tensora: failed: {line['error']}", err=True)
    if done.errors:
        raise typer.Exit(1)


def _ray_flag(argv: list[str]) -> list[str]:
    """``--ray`` given without an address means a local Ray instance."""
    out = list(argv)
    for i, arg in enumerate(out):
        if arg == "--ray" and (i + 1 == len(out) or out[i + 1].startswith("-")):
            out[i] = "--ray=local"
    return out


# the commands whose modules are heavy to import, with the one line `tensora --help` shows for each
_LISTED = {
    "chat": "A whiteboard session: the skeptic asks, you answer, the audit re-runs.",
    "sessions": "List, show, resume or export whiteboard sessions.",
    "calc": "The analytical models, one command each.",
    "serve": "Serve the local web app (needs the 'web' extra).",
    "mcp": "Serve tensora's tools to an AI assistant over MCP on stdio (needs the 'mcp' extra).",
}


def _list_only() -> None:
    """For ``tensora --help``: list the heavy commands by name and help line without importing them."""
    for name, text in _LISTED.items():
        app.command(name, help=text)(_listed)


def _listed() -> None:  # pragma: no cover - never run: `tensora NAME` mounts the real command
    """A placeholder."""


def _mount_whiteboard() -> None:
    from tensora.whiteboard.cli import chat_command, sessions_app

    app.command("chat", help=_LISTED["chat"])(chat_command)
    app.add_typer(sessions_app, name="sessions", help=_LISTED["sessions"])


def _mount_calc() -> None:
    try:
        from tensora.calc import calc_app
    except ImportError:  # pragma: no cover - calc ships with the package
        return
    app.add_typer(calc_app, name="calc", help=_LISTED["calc"])


def _mount_services() -> None:
    from tensora.assistant.cli import mcp_command
    from tensora.web.cli import serve_command

    app.command("serve", help=_LISTED["serve"])(serve_command)
    app.command("mcp", help=_LISTED["mcp"])(mcp_command)


def main() -> None:
    # the calculator and the whiteboard pull in heavy modules; mount them only when they can be asked for
    wanted = sys.argv[1] if len(sys.argv) > 1 else "--help"
    if wanted in {"--help", "-h"}:
        _list_only()
    if wanted in {"chat", "sessions"}:
        _mount_whiteboard()
    if wanted == "calc":
        _mount_calc()
    if wanted in {"serve", "mcp"}:
        _mount_services()
    if wanted == "batch":
        sys.argv[:] = _ray_flag(sys.argv)
    try:
        try:
            app()
        finally:
            sys.stdout.flush()  # a full disk shows here, not in an unreadable message at interpreter exit
    except MemoryError:
        _last_words("out of memory; review smaller documents (--max-mb, --max-pages) or free memory and retry.")
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG, errno.EDQUOT):
            raise
        _last_words(f"cannot write the output ({exc.strerror}); write it to a file with -o FILE on another disk.")


def _last_words(message: str) -> NoReturn:
    """One line on stderr and exit 1, with stdout silenced so that its unflushed buffer raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    try:
        sys.stderr.write(f"tensora: {message}\n")
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(1)


if __name__ == "__main__":
    main()

"""The command line: ``tensora review``, ``tensora rules``, ``tensora calc``.

The only module that prints or exits. A ``TensoraError`` becomes one line on stderr and exit code 2; a
traceback would be a bug in tensora.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tensora.errors import TensoraError

app = typer.Typer(
    name="tensora",
    help="A curious skeptic for ML-systems drafts: stress-tests a draft against its baseline paper.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    markdown = "markdown"
    json = "json"
    html = "html"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"tensora: {message}", err=True)
    return typer.Exit(2)


@app.command()
def review(
    proposal_arg: Annotated[Path | None, typer.Argument(metavar="PROPOSAL", help="The draft.")] = None,
    proposal: Annotated[Path | None, typer.Option("--proposal", help="The draft (as an option).")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", "-b", help="The baseline paper.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.markdown,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    max_pages: Annotated[int, typer.Option(help="Refuse documents with more pages.")] = 200,
    max_mb: Annotated[float, typer.Option(help="Refuse documents larger than this (MB).")] = 50.0,
    brief: Annotated[bool, typer.Option("--brief", help="Only the three sharpest points.")] = False,
    full: Annotated[bool, typer.Option("--full", help="Every finding, its inputs, and more prior work.")] = False,
) -> None:
    """Review PROPOSAL against --baseline: Mirror, Novelty Gap, Stress Test, Twist."""
    import tensora
    from tensora.ingest import Limits

    if brief and full:
        raise _fail("choose one of --brief and --full.")
    detail = "brief" if brief else "full" if full else "default"
    draft = proposal or proposal_arg
    if draft is None:
        raise _fail("give the draft as PROPOSAL or --proposal FILE.")
    if baseline is None:
        raise _fail("give the baseline paper with --baseline FILE.")
    try:
        limits = Limits(max_bytes=int(max_mb * 1_000_000), max_pages=max_pages)
        result = tensora.review(draft, baseline, limits=limits, detail=detail)
    except TensoraError as exc:
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
        return
    if fmt is Format.markdown and sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


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


def _mount_whiteboard() -> None:
    from tensora.whiteboard.cli import chat_command, sessions_app

    app.command("chat", help="A whiteboard session: the skeptic asks, you answer, the audit re-runs.")(chat_command)
    app.add_typer(sessions_app, name="sessions", help="List, show, resume or export whiteboard sessions.")


def _mount_calc() -> None:
    try:
        from tensora.calc import calc_app
    except ImportError:  # pragma: no cover - calc ships with the package
        return
    app.add_typer(calc_app, name="calc", help="The analytical models, one command each.")


def main() -> None:
    # the calculator and the whiteboard pull in heavy modules; mount them only when they can be asked for
    wanted = sys.argv[1] if len(sys.argv) > 1 else "--help"
    if wanted in {"chat", "sessions", "--help", "-h"}:
        _mount_whiteboard()
    if wanted in {"calc", "--help", "-h"}:
        _mount_calc()
    app()


if __name__ == "__main__":
    main()

"""``python -m tensora.whiteboard``: the whiteboard commands on their own (``chat`` and ``sessions ...``)."""

from __future__ import annotations

import typer

from tensora.whiteboard.cli import chat_command, sessions_app

app = typer.Typer(
    name="tensora-whiteboard",
    help="The whiteboard: a multi-turn session with the skeptic.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("chat")(chat_command)
app.add_typer(sessions_app, name="sessions")

if __name__ == "__main__":
    app()

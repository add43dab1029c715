"""``tensora mcp``: the command an MCP client starts (stdio transport)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def mcp_command(
    session_db: Annotated[
        Path | None, typer.Option(help="Session database for the whiteboard tools (default: as tensora chat).")
    ] = None,
) -> None:
    """Serve tensora's tools over MCP on stdin/stdout, for an AI assistant's MCP client."""
    try:
        import mcp.server.mcpserver  # noqa: F401
    except ImportError:
        typer.echo("tensora: the MCP server needs its extra (the mcp SDK, v2): pip install 'tensora[mcp]'", err=True)
        raise typer.Exit(2) from None
    from tensora.assistant.server import main

    main(session_db)

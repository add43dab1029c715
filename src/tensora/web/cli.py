"""``tensora serve``: the command that starts the local web app (needs the ``web`` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tensora.errors import TensoraError


def serve_command(
    host: Annotated[
        str, typer.Option(help="Address to bind; any other than loopback needs the access token (printed).")
    ] = ("127.0.0.1"),
    port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
    token: Annotated[
        str | None, typer.Option(help="Access token (required, and generated if absent, off loopback).")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder for uploads and reports (default: web/ beside the sessions).")
    ] = None,
    session_db: Annotated[Path | None, typer.Option(help="Session database (default: as tensora chat).")] = None,
    max_mb: Annotated[float, typer.Option(help="Refuse uploads larger than this (MB per document).")] = 20.0,
    max_pages: Annotated[int, typer.Option(help="Refuse PDFs with more pages.")] = 200,
    workers: Annotated[int, typer.Option(help="Reviews run at once (worker threads).")] = 2,
) -> None:
    """Serve the web app: upload a baseline and a draft, read the review, answer at the whiteboard."""
    try:
        import fastapi  # noqa: F401
        import jinja2  # noqa: F401
        import multipart  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        typer.echo(
            f"tensora: the web app needs its extra ({exc.name} is missing): pip install 'tensora[web]'", err=True
        )
        raise typer.Exit(2) from None
    from tensora.ingest import Limits
    from tensora.web.server import serve

    try:
        limits = Limits.from_options(max_mb, max_pages)
        if workers < 1:
            raise TensoraError(f"--workers must be at least 1; got {workers}.")
        serve(
            host=host, port=port, token=token, data_dir=data_dir, session_db=session_db, limits=limits, workers=workers
        )
    except TensoraError as exc:
        typer.echo(f"tensora: {exc}", err=True)
        raise typer.Exit(2) from None

"""Start the web app: check the options, build the ``Workbench`` and the app, run uvicorn.

Binds 127.0.0.1 unless told otherwise. Any other address prints a warning and requires an access token
(``--token``, or one generated and printed with the address). Uploads and rendered reports live under the data
folder (default: ``web/`` beside the session database); sessions go to the same database as ``tensora chat``.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tensora.errors import TensoraError
from tensora.ingest import Limits
from tensora.web.security import is_loopback
from tensora.whiteboard.store import default_db_path

if TYPE_CHECKING:
    from tensora.web.jobs import Workbench


def build(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str | None = None,
    data_dir: Path | None = None,
    session_db: Path | None = None,
    limits: Limits | None = None,
    workers: int = 2,
) -> tuple[Any, Workbench]:
    """The ASGI app and its ``Workbench`` (close it when done)."""
    from tensora.web.app import create_app
    from tensora.web.jobs import Workbench

    db = session_db or default_db_path()
    root = data_dir or db.parent / "web"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TensoraError(f"{root}: cannot create the data folder ({exc.strerror}); pass --data-dir.") from None
    bench = Workbench(db, root, limits or Limits(), workers=workers)
    return create_app(bench, host=host, port=port, token=token), bench


def serve(
    *,
    host: str,
    port: int,
    token: str | None,
    data_dir: Path | None,
    session_db: Path | None,
    limits: Limits,
    workers: int,
) -> None:
    import uvicorn

    if not (0 < port < 65536):
        raise TensoraError(f"--port {port} is not a TCP port; give 1 to 65535.")
    if not is_loopback(host):
        token = token or secrets.token_urlsafe(24)
        sys.stderr.write(
            f"tensora: warning: serving on {host}, reachable from other machines; every request needs the token.\n"
        )
    app, bench = build(
        host=host, port=port, token=token, data_dir=data_dir, session_db=session_db, limits=limits, workers=workers
    )
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    sys.stderr.write(f"tensora: serving on {url} (Ctrl+C stops)\n")
    sys.stderr.flush()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
    finally:
        bench.close()

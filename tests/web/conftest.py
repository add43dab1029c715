"""Web app fixtures: a ``Site`` (the app in a TestClient, on its own data folder and database) and helpers."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("multipart")

from fastapi.testclient import TestClient  # noqa: E402

from tensora.ingest import Limits  # noqa: E402
from tensora.web.jobs import Workbench  # noqa: E402
from tensora.web.server import build  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sp-chunking"
ORIGIN = "http://127.0.0.1:8765"


@dataclass
class Site:
    client: TestClient
    bench: Workbench
    root: Path

    def csrf(self) -> str:
        page = self.client.get("/")
        assert page.status_code == 200
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
        assert found, "the start page has no CSRF field"
        return found.group(1)

    def upload(self, draft: tuple[str, bytes], baseline: tuple[str, bytes], **headers: str) -> Any:
        files = {"draft": (draft[0], draft[1]), "baseline": (baseline[0], baseline[1])}
        return self.client.post(
            "/reviews", files=files, data={"csrf": self.csrf()}, headers=headers, follow_redirects=False
        )

    def wait(self, location: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status: dict[str, Any] = self.client.get(location + "/status").json()
            if status["state"] in ("done", "failed") or time.monotonic() > deadline:
                return status
            time.sleep(0.05)

    def review(self, draft: str = "proposal.md", baseline: str = "baseline.md") -> str:
        """Upload two example files and wait: the session id."""
        answer = self.upload((draft, (EXAMPLE / draft).read_bytes()), (baseline, (EXAMPLE / baseline).read_bytes()))
        assert answer.status_code == 303, answer.text
        status = self.wait(answer.headers["location"])
        assert status["state"] == "done", status
        return str(status["next"]).rsplit("/", 1)[1]

    def report(self, session_id: str, timeout: float = 60.0) -> Any:
        """The report page, once drawn (a placeholder page refreshes itself until then)."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.client.get(f"/sessions/{session_id}/report")
            if "Drawing the report" not in answer.text or time.monotonic() > deadline:
                return answer
            time.sleep(0.05)

    def statuses(self, session_id: str) -> dict[str, str]:
        page = self.client.get(f"/sessions/{session_id}").text
        return dict(re.findall(r'data-code="([^"]+)" data-status="([^"]+)"', page))


def make_site(root: Path, *, limits: Limits | None = None, host: str = "127.0.0.1", token: str | None = None) -> Site:
    app, bench = build(
        host=host, port=8765, token=token, data_dir=root / "web", session_db=root / "sessions.db", limits=limits
    )
    client = TestClient(app, base_url=ORIGIN, raise_server_exceptions=False)
    return Site(client, bench, root / "web")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = make_site(tmp_path)
    yield s
    s.bench.close()

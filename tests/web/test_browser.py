"""End to end in a real headless Chromium: upload the bundled example, read the findings and a plot, answer,
watch a finding move to resolved, reload and find the session. Screenshots of each step go to
``$TENSORA_SCREENSHOTS`` (else the test's temporary folder)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .cdp import CHROMIUM, Browser
from .conftest import EXAMPLE

pytest.importorskip("websockets")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
SRC = Path(__file__).resolve().parents[2] / "src"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    log_file = (tmp_path / "serve.log").open("wb")
    env = {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tensora.cli",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "web"),
            "--session-db",
            str(tmp_path / "sessions.db"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                log_file.close()
                log = (tmp_path / "serve.log").read_text(errors="replace")
                raise RuntimeError(f"tensora serve did not start: {log}") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log_file.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TENSORA_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_whiteboard_in_headless_chromium(server: str, shots: Path, tmp_path: Path) -> None:
    browser = Browser(tmp_path / "profile")
    try:
        browser.goto(server + "/")
        browser.screenshot(shots / "1-start.png")
        browser.set_files("#baseline", EXAMPLE / "baseline.pdf")
        browser.set_files("#draft", EXAMPLE / "proposal.pdf")
        browser.eval("document.getElementById('start').click()")

        # the progress page, then the session page with the report in its frame
        browser.wait_for("location.pathname.startsWith('/sessions/') && document.readyState === 'complete'", 60)
        session = browser.eval("location.pathname.split('/')[2]")
        codes = browser.eval(
            "[...document.querySelectorAll('.finding')].map(e => e.dataset.code + ':' + e.dataset.status)"
        )
        assert "FAULT-TOLERANCE:open" in codes and len(codes) >= 3
        plots = browser.wait_for(
            "(() => { const d = document.getElementById('report').contentDocument;"
            " return d && d.readyState === 'complete' && d.querySelectorAll('figure svg').length; })()"
        )
        assert plots >= 1
        cards = browser.eval(
            "document.getElementById('report').contentDocument.querySelectorAll('article.finding').length"
        )
        assert cards == len(codes)
        browser.screenshot(shots / "2-review.png")
        browser.eval("document.getElementById('report').contentDocument.querySelector('figure').scrollIntoView()")
        browser.screenshot(shots / "2b-plot.png")

        # answer a finding; the audit re-runs and the finding moves to resolved
        browser.eval(
            "document.getElementById('text').value = 'We checkpoint every 100 steps and restart failed ranks "
            "from the last checkpoint.'; document.getElementById('send').click()"
        )
        browser.wait_for(
            'document.querySelector(\'.finding[data-code="FAULT-TOLERANCE"][data-status="resolved"]\') !== null', 60
        )
        assert browser.eval("document.querySelectorAll('#group-resolved .finding').length") == 1
        assert "Resolved:" in browser.eval("document.getElementById('skeptic').innerText")
        browser.screenshot(shots / "3-answered.png")

        # reload the start page: the session is listed, and opens again
        browser.goto(server + "/")
        link = browser.eval(f"!!document.querySelector('a.session-link[href=\"/sessions/{session}\"]')")
        assert link
        browser.screenshot(shots / "4-sessions.png")
        browser.goto(f"{server}/sessions/{session}")
        status = "document.querySelector('.finding[data-code=\"FAULT-TOLERANCE\"]').dataset.status"
        assert browser.eval(status) == "resolved"

        # without JavaScript the flow still works: form posts, self-refreshing progress page, redirects
        browser.send("Emulation.setScriptExecutionDisabled", value=True)
        browser.goto(f"{server}/sessions/{session}")
        browser.send("Runtime.evaluate", expression="1")  # evaluation still works for the test itself
        browser.eval("document.getElementById('text').value = 'We measured on 512 GPUs.'")
        browser.eval("document.getElementById('answer').submit()")
        browser.wait_for(
            'document.querySelector(\'.finding[data-code="EVID-TOY-SCALE"][data-status="resolved"]\') !== null', 60
        )
        browser.screenshot(shots / "5-no-javascript.png")
    finally:
        browser.close()

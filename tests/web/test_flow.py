"""The web app's basic flow without a browser: upload, progress, whiteboard, answers, export, reopen, delete."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from .conftest import EXAMPLE, Site, make_site


def test_upload_review_and_report(site: Site) -> None:
    sid = site.review("proposal.pdf", "baseline.pdf")
    statuses = site.statuses(sid)
    assert statuses and set(statuses.values()) == {"open"}
    page = site.client.get(f"/sessions/{sid}").text
    assert 'id="report"' in page and "proposal.pdf" in page
    report = site.report(sid)
    assert report.status_code == 200
    for code in statuses:
        assert code in report.text
    assert "<svg" in report.text  # the example's roofline and memory plots
    assert "The Mirror" in report.text and "The Twist" in report.text


def test_answer_moves_a_finding_to_resolved(site: Site) -> None:
    sid = site.review()
    before = site.statuses(sid)
    assert before.get("FAULT-TOLERANCE") == "open"
    token = site.csrf()
    answer = site.client.post(
        f"/sessions/{sid}/answer",
        data={
            "csrf": token,
            "text": "We checkpoint every 100 steps and restart failed ranks from the last checkpoint.",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert site.wait(answer.headers["location"])["state"] == "done"
    after = site.statuses(sid)
    assert after["FAULT-TOLERANCE"] == "resolved"
    assert {s for c, s in after.items() if c != "FAULT-TOLERANCE"} <= {"still open", "new"}
    page = site.client.get(f"/sessions/{sid}").text
    assert 'id="group-resolved"' in page and "Resolved: <strong>FAULT-TOLERANCE</strong>" in page


def test_answer_about_a_chosen_finding_and_empty_answer(site: Site) -> None:
    sid = site.review()
    token = site.csrf()
    empty = site.client.post(f"/sessions/{sid}/answer", data={"csrf": token, "text": "   "})
    assert empty.status_code == 400 and "the answer is empty" in empty.text
    chosen = site.client.post(
        f"/sessions/{sid}/answer",
        data={"csrf": token, "text": "No change.", "about": "QNT-COMM"},
        follow_redirects=False,
    )
    assert site.wait(chosen.headers["location"])["state"] == "done"
    assert "QNT-COMM" in site.client.get(f"/sessions/{sid}").text


def test_sessions_are_listed_exported_and_deleted(site: Site) -> None:
    sid = site.review()
    index = site.client.get("/").text
    assert f"/sessions/{sid}" in index and "proposal.md" in index
    md = site.client.get(f"/sessions/{sid}/export.md")
    assert md.status_code == 200 and md.text.startswith(f"# Whiteboard session {sid}")
    assert "attachment" in md.headers["content-disposition"]
    data = json.loads(site.client.get(f"/sessions/{sid}/export.json").text)
    assert data["session"]["id"] == sid and data["turns"][0]["role"] == "skeptic"
    assert site.client.get(f"/sessions/{sid}/export.exe").status_code == 404

    site.report(sid)
    folders = list((site.root / "uploads").iterdir())
    assert len(folders) == 1 and (folders[0] / "report.html").is_file()
    gone = site.client.post(f"/sessions/{sid}/delete", data={"csrf": site.csrf()}, follow_redirects=False)
    assert gone.status_code == 303
    assert list((site.root / "uploads").iterdir()) == []
    assert site.client.get(f"/sessions/{sid}").status_code == 404
    assert f"/sessions/{sid}" not in site.client.get("/").text


def test_a_restarted_server_reopens_and_answers(tmp_path: Path) -> None:
    first = make_site(tmp_path)
    sid = first.review()
    first.bench.close()
    second = make_site(tmp_path)
    try:
        assert not second.bench.live(sid)
        page = second.client.get(f"/sessions/{sid}").text
        assert 'id="report"' in page  # the rendered report was kept with the uploads
        reopen = second.client.post(f"/sessions/{sid}/reopen", data={"csrf": second.csrf()}, follow_redirects=False)
        assert second.wait(reopen.headers["location"])["state"] == "done"
        assert second.bench.live(sid)
        answer = second.client.post(
            f"/sessions/{sid}/answer",
            data={"csrf": second.csrf(), "text": "We measured on 512 GPUs."},
            follow_redirects=False,
        )
        assert second.wait(answer.headers["location"])["state"] == "done"
        assert second.statuses(sid)["EVID-TOY-SCALE"] == "resolved"
        report = second.report(sid).text
        assert "proposal.md" in report  # the user's names survive the restart
    finally:
        second.bench.close()


def test_the_flow_opens_no_socket(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        opened.append(args)
        raise AssertionError(f"a socket was opened: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    sid = site.review()
    assert "<svg" in site.report(sid).text
    assert opened == []


def test_pages_load_nothing_from_elsewhere(site: Site) -> None:
    sid = site.review()
    site.report(sid)
    for path in ("/", f"/sessions/{sid}", f"/sessions/{sid}/report"):
        answer = site.client.get(path)
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "http://" not in answer.text.replace("http://127.0.0.1", "") or path.endswith("report")
        assert "cdn" not in answer.text.lower()
    assert site.client.get("/static/app.js").status_code == 200
    assert site.client.get("/docs").status_code == 404  # no Swagger UI pulling scripts from a CDN


def test_example_files_are_the_bundled_ones() -> None:
    assert (EXAMPLE / "proposal.pdf").is_file() and (EXAMPLE / "baseline.md").is_file()

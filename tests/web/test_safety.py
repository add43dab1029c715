"""The web app refuses bad uploads and foreign requests with a clear page, and keeps serving."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tensora.ingest import Limits

from .conftest import EXAMPLE, Site, make_site

BASELINE = ("baseline.md", (EXAMPLE / "baseline.md").read_bytes())
DRAFT = ("proposal.md", (EXAMPLE / "proposal.md").read_bytes())


def _refused(site: Site, answer: object, status: int, words: str) -> None:
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert words in text
    assert "Traceback" not in text and 'File "' not in text
    assert site.client.get("/").status_code == 200  # still serving
    assert list((site.root / "uploads").iterdir()) == []  # nothing left behind


def test_zero_byte_file(site: Site) -> None:
    _refused(site, site.upload(("empty.pdf", b""), BASELINE), 400, "empty.pdf: the file is empty (0 bytes)")


def test_fake_pdf_by_name(site: Site) -> None:
    fake = ("paper.pdf", b"<!DOCTYPE html><html><body>Not found</body></html>")
    _refused(site, site.upload(fake, BASELINE), 400, "paper.pdf: named .pdf but not a PDF")


def test_fake_pdf_by_header(site: Site) -> None:
    answer = site.upload(("paper.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100), BASELINE)
    assert answer.status_code == 303
    status = site.wait(answer.headers["location"])
    assert status["state"] == "failed" and status["error"].startswith("paper.pdf: ")
    assert str(site.root) not in status["error"]  # the server's paths stay private
    page = site.client.get(answer.headers["location"])
    assert page.status_code == 422 and "tensora could not finish" in page.text and "paper.pdf" in page.text
    assert list((site.root / "uploads").iterdir()) == []


def test_binary_and_image_uploads(site: Site) -> None:
    _refused(site, site.upload(("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), BASELINE), 400, "a PNG image")


def test_oversized_file(tmp_path: Path) -> None:
    site = make_site(tmp_path, limits=Limits(max_bytes=4000))
    try:
        big = ("big.md", b"# Big\n\n" + b"word " * 1000)
        _refused(site, site.upload(big, BASELINE), 400, "big.md: over the limit of 0.004 MB")
        huge = ("huge.md", b"x" * 300_000)  # over the request bound (2 x 4 kB + 256 kB)
        _refused(site, site.upload(huge, BASELINE), 413, "larger than this server accepts")
    finally:
        site.bench.close()


def test_page_limit(tmp_path: Path) -> None:
    site = make_site(tmp_path, limits=Limits(max_pages=1))
    try:
        pdf = ("proposal.pdf", (EXAMPLE / "proposal.pdf").read_bytes())
        answer = site.upload(pdf, BASELINE)
        status = site.wait(answer.headers["location"])
        assert status["state"] == "failed"
        assert status["error"].startswith("proposal.pdf: ") and "over the limit of 1" in status["error"]
        assert "--max-pages" in status["error"]
        assert list((site.root / "uploads").iterdir()) == []
    finally:
        site.bench.close()


def test_same_document_twice(site: Site) -> None:
    _refused(site, site.upload(DRAFT, ("copy.md", DRAFT[1])), 400, "is the same document as the baseline")


def test_cross_origin_post(site: Site) -> None:
    token = site.csrf()
    files = {"draft": DRAFT, "baseline": BASELINE}
    answer = site.client.post("/reviews", files=files, data={"csrf": token}, headers={"origin": "http://evil.example"})
    _refused(site, answer, 403, "came from another site")
    answer = site.client.post("/reviews", files=files, data={"csrf": token}, headers={"sec-fetch-site": "cross-site"})
    _refused(site, answer, 403, "came from another site")


def test_post_without_or_with_a_wrong_csrf_token(site: Site) -> None:
    files = {"draft": DRAFT, "baseline": BASELINE}
    site.csrf()
    _refused(site, site.client.post("/reviews", files=files), 403, "security token does not match")
    _refused(site, site.client.post("/reviews", files=files, data={"csrf": "0" * 32}), 403, "does not match")


def test_dns_rebinding_host_is_refused(site: Site) -> None:
    answer = site.client.get("/", headers={"host": "attacker.example:8765"})
    assert answer.status_code == 400 and "loopback" in answer.text


def test_names_are_never_paths(site: Site) -> None:
    evil = ("../../../../tmp/evil.md", DRAFT[1])
    answer = site.upload(evil, BASELINE)
    assert answer.status_code == 303
    status = site.wait(answer.headers["location"])
    assert status["state"] == "done"
    sid = status["next"].rsplit("/", 1)[1]
    site.report(sid)
    (folder,) = (site.root / "uploads").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == ["baseline.md", "draft.md", "names.json", "report.html"]
    assert not Path("/tmp/evil.md").exists()
    page = site.client.get(f"/sessions/{sid}").text
    assert "evil.md" in page and "../" not in page


def test_unknown_pages_and_ids(site: Site) -> None:
    for path in (
        "/nowhere",
        "/sessions/../../etc/passwd",
        "/sessions/zzzz",
        "/jobs/123",
        "/sessions/deadbeef00/report",
    ):
        answer = site.client.get(path)
        assert answer.status_code in (400, 404), path
        assert "That did not work" in answer.text and "Traceback" not in answer.text


def test_an_internal_error_is_a_page_not_a_traceback(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(site.bench, "sessions", broken)
    answer = site.client.get("/")
    assert answer.status_code == 500
    assert "Something went wrong inside tensora" in answer.text and "secret internals" not in answer.text


def test_a_non_loopback_server_needs_its_token(tmp_path: Path) -> None:
    site = make_site(tmp_path, host="0.0.0.0", token="s3cret-token")
    try:
        assert site.client.get("/").status_code == 401
        entry = site.client.get("/?token=wrong", follow_redirects=False)
        assert entry.status_code == 401
        entry = site.client.get("/?token=s3cret-token", follow_redirects=False)
        assert entry.status_code == 303 and entry.headers["location"] == "/"
        assert "HttpOnly" in entry.headers["set-cookie"] and "SameSite=Strict" in entry.headers["set-cookie"]
        assert site.client.get("/").status_code == 200  # the cookie carries the token from now on
        bearer = make_site(tmp_path / "b", host="0.0.0.0", token="t0k")
        assert bearer.client.get("/", headers={"authorization": "Bearer t0k"}).status_code == 200
        bearer.bench.close()
    finally:
        site.bench.close()


def test_serve_warns_and_generates_a_token_off_loopback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import uvicorn

    from tensora.web import server

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    server.serve(
        host="0.0.0.0",
        port=8999,
        token=None,
        data_dir=tmp_path / "web",
        session_db=tmp_path / "s.db",
        limits=Limits(),
        workers=1,
    )
    err = capsys.readouterr().err
    assert "warning" in err and "?token=" in err and seen["host"] == "0.0.0.0"
    assert os.path.isdir(tmp_path / "web" / "uploads")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\draft.pdf", "draft.pdf"),
        ("evil\x00\n\x1b[31m.md", "evil[31m.md"),
        ("", "the draft"),
        ("a" * 200 + ".pdf", "a" * 70 + "….pdf"),
    ],
)
def test_display_names(raw: str, shown: str) -> None:
    from tensora.web.uploads import display_name

    assert display_name(raw, "the draft") == shown


def test_a_text_over_the_limit_is_reworded_for_the_browser() -> None:
    from tensora.errors import DocumentTooLargeError
    from tensora.web.uploads import user_message

    err = DocumentTooLargeError(
        "/srv/up/abc/proposal.md",
        "600,000 characters of text, over the limit of 500,000 (about 125 pages)",
        "raise it with --max-chars (Limits(max_chars=...) in Python) if this is the right file.",
    )
    text = user_message(err, {"/srv/up/abc/proposal.md": "draft.md"})
    assert text.startswith("draft.md: 600,000 characters of text")
    assert "shorter document" in text and "--max-chars" not in text and "/srv" not in text

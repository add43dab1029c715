"""The skeptic's Markdown as page HTML: the few forms the voice writes, and nothing a document could inject."""

from __future__ import annotations

import pytest

pytest.importorskip("markupsafe")

from tensora.web.text import markdown_lite  # noqa: E402


def test_voice_forms() -> None:
    html = str(markdown_lite("Resolved: **PIPE-BUBBLE** (`m = 64`).\n\n- one\n- two\n\n> quoted"))
    assert "<p>Resolved: <strong>PIPE-BUBBLE</strong> (<code>m = 64</code>).</p>" in html
    assert "<ul><li>one</li><li>two</li></ul>" in html
    assert "<blockquote><p>quoted</p></blockquote>" in html


def test_document_text_is_escaped() -> None:
    html = str(markdown_lite('The draft says "<script>alert(1)</script>" & **<img src=x onerror=y>**'))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html

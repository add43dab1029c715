from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import tensora
from tensora.audit.findings import Finding, Review
from tensora.render import html

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "sp-chunking"
PARTS = ["The Mirror", "The Novelty Gap", "The Mechanism Stress Test", "The Twist"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@pytest.fixture(scope="module")
def example_review() -> Review:
    return tensora.review(EXAMPLE / "proposal.md", EXAMPLE / "baseline.md")


@pytest.fixture(scope="module")
def example_page(example_review: Review) -> str:
    return html.render(example_review)


@pytest.fixture(scope="module")
def plotted_page(plotted_review: Review) -> str:
    return html.render(plotted_review)


class _Balance(HTMLParser):
    """Checks that every element is closed in order (void elements aside; SVG children may self-close)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def _cards(page: str) -> list[str]:
    return re.findall(r'<article class="finding sev-(\w+)" id="([^"]+)">', page)


def _assert_well_formed(page: str) -> None:
    checker = _Balance()
    checker.feed(page)
    checker.close()
    assert not checker.errors and not checker.stack


def _assert_no_external_resources(page: str) -> None:
    assert not re.search(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*[\"']?\s*(?:https?:)?//", page, re.I)
    assert "@import" not in page
    assert "<script" not in page.lower() and "<link" not in page.lower() and "<iframe" not in page.lower()


# ------------------------------------------------------------------------------------------------ example


def test_example_renders_the_four_parts_in_order(example_page: str) -> None:
    page = example_page
    heads = re.findall(r'<h2><span class="num">(\d)</span> ([^<]+)</h2>', page)
    assert heads == [(str(n + 1), part) for n, part in enumerate(PARTS)]
    assert page.startswith("<!DOCTYPE html>")
    _assert_well_formed(page)
    _assert_no_external_resources(page)


def test_example_has_one_card_per_finding(example_review: Review, example_page: str) -> None:
    page = example_page
    cards = _cards(page)
    assert [sev for sev, _ in cards] == [f.severity.value for f in example_review.findings]
    assert len({anchor for _, anchor in cards}) == len(example_review.findings)
    for f in example_review.findings:
        assert f'<code class="code">{f.code}</code>' in page
        assert f"<strong>{html._e(f.must_solve)}</strong>" in page
        for q in f.evidence:
            assert f"<cite>{q.doc}, p. {q.page}</cite>" in page


def test_example_prior_work_and_delta(example_review: Review, example_page: str) -> None:
    page = example_page
    assert f'class="delta delta-{example_review.delta.cls}"' in page
    for hit in example_review.prior_work:
        assert html._e(hit.name) in page and html._e(hit.differ) in page


def test_example_without_plot_inputs_has_no_figures(example_review: Review, example_page: str) -> None:
    page = example_page
    expected = html.plots_for(example_review)
    assert page.count("<svg") == len(expected)
    if not expected:
        assert "Figures" not in page and "<figure" not in page


def test_example_renders_quickly_and_deterministically(example_review: Review) -> None:
    start = time.perf_counter()
    first = html.render(example_review)
    elapsed = time.perf_counter() - start
    assert first == html.render(example_review)
    assert elapsed < 10


# ------------------------------------------------------------------------------------------------ by hand


def test_plots_appear_where_findings_carry_their_inputs(plotted_review: Review, plotted_page: str) -> None:
    figures = html.plots_for(plotted_review)
    assert [f.kind for f in figures] == ["roofline", "memory", "pipeline"]
    codes = [[plotted_review.findings[n].code for n in f.findings] for f in figures]
    assert codes == [["QNT-ROOFLINE", "QNT-PEAK"], ["QNT-MEMORY"], ["PIPE-BUBBLE"]]
    page = html.render(plotted_review)
    assert page == plotted_page  # deterministic across calls
    assert page.count("<svg") == 3
    anchors = {anchor for _, anchor in _cards(page)}
    linked = re.findall(r"Illustrates (.*?)\.</figcaption>", page, re.S)
    assert len(linked) == 3
    for caption in linked:
        assert set(re.findall(r'href="#([^"]+)"', caption)) <= anchors
    # each illustrated card links back to its figure
    for k in (1, 2, 3):
        assert f'<a href="#figure-{k}-' in page
    _assert_well_formed(page)
    _assert_no_external_resources(page)


def test_no_plot_findings_means_no_figures(plain_review: Review) -> None:
    page = html.render(plain_review)
    assert "<svg" not in page and "<figure" not in page and "Figures" not in page
    assert len(_cards(page)) == len(plain_review.findings)


MakeFinding = Callable[..., Finding]
MakeReview = Callable[[list[Finding]], Review]


@pytest.mark.parametrize(
    ("kind", "kwargs", "kinds"),
    [
        ("bubble", {}, ["pipeline"]),
        ("memory", {}, ["memory"]),
        ("roofline", {}, ["roofline"]),
        ("peak", {}, ["roofline"]),  # the device comes from the draft profile's hardware
        ("bubble", {"stages": 4, "microbatches": 6, "virtual": 2}, []),  # interleaving needs p | m: no plot
    ],
)
def test_each_plot_needs_only_its_own_finding(
    make_review: MakeReview, make_finding: MakeFinding, kind: str, kwargs: dict[str, Any], kinds: list[str]
) -> None:
    review = make_review([make_finding(kind, **kwargs)])
    assert [f.kind for f in html.plots_for(review)] == kinds
    assert html.render(review).count("<svg") == len(kinds)


def test_peak_without_a_known_device_draws_no_roofline(make_review: MakeReview, make_finding: MakeFinding) -> None:
    review = make_review([make_finding("peak")])
    review.profile = None  # no hardware known: render never guesses it from the Mirror's words
    review.mirror.setting = "64 A100 GPUs"
    assert html.plots_for(review) == []


def test_memory_breakdown_adds_up_to_the_finding(make_finding: MakeFinding) -> None:
    f = make_finding("memory")
    parts = html._states_breakdown(f.inputs, f.computed["model_states_per_gpu_gib"])
    assert parts is not None
    assert sum(parts.values()) == pytest.approx(f.computed["model_states_per_gpu_gib"])
    # ZeRO-1 over 8: parameters and gradients whole (2 + 2 bytes), optimizer states 12 / 8 bytes
    assert parts["parameters"] == pytest.approx(parts["gradients"])
    assert parts["optimizer states"] == pytest.approx(parts["parameters"] * 12 / 8 / 2)


def test_hostile_text_is_escaped(plotted_page: str, hostile: str) -> None:
    page = plotted_page
    assert "<script" not in page
    assert html._e(hostile) in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in page


@pytest.mark.parametrize("where", ["title", "message", "must_solve", "mirror", "prior", "twist", "files", "code"])
def test_every_document_field_is_escaped(make_review: MakeReview, make_finding: MakeFinding, where: str) -> None:
    bad = '<img src=x onerror="alert(1)">'
    review = make_review([make_finding("bubble")])
    f = review.findings[-1]
    if where == "title":
        f.title = bad
    elif where == "message":
        f.message = bad
    elif where == "must_solve":
        f.must_solve = bad
    elif where == "mirror":
        review.mirror.text = review.mirror.setting = bad
    elif where == "prior":
        review.prior_work[0].name = review.prior_work[0].why = bad
    elif where == "twist":
        review.twist.text = bad
        review.twist.combines = [bad]
    elif where == "files":
        review.proposal = review.baseline = review.system = bad
    else:
        f.code = bad
    page = html.render(review)
    assert "<img" not in page
    assert html._e(bad) in page


def test_render_is_byte_identical_for_equal_reviews(make_review: MakeReview, make_finding: MakeFinding) -> None:
    one = make_review([make_finding(k) for k in ("roofline", "memory", "bubble")])
    two = make_review([make_finding(k) for k in ("roofline", "memory", "bubble")])
    assert html.render(one).encode() == html.render(two).encode()


def test_card_shows_computed_table_inputs_and_emphasised_must_solve(plotted_page: str) -> None:
    page = plotted_page
    card = re.search(r'<article class="finding sev-fatal" id="finding-5-pipe-bubble">(.*?)</article>', page, re.S)
    assert card is not None
    body = card.group(1)
    assert '<span class="badge sev-fatal">fatal</span>' in body
    assert "<td><code>pipeline_bubble_fraction</code></td>" in body and "63.6%" in body
    assert "<code>stages</code> = 8" in body
    assert "<cite>proposal, p. 2</cite>" in body
    assert '<p class="must-solve"><strong>If you want this to survive MLSys review' in body


# ------------------------------------------------------------------------------------------------ browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(tmp_path: Path, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    return subprocess.run(
        [CHROMIUM, *flags, *extra, page.as_uri()], capture_output=True, text=True, timeout=60, check=True
    )


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_report_in_headless_chromium(tmp_path: Path, plotted_review: Review, plotted_page: str) -> None:
    page = tmp_path / "report.html"
    page.write_text(plotted_page, encoding="utf-8")
    dom = _chromium(tmp_path, page, "--dump-dom").stdout
    assert dom.count("<svg") == 3
    assert len(re.findall(r'<article class="finding sev-', dom)) == len(plotted_review.findings)
    for kind in ("roofline", "memory", "pipeline"):
        assert f'class="plot plot-{kind}"' in dom
    assert "<script" not in dom and "&lt;script&gt;" in dom  # the hostile quote stays text
    shot = tmp_path / "report.png"
    _chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1200,3000")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_example_report_in_headless_chromium(tmp_path: Path, example_review: Review, example_page: str) -> None:
    page = tmp_path / "example.html"
    page.write_text(example_page, encoding="utf-8")
    dom = _chromium(tmp_path, page, "--dump-dom").stdout
    assert dom.count("<svg") == len(html.plots_for(example_review))
    assert len(re.findall(r'<article class="finding sev-', dom)) == len(example_review.findings)
    assert all(part in dom for part in PARTS)

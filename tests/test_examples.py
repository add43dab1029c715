"""The bundled example: committed PDFs exist, look like papers, and match a fresh build of their sources."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pypdfium2 = pytest.importorskip("pypdfium2")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "sp-chunking"
NAMES = ("baseline", "proposal")


def _load_builder() -> ModuleType:
    path = ROOT / "scripts" / "build_examples.py"
    spec = importlib.util.spec_from_file_location("build_examples", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class body runs
    spec.loader.exec_module(module)
    return module


def _page_texts(path: Path) -> list[str]:
    doc = pypdfium2.PdfDocument(str(path))
    try:
        texts = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        doc.close()


@pytest.mark.parametrize("name", NAMES)
def test_sources_and_pdfs_exist(name: str) -> None:
    assert (EXAMPLE / f"{name}.md").is_file()
    assert (EXAMPLE / f"{name}.pdf").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_pdf_has_at_least_two_pages_with_header_and_page_numbers(name: str) -> None:
    texts = _page_texts(EXAMPLE / f"{name}.pdf")
    assert len(texts) >= 2
    first_line = texts[0].splitlines()[0]
    for number, text in enumerate(texts, 1):
        assert text.splitlines()[0] == first_line, "running header on every page"
        assert text.rstrip().splitlines()[-1].strip() == str(number), "page number in the footer"


def test_proposal_carries_the_numbers_the_review_relies_on() -> None:
    text = "\n".join(_page_texts(EXAMPLE / "proposal.pdf"))
    flat = " ".join(text.split())
    for needle in (
        "ChunkedSP",
        "15% of the step time",
        "1.4x end-to-end speedup",
        "1,024",
        "8x H100",
        "16,384",
        "TP = SP = 8",
        "Table 1:",
        "Figure 1:",
    ):
        assert needle in flat, needle


def test_baseline_cites_its_source() -> None:
    flat = " ".join("\n".join(_page_texts(EXAMPLE / "baseline.pdf")).split())
    assert "arXiv:2205.05198" in flat
    assert "54.2%" in flat and "2,240" in flat


def test_rebuild_gives_the_same_text(tmp_path: Path) -> None:
    builder = _load_builder()
    built = builder.build(tmp_path)
    assert sorted(p.name for p in built) == sorted(f"{n}.pdf" for n in NAMES)
    for name in NAMES:
        fresh = _page_texts(tmp_path / "sp-chunking" / f"{name}.pdf")
        committed = _page_texts(EXAMPLE / f"{name}.pdf")
        assert fresh == committed, f"{name}.pdf is stale: run python scripts/build_examples.py"


def test_markdown_subset_parser() -> None:
    builder = _load_builder()
    paper = builder.parse_markdown(
        "# T\n\n*sub*\n\n## 1 A\nx y\nz.\n\nsbh(34 + 5as/h)\n\n- one\n- two\n\n"
        "Table 1: cap.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nFigure 2: fig.\n"
    )
    assert paper.title == "T" and paper.subtitles == ["sub"]
    kinds = [b.kind for b in paper.blocks]
    assert kinds == ["heading", "para", "formula", "bullets", "table", "figure"]
    assert paper.blocks[1].text == "x y z."
    assert paper.blocks[4].rows == [["a", "b"], ["1", "2"]]
    assert paper.blocks[5].number == 2
    assert builder.inline_markup("**b** and *i* & <x>") == "<b>b</b> and <i>i</i> &amp; &lt;x&gt;"
    with pytest.raises(ValueError, match="not in the standard PDF fonts"):
        builder.check_encodable("\u2264", Path("x.md"))

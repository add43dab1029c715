"""Property-based fuzzing of ingestion and extraction: any bytes give a Document or one ``TensoraError``.

CI runs a short budget (``TENSORA_FUZZ_EXAMPLES``, default 60 per target). The long run, about ten minutes:

    TENSORA_FUZZ_EXAMPLES=5000 python -m pytest tests/fuzz -q -p no:cacheprovider

Every input that ever made a target crash is kept in ``REGRESSIONS`` below and runs on every test run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tensora.errors import TensoraError
from tensora.extract.claims import claims_from_paragraphs
from tensora.ingest import Limits, load_document
from tensora.ingest.document import Paragraph
from tensora.knowledge.loader import KnowledgeBase, load_knowledge

EXAMPLES = int(os.environ.get("TENSORA_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=os.environ.get("TENSORA_FUZZ_RANDOM") is None,  # CI is reproducible; the long run explores
)
SUFFIXES = [".md", ".tex", ".txt", ".pdf", ""]
# texts a systems draft is made of: numbers with units, ratios, tables, LaTeX and Markdown markup
ATOMS = st.sampled_from(
    [
        "8",
        "64",
        "1.3x",
        "2.1×",
        "13B",
        "175 B",
        "80 GB",
        "900 GB/s",
        "312 TFLOP/s",
        "45%",
        "0.5",
        "1e-7",
        "1,024",
        "GPUs",
        "H100",
        "A100",
        "NVLink",
        "micro-batches",
        "stages",
        "TP=8",
        "PP 4",
        "bf16",
        "FP8",
        "ms",
        "µs",
        "s",
        "|",
        "---",
        "#",
        "*",
        "**",
        "[",
        "](",
        "\\newcommand",
        "{",
        "}",
        "\\",
        "$",
        "%",
        "\n",
        "\n\n",
        " ",
        "-",
        ".",
        ",",
        "(",
        ")",
        "1" * 40,
        "é",
        "\u200b",
        "\ufeff",
    ]
)
TEXTS = st.lists(st.one_of(ATOMS, st.text(max_size=12)), max_size=120).map("".join)

# inputs that once crashed a target: kept forever (suffix, content)
REGRESSIONS: list[tuple[str, bytes]] = [
    (".tex", b"\\newcommand{\\x}{\\x\\x}\n\\begin{document}\\x\\end{document}"),
    (".md", b"*a " * 2000),
    (".md", b"[" * 2000 + b"](" * 2000),
    (".txt", b"1" * 5000),
    (".pdf", b"%PDF-1.4\n"),
    (".md", b"\xff\xfe\x00"),
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def _ingest(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"doc{suffix}"
    path.write_bytes(data)
    try:
        doc = load_document(path, limits=Limits(max_bytes=1_000_000, max_pages=20))
    except TensoraError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for para in doc.paragraphs:
        assert isinstance(para.text, str) and para.page >= 1


@pytest.mark.parametrize(("suffix", "data"), REGRESSIONS)
def test_regressions(tmp_path: Path, suffix: str, data: bytes) -> None:
    _ingest(tmp_path, suffix, data)


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), text=TEXTS)
def test_ingest_any_text(tmp_path: Path, suffix: str, text: str) -> None:
    _ingest(tmp_path, suffix, text.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=2048))
def test_ingest_any_bytes(tmp_path: Path, suffix: str, data: bytes) -> None:
    _ingest(tmp_path, suffix, data)


@FUZZ
@given(paragraphs=st.lists(TEXTS, min_size=1, max_size=6))
def test_extraction_of_any_paragraphs(kb: KnowledgeBase, paragraphs: list[str]) -> None:
    paras = [Paragraph(text, 1, "Design", "text") for text in paragraphs if text.strip()]
    claims = claims_from_paragraphs(paras, "proposal", kb, title="T")
    for q in claims.quantities:
        assert q.role and isinstance(q.value, float)

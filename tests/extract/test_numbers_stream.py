"""Numbers come from the sentence stream the rest of extraction reads: each quantity names its sentence, and
extraction stays linear on inputs that used to make it quadratic (checked by result, never by time)."""

from __future__ import annotations

from collections import Counter

from tensora.extract.claims import claims_from_paragraphs
from tensora.extract.numbers import extract_quantities, quantities_of
from tensora.extract.sentences import split_paragraphs
from tensora.ingest.document import Paragraph
from tensora.knowledge.loader import KnowledgeBase

DRAFT = [
    Paragraph("Setup", 1, "Method", "heading"),
    Paragraph("We train a 13B GPT. The run uses 64 GPUs with TP = 8.", 2, "Method"),
    Paragraph("| GPUs | MFU |\n|---|---|\n| 128 | 41% |", 3, "Results", "table"),
]


def test_every_quantity_names_its_sentence_page_and_section() -> None:
    sentences = split_paragraphs(DRAFT, "proposal")
    quantities = quantities_of(sentences)
    assert {(q.role, q.value) for q in quantities} >= {("params", 13e9), ("gpus", 64), ("tp", 8), ("gpus", 128)}
    for q in quantities:
        s = sentences[q.sentence]
        assert q.section == s.section and q.quote.page == s.page and q.quote.text in s.text
    [row] = [q for q in quantities if q.role == "mfu"]
    assert sentences[row.sentence].text.startswith("| 128")


def test_claims_find_the_sentence_of_a_quantity(kb: KnowledgeBase) -> None:
    c = claims_from_paragraphs(DRAFT, "proposal", kb)
    [gpus] = [q for q in c.quantities if q.role == "gpus" and q.value == 64]
    sentence = c.sentence_of(gpus)
    assert sentence is not None and "64 GPUs" in sentence.text
    answer = claims_from_paragraphs([Paragraph("We now use 256 GPUs.", 1)], "answer", kb)
    merged = c.merged(answer)
    [more] = [q for q in merged.quantities if q.role == "gpus" and q.value == 256]
    assert merged.sentence_of(more) is not None and "256 GPUs" in merged.sentence_of(more).text  # type: ignore[union-attr]


def test_extract_quantities_numbers_sentences_as_split_paragraphs_does() -> None:
    indices = {q.sentence for q in extract_quantities(DRAFT, "proposal")}
    assert indices <= set(range(len(split_paragraphs(DRAFT, "proposal"))))


def test_many_numbers_on_one_line_each_get_their_role() -> None:
    n = 3000
    line = " ".join(f"{i} GPUs at {i} TFLOP/s" for i in range(1, n + 1))
    roles = Counter(q.role for q in extract_quantities([Paragraph(line, 1)], "proposal"))
    assert roles["gpus"] == n and roles["tflops_per_gpu"] == n


def test_long_digit_runs_and_pathological_versions_return() -> None:
    for text in ("1" * 100_000, "0123456789" * 3_000, "1.2." * 20_000, "v1.2.3 " * 10_000):
        extract_quantities([Paragraph(text, 1)], "answer")

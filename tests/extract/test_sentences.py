import pytest

from tensora.extract.sentences import split_paragraphs, split_text
from tensora.ingest.document import Paragraph


def test_keeps_decimals_and_abbreviations_together() -> None:
    text = "We reach 1.35x, e.g. on an A100. Fig. 3 shows the profile. Smith et al. report 12% less."
    assert split_text(text) == [
        "We reach 1.35x, e.g. on an A100.",
        "Fig. 3 shows the profile.",
        "Smith et al. report 12% less.",
    ]


def test_table_rows_become_one_sentence_each() -> None:
    table = Paragraph("| a | b |\n|---|---|\n| 1 | 2 |", 4, "Results", "table")
    rows = split_paragraphs([table], "proposal")
    assert [r.text for r in rows] == ["| a | b |", "|---|---|", "| 1 | 2 |"]
    assert {r.page for r in rows} == {4}


def test_sentences_keep_page_and_section() -> None:
    paras = [Paragraph("One sentence. Two sentences.", 7, "Method")]
    out = split_paragraphs(paras, "baseline")
    assert [(s.page, s.section, s.doc) for s in out] == [(7, "Method", "baseline")] * 2
    assert out[1].quote().text == "Two sentences."


def test_front_matter_is_boilerplate_and_prose_is_not() -> None:
    notice = (
        "Permission to make digital or hard copies of all or part of this work for personal or classroom use is "
        "granted without fee provided that copies are not made or distributed for profit."
    )
    paragraphs = [
        Paragraph(notice, 1, "Abstract"),
        Paragraph("Contact: alice@example.org", 1, "Abstract"),
        Paragraph("We keep every adapter resident in GPU memory.", 1, "Abstract"),
    ]
    kinds = [s.kind for s in split_paragraphs(paragraphs, "proposal")]
    assert kinds == ["boilerplate", "boilerplate", "text"]


def test_a_long_run_without_an_address_is_read_in_linear_time() -> None:
    import time

    from tensora.extract.sentences import is_boilerplate

    assert is_boilerplate("Write to a.b-c+d@mail.example.org for the code.")
    assert is_boilerplate("<bob_99@lab.edu>")
    start = time.process_time()
    assert not is_boilerplate("1" * 100_000)
    assert not is_boilerplate("x." * 50_000)
    # a search from every position of the run took minutes; one pass takes milliseconds
    assert time.process_time() - start < 2.0


def test_a_list_announced_as_contributions_is_marked_whatever_its_section() -> None:
    paras = [
        Paragraph("Two things follow. Our contributions:", 1, "1. Why the chip needs its own layouts"),
        Paragraph("A layout for decode.", 1, "1. Why the chip needs its own layouts", "list"),
        Paragraph("A switch per phase.", 1, "1. Why the chip needs its own layouts", "list"),
        Paragraph("The setup follows.", 2, "2. Setup"),
        Paragraph("- 16 chips.", 2, "2. Setup", "list"),
    ]
    out = split_paragraphs(paras, "proposal")
    assert [s.contribution for s in out] == [False, False, True, True, False, False]


@pytest.mark.parametrize(
    "text",
    [
        "Permission to make digital or hard copies of all or part of this work is granted.",
        "Copyrights for components of this work owned by others must be honored.",
        "Copyright 2024 held by the owner/author(s).",
        "All rights reserved.",
        "This work is licensed under a Creative Commons Attribution 4.0 License.",
        "ACM Reference Format: A. Author.",
        "Publication rights licensed to ACM.",
        "ISBN 978-1-4503-0000-0",
        "https://doi.org/10.1145/1234567.1234568",
        "arXiv:2401.01234v2 [cs.DC] 3 Jan 2024",
        "In Proceedings of the 30th Symposium on Operating Systems Principles, 2024.",
        "Contact: alice@example.org",
        "* Equal contribution.",
        "† Corresponding author.",
        "‡ Work done while at Example Labs.",
        "COPYRİGHT 2024 held by the authors.",  # a dotted capital I: only the regex reads it
    ],
)
def test_every_kind_of_boilerplate_passes_the_word_filter(text: str) -> None:
    from tensora.extract.sentences import _BOILERPLATE, is_boilerplate

    assert _BOILERPLATE.search(text)
    assert is_boilerplate(text)

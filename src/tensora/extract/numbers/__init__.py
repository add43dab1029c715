"""Numbers in a draft with the role each plays: "64 GPUs", "t = 8", "1.35x end-to-end speedup".

A paragraph is split into sentences, and every numeral or number word ("eight") in a sentence is read
through a small window: the words right after it ("GPUs", "micro-batches", "x faster", "% MFU") and the
words right before it ("hidden size of", "t =", "global batch"). The first rule whose window patterns match
gives the role; a number that no rule claims gets none, since a missing number costs less than a wrong one.
Accelerator names and numeric formats are found by name. Table rows (pipes, or paragraphs of kind
"table") map their columns by the header's names.

Follows the notation of the Megatron-LM papers (t, p, d, b, m, v; h, L, a) and the phrasing of ML-systems
drafts. Leaves out on purpose: years, citations, section/figure/table/equation numbers and software
versions (never a role); ranges ("b = 1-4"); number words past "twenty"; vocabulary sizes and other numbers
with no role in ``ROLES``. Every pattern is anchored at the number or bounded in length, so extraction is
linear in the length of the text.

The package is split by role family: ``tokens`` finds numerals and the spans that never carry a role;
``base`` holds the sentence, rule and hit types with the context helpers every family shares; ``vetoes``,
``scale`` (GPUs, nodes), ``shape`` (model size and architecture, MoE), ``parallel`` (degrees),
``batch`` (batches and schedules), ``memory``, ``communication`` (link and network bandwidth),
``throughput`` (speedups, MFU, TFLOP/s, tokens/s, time shares) and ``timing`` (step and kernel times)
hold the rules of their roles; ``rules`` orders them; ``hardware`` names accelerators and formats;
``reader`` reads one sentence; ``tables`` reads table rows; ``split`` is the legacy text splitter.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from tensora.extract.numbers.base import _Lexicon, _Sentence
from tensora.extract.numbers.hardware import lexicon
from tensora.extract.numbers.reader import _quantities, _sentence_hits
from tensora.extract.numbers.split import split_sentences
from tensora.extract.numbers.tables import _table_quantities
from tensora.extract.quantities import DocLabel, Quantity
from tensora.extract.sentences import Sentence, split_paragraphs
from tensora.ingest.document import Paragraph
from tensora.knowledge.hardware import Catalog

__all__ = ["extract_quantities", "quantities_of", "split_sentences"]


def _groups(sentences: Sequence[Sentence]) -> Iterator[list[Sentence]]:
    """Runs of sentences that came from one paragraph."""
    run: list[Sentence] = []
    for s in sentences:
        if run and (s.paragraph != run[-1].paragraph or s.paragraph < 0):
            yield run
            run = []
        run.append(s)
    if run:
        yield run


def _blocks(rows: list[Sentence]) -> Iterator[tuple[bool, list[Sentence]]]:
    """Runs of table rows and of other lines in a paragraph that was split into lines, in order."""
    if rows[0].kind == "table" and not any("|" in r.text for r in rows):
        yield True, rows
        return
    run: list[Sentence] = []
    in_table = False
    for row in rows:
        # a two-column table's rows keep one bar once the outer bars are gone ("GEMMs | 62%")
        is_row = row.text.count("|") >= 2 or (row.kind == "table" and "|" in row.text)
        if run and is_row != in_table:
            yield in_table, run
            run = []
        run.append(row)
        in_table = is_row
    if run:
        yield in_table, run


def _read(s: Sentence, lex: _Lexicon) -> list[Quantity]:
    inner = _Sentence.of(s.text, s.section, lex, s.page, s.index)
    return _quantities(inner, _sentence_hits(inner), s.doc)


def quantities_of(sentences: Sequence[Sentence], catalog: Catalog | None = None) -> list[Quantity]:
    """Every number of the sentences that plays a role in ``ROLES``, in order, each with its sentence's index.

    The sentences are those of ``extract.sentences.split_paragraphs``: the stream the rest of extraction
    reads. A paragraph split into lines (a table) is read by its header where it parses as one. Accelerators,
    interconnects and number formats are those of the hardware catalog (``load_catalog()`` by default).
    """
    lex = lexicon(catalog)
    out: list[Quantity] = []
    for group in _groups(sentences):
        lined = group[0].kind == "table" or group[0].text.lstrip().startswith("|")
        if not lined:
            for s in group:
                out.extend(_read(s, lex))
            continue
        for is_table, rows in _blocks(group):
            table = _table_quantities(rows, rows[0].kind, lex) if is_table else None
            if table is not None:
                out.extend(table)
                continue
            for s in rows:
                out.extend(_read(s, lex))
    return out


def extract_quantities(
    paragraphs: Iterable[Paragraph], doc: DocLabel, catalog: Catalog | None = None
) -> list[Quantity]:
    """Every number of the paragraphs that plays a role in ``ROLES``, in document order.

    Example: a paragraph "We train a 13B GPT on 64 GPUs." gives params 13e9 and gpus 64, each quoting
    the sentence and its page, with the sentence's index in ``split_paragraphs(paragraphs, doc)``.
    """
    return quantities_of(split_paragraphs(paragraphs, doc), catalog)

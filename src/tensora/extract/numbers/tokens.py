"""Numerals and number words in a sentence, and the spans whose numbers never carry a role: citations,
cross-references, software versions and years."""

from __future__ import annotations

import re
from bisect import bisect_right

from tensora import rxcache
from tensora.extract import units
from tensora.extract.numbers.base import _cased, _Num

# A numeral or a number word: thousands separators ("1,024"), exponents ("13e9"), a scale suffix written
# against the digits ("13B", "4k", "1.2M") or as a word ("175 billion"). Not glued to an identifier
# ("1F1B"); number words do not start compounds ("one-sided", "four-layer"). What comes before a match
# is checked in code (``_JOINERS``): a pattern that starts with a character class lets the scan skip.
_NUMBER = rxcache.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)"
    r"(?![A-WYZa-wyz_][A-Za-z_]*\d)"
    r"(?:(?P<suffix>[kKMBT])(?!\w)|\s(?P<scale>thousand|million|billion|trillion)\b)?"
)
_NUMBER_WORD = rxcache.compile(r"(?:" + _cased(*units.NUMBER_WORDS) + r")\b(?!-)")
# Number words count only things these name; a sentence without one skips the word search.
_WORD_NOUNS = tuple("node gpu server machine accelerator tpu micro expert stage chunk 00s".split())
# Characters that make a numeral part of a name or an identifier (as letters and digits do): "A100",
# "GPT-3", "v1.2", "sm_80", "1/8", the 4 of "1-4", "$5".
_JOINERS = "_.-/–$"
# A number that opens a range ("1-4", "8 to 16") is not a value.
_RANGE_NEXT = rxcache.compile(r"\s*(?:-|–|—|to\s)\s*\d")
# "35%", "35 percent"
_PERCENT_NEXT = rxcache.compile(r"\s?(?:%|percent\b)")


# Citations: [12], [3, 7], [4-6]
_CITATION = rxcache.compile(r"\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\]")
# Cross-references: Section 3.2, Fig. 3, Table 2, Eq. (4), Appendix B.1, §4.
_REFERENCE = rxcache.compile(
    r"(?:(?:"
    + _cased("section", "sec.", "secs.", "figure", "fig.", "figs.", "table", "tab.", "equation", "eq.", "eqs.")
    + "|"
    + _cased("algorithm", "alg.", "appendix", "chapter", "listing", "theorem", "lemma", "footnote")
    + r")s?|§)\s*~?\(?\s*[A-Z]?\d+(?:\.\d+)*[a-z]?\)?(?:\s*(?:and|–|-)\s*\(?\d+(?:\.\d+)*[a-z]?\)?)*"
)
# Years: four digits from 1950 to 2049, where citations and dates put them ("(2021)", "et al., 2022",
# "in 2023", "NeurIPS 2022"), unless a count follows ("2016 GPUs" is a count). ``_YEAR`` finds the digits,
# ``_YEAR_BEFORE`` and ``_YEAR_AFTER`` check the context.
_YEAR = rxcache.compile(r"(?:19[5-9]|20[0-4])\d(?![\d,.]\d|\d)")
_YEAR_BEFORE = rxcache.compile(
    r"(?:\(|\bet\s+al\.,?\s*|\b(?:[Ii]n|[Ss]ince|[Uu]ntil|[Ff]rom|[Yy]ear|[Ee]arly|[Ll]ate|[Mm]id)\s+"
    r"|\b[A-Z][A-Za-z’']{1,12}\s+|,\s*)\Z"
)
_YEAR_AFTER = rxcache.compile(
    r"\s*(?:-?GPUs?|nodes?|sequences?|tokens?|experts?|layers?|heads?|micro-?batch\w*|samples?|x\b|%)", re.I
)
# Versions: version 2, CUDA 12.2, NCCL 2.18, PyTorch 2.1, NVLink 4, 2.18.1; a bandwidth after a link name
# ("NVLink 600 GB/s") is not a version. ("v0.3" never reads as a number: a letter precedes it.)
_SOFTWARE = [
    *"CUDA NCCL RCCL cuDNN cuBLAS PyTorch TensorFlow JAX Triton Python DeepSpeed Megatron".split(),
    *"nvcc gcc clang LLVM ROCm NVLink NVSwitch PCIe Ubuntu vLLM Apex OpenMPI HBM Gen".split(),
    "Transformer Engine",
]
_VERSION = rxcache.compile(
    r"(?:"
    + _cased("version", "release", "ver.", "driver")
    + "|"
    + "|".join(re.escape(n) for n in sorted(_SOFTWARE, key=len, reverse=True))
    + r")(?:-LM|-Core)?\s*\d+(?:\.\d+)*(?:\.x)?(?![\d.])(?!\s*(?:[GMT]i?B|[GMT]b|Gbps|%|x\b|×|GPUs?))"
)
# One of these (case as written) is needed for ``_VERSION`` to match: a cheap test before it runs.
_VERSION_KEYS = ("ersion", "elease", "er.", "river", *_SOFTWARE)
# (starts at a digit run's first digit: a scan from inside a run of digits would re-read the run)
_DOTTED_VERSION = rxcache.compile(r"(?<!\d)\d+\.\d+\.\d+(?:\.\d+)*")
_REFERENCE_KEYS = tuple("sec fig tab eq alg appendix chapter listing theorem lemma foot §".split())


def _blocked(text: str) -> list[tuple[int, int]]:
    """Spans whose numbers never get a role: citations, references, versions, years."""
    low = text.lower()
    spans = [m.span() for m in _DOTTED_VERSION.finditer(text)]
    if any(k in low for k in _REFERENCE_KEYS):
        spans += [m.span() for m in _REFERENCE.finditer(text)]
    if any(k in text for k in _VERSION_KEYS):
        spans += [m.span() for m in _VERSION.finditer(text)]
    if "[" in text:
        spans += [m.span() for m in _CITATION.finditer(text)]
    for m in _YEAR.finditer(text):
        start, end = m.span()
        if start and (text[start - 1].isalnum() or text[start - 1] in ",."):
            continue
        if _YEAR_BEFORE.search(text, max(0, start - 16), start) and not _YEAR_AFTER.match(text, end):
            spans.append((start, end))
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted and merged where they overlap, so that one search finds the span a number falls in."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _numbers(text: str, low: str) -> list[_Num]:
    """The numerals and number words of a sentence that may carry a role, in order."""
    blocked = _merged(_blocked(text))
    ends = [e for _, e in blocked]
    out: list[_Num] = []
    for m in _NUMBER.finditer(text):
        start, end = m.span()
        if start and (text[start - 1].isalnum() or text[start - 1] in _JOINERS):
            continue
        k = bisect_right(ends, start)  # the first blocked span that ends after the number starts
        if (k < len(blocked) and blocked[k][0] < end) or _RANGE_NEXT.match(text, end):
            continue
        value, suffix = units.parse_number(m.group("num")), m.group("suffix") or m.group("scale") or ""
        out.append(_Num(start, end, value, suffix, False, _PERCENT_NEXT.match(text, end) is not None))
    if any(k in low for k in _WORD_NOUNS):
        for m in _NUMBER_WORD.finditer(text):
            if m.start() and text[m.start() - 1].isalnum():
                continue
            out.append(_Num(m.start(), m.end(), units.parse_number(m.group(0)), "", True, False))
        out.sort(key=lambda n: n.start)
    return out

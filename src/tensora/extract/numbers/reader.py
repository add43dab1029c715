"""One sentence's quantities: the roles of its numbers, its names, the GPU count they imply, as quantities."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import replace

from tensora.extract import units
from tensora.extract.numbers.base import _QUOTE_LIMIT, _Hit, _Sentence
from tensora.extract.numbers.hardware import _precision_hits
from tensora.extract.numbers.parallel import _DEGREE_TUPLE, _GLUED_DEGREE, _TUPLE_ROLES
from tensora.extract.numbers.rules import _carry, _role_hits
from tensora.extract.numbers.scale import _derived_gpus
from tensora.extract.numbers.shape import _NAMED_SIZE, _TOP_K
from tensora.extract.numbers.tokens import _numbers
from tensora.extract.quantities import DocLabel, Quantity, Quote

_UNITS: dict[str, str] = {
    "gpus": "GPU",
    "nodes": "node",
    "gpus_per_node": "GPU",
    "params": "param",
    "seq_len": "token",
    "global_batch": "sequence",
    "micro_batch_size": "sequence",
    "speedup": "x",
    "step_time": "s",
    "kernel_time": "s",
    "tflops_per_gpu": "TFLOP/s",
    "peak_tflops": "TFLOP/s",
    "tokens_per_s": "token/s",
}


def _named_hits(s: _Sentence) -> list[_Hit]:
    """Hits that come from names rather than from numerals: accelerators, formats, top-k, named sizes."""
    text, low = s.text, s.low
    hits: list[_Hit] = []
    for m in s.lex.gpu_model.finditer(text):
        if not (m.start() and text[m.start() - 1].isalnum()):
            hits.append(_Hit("gpu_model", math.nan, "", m.start(), m.end(), text=units.gpu_model(m.group("name"))))
    if any(k in low for k in s.lex.format_keys):
        hits.extend(_precision_hits(text, s.lex))
    if "top" in low and any(k in low for k in ("expert", "rout", "moe", "gat", "switch")):
        for m in _TOP_K.finditer(text):
            k = units.parse_number(m.group("k"))
            hits.append(_Hit("top_k", k, "", m.start(), m.end()))
    if "-" in text:
        for m in _NAMED_SIZE.finditer(text):
            value = float(m.group("n")) * units.scale(m.group("s"))
            hits.append(_Hit("params", value, "param", m.start("n"), m.end()))
    if "P" in text:
        for m in _GLUED_DEGREE.finditer(text):
            role = {"TP": "tp", "PP": "pp", "DP": "dp", "EP": "ep", "CP": "cp"}[m.group("name")]
            hits.append(_Hit(role, float(m.group("n")), "", m.start(), m.end()))
    for m in _DEGREE_TUPLE.finditer(text) if ")" in text else ():
        names = re.findall(r"[a-z]", m.group("names"))
        values = [float(v) for v in re.findall(r"\d+", m.group("vals"))]
        if len(names) == len(values):
            hits.extend(_Hit(_TUPLE_ROLES[n], v, "", m.start(), m.end()) for n, v in zip(names, values, strict=True))
    return hits


def _sentence_hits(s: _Sentence) -> list[_Hit]:
    """Every role in a sentence: from its numbers (with "versus" values carried over), its names, and the GPU
    count that nodes and GPUs per node imply."""
    nums = _numbers(s.text, s.low)
    hits: list[_Hit] = []
    carried: dict[int, _Hit] = {}
    for i, num in enumerate(nums):
        found = carried.pop(i, None)
        own = _role_hits(s, num)
        if found is not None and (not own or own[0].role == found.role):
            own = [found if not own else replace(own[0], qualifier="baseline", stance=False, text=found.text)]
        hits.extend(own)
        for h in own:
            nxt = _carry(s, h, nums, i)
            if nxt is not None:
                carried[i + 1] = nxt
    hits.extend(_named_hits(s))
    hits.extend(_derived_gpus(hits))
    hits.sort(key=lambda h: h.start)
    return hits


def _quote_text(sentence: str, start: int, end: int) -> str:
    """The sentence, or the ``_QUOTE_LIMIT`` characters of it around a span, cut at spaces."""
    if len(sentence) <= _QUOTE_LIMIT:
        return sentence
    lo = max(0, min((start + end) // 2 - _QUOTE_LIMIT // 2, len(sentence) - _QUOTE_LIMIT))
    hi = lo + _QUOTE_LIMIT
    if lo > 0:
        lo = sentence.find(" ", lo, start) + 1 or lo
    if hi < len(sentence):
        cut = sentence.rfind(" ", end, hi)
        hi = cut if cut > 0 else hi
    return sentence[lo:hi].strip()


def _quantities(s: _Sentence, hits: Iterable[_Hit], doc: DocLabel, quote_text: str | None = None) -> list[Quantity]:
    """Hits as quantities, without repeats; a hit with no qualifier of its own takes the stance near it."""
    out: list[Quantity] = []
    seen: set[tuple[str, float | str, str, str]] = set()
    for h in hits:
        qualifier = h.qualifier or (s.stance(h.start, h.end) if h.stance else "")
        key = (h.role, h.value if not math.isnan(h.value) else "nan", qualifier, h.text)
        if key in seen:
            continue
        seen.add(key)
        unit = h.unit or _UNITS.get(h.role, "")
        quote = Quote(doc, s.page, quote_text if quote_text is not None else _quote_text(s.text, h.start, h.end))
        out.append(Quantity(h.role, h.value, unit, quote, qualifier, h.text, s.index, s.section))
    return out

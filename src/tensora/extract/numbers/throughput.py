"""Claims about speed: speedups with their scope, MFU, TFLOP/s (achieved or peak), tokens/s, and the share
of step time a component takes."""

from __future__ import annotations

import re
from dataclasses import replace

from tensora import rxcache
from tensora.extract.numbers.base import (
    _BEFORE,
    _DETERMINER,
    _OF_IN,
    _clause_subject,
    _default,
    _Hit,
    _hit,
    _near_after,
    _near_before,
    _nearest_scope,
    _Num,
    _read,
    _Rule,
    _rx,
    _scope_in,
    _Sentence,
)

_PEAK = rxcache.compile(
    r"\b(?:peak|theoretical|spec(?:ification)?|datasheet|dense(?!\s+(?:GEMM|matmul|layer|model|attention)))\b",
    re.I,
)
_ACHIEVE_VERB = rxcache.compile(
    r"\b(?:achiev\w*|measur\w*|reach\w*|sustain\w*|obtain\w*|project\w*|expect\w*|deliver\w*|get|gets|run|runs"
    r"|per\s+GPU)\b",
    re.I,
)
_PER_GPU = rxcache.compile(r"\s*(?:per|/|on\s+each|each)\s*(?:GPU|device|H100|A100|chip|accelerator)\b", re.I)
_SUBJECT_VERB = rxcache.compile(
    r"(?P<subj>[^,;:()]*?)\s*\b(?:accounts?\s+for|account(?:ed|ing)\s+for|tak(?:es|e|ing)|took|consum(?:es|e|ing|ed)"
    r"|cost(?:s|ing)?|occup(?:ies|y|ying)|represents?|makes?\s+up|is|are|was|were)"
    r"\s+(?:about\s+|roughly\s+|approximately\s+|only\s+|nearly\s+|almost\s+|over\s+|up\s+to\s+|~\s?|just\s+)?\Z",
    re.I,
)
_SPENT_IN = rxcache.compile(
    r"\s*,?\s+(?:(?:is|are|was|were)\s+)?(?:spent|consumed|taken|used|goes|went)\s+(?:in|on|by)\s+"
    r"(?P<subj>(?:(?!\b(?:that|which|where|when|while|because|so)\b)[^,.;()]){1,60})",
    re.I,
)
_GROW_BY = rxcache.compile(
    r"\b(?:slow\w*|increas\w*|grow\w*|inflat\w*|expand\w*|enlarg\w*|multipl\w*|rais\w*)\b(?P<obj>(?:\s+[\w/-]+){0,4}?)"
    r"\s+by\s+(?:(?:up\s+to|about|roughly|nearly|~)\s*)?\Z",
    re.I,
)
_FASTER_OBJECT = rxcache.compile(r"\b(?:throughput|speed|performance|tokens/s|TFLOP/?s|MFU|utili[sz]ation)\b", re.I)


_RATE_OF = rxcache.compile(
    r"\s*(?P<rate>the\s+(?:[\w-]+\s+){0,2}?(?:throughput|speed|tokens/s|TFLOP/s|performance))\s+of\b", re.I
)
_END_TO_END_AFTER = rxcache.compile(
    r"\s*(?:x|×)?\**\s*(?:faster|higher|better|speedup|quicker)?\s*end[- ]to[- ]end\b", re.I
)
_RATIO_NOUN = rxcache.compile(r"(?:speed-?up|reduction|improvement|gain|increase|decrease)s?", re.I)
# The unit of a ratio at the start of its tail: "x", "%", "percent".
_UNIT_MARK = rxcache.compile(r"^\s?(?:[x×]|%|percent)\+?", re.I)
# The "by (up to)" that ends a phrase before a percentage.
_BY_TAIL = rxcache.compile(r"\s+by\s+(?:(?:up\s+to|about|roughly|nearly|over|~|more\s+than)\s*)?$", re.I)


def _speedup(s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule) -> list[_Hit]:
    """A speedup with its scope (end-to-end, kernel, local, throughput, memory) from the nearest words."""
    value = _read(rule.read, num)
    if value is None:
        return []
    grow = _GROW_BY.search(s.text, max(0, num.start - _BEFORE), num.start)
    if grow and not _FASTER_OBJECT.search(grow.group("obj")):
        return []  # "slowed by 3x", "memory grows by 2x"
    end = am.end() if am is not None else num.end
    tail = _UNIT_MARK.sub("", s.text[num.end : end] + _near_after(s, end))
    rate_of = _RATE_OF.match(tail)
    if rate_of:
        tail = rate_of.group("rate")  # "2.3x the training throughput of ring attention": after "of" is the reference
    if _RATIO_NOUN.fullmatch(tail.strip()):
        # "a 1.8x reduction in fine-tuning time", "a 1.4x speedup for training": the scope follows the noun
        more = _OF_IN.match(s.text, end + len(_near_after(s, end)))
        if more:
            tail += more.group(0) + re.split(r"[,;:()]|\.(?!\d)", s.text[more.end() : more.end() + 40])[0]
    # "decodes 3.1x faster end to end": the phrase stops at "to", the scope does not
    whole = "end-to-end" if _END_TO_END_AFTER.match(s.text, num.end) else ""
    scope = whole or _scope_in(tail) or _scope_in(_near_before(s, num.start)) or _nearest_scope(s, num.start, end)
    stance = s.stance(num.start, end)
    qualifier = "baseline" if stance == "baseline" else scope or stance
    text = " ".join(tail.split())
    if not text and bm is not None:
        text = " ".join(_BY_TAIL.sub("", bm.group(0)).split()[-5:])
    return [_hit(rule, num, value, am, qualifier=qualifier, text=text, stance=False)]


def _time_fraction(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """A share of step time, with what takes it in ``text`` ("GEMMs", "the all-reduce")."""
    value = _read("fraction", num)
    if value is None or am is None:
        return []
    end = am.end()
    text = ""
    spent = _SPENT_IN.match(s.text, end)
    if spent:
        text, end = spent.group("subj"), spent.end()
    else:
        subj = _SUBJECT_VERB.search(s.text, max(0, num.start - _BEFORE), num.start)
        if subj:
            text = _clause_subject(subj.group("subj"))
    text = _DETERMINER.sub("", text.strip(" *"))
    return [_Hit(rule.role, value, "", num.start, end, text=text)]


def _tflops(s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule) -> list[_Hit]:
    """A FLOP rate in TFLOP/s: the hardware's peak when the words say so, else achieved per GPU."""
    if am is None or num.suffix or num.percent:
        return []
    peta = am.group("u").lower().startswith("p")
    value = num.value * (1000.0 if peta else 1.0)
    end = am.end()
    near = _near_before(s, num.start)[-30:] + " " + _near_after(s, end)
    per_gpu = _PER_GPU.match(s.text, end) is not None
    if _PEAK.search(near) or s.lex.spec_open.search(s.text, max(0, num.start - 30), num.start):
        role = "peak_tflops"
    elif per_gpu:
        role = "tflops_per_gpu"
    elif s.has(_PEAK) and not s.has(_ACHIEVE_VERB):
        role = "peak_tflops"
    elif peta:
        return []  # an aggregate PFLOP/s of a cluster is not a per-GPU number
    else:
        role = "tflops_per_gpu"
    return [_Hit(role, value, "TFLOP/s", num.start, end)]


RULES: tuple[_Rule, ...] = (
    # speedups: "1.35x end-to-end speedup", "2x faster GEMMs", "(2.4x)", "speedup of 1.6"
    _Rule(
        "speedup",
        "ratio",
        after=_rx(
            r"\s?[x×](?!\w)\s*(?:"
            r"(?:(?:end-to-end|overall|e2e|kernel|attention|GEMM|training|step|decode|inference|throughput)\s+){0,2}"
            r"(?:faster|quicker|speed-?ups?|improvement|gains?|better"
            # "2.1x higher end-to-end throughput"
            r"|higher\s+(?:[\w-]+\s+){0,2}?(?:throughput|MFU|TFLOP/s|tokens/s|performance|utili[sz]ation|efficiency)"
            r"|lower\s+(?:\w+\s+)?(?:step\s+time|latency|time|runtime|memory)|less\s+(?:\w+\s+)?(?:memory|time)"
            r"|(?:memory\s+)?reduction|more\s+(?:throughput|tokens/s)"
            # "2.3x the training throughput of ring attention"
            r"|the\s+(?:[\w-]+\s+){0,2}?(?:throughput|speed|tokens/s|TFLOP/s|performance)\s+of)"
            # "by 1.41x (780 to 1100 tokens/s)": the ratio with its two values in parentheses
            # "by 1.22x (k=4)": the setting the ratio was measured at, in parentheses
            r"|(?=[,;:.)\]|*]|\s*$|\s+\(\d[\d.,]*\s*(?:[a-zA-Zµ/]+\s*)?(?:to|->|→)\s*\d"
            r"|\s+\((?:with\s+|at\s+)?[A-Za-z_][\w-]{0,15}\s*=\s*\d[^)]{0,20}\)"
            r"|\s+(?:on|in|at|for|over|than|versus|vs|compared|relative|with|when|from|across"
            r"|and(?!\s+[\d.]+\s?[x×])|while|but|whereas)\b))",
            0,
        ),
        handler=_speedup,
        keys="x|×",
        first="x×",
    ),
    _Rule(
        "speedup",
        "ratio",
        before=_rx(
            r"\bspeed-?ups?\s+(?:of|is|=|:|reaches|reaching|to)\s*(?:(?:up\s+to|about|roughly|nearly|over|~)\s*)?\Z"
        ),
        after=_rx(r"(?:\s?[x×](?!\w))?"),
        handler=_speedup,
        keys="speed",
    ),
    # percent speedups: "35% faster", "8% higher tokens/s", "20% lower step time", "reduces step time by 20%"
    _Rule(
        "speedup",
        "pct_up",
        after=_rx(
            r"\s?(?:%|percent)\s+(?:(?:end-to-end|overall|e2e|kernel|training|decode|decoding|inference|step)\s+){0,2}"
            r"(?:faster|quicker|speed-?ups?|higher\s+(?:\w+\s+)?(?:throughput|tokens/s|TFLOP/s|MFU|performance"
            r"|utili[sz]ation)|more\s+(?:throughput|tokens/s)|(?:throughput|performance|speed)\s+(?:gain|improvement|increase))"
        ),
        handler=_speedup,
        percent=True,
        first="%p",
    ),
    _Rule(
        "speedup",
        "pct_down",
        after=_rx(
            r"\s?(?:%|percent)\s+(?:lower|less|shorter|smaller|reduced|fewer|reduction\s+in|decrease\s+in|cut\s+in)\s+"
            r"(?:the\s+)?(?:[\w/-]+\s+){0,3}?(?:time|latency|runtime|wall-clock|memory|footprint)\b"
        ),
        handler=_speedup,
        percent=True,
        first="%p",
    ),
    _Rule(
        "speedup",
        "pct_down",
        before=_rx(
            r"(?:\b(?:reduc\w*|cut\w*|lower\w*|shorten\w*|decreas\w*|shrink\w*|trim\w*)\s+(?:the\s+|its\s+|our\s+)?"
            r"(?:[\w/-]+\s+){0,4}?(?:time|latency|runtime|wall-clock|memory|footprint|JCT|makespan)"
            # "cuts average job completion time (JCT) by 38%": the acronym between the noun and "by"
            r"(?:\s*\([A-Z]{2,6}\))?"
            r"|\b(?:time|latency|runtime|memory|footprint)\s+(?:is|are|was|were|gets?)\s+(?:reduc\w*|cut|lower\w*"
            r"|shorten\w*|decreas\w*))\s+by\s+(?:(?:up\s+to|about|roughly|nearly|over|~|more\s+than)\s*)?\Z"
        ),
        handler=_speedup,
        percent=True,
        keys="reduc|cut|lower|shorten|decreas|shrink|trim|time is|time was",
    ),
    _Rule(
        "speedup",
        "pct_down",
        before=_rx(r"\bsav(?:e|es|ed|ing)\s+(?:(?:up\s+to|about|roughly|nearly|~)\s*)?\Z"),
        after=_rx(r"\s?%\s+of\s+(?:the\s+|each\s+|every\s+)?(?:[\w/-]+\s+){0,2}?(?:time|step|iteration|runtime)\b"),
        handler=_speedup,
        percent=True,
        keys="sav",
        first="%",
    ),
    _Rule(
        "speedup",
        "pct_up",
        before=_rx(
            r"(?:\b(?:speeds?\s+up|speeding\s+up|sped\s+up|accelerat\w+)\s+(?:[\w/-]+\s+){0,4}?"
            r"|\b(?:throughput|performance|speed|tokens/s|TFLOP/s|MFU)\b[^.;%]{0,50}?"
            r"\b(?:improv\w*|increas\w*|rais\w*|boost\w*|grow\w*|ris\w*|goes\s+up|went\s+up)\s+"
            r"|\b(?:improv\w*|increas\w*|rais\w*|boost\w*)\s+(?:the\s+)?(?:[\w/-]+\s+){0,3}?"
            r"(?:throughput|performance|speed|tokens/s|TFLOP/s|MFU)\s+)"
            r"by\s+(?:(?:up\s+to|about|roughly|nearly|~)\s*)?\Z"
        ),
        handler=_speedup,
        percent=True,
        keys="speed|accelerat|throughput|performance|tokens/s|tflop|mfu",
    ),
    # utilisation and time shares: "52% MFU", "MFU of 0.52", "GEMMs account for 70% of step time"
    _Rule(
        "mfu",
        "fraction",
        after=_rx(r"\s?%\s*(?:model\s+FLOPs?\s+utili[sz]ation|MFU)\b"),
        percent=True,
        keys="mfu|utili",
        first="%",
    ),
    _Rule(
        "mfu",
        "fraction",
        before=_rx(
            r"\b(?:MFU|model\s+FLOPs?\s+utili[sz]ation(?:\s+\(MFU\))?)(?:\s+(?:of|is|was|=|:|reaches|reached|at|to)|\s*[=:])?"
            r"\s*(?:(?:about|roughly|~|only|nearly|up\s+to)\s*)?\Z"
        ),
        keys="mfu|utili",
    ),
    # "MFU improves from 38% to 45%": the first is the baseline's
    _Rule(
        "mfu",
        "fraction",
        before=_rx(r"\bMFU\s+(?:[\w-]+\s+){0,2}?from\s+\Z"),
        keys="mfu",
        percent=True,
        qualifier="baseline",
    ),
    _Rule(
        "mfu",
        "fraction",
        before=_rx(r"\bMFU\s+(?:[\w-]+\s+){0,2}?from\b[^;]{0,60}?\bto\s+\Z"),
        keys="mfu",
        percent=True,
    ),
    _Rule(
        "time_fraction",
        after=_rx(
            r"\s?%\s+of\s+(?:the\s+|each\s+|every\s+|total\s+|its\s+|our\s+|a\s+)?(?:[\w/-]+\s+){0,2}?"
            r"(?:time|runtime|(?:step|iteration|training|execution)s?(?:\s+time)?|latency|wall-clock"
            # a cluster's share: "9.0% of allocated GPU-hours"
            r"|(?:allocated\s+|all\s+)?GPU[- ]hours)(?![\w-])"
        ),
        handler=_time_fraction,
        percent=True,
        keys=" of",
        first="%",
    ),
    # rates and sizes with units
    _Rule(
        "tflops",
        after=_rx(
            r"\s?(?P<u>T|P|tera|peta)(?:FLOP/s|FLOPs/s|FLOPS|FLOPs|FLOP/?s|Flop/?s|flop/?s|flops|Flops)(?![\w/])",
            0,
        ),
        handler=_tflops,
        keys="flop",
        first="tp",
    ),
    _Rule(
        "tokens_per_s",
        "rate",
        after=_rx(
            r"\s?(?:tokens?|toks?)\s*(?:/\s*s(?:ec)?|per\s+(?:second|sec|s))\b(?P<q>\s*(?:/|per)\s*(?:GPU|node|device))?"
        ),
        unit="token/s",
        handler=lambda s, n, am, bm, r: [
            replace(h, qualifier=" ".join(h.qualifier.replace("/", "per ").split()).replace("gpu", "GPU"))
            for h in _default(s, n, am, bm, r)
        ],
        keys="tok",
        first="t",
    ),
)

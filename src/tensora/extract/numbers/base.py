"""What every role family shares: the number, hit, sentence and rule types, how a value is read for a
kind of role, and the stance (planned, projected, measured, baseline) and scope cues around a number."""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from tensora import rxcache
from tensora.extract import units

_QUOTE_LIMIT = 300
_BEFORE = 72  # characters of left context a rule may look at
_AFTER = 96  # characters of right context a rule may look at


def _cased(*words: str) -> str:
    """Words as an alternation of literals with either case of the first letter ("Table|table").

    Python's regex engine scans fast for an alternation of literals, and slowly for one of character
    classes or under re.IGNORECASE.
    """
    return "|".join(re.escape(v) for w in words for v in (w[0].upper() + w[1:], w[0].lower() + w[1:]))


# Is the number planned, projected, measured, or the baseline's? The cue nearest to the number wins. The
# words in the middle are needed for the pattern to match (a cheap test before it runs).
_STANCES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    (
        "planned",
        ("will", "we'll", "plan", "future", "intend", "going to", "target"),
        rxcache.compile(
            r"\b(?:we\s+will|we'll|will\s+(?:be|scale|run|use|train|evaluate|measure|compare|test|extend|port|add"
            r"|release)|plan(?:s|ned)?\s+to|planned|future\s+work|we\s+intend|intend\s+to|going\s+to"
            r"|we\s+target|targeting)\b",
            re.I,
        ),
    ),
    (
        "projected",
        (
            "project",
            "expect",
            "estimat",
            "predict",
            "anticipat",
            "would",
            "could",
            "might",
            "should",
            "hypothes",
        ),
        rxcache.compile(
            r"\b(?:we\s+project|projected|our\s+projections?|projects|(?<!as\s)expect(?:s|ed)?|we\s+estimate"
            r"|estimated|estimates"
            r"|predict(?:s|ed)?|anticipated?|hypothesi[sz]e\w*"
            r"|(?:would|could|might|should)\s+(?:reach|achieve|give|yield|be|deliver|provide|cut|reduce|improve))\b",
            re.I,
        ),
    ),
    (
        "evaluation",
        tuple("ran run measur observ obtain achiev benchmark profil test train pilot single preliminary".split()),
        rxcache.compile(
            r"\b(?:we\s+(?:ran|run|measured?|observed?|obtained?|achieved?|benchmarked|profiled|tested|trained)"
            r"|measured|ran|our\s+(?:pilot|prototype|experiments?|evaluation|runs?|measurements?|profile|tests?)"
            r"|pilot|in\s+our\s+tests?|on\s+a\s+single\s+(?:node|GPU)|preliminary\s+results?)\b",
            re.I,
        ),
    ),
    (
        "baseline",
        ("baseline", "report"),
        rxcache.compile(
            r"\bthe\s+baseline(?:'s)?\s+(?:uses|runs|reaches|achieves|reports|trains|has|gets|takes)\b"
            r"|\bbaseline\s+(?:configuration|setup|run|numbers?|throughput|MFU)\b"
            r"|(?:(?-i:\b(?!We\b|This\b|Our\b)[A-Z][\w-]+)|\bwhich|\bpaper|\bauthors)\s+reports?\b"
            r"|\breported\s+(?:by|in)\b"
            r"|\bas\s+reported\b",
            re.I,
        ),
    ),
)
# Section titles that set the stance of a paragraph with no cue of its own.
_SECTION_STANCES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "planned",
        rxcache.compile(r"\b(?:plan\w*|future|proposed\s+evaluation|next\s+steps|open\s+questions|roadmap)\b", re.I),
    ),
    ("evaluation", rxcache.compile(r"\b(?:pilot|results?|evaluation|experiments?|measurements?)\b", re.I)),
)

# The scope of a speedup, from the words around it; earlier entries win.
_SCOPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "end-to-end",
        rxcache.compile(
            r"\b(?:end[- ]to[- ]end|e2e|overall|time[- ]to[- ]train\w*|wall[- ]clock"
            r"|(?:fine-?tuning|training)\s+time)\b",
            re.I,
        ),
    ),
    ("kernel", rxcache.compile(r"\b(?:kernels?|cuBLAS|cuDNN|CUTLASS|microbenchmarks?)\b", re.I)),
    ("memory", rxcache.compile(r"\b(?:memory|footprint)\b", re.I)),
    (
        "local",
        rxcache.compile(
            r"\b(?:GEMMs?|matmuls?|attention|all-?reduces?|all-?gathers?|reduce-scatters?|all-to-all|communication"
            r"|collectives?|optimizer|backward|forward|layers?|checkpoint\w*|recovery|softmax|FFN|MLP|dispatch"
            r"|gradient\s+sync\w*|operators?|ops)\b",
            re.I,
        ),
    ),
    (
        "throughput",
        rxcache.compile(
            r"\b(?:throughput|tokens/s|tokens\s+per\s+second|samples/s|TFLOP/?s|MFU|utili[sz]ation)\b", re.I
        ),
    ),
    (
        "end-to-end",
        rxcache.compile(r"\b(?:steps?|iterations?|training|trains?|fine-?tun\w+|per-step|epochs?|jobs?)\b", re.I),
    ),
)

# Where a phrase next to a number ends.
_PHRASE_STOP = rxcache.compile(
    r"[,;:()\[\]|=]|(?<![\w.])\d|\.(?!\d)|(?<![\w-])(?:than|over|versus|vs|compared|relative|against|on|for|with"
    r"|while|when|at|in|per|from|because|since|as|and|but|which|that|to|using|by|after|before|is|are|was|were)"
    r"(?![\w-])",
    re.I,
)
# Where the clause before a number starts.
_CLAUSE_START = rxcache.compile(
    r"[,;:(]|\b(?:and|but|while|whereas|versus|vs\.?|that|which|where|so|thus|hence)\s", re.I
)
# Words that lead into a number and are not part of what it measures.
_LEAD_WORDS = rxcache.compile(
    r"(?:\s+(?:is|are|was|were|of|at|about|roughly|only|nearly|around|takes?|took|measures?|measured|costs?"
    r"|needs?|lasts?|spends?|by|to|in|within|under|over|from|falls?|drops?|goes|went|rises?|decreases?"
    r"|increases?|grows?|shrinks?|~|=|:))+\s*$",
    re.I,
)
_TRAILING_WORDS = rxcache.compile(r"(?:\s+(?:per|of|a|an|the|each|every))+\s*$", re.I)
_FROM_VALUE = rxcache.compile(r"\s+from\s+[\d.,]+\s*\S*\s*$", re.I)
_LEAD_VERB = rxcache.compile(
    r"^(?:reduces|reduce|cuts|cut|lowers|brings|shrinks|makes|keeps|so|thus|hence|then)\s+", re.I
)
_DETERMINER = rxcache.compile(r"^(?:the|a|an|its|their|our|each|every|one)\s+", re.I)


@dataclass(frozen=True, slots=True)
class _Num:
    """A numeral in a sentence: its span, its value without the scale, and the scale as written."""

    start: int
    end: int
    value: float
    suffix: str
    word: bool
    percent: bool


@dataclass(frozen=True, slots=True)
class _Hit:
    """A role given to a number; ``end`` is where the unit or context that gave it ends."""

    role: str
    value: float
    unit: str
    start: int
    end: int
    qualifier: str = ""
    text: str = ""
    stance: bool = True  # whether the qualifier may be filled with the sentence's stance


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """What names hardware in a draft, built from the hardware catalog (``hardware.lexicon``).

    ``model`` is a pattern group of accelerator names that rules embed; ``formats`` maps a format's
    spelling (lower case, single spaces) to its id and qualifier; ``format_keys`` are cheap necessary
    conditions for a format to occur in lower-cased text.
    """

    model: str
    gpu_model: re.Pattern[str]
    spec_open: re.Pattern[str]
    precision: re.Pattern[str]
    formats: tuple[tuple[str, str, str], ...]
    format_keys: tuple[str, ...]
    link_cue: re.Pattern[str]
    nic_cue: re.Pattern[str]

    def format(self, spelling: str) -> tuple[str, str]:
        """The id and qualifier of a format's spelling: "E4M3" -> ("fp8", "e4m3"); ("", "") if unknown."""
        key = " ".join(re.split(r"[-\s]+", spelling.strip().lower()))
        return next(((fmt, q) for sp, fmt, q in self.formats if sp == key), ("", ""))


@dataclass(slots=True)
class _Sentence:
    """A sentence and its section, with what rules ask of the whole sentence found once.

    Stance cues, the matches of a pattern anywhere in the sentence and the positions of clause marks are
    computed on first use and kept, so that the work per number stays bounded however many numbers a long
    sentence holds.
    """

    text: str
    section: str
    lex: _Lexicon
    low: str = ""
    page: int = 1
    index: int = -1
    _stances: list[tuple[int, int, str, int]] | None = None
    _keys: list[tuple[str, frozenset[int]]] | None = None
    _matches: dict[re.Pattern[str], tuple[list[int], list[int], list[re.Match[str]]]] = field(default_factory=dict)
    _marks: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str, section: str, lex: _Lexicon, page: int = 1, index: int = -1) -> _Sentence:
        return cls(text, section, lex, text.lower(), page, index)

    @property
    def stances(self) -> list[tuple[int, int, str, int]]:
        """Stance cues as (start, end, label, rank), sorted by start; rank is the order of the search."""
        if self._stances is None:
            found = [
                (m.start(), m.end(), label)
                for label, keys, rx in _STANCES
                if any(k in self.low for k in keys)
                for m in rx.finditer(self.text)
            ]
            self._stances = sorted((cs, ce, label, i) for i, (cs, ce, label) in enumerate(found))
        return self._stances

    def stance(self, start: int, end: int) -> str:
        """The stance cue nearest to a span (the first found among equals), else the one its section's title
        gives. Walks out from the span and stops once no cue can be nearer."""
        cues = self.stances
        best, rank, label = math.inf, math.inf, ""
        if cues:
            width = max(ce - cs for cs, ce, _, _ in cues)
            mid = bisect_left(cues, (end,))
            for k in range(mid - 1, -1, -1):  # cues that start before the span ends
                cs, ce, cue, r = cues[k]
                if start - cs - width > best:
                    break
                dist = start - ce if ce <= start else 0
                if dist < best or (dist == best and r < rank):
                    best, rank, label = dist, r, cue
            for k in range(mid, len(cues)):  # cues that start at or after its end
                cs, ce, cue, r = cues[k]
                dist = cs - end
                if dist > best:
                    break
                if dist < best or r < rank:
                    best, rank, label = dist, r, cue
        if not label and self.section:
            label = next((lab for lab, rx in _SECTION_STANCES if rx.search(self.section)), "")
        return label

    def has(self, rx: re.Pattern[str]) -> bool:
        """Whether the pattern matches anywhere in the sentence."""
        return bool(self._found(rx)[2])

    def around(self, rx: re.Pattern[str], lo: int, hi: int, pos: int) -> list[re.Match[str]]:
        """The pattern's matches inside ``text[lo:hi]`` nearest to ``pos``: the last one that ends at or
        before it and the first one that ends after it (either may be missing), in order."""
        starts, ends, matches = self._found(rx)
        out = []
        k = bisect_right(ends, pos)  # matches of one pattern do not overlap: their ends are sorted too
        if k > 0 and starts[k - 1] >= lo and ends[k - 1] <= hi:
            out.append(matches[k - 1])
        if k < len(matches) and starts[k] >= lo and ends[k] <= hi:
            out.append(matches[k])
        return out

    def _found(self, rx: re.Pattern[str]) -> tuple[list[int], list[int], list[re.Match[str]]]:
        if rx not in self._matches:
            matches = list(rx.finditer(self.text))
            self._matches[rx] = ([m.start() for m in matches], [m.end() for m in matches], matches)
        return self._matches[rx]

    def clause(self, start: int, end: int, marks: str = ";") -> tuple[int, int]:
        """The span of the clause around ``text[start:end]``, delimited by any of ``marks``."""
        if marks not in self._marks:
            self._marks[marks] = [i for i, ch in enumerate(self.text) if ch in marks]
        at = self._marks[marks]
        k = bisect_left(at, start)
        lo = at[k - 1] + 1 if k > 0 else 0
        k = bisect_left(at, end)
        return lo, at[k] if k < len(at) else len(self.text)

    def before(self, num: _Num, limit: int = _BEFORE) -> str:
        return self.text[max(0, num.start - limit) : num.start]


_Handler = Callable[[_Sentence, _Num, "re.Match[str] | None", "re.Match[str] | None", "_Rule"], list[_Hit]]


@dataclass(frozen=True, slots=True)
class _Rule:
    """One way a number gets a role.

    ``after`` must match right after the number, ``before`` must match right before it (it ends in ``\\Z``);
    ``cue`` must occur somewhere in the sentence and ``anti`` must not. ``read`` says how to read the value
    (see ``_read``); ``qualifier`` is set on the quantity. An empty ``role`` is a veto: the number gets no
    role at all. ``handler`` replaces the default of one hit with the rule's role.

    ``keys``, ``first``, ``percent`` and ``scaled`` are cheap necessary conditions checked before any pattern
    runs: one of the "|"-separated keys occurs in the lower-cased window around the number; the first
    character after the number and its spaces, lower-cased, is one of ``first``; the number is a percentage;
    the number has a scale such as "13B". They keep extraction fast and never change what matches.
    """

    role: str
    read: str = "count"
    after: re.Pattern[str] | None = None
    before: re.Pattern[str] | None = None
    cue: re.Pattern[str] | None = None
    anti: re.Pattern[str] | None = None
    words: bool = False
    unit: str = ""
    handler: _Handler | None = None
    keys: str = ""
    percent: bool = False
    scaled: bool = False
    first: str = ""
    qualifier: str = ""

    def match(self, s: _Sentence, num: _Num) -> tuple[re.Match[str] | None, re.Match[str] | None] | None:
        """The matches of the rule's patterns at a number, or None; the cheap gates are checked already."""
        am = bm = None
        if self.after is not None:
            am = self.after.match(s.text, num.end, min(len(s.text), num.end + _AFTER))
            if am is None:
                return None
        if self.before is not None:
            bm = self.before.search(s.text, max(0, num.start - _BEFORE), num.start)
            if bm is None:
                return None
        if self.cue is not None and not s.has(self.cue):
            return None
        if self.anti is not None and s.has(self.anti):
            return None
        return am, bm


def _rx(pattern: str, flags: int = re.I) -> re.Pattern[str]:
    return rxcache.compile(pattern, flags)


def _read(kind: str, num: _Num) -> float | None:
    """The value of a number for a kind of role, or None when the number cannot be one."""
    v, suffix = num.value, num.suffix
    if kind in ("count", "int"):
        ok = not suffix and not num.percent and v == int(v) and 1 <= v <= 1e7
        return v if ok else None
    if kind == "seq":
        # "a 1M-token context" is a million-token window (read as 2^20, as "256k" reads as 2^18)
        if num.percent or suffix not in ("", "k", "K", "M"):
            return None
        v *= units.scale(suffix, binary=True)
        return v if v == int(v) and 16 <= v <= 1e8 else None
    if kind == "seq_k":
        return _read("seq", num) if suffix in ("k", "K") else None
    if kind == "batch":
        if num.percent or suffix not in ("", "k", "K"):
            return None
        v *= units.scale(suffix)
        return v if v == int(v) and v >= 1 else None
    if kind == "params":
        v *= units.scale(suffix)
        return v if v >= 1e6 and not num.percent else None
    if kind == "ratio":
        return v if not suffix and not num.percent and 1.0 <= v <= 1000 else None
    if kind == "pct_up":
        return 1 + v / 100 if num.percent and 0 < v <= 10000 else None
    if kind == "pct_down":
        return 1 / (1 - v / 100) if num.percent and 0 < v < 100 else None
    if kind == "fraction":
        if suffix:
            return None
        if num.percent:
            return v / 100 if v <= 100 else None
        return v if 0 < v <= 1 else None
    if kind == "rate":
        return v * units.scale(suffix) if not num.percent else None
    # "float": a plain positive magnitude in the unit the rule reads
    return v if not suffix and not num.percent and v > 0 else None


def _hit(
    rule: _Rule,
    num: _Num,
    value: float,
    am: re.Match[str] | None,
    qualifier: str = "",
    text: str = "",
    stance: bool = True,
) -> _Hit:
    """A hit with the rule's role and unit, ending where the rule's right context ends."""
    end = am.end() if am is not None else num.end
    return _Hit(rule.role, value, rule.unit, num.start, end, qualifier, text, stance)


def _default(s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule) -> list[_Hit]:
    """One hit with the rule's role, read as the rule says."""
    value = _read(rule.read, num)
    if value is None:
        return []
    qualifier = rule.qualifier
    if am is not None and "q" in am.groupdict() and am.group("q"):
        qualifier = am.group("q").lower()
    return [_hit(rule, num, value, am, qualifier=qualifier, stance=not qualifier)]


def _near_after(s: _Sentence, pos: int) -> str:
    tail = s.text[pos : pos + 60]
    stop = _PHRASE_STOP.search(tail)
    tail = tail[: stop.start()] if stop else tail
    return _TRAILING_WORDS.sub("", tail)


def _near_before(s: _Sentence, pos: int) -> str:
    head = s.text[max(0, pos - 80) : pos]
    starts = list(_CLAUSE_START.finditer(head))
    return head[starts[-1].end() :] if starts else head


def _scope_in(text: str) -> str:
    return next((label for label, rx in _SCOPES if rx.search(text)), "")


def _nearest_scope(s: _Sentence, start: int, end: int) -> str:
    """The last scope cue before a number in its comma-delimited clause, or ""."""
    lo, _ = s.clause(start, end, ",;")
    best: tuple[int, str] | None = None
    for label, rx in _SCOPES:
        for m in s.around(rx, lo, start, start)[:1]:
            if best is None or m.start() > best[0]:
                best = (m.start(), label)
    return best[1] if best is not None else ""


_OF_IN = rxcache.compile(r"\s*(?:in|of|for)\s+", re.I)


def _clause_subject(text: str) -> str:
    """What the clause ending in ``text`` is about: "the all-gather takes about" -> "all-gather"."""
    text = re.sub(r"\([^()]*\)", " ", text)
    starts = list(_CLAUSE_START.finditer(text))
    if starts:
        text = text[starts[-1].end() :]
    text = _LEAD_WORDS.sub("", text)
    text = _FROM_VALUE.sub("", text).strip(" *")  # "falls from 2.1 ms to" -> "falls"
    text = _LEAD_WORDS.sub("", text)
    words = text.split()
    return _DETERMINER.sub("", _LEAD_VERB.sub("", " ".join(words[-6:])))


_VETO = ""

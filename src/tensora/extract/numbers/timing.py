"""Times in seconds: a whole step's time, or an operation's (a kernel, a collective, a pass)."""

from __future__ import annotations

import re

from tensora import rxcache
from tensora.extract import units
from tensora.extract.numbers.base import (
    _DETERMINER,
    _OF_IN,
    _clause_subject,
    _Hit,
    _near_after,
    _near_before,
    _Num,
    _Rule,
    _rx,
    _Sentence,
)

# Operations whose time a draft states: kernels, passes, collectives, windows.
_OP_CUE = rxcache.compile(
    r"\b(?:kernels?|GEMMs?|matmuls?|attention|all-?reduces?|all-?gathers?|reduce-scatters?|all-to-all|gathers?"
    r"|collectives?|communication|pass|passes|backward|forward|layers?|compute|windows?|idle|bubbles?|stalls?"
    r"|exposed|launch\w*|latency|optimizer|checkpoint\w*|copy|copies|transfers?|exchange|synchroni[sz]ation"
    r"|softmax|decode|prefill|operators?|ops?)\b",
    re.I,
)
# The time of a whole step: "step time of", "time per iteration", "each step takes", "per step".
_STEP_TIME = rxcache.compile(r"\b(?:step|iteration)[- ]times?\b|\btime\s+per\s+(?:step|iteration)\b", re.I)
_STEP_CUE = rxcache.compile(
    r"\b(?:step|iteration)[- ]times?\b|\btime\s+per\s+(?:step|iteration)\b|\bper[- ](?:step|iteration)\b"
    r"|\b(?:each|every|one|a|the)\s+(?:training\s+)?(?:step|iteration)\s+(?:takes|took|lasts|is)\b",
    re.I,
)
_PER_STEP = rxcache.compile(r"\s*(?:per|each|every|a|/)\s*(?:training\s+)?(?:step|iteration)\b", re.I)
_STEP_NOUN = rxcache.compile(r"(?:training\s+)?(?:step|iteration)s?", re.I)


def _time(s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule) -> list[_Hit]:
    """A time in seconds: a step time, or an operation's time with the operation in ``text``."""
    if am is None or num.suffix or num.percent:
        return []
    secs = units.seconds(num.value, am.group("u"))
    if secs is None:
        return []
    of = _OF_IN.match(s.text, am.end())
    tail = _near_after(s, of.end() if of else am.end()).strip()
    head = s.before(num)
    step = _Hit("step_time", secs, "s", num.start, am.end(), text="step time")
    if _STEP_NOUN.fullmatch(tail) or _STEP_TIME.search(head[-40:]):
        return [step]  # "a 4.2 s step", "step time of 1.4 s"
    if _OP_CUE.search(tail):
        return [_Hit("kernel_time", secs, "s", num.start, am.end(), text=_DETERMINER.sub("", tail))]
    subject = _clause_subject(head)
    if _OP_CUE.search(subject) or (secs < 1e-3 and subject):
        return [_Hit("kernel_time", secs, "s", num.start, am.end(), text=subject)]
    if _STEP_CUE.search(_near_before(s, num.start)[-40:]) or _PER_STEP.match(s.text, am.end()):
        return [step]  # "each iteration takes 2.1 s", "1.2 s per step"
    return []


RULES: tuple[_Rule, ...] = (
    _Rule(
        "time",
        after=_rx(
            r"\s?(?P<u>ns|nanoseconds?|us|µs|μs|microseconds?|ms|msec|milliseconds?|s|sec|secs|seconds?)(?![\w/])"
        ),
        handler=_time,
        first="nuµμms",
    ),
)

"""The rules of every family in priority order, the cheap gates that pick candidates, and the carry-over
of a baseline value ("37 us versus 88")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from tensora import rxcache
from tensora.extract.numbers import (
    batch,
    communication,
    memory,
    parallel,
    scale,
    shape,
    throughput,
    timing,
    vetoes,
)
from tensora.extract.numbers.base import _AFTER, _BEFORE, _default, _Hit, _Num, _Rule, _Sentence

_VERSUS = rxcache.compile(r"\s*,?\s*(?:versus|vs\.?|compared\s+(?:to|with))\s+(?:the\s+)?\Z", re.I)
_FOR_WHOM = rxcache.compile(r"\s*(?:%\s*)?(?:for|of|with|by|in)\s+(?P<who>[\w.+-]+(?:\s+[A-Z][\w.+-]*)?)")


@dataclass(frozen=True, eq=False)
class _RuleSet:
    """The rules in priority order for one set of accelerator names, with the keys that gate them."""

    rules: tuple[_Rule, ...]
    key_rules: tuple[tuple[str, frozenset[int]], ...]
    free: frozenset[int]
    _candidates: dict[tuple[str, bool, bool, bool], frozenset[int]] = field(default_factory=dict)

    def candidates(self, nxt: str, word: bool, percent: bool, scaled: bool) -> frozenset[int]:
        """Indices of the rules that may match a number, from what follows it and what kind of number it is."""
        key = (nxt, word, percent, scaled)
        if key not in self._candidates:
            self._candidates[key] = frozenset(
                i
                for i, r in enumerate(self.rules)
                if (not r.first or nxt in r.first)
                and (r.words or not word)
                and (percent or not r.percent)
                and (scaled or not r.scaled)
            )
        return self._candidates[key]


@cache
def _ruleset(model: str) -> _RuleSet:
    """The rules for accelerator names ``model``.

    Priority order: the first rule that matches a number gives its role. Vetoes come first; a family's
    rules keep their order, and the families are interleaved where one must win over another (a model size
    before a parallel degree, a parallel degree before a layer count).
    """
    rules = (
        *vetoes.RULES,
        *throughput.RULES,
        *communication.RULES,
        *memory.rules(model),
        *timing.RULES,
        *scale.rules(model),
        *shape.SIZE_RULES,
        *parallel.RULES,
        *shape.ARCH_RULES,
        *batch.RULES,
        *shape.MOE_RULES,
    )
    keys = sorted({k for r in rules if r.keys for k in r.keys.split("|")})
    key_rules = tuple((k, frozenset(i for i, r in enumerate(rules) if k in r.keys.split("|"))) for k in keys)
    return _RuleSet(rules, key_rules, frozenset(i for i, r in enumerate(rules) if not r.keys))


# Roles whose value a "versus N" right after them carries over to N, as the baseline's.
_CARRIED = frozenset({"kernel_time", "step_time", "tflops_per_gpu", "mfu", "tokens_per_s"})


def _keyed(s: _Sentence, rs: _RuleSet, window: str) -> set[int]:
    """Indices of the rules whose keys (if any) occur in a lower-cased window of the sentence."""
    if s._keys is None:
        s._keys = [(k, rules) for k, rules in rs.key_rules if k in s.low]
    ids = set(rs.free)
    for key, rules in s._keys:
        if key in window:
            ids |= rules
    return ids


def _role_hits(s: _Sentence, num: _Num) -> list[_Hit]:
    nxt = s.low[num.end : num.end + 4].lstrip()[:1]
    scaled = bool(num.suffix) or num.value >= 1e6
    rs = _ruleset(s.lex.model)
    ids = _keyed(s, rs, s.low[max(0, num.start - _BEFORE) : num.end + _AFTER])
    ids &= rs.candidates(nxt, num.word, num.percent, scaled)
    for i in sorted(ids):
        rule = rs.rules[i]
        matched = rule.match(s, num)
        if matched is None:
            continue
        if not rule.role:
            return []
        am, bm = matched
        hits = (rule.handler or _default)(s, num, am, bm, rule)
        if hits:
            return hits
    return []


def _carry(s: _Sentence, hit: _Hit, nums: list[_Num], index: int) -> _Hit | None:
    """The baseline's value in "37 us versus 88 for cuBLAS", carried over from the hit before it."""
    if hit.role not in _CARRIED or index + 1 >= len(nums):
        return None
    num, nxt = nums[index], nums[index + 1]
    if nxt.word or nxt.start < hit.end or not _VERSUS.match(s.text, hit.end, nxt.start):
        return None
    if nxt.percent != num.percent:
        return None  # "52% MFU versus 0.4" mixes two scales
    value = nxt.value * (hit.value / num.value if num.value else 1.0)  # the hit's unit conversion
    who = _FOR_WHOM.match(s.text, nxt.end)
    return _Hit(hit.role, value, hit.unit, nxt.start, nxt.end, "baseline", who.group("who") if who else "", False)

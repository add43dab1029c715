"""Link and network bandwidth: NVLink-like cues make a rate intra-node, network cues inter-node."""

from __future__ import annotations

import re

from tensora import rxcache
from tensora.extract import units
from tensora.extract.numbers.base import _Hit, _Num, _Rule, _rx, _Sentence

_HBM_CUE = rxcache.compile(r"\b(?:HBM\w*|memory\s+bandwidth|DRAM|GDDR\w*)\b", re.I)
_ACHIEVED = rxcache.compile(r"\b(?:achieved|measured|effective|observed|bus\s+bandwidth|busbw|algbw)\b", re.I)
_NIC_COUNT = rxcache.compile(
    r"(?:(?<![\d/.,])(?P<n>\d+)\s?[x×]|\b(?P<w>two|four|eight|sixteen))\s*\Z",
    re.I,
)


def _bandwidth(s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule) -> list[_Hit]:
    """A link rate in GB/s: NVLink-like cues make it intra-node, network cues inter-node."""
    if am is None or num.suffix or num.percent:
        return []
    unit = am.group("u")
    gbs = units.bandwidth_gb_per_s(num.value, unit)
    if gbs is None:
        return []
    lo, hi = s.clause(num.start, am.end())
    cues = [(m, "link") for m in s.around(s.lex.link_cue, lo, hi, num.start)]
    cues += [(m, "nic") for m in s.around(s.lex.nic_cue, lo, hi, num.start)]
    cues += [(m, "") for m in s.around(_HBM_CUE, lo, hi, num.start)]

    def dist(m: re.Match[str]) -> int:
        return num.start - m.end() if m.end() <= num.start else max(0, m.start() - am.end())

    if cues:
        role = min(cues, key=lambda c: dist(c[0]))[1]
    else:
        role = "nic" if "b" in unit[:2] else ""
    if not role:
        return []
    qualifier = ""
    if role == "nic":
        count = _NIC_COUNT.search(s.text, max(0, num.start - 16), num.start)
        if count:
            n = count.group("n") or str(units.NUMBER_WORDS[count.group("w").lower()])
            per_node = " per node" if re.search(r"\bper\s+node\b", s.text[am.end() : am.end() + 40], re.I) else ""
            qualifier = f"{n} NICs{per_node}"
    elif _ACHIEVED.search(s.text[max(0, num.start - 30) : am.end() + 30]):
        qualifier = "achieved"
    name = "link_bandwidth" if role == "link" else "nic_bandwidth"
    return [_Hit(name, gbs, "GB/s", num.start, am.end(), qualifier=qualifier, stance=not qualifier)]


RULES: tuple[_Rule, ...] = (
    _Rule(
        "bandwidth",
        after=_rx(r"\s?(?P<u>GB/s|GBps|GB/sec|GiB/s|TB/s|Gb/s|Gbps|Gbit/s|Tb/s|Tbps|Mb/s|Mbps)(?![\w/])", 0),
        handler=_bandwidth,
        keys="b/s|bps|bit/s",
        first="gtm",
    ),
)

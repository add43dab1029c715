"""Device memory capacity; a size the words say is used ("uses 40 GB") is a footprint and gets no role."""

from __future__ import annotations

import re

from tensora import rxcache
from tensora.extract.numbers.base import _BEFORE, _Hit, _Num, _Rule, _rx, _Sentence


def _memory(s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule) -> list[_Hit]:
    """A device memory size, unless the words say it is used rather than available."""
    if am is None or num.suffix or num.percent:
        return []
    if _MEMORY_USE.search(s.text, max(0, num.start - _BEFORE), num.start):
        return []  # "uses 40 GB of memory" is a footprint, not a capacity
    return [_Hit("memory_capacity", num.value, am.group("u"), num.start, am.end())]


# Words that make a memory size a footprint rather than a capacity.
_MEMORY_USE = rxcache.compile(
    r"\b(?:uses?|used|using|needs?|needed|requires?|required|consumes?|consumed|takes?|took|occupies|allocates?"
    r"|allocated|reserves?|reserved|peak(?:\s+\w+){0,3}\s+(?:is|was|of)|footprint(?:\s+\w+)?\s+(?:is|was|of)"
    r"|is|was|are|were)\s+(?:only\s+|about\s+|roughly\s+|~\s?|up\s+to\s+|just\s+)?\Z",
    re.I,
)


def rules(model: str) -> tuple[_Rule, ...]:
    """The rules of the family, with ``model`` the pattern of accelerator names."""
    return (
        _Rule(
            "memory_capacity",
            after=_rx(
                r"\s?(?P<u>GB|GiB)\s+(?:of\s+)?(?:HBM\w*|device\s+memory|GPU\s+memory|on-device\s+memory|VRAM|DRAM"
                r"|memory)\b",
                0,
            ),
            handler=_memory,
            keys="gb|gib",
            first="g",
        ),
        _Rule(
            "memory_capacity",
            after=_rx(r"\s?(?P<u>GB|GiB)\b(?!/)", 0),
            before=_rx(r"\d\s?Gi?B\s+of\s+\Z", 0),
            handler=_memory,
            keys="gb|gib",
            first="g",
        ),
        _Rule(
            "memory_capacity",
            after=_rx(rf"\s?(?P<u>GB|GiB)\s+(?:GPUs?|cards?|devices?|accelerators?|{model})\b", 0),
            handler=_memory,
            keys="gb|gib",
            first="g",
        ),
        _Rule(
            "memory_capacity",
            after=_rx(r"\s?(?P<u>GB|GiB)\b(?!/)", 0),
            before=_rx(rf"(?:{model}(?:[-\s](?:SXM\d?|PCIe|NVL))?|GPUs?)\s*(?:\(|,|with|has|have)?\s*\Z", 0),
            handler=_memory,
            keys="gb|gib",
            first="g",
        ),
        _Rule(
            "memory_capacity",
            after=_rx(r"\s?(?P<u>GB|GiB)\b(?!/)", 0),
            before=_rx(r"(?:\b(?:memory|HBM\w*)\s+(?:capacity|size)|\bcapacity)\s*(?:of|is|=|:)?\s*\Z"),
            handler=_memory,
            keys="gb|gib",
            first="g",
        ),
        _Rule(
            "memory_capacity",
            # "2 x 5.4 GB = 10.8 GB" is a step of arithmetic, not 2 devices of 5.4 GB
            after=_rx(r"\s?(?P<u>GB|GiB)\b(?!/)(?!\s*=)", 0),
            before=_rx(r"(?<![\d/.,])\d+\s?[x×]\s*\Z"),
            cue=_rx(rf"\b(?:GPUs?|nodes?|HBM|memory|devices?|cards?)\b|{model}"),
            handler=_memory,
            keys="gb|gib",
            first="g",
        ),
    )

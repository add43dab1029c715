"""Numbers that look like a role but are not: a subset, a share per stage, an event, a device as a unit."""

from __future__ import annotations

from tensora.extract.numbers.base import _VETO, _Rule, _rx

RULES: tuple[_Rule, ...] = (
    # vetoes: counts of a subset ("the other 127 nodes"), per-stage layer counts, events ("one node fails"),
    # a device as a unit of memory ("fits on one GPU", "one GPU's memory")
    _Rule(
        _VETO,
        before=_rx(r"\b(?:fits?|fitting)\s+(?:on\s+|in\s+|into\s+|within\s+)?(?:a\s+)?\Z"),
        after=_rx(r"\s?(?:GPUs?|devices?|accelerators?|nodes?)\b"),
        keys="fit",
        words=True,
    ),
    _Rule(
        _VETO,
        after=_rx(r"\s?(?:GPU|device|accelerator)['’]s\b"),
        keys="gpu|device|accelerator",
        words=True,
    ),
    _Rule(
        _VETO,
        before=_rx(r"\b(?:other|remaining|surviving|failed|failing|healthy|spare|idle|first|last)\s+\Z"),
        keys="other|remaining|surviving|failed|failing|healthy|spare|idle|first|last",
    ),
    _Rule(
        _VETO,
        after=_rx(
            r"\s+layers?\s+(?:per|on\s+each|in\s+each|each|ahead|in\s+flight|at\s+a\s+time"
            r"|of\s+(?:compute|look-?ahead|prefetch|work))\b"
        ),
        words=True,
        keys="layer",
        first="l",
    ),
    _Rule(
        _VETO,
        after=_rx(r"\s+node\s+(?:was|fails?|failed|dies|died|goes|went|becomes|crash\w*|is\s+(?:slow|down|lost))\b"),
        words=True,
        keys="node",
        first="n",
    ),
    # "each stage holds 6 layers", "8 heads per GPU", "2 experts per GPU": a share, not the model's count
    _Rule(
        _VETO,
        before=_rx(r"\b(?:each|every|per)\b[^,;.]{0,30}\Z"),
        after=_rx(r"\s?layers\b"),
        keys="layer",
        first="l",
    ),
    _Rule(
        _VETO,
        after=_rx(r"\s?(?:attention\s+)?(?:heads|experts)\s+(?:per|on\s+each)\s+(?:GPU|rank|device|partition)\b"),
        keys="head|expert",
        first="ahe",
    ),
    # "10 node kills", "2 node failures": a count of events, not of nodes
    _Rule(
        _VETO,
        after=_rx(r"\s+node\s+(?!(?:is|was|with|of|in|on|and|or|for|to|that|which)\b)[a-z]"),
        cue=None,
        keys="node",
        first="n",
    ),
    _Rule(
        _VETO,
        before=_rx(r"\bper-?\s?(?:GPU|device|rank)\s+batch(?:\s+size)?\s*(?:of|=|:)?\s*\Z"),
        keys="batch",
    ),
    _Rule(
        _VETO,
        before=_rx(r"\bbatch(?:\s+size)?\s+(?:of\s+)?\Z"),
        after=_rx(r"\s?tokens?\b"),
        keys="token",
        first="t",
    ),
    # "batch size 32 per GPU": a per-device batch, not the global one
    _Rule(
        _VETO,
        before=_rx(r"\bbatch(?:\s+size)?\s*(?:of|=|:)?\s*\Z"),
        after=_rx(r"\s?(?:sequences?\s+|samples?\s+)?(?:per|/)\s*(?:GPU|device|rank|replica|worker)\b"),
        keys="batch",
    ),
)

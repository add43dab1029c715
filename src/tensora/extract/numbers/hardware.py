"""Accelerator names and numeric formats as they are written in drafts."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from functools import cache

from tensora import rxcache
from tensora.extract.numbers.base import _Hit, _Lexicon
from tensora.knowledge.hardware import Catalog, load_catalog

# Variants written after an accelerator's name: A100-80GB, H100 SXM, H100 NVL.
_VARIANT = r"(?:[-\s](?:SXM\d?|PCIe|NVL|\d{2,3}\s?GB)(?!\w))"
# Words that place a bandwidth inside a node or between nodes, whatever the hardware is called.
_LINK_WORDS = r"intra-node|in-node|within\s+(?:a|the|each)\s+node|inside\s+(?:a|the|each)\s+nodes?"
_NIC_WORDS = (
    r"NICs?|HCAs?|network|networks|inter-node|between\s+nodes|across\s+(?:the\s+)?(?:[\d,]+\s+)?nodes|scale-out"
)
# A capitalised token between a count and its noun: "1,024 A100-80GB GPUs", "128 DGX A100 nodes".
_TOKEN = r"(?:(?![KMGT]i?B\b|Gb\b)[A-Z][\w-]*|v\d\w*)"

# What a format is used for: "FP32 master weights", "FP32 accumulation".
_PRECISION_USE = rxcache.compile(
    r"[\s-]*(?P<use>master\s+weights?|master\s+cop(?:y|ies)|weights?|activations?|gradients?"
    r"|optimizer\s+states?|Adam\s+states?|accumulat\w*|accumulators?)\b",
    re.I,
)


def _precision_hits(text: str, lex: _Lexicon) -> list[_Hit]:
    hits: list[_Hit] = []
    for m in lex.precision.finditer(text):
        fmt, qualifier = lex.format(m.group("fmt"))
        prev = hits[-1] if hits and m.start() - hits[-1].end <= 2 else None
        if prev is not None and (fmt == prev.text or (qualifier == "mixed" and prev.text in ("bf16", "fp16"))):
            # "BF16 mixed precision", "FP8 (E4M3)": one format, said twice
            if qualifier and not prev.qualifier:
                hits[-1] = replace(prev, qualifier=qualifier, stance=False)
            continue
        use = _PRECISION_USE.match(text, m.end())
        if use and not qualifier:
            word = use.group("use").lower()
            qualifier = "accumulation" if word.startswith("accumulat") else " ".join(word.split())
        hits.append(
            _Hit(
                "precision",
                math.nan,
                "",
                m.start(),
                m.end(),
                qualifier=qualifier,
                text=fmt,
                stance=not qualifier,
            )
        )
    return hits


def _units(name: str) -> tuple[str, ...]:
    """A name as pattern pieces: each letter in either case, its parts joined by a dash, a space or nothing.

    Example: "tpu v4" -> ("[Tt]", "[Pp]", "[Uu]", "[-\\s]?", "[Vv]", "4")
    """
    parts = [p for p in re.split(r"[-\s]+", name.strip()) if p]
    out: list[str] = []
    for i, part in enumerate(parts):
        if i:
            out.append(r"[-\s]?")
        out.extend(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in part)
    return tuple(out)


def _alternation(names: list[str]) -> str:
    """The names as one pattern group, written as a tree of their common beginnings so that a position is
    tested against one branch per distinct first character; a longer name is tried before its prefix."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for name in names:
        node = trie
        for unit in _units(name):
            node = node.setdefault(unit, {})
        node[""] = {}
    if not trie:
        return "(?!)"

    def pattern(node: dict) -> str:  # type: ignore[type-arg]
        alts = [unit + pattern(child) for unit, child in sorted(node.items()) if unit]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return f"(?:{pattern(trie)})"


def lexicon(catalog: Catalog | None = None) -> _Lexicon:
    """The names of accelerators, interconnects and formats in ``catalog`` (the hardware catalog by default,
    with the user's override), as patterns."""
    cat = catalog if catalog is not None else load_catalog()
    node = [n for i in cat.interconnects if i.scope == "node" for n in (i.name, *i.aliases)]
    network = [n for i in cat.interconnects if i.scope == "network" for n in (i.name, *i.aliases)]
    formats = tuple(
        (" ".join(sp.lower().split()), f.id, q)
        for f in cat.formats
        for sp, q in [*((a, "") for a in f.aliases), *f.variants.items()]
    )
    return _build(tuple(cat.device_names()), tuple(node), tuple(network), formats)


@cache
def _build(
    devices: tuple[str, ...], node: tuple[str, ...], network: tuple[str, ...], formats: tuple[tuple[str, str, str], ...]
) -> _Lexicon:
    model = _alternation(list(devices))
    spellings = sorted({sp for sp, _, _ in formats}, key=lambda sp: (-len(sp), sp))
    fmt = "|".join(r"[- ]".join(re.escape(w) for w in sp.split()) for sp in spellings) or "(?!)"
    words = r"\s+".join
    link = "|".join(words(re.escape(w) for w in n.split()) for n in node)
    nic = "|".join(words(re.escape(w) for w in n.split()) for n in network)
    return _Lexicon(
        model=model,
        gpu_model=rxcache.compile(rf"(?P<name>{model}{_VARIANT}*)(?![\w])"),
        # an accelerator's name and an opening parenthesis before a number: its spec sheet, "A100 (312 TFLOP/s"
        spec_open=rxcache.compile(rf"{model}[\w\s-]{{0,12}}\(\s*\Z"),
        # "all-bfloat16" and "FP8-Everywhere" count
        precision=rxcache.compile(rf"(?<!\w)(?P<fmt>{fmt})(?!\w)", re.I),
        formats=formats,
        format_keys=tuple(sorted({sp[:3] for sp in spellings})),
        link_cue=rxcache.compile(rf"\b(?:{'|'.join(x for x in (link, _LINK_WORDS) if x)})\b", re.I),
        nic_cue=rxcache.compile(rf"\b(?:{'|'.join(x for x in (nic, _NIC_WORDS) if x)})\b", re.I),
    )

"""Scale: GPU and node counts, GPUs per node, and the total they imply."""

from __future__ import annotations

import re

from tensora import rxcache
from tensora.extract.numbers.base import _Hit, _hit, _Num, _read, _Rule, _rx, _Sentence
from tensora.extract.numbers.hardware import _TOKEN

_NODE_CUE = rxcache.compile(r"\b(?:nodes?|servers?|machines?|hosts?|DGX|HGX|boxes)\b", re.I)
_PLACEMENT = rxcache.compile(
    r"\b(?:inside|within|outside|beyond|leaves?|leaving|across|per|each|every)\s+(?:a\s+)?\Z", re.I
)
_DGX = rxcache.compile(r"\b(?:DGX|HGX)\b")


def _nodes(s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule) -> list[_Hit]:
    """A node count; a DGX/HGX node also states 8 GPUs per node."""
    value = _read("count", num)
    if value is None or am is None:
        return []
    if value == 1 and _PLACEMENT.search(s.text, max(0, num.start - 24), num.start):
        return []  # "kept inside one node" says where, not how many
    hits = [_hit(rule, num, value, am)]
    if _DGX.search(am.group(0)):
        # a DGX/HGX A100 or H100 node holds 8 GPUs
        hits.append(_Hit("gpus_per_node", 8.0, "GPU", num.start, am.end(), text="implied by DGX"))
    return hits


def _gpus_x_model(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """ "8x A100": GPUs per node when a node is named next to it, else a GPU count."""
    value = _read("count", num)
    if value is None or am is None:
        return []
    head = s.text[max(0, num.start - 30) : num.start]
    if re.search(r"=\s*\Z", head):
        role = "gpus"  # "8 nodes = 64 x A100": the total
    elif _NODE_CUE.search(s.text, am.end(), am.end() + 30) or _NODE_CUE.search(head):
        role = "gpus_per_node"  # "8 x H100 in one node", "one node, 8 x A100"
    else:
        role = "gpus"
    return [_Hit(role, value, "GPU", num.start, am.end())]


def rules(model: str) -> tuple[_Rule, ...]:
    """The rules of the family, with ``model`` the pattern of accelerator names."""
    return (
        # GPUs per node: "8 GPUs per node", "nodes of 8 GPUs", "8-GPU servers", "the 8 GPUs of a node"
        _Rule(
            "gpus_per_node",
            after=_rx(
                rf"\+?\s?(?:(?:NVIDIA|AMD)\s+)?(?:{_TOKEN}\s+){{0,2}}?GPUs?\s*(?:per|/|in\s+each|on\s+each|each|in\s+a"
                r"|in\s+one|of\s+(?:a|each|every|one|the))\s*(?:node|server|machine|host|box)\b",
                0,
            ),
            words=True,
            unit="GPU",
            keys="gpu",
        ),
        _Rule(
            "gpus_per_node",
            after=_rx(rf"\s?(?:{_TOKEN}\s+){{0,2}}?GPUs\s+each\b", 0),
            words=True,
            unit="GPU",
            keys="gpu",
        ),
        _Rule(
            "gpus_per_node",
            after=_rx(rf"-GPU\s+(?:{_TOKEN}\s+){{0,2}}?(?:nodes?|servers?|machines?|hosts?|boxes|DGX)\b", 0),
            unit="GPU",
            keys="gpu",
            first="-",
        ),
        _Rule(
            "gpus_per_node",
            before=_rx(
                r"\b(?:nodes?|servers?|machines?|hosts?)\s*(?:of|with|[x×]|each\s+with|containing|having|holding)\s*\Z"
            ),
            after=_rx(rf"\s?(?:[x×]\s*)?(?:(?:NVIDIA|AMD)\s+)?(?:GPUs?\b|{model})", 0),
            words=True,
            unit="GPU",
            keys="node|server|machine|host",
        ),
        # "512 A100 GPUs, 8 per node"
        _Rule(
            "gpus_per_node",
            after=_rx(r"\s+per\s+(?:node|server|machine|host)\b"),
            cue=_rx(rf"\bGPUs?\b|{model}", 0),
            keys="node|server|machine|host",
            first="p",
            unit="GPU",
        ),
        _Rule(
            "gpus",
            after=_rx(rf"\s?[x×]\s*(?:(?:NVIDIA|AMD)\s+)?{model}", 0),
            unit="GPU",
            handler=_gpus_x_model,
            keys="x|×",
            first="x×",
        ),
        # nodes: "eight H100 nodes", "128 DGX A100 nodes", "a single node", "an 8-node cluster"
        _Rule(
            "nodes",
            after=_rx(
                rf"\+?\s?(?:(?:\d+\s?[x×]\s?)?(?:NVIDIA\s+)?(?:DGX|HGX|{_TOKEN})\s+|\d+-GPU\s+){{0,3}}?"
                r"(?:compute\s+)?(?:nodes?|servers?|machines)\b|-node\b",
                0,
            ),
            words=True,
            unit="node",
            handler=_nodes,
            keys="node|server|machine",
        ),
        # GPUs: "64 GPUs", "1,024 A100-80GB GPUs", "a 256-GPU cluster", "8 H100s", "256 TPU v4 chips"
        _Rule(
            "gpus",
            after=_rx(
                rf"\+?\s?(?:(?:NVIDIA|AMD|Google|AWS|Intel)\s+)?(?:(?:{_TOKEN}\s+){{0,2}}?(?:GPUs?|accelerators?)(?![\w-])(?!\s*hours?)"
                rf"|{model}s\b|TPU(?:\s*v\d\w*)?\s+(?:chips|cores)\b|(?:v\d\w*\s+)?chips\b(?!\s+(?:per|of\s+HBM))(?![\w-])"
                # "16 Trainium2 chips", "8 Gaudi3 cards"
                r"|(?:Trainium|Inferentia|Gaudi)\d?\s+(?:chips|devices|cards)\b"
                r")|-GPUs?\b(?!-?hours?)",
                0,
            ),
            words=True,
            unit="GPU",
        ),
    )


def _derived_gpus(hits: list[_Hit]) -> list[_Hit]:
    """GPUs = nodes x GPUs per node, when a sentence states both but not the total."""
    nodes = [h for h in hits if h.role == "nodes"]
    per_node = [h for h in hits if h.role == "gpus_per_node"]
    if len(nodes) != 1 or len(per_node) != 1 or any(h.role == "gpus" for h in hits):
        return []
    n, g = nodes[0], per_node[0]
    text = f"{n.value:g} nodes x {g.value:g} GPUs"
    return [_Hit("gpus", n.value * g.value, "GPU", n.start, n.end, text=text)]

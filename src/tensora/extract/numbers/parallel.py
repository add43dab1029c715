"""Parallel degrees: tensor, pipeline, data, expert and context parallelism, in words, letters and tuples."""

from __future__ import annotations

import re

from tensora import rxcache
from tensora.extract.numbers.base import _Hit, _Num, _read, _Rule, _rx, _Sentence

# Parallel degrees written against their name: TP8, PP4, DP16.
# "TP8", and "TP 8" / "PP 8," written with a space ("= 8" has its own rule)
_GLUED_DEGREE = rxcache.compile(r"\b(?P<name>TP|PP|DP|EP|CP)\s?(?P<n>\d+)\b(?![.\d]*\s*(?:%|x\b|GB|GiB|ms|s\b))")
# Megatron's tuples: "(p, t, d) = (8, 8, 16)".
_DEGREE_TUPLE = rxcache.compile(
    r"\((?P<names>[tpdbmv](?:\s*,\s*[tpdbmv]){1,5})\)\s*=\s*\((?P<vals>\d+(?:\s*,\s*\d+){1,5})\)"
)
_TUPLE_ROLES = {
    "t": "tp",
    "p": "pp",
    "d": "dp",
    "b": "micro_batch_size",
    "m": "micro_batches",
    "v": "virtual_stages",
}


def _n_way(s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule) -> list[_Hit]:
    """ "8-way tensor parallelism", "4 tensor-parallel ranks": the degree of the named kind."""
    value = _read("int", num)
    if value is None or am is None:
        return []
    kind = (am.group("kind") or am.group("kind2")).lower()
    role = {"tensor": "tp", "tp": "tp", "pipeline": "pp", "pp": "pp", "data": "dp", "dp": "dp"}.get(kind)
    role = role or {"expert": "ep", "ep": "ep", "context": "cp", "sequence": "cp", "cp": "cp"}[kind]
    return [_Hit(role, value, "", num.start, am.end())]


def _chain(s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule) -> list[_Hit]:
    """ "TP = SP = 8": one degree for each name in the chain; SP beside TP is noted on tp."""
    value = _read("int", num)
    if value is None or bm is None:
        return []
    names = re.findall(r"[A-Z]{2}", bm.group("chain"))
    sp = "SP" in names
    roles = {"TP": "tp", "PP": "pp", "DP": "dp", "EP": "ep", "CP": "cp"}
    hits = []
    for name in names:
        if name in roles:
            qualifier = "sp" if name == "TP" and sp else ""
            hits.append(_Hit(roles[name], value, "", num.start, num.end, qualifier=qualifier, stance=not qualifier))
    return hits


_DEGREE_TAIL = r"\s*(?:=|:|of|is|to|at)?\s*"
RULES: tuple[_Rule, ...] = (
    # parallel degrees: "TP = SP = 8", "tensor-parallel degree 8", "t = 8, p = 16", "8-way tensor parallelism"
    _Rule(
        "degree",
        before=_rx(r"(?P<chain>(?:\b(?:TP|PP|DP|EP|CP|SP)\s*=\s*){1,4})\Z", 0),
        handler=_chain,
        keys="=",
    ),
    _Rule(
        "tp",
        "int",
        before=_rx(
            r"\b(?:tensor[- ](?:model[- ])?parallel(?:ism)?(?:\s+(?:degree|size|width))?"
            r"|tensor_model_parallel_size"
            rf"|tp_size|(?-i:TP)\s+(?:degree|size)){_DEGREE_TAIL}(?:(?-i:t)\s*=\s*)?\Z"
        ),
        keys="tensor|tp",
    ),
    _Rule(
        "tp",
        "int",
        before=_rx(r"\bt\s*=\s*\Z", 0),
        cue=_rx(r"tensor|\bTP\b|parallel|\bp\s*=|PTD"),
        keys="=",
    ),
    _Rule(
        "pp",
        "int",
        before=_rx(
            r"\b(?:pipeline[- ](?:model[- ])?parallel(?:ism)?(?:\s+(?:degree|size|width))?"
            r"|pipeline(?:\s+(?:depth|degree"
            rf"|size))?|pipeline_model_parallel_size|pp_size|(?-i:PP)\s+(?:degree|size)){_DEGREE_TAIL}(?:(?-i:p)\s*=\s*)?\Z"
        ),
        keys="pipeline|pp",
    ),
    _Rule(
        "pp",
        "int",
        # "p = 8", or "P = 8" in a draft that names its degrees by capitals ("P = 8", "D must divide ...")
        before=_rx(r"\b[pP]\s*=\s*`?\Z", 0),
        cue=_rx(r"pipelin|\bPP\b|stage|parallel|\bt\s*=|bubble"),
        keys="=",
    ),
    _Rule(
        "pp",
        after=_rx(r"\s?(?:pipeline\s+)?stages\b|-stage\s+pipeline\b(?![-.])"),
        cue=_rx(r"pipelin|1F1B|GPipe|\bPP\b|bubble|micro-?batch"),
        anti=_rx(r"cp\.async|shared\s+memory|\bTMA\b|\bsmem\b|\bwarps?\b|software\s+pipelin|\bkernel"),
        words=True,
        keys="stage",
        first="ps-",
    ),
    _Rule(
        "dp",
        "int",
        before=_rx(
            r"\b(?:data[- ]parallel(?:ism)?(?:\s+(?:degree|size|width|replicas))?|data_parallel_size|dp_size"
            rf"|(?-i:DP)\s+(?:degree|size)){_DEGREE_TAIL}(?:(?-i:d)\s*=\s*)?\Z"
        ),
        keys="data|dp",
    ),
    _Rule(
        "dp",
        "int",
        # "raises the data-parallel degree from 16 to 20": both ends are degrees
        before=_rx(r"\bdata[- ]parallel\w*(?:\s+(?:degree|size))?\s+from\s+(?:\d[\d,]*\s+to\s*)?\Z"),
        keys="data",
    ),
    _Rule(
        "dp",
        "int",
        # "data parallelism over 16 replicas"
        after=_rx(r"\s+(?:data[- ]parallel\s+)?(?:replicas|model replicas)\b"),
        cue=_rx(r"data[- ]parallel|\bDP\b"),
        keys="replica",
    ),
    _Rule(
        "dp",
        "int",
        before=_rx(r"\bd\s*=\s*\Z", 0),
        cue=_rx(r"\bdata\b|\bDP\b|replica|parallel|\bt\s*=|\bp\s*="),
        keys="=",
    ),
    _Rule(
        "ep",
        "int",
        before=_rx(
            r"\b(?:expert[- ]parallel(?:ism)?(?:\s+(?:degree|size|width))?|expert_model_parallel_size|ep_size"
            rf"|(?-i:EP)\s+(?:degree|size)){_DEGREE_TAIL}\Z"
        ),
        keys="expert|ep",
    ),
    _Rule(
        "cp",
        "int",
        before=_rx(
            r"\b(?:context[- ]parallel(?:ism)?(?:\s+(?:degree|size|width))?|context_parallel_size|cp_size"
            r"|sequence[- ]parallel(?:ism)?\s+(?:degree|size|width)|Ulysses\s+degree"
            rf"|(?-i:CP)\s+(?:degree|size)){_DEGREE_TAIL}\Z"
        ),
        keys="context|sequence|cp|ulysses",
    ),
    _Rule(
        "degree",
        after=_rx(
            r"\s?-?\s?way\s+(?P<kind>tensor|TP|pipeline|PP|data|DP|expert|EP|context|sequence|CP)\b"
            r"|\s(?P<kind2>tensor|pipeline|data|expert|context)[- ]parallel\s+"
            r"(?:ranks|GPUs|replicas|workers|groups|stages)\b"
        ),
        handler=_n_way,
        keys="way|parallel",
        first="-wtpdec",
    ),
)

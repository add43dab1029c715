"""Batches and schedules: global batch, micro-batch size, micro-batch count and interleaving chunks."""

from __future__ import annotations

from tensora.extract.numbers.base import _Rule, _rx

RULES: tuple[_Rule, ...] = (
    # batches: "micro-batch size b = 24", "8 micro-batches of 24 sequences", "global batch 1,536", "m = 8"
    _Rule("micro_batch_size", "int", before=_rx(r"\bmicro-?\s?batch(?:es)?\s+of\s*\Z"), keys="micro"),
    _Rule(
        "micro_batch_size",
        "int",
        before=_rx(
            r"\b(?:micro-?\s?batch(?:[\s_-]size)?|mbs|micro_batch_size)(?:\s+(?-i:b))?\s*(?:=|:|of|is)?\s*\(?\s*\Z"
        ),
        keys="micro|mbs",
    ),
    _Rule(
        "micro_batch_size",
        "int",
        before=_rx(r"\bb\s*=\s*\Z", 0),
        cue=_rx(r"batch|micro|sequence|GEMM|layer|pipelin"),
        keys="=",
    ),
    _Rule(
        "micro_batch_size",
        "int",
        after=_rx(r"\s?sequences?\s+(?:per|in\s+each|each)\s+micro-?\s?batch|-sequence\s+micro-?\s?batch"),
        keys="micro",
        first="s-",
    ),
    _Rule("micro_batches", after=_rx(r"\s?-?\s?micro-?\s?batches\b"), words=True, keys="micro", first="-m"),
    _Rule(
        "micro_batches",
        after=_rx(r"\s?gradient[- ]accumulation\s+steps\b"),
        keys="accumulation",
        first="g",
    ),
    _Rule(
        "micro_batches",
        before=_rx(
            r"\b(?:number\s+of\s+micro-?\s?batches|num[_ ]micro[_ ]?batches"
            r"|gradient[- ]accumulation(?:\s+steps)?"
            r"|accumulation\s+steps)\s*(?:=|:|of|is)?\s*\Z"
        ),
        keys="micro|accumulation",
    ),
    _Rule(
        "micro_batches",
        # "raise the number of micro-batches from 8 to 64": the new count
        before=_rx(r"\bmicro-?\s?batch(?:es|\s+count)?\s+(?:\w+\s+){0,2}from\s+\d[\d,]*\s+to\s*\Z"),
        keys="micro",
    ),
    _Rule(
        "micro_batches",
        before=_rx(r"\bm\s*=\s*\Z", 0),
        cue=_rx(r"micro|batch|bubble|pipelin|stage"),
        keys="=",
    ),
    _Rule(
        "global_batch",
        "batch",
        before=_rx(
            r"\b(?:global\s+|total\s+|effective\s+|mini-?)?(?<!micro-)(?<!micro)(?<!micro\s)batch(?:[\s_-]size)?"
            r"(?:\s+(?:of|is|was|=|:|to|at)|\s*[=:])?\s*(?:(?:up\s+to|about|~)\s*)?\(?\s*\Z"
        ),
        keys="batch",
    ),
    _Rule("global_batch", "batch", before=_rx(r"\bB\s*=\s*\Z", 0), cue=_rx(r"batch"), keys="="),
    _Rule(
        "global_batch",
        "batch",
        after=_rx(r"\s?-?\s?sequences?\s+(?:global\s+)?batch(?:es)?\b|\s?sequences\s+per\s+(?:global\s+)?batch\b"),
        keys="batch",
        first="-s",
    ),
    # interleaving and MoE: "v = 2 chunks", "4 model chunks", "64 experts", "k = 2", "routed to 2 experts"
    _Rule(
        "virtual_stages",
        "int",
        before=_rx(r"\bv\s*=\s*\Z", 0),
        cue=_rx(r"interleav|chunk|virtual|stage"),
        keys="=",
    ),
    _Rule(
        "virtual_stages",
        "int",
        before=_rx(
            r"\b(?:virtual\s+(?:pipeline\s+)?stages?|model\s+chunks|chunks\s+per\s+(?:device|GPU|rank|stage)"
            r"|interleav\w*\s+(?:factor|degree)|virtual_pipeline_model_parallel_size)\s*(?:=|:|of|is)?\s*\Z"
        ),
        keys="chunk|virtual|interleav",
    ),
    _Rule(
        "virtual_stages",
        after=_rx(r"\s?(?:model\s+)?chunks\b|\s?virtual\s+(?:pipeline\s+)?stages\b"),
        cue=_rx(r"interleav|virtual|model\s+chunks|\bv\s*=|chunks\s+per\s+(?:device|GPU|rank|stage)"),
        words=True,
        keys="chunk|virtual",
        first="mcv",
    ),
)

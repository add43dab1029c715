"""Accelerator names and numeric formats as they are written in drafts."""

from __future__ import annotations

import math
import re
from dataclasses import replace

from tensora.extract import units
from tensora.extract.numbers.base import _Hit

# Accelerator names, with memory and form-factor variants: A100-80GB, H100 SXM, MI300X, TPU v4, GH200.
_MODEL_NAME = (
    r"(?:A(?:10G?|30|40|100|800|6000)|H(?:100|200|800|20)|B(?:100|200)|GB200|GH200|L4|L40S?|T4|V100|P100"
    r"|MI\d{3}X?|TPU\s?v\d[a-z]?|Gaudi\s?\d?)"
)
_GPU_MODEL = re.compile(rf"(?P<name>{_MODEL_NAME}(?:[-\s](?:SXM\d?|PCIe|NVL|\d{{2,3}}\s?GB)(?!\w))*)(?![\w])")
# A capitalised token between a count and its noun: "1,024 A100-80GB GPUs", "128 DGX A100 nodes".
_TOKEN = r"(?:(?![KMGT]i?B\b|Gb\b)[A-Z][\w-]*|v\d\w*)"

# Numeric formats; "all-bfloat16" and "FP8-Everywhere" count.
_PRECISION = re.compile(
    r"(?<!\w)(?P<fmt>bf16|bfloat16|fp16|float16|fp32|float32|tf32|fp8|float8|e4m3|e5m2|mxfp8|int8|int4|fp4"
    r"|mxfp4|nvfp4|half[- ]precision|single[- ]precision|mixed[- ]precision)(?!\w)",
    re.I,
)
_PRECISION_KEYS = ("16", "32", "fp", "float", "e4m3", "e5m2", "int", "precision")
# What a format is used for: "FP32 master weights", "FP32 accumulation".
_PRECISION_USE = re.compile(
    r"[\s-]*(?P<use>master\s+weights?|master\s+cop(?:y|ies)|weights?|activations?|gradients?"
    r"|optimizer\s+states?|Adam\s+states?|accumulat\w*|accumulators?)\b",
    re.I,
)


def _precision_hits(text: str) -> list[_Hit]:
    hits: list[_Hit] = []
    for m in _PRECISION.finditer(text):
        fmt, qualifier = units.precision(m.group("fmt"))
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

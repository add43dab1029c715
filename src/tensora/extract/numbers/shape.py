"""Model shape: size in parameters, layers, hidden size, heads, sequence length, experts and top-k."""

from __future__ import annotations

import re

from tensora import rxcache
from tensora.extract.numbers.base import _VETO, _Rule, _rx

# "top-2", "top 1" routing (not top-1 accuracy).
_TOP_K = rxcache.compile(r"\btop[-\s]?(?P<k>\d+|one|two|three|four|eight)\b(?!\s*(?:accuracy|acc\b|error))", re.I)
# Model sizes inside a hyphenated name: LLaMA-2-13B, OPT-13B, Llama-3.1-8B.
_NAMED_SIZE = rxcache.compile(
    r"\b(?:GPT|LLaMA|Llama|OPT|BLOOM|Falcon|Mistral|Qwen|Pythia|Gemma|Phi|T5|DeepSeek|Yi)[\w.]*(?:-[\w.]+)*?"
    r"-(?P<n>\d+(?:\.\d+)?)(?P<s>[BMT])\b"
)
SIZE_RULES: tuple[_Rule, ...] = (
    # model size: "1.3B-parameter", "175 billion parameters", "a 13B GPT", "70B model", "GPT-3 175B"
    _Rule(
        "params",
        "params",
        after=_rx(
            r"(?:\s*(?:,|and|or|to)\s*\d+(?:\.\d+)?\s?[BMT]){1,3}\s*-?\s*(?:(?:active|total|dense)\s+)?"
            r"(?:parameters?|params|models?|GPTs?|LLMs?)\b"
        ),
        unit="param",
        scaled=True,
        first=",aot",
    ),
    _Rule(
        "params",
        "params",
        after=_rx(
            r"\+?\s?-?\s?(?:(?P<q>active|total|dense|sparse|trainable|activated)\s+)?-?(?:parameters?|params?)\b"
        ),
        unit="param",
        scaled=True,
        first="-atdspa",
    ),
    _Rule("params", "params", after=_rx(r"\s+(?P<q>active|activated)\b"), unit="param", scaled=True, first="a"),
    _Rule(
        "params",
        "params",
        after=_rx(
            r"\s?-?\s?(?:[\w-]+\s+)?(?:models?|GPTs?|GPT-style|LLMs?|transformers?|decoders?|networks?|LLaMA\w*"
            r"|Llama\w*|MoE|language\s+models?)\b"
        ),
        unit="param",
        scaled=True,
    ),
    _Rule(
        "params",
        "params",
        before=_rx(
            r"\b(?:GPT-?\d?|GPT-NeoX|LLaMA(?:-?\d)?|Llama(?:-?\d(?:\.\d)?)?|OPT|BLOOM|Falcon|Mistral|Qwen\d?(?:\.\d)?"
            r"|T5|PaLM|Gopher|Chinchilla|MT-NLG|Megatron-Turing|Grok|DeepSeek(?:-V\d)?)\s*\Z",
            0,
        ),
        unit="param",
        scaled=True,
        keys="gpt|llama|opt|bloom|falcon|mistral|qwen|t5|palm|gopher|chinchilla|mt-nlg|megatron|grok|deepseek",
    ),
)
ARCH_RULES: tuple[_Rule, ...] = (
    # architecture: "40 layers, hidden 5,120, 40 heads", "L = 96", "h = 12288", "hidden size of 8192"
    _Rule(
        "layers",
        after=_rx(r"\s?-?\s?(?:(?:transformer|decoder|encoder)\s+)?layers\b|-layer\b"),
        keys="layer",
        first="-tdel",
    ),
    _Rule(
        "layers",
        before=_rx(r"\b(?:num_layers|n_layers?|num\s+layers|number\s+of\s+layers|layers)\s*(?:=|:|of|is)?\s*\Z"),
        keys="layer",
    ),
    _Rule("layers", before=_rx(r"\bL\s*=\s*\Z", 0), cue=_rx(r"layer|model|hidden|\bh\s*="), keys="="),
    _Rule(
        "hidden",
        "int",
        before=_rx(
            r"\b(?:hidden(?:\s+(?:size|dim(?:ension)?s?|width|states?))?|d_?model|model\s+(?:dimension|width)"
            r"|embedding\s+(?:size|dim(?:ension)?))\s*(?:=|:|of|is)?\s*\Z"
        ),
        keys="hidden|model|embedding",
    ),
    _Rule(
        "hidden",
        "int",
        before=_rx(r"\bh\s*=\s*\Z", 0),
        cue=_rx(r"hidden|model|dimension|layer|head|\bL\s*="),
        keys="=",
    ),
    _Rule(
        "hidden",
        "int",
        after=_rx(r"\s?-?\s?(?:dim(?:ensional)?\s+)?hidden\b(?!\s+layers)"),
        keys="hidden",
        first="-dh",
    ),
    _Rule(
        "heads",
        after=_rx(r"\s?(?P<q>(?:KV|key-value|query)\s+)?(?:attention\s+)?heads\b"),
        keys="head",
        first="kqah",
    ),
    _Rule(
        "heads",
        before=_rx(r"\b(?:num_heads|n_heads|num_attention_heads|(?:attention\s+)?heads)\s*(?:=|:|of)?\s*\Z"),
        keys="head",
    ),
    _Rule("heads", before=_rx(r"\ba\s*=\s*\Z", 0), cue=_rx(r"\bheads?\b"), keys="="),
    # sequence length: "sequence length 8,192", "4k context", "4,096-token sequences", "8K tokens"
    _Rule(
        "seq_len",
        "seq",
        before=_rx(
            r"\b(?:sequence(?:\s+length|\s+len)?|seq(?:uence)?[_ ]?len(?:gth)?|seq"
            r"|context\s+(?:length|window|size)"
            r"|max(?:imum)?\s+(?:sequence|context)\s+length)(?:\s+(?:of|is|=|:)|\s*[=:])?\s*(?:up\s+to\s+)?\Z"
        ),
        keys="seq|context",
    ),
    _Rule(
        "seq_len",
        "seq",
        after=_rx(
            r"\s?-?\s?(?:tokens?[\s-])?(?:context(?:\s+(?:length|window))?|sequence\s+length|seq(?:uence)?[\s_]len"
            r"(?:gth)?)\b(?!-)"
        ),
        keys="context|seq",
        first="-tcs",
    ),
    _Rule(
        "seq_len",
        "seq",
        after=_rx(
            r"-token\s+(?:sequences?|contexts?|inputs?|prompts?|documents?|windows?|samples?)\b"
            r"|\s?tokens?\s+(?:per|each|in\s+each)\s+sequence\b|\s?tokens?\s+of\s+context\b"
        ),
        keys="token",
        first="-t",
    ),
    _Rule(
        "seq_len",
        "seq",
        before=_rx(r"\bsequences?\s+of\s*\Z"),
        after=_rx(r"\s?tokens\b"),
        keys="token",
        first="t",
    ),
    # "mean context 2,048 tokens", "average context of 8K tokens"
    _Rule(
        "seq_len",
        "seq",
        before=_rx(r"\b(?:mean|average|typical|median)\s+context(?:\s+length)?\s+(?:of\s+)?\Z"),
        after=_rx(r"\s?tokens?\b"),
        keys="context",
        first="t",
    ),
    _Rule("seq_len", "seq_k", after=_rx(r"\s?tokens\b(?!\s*(?:/|per\s+s))"), keys="token", first="t"),
)
MOE_RULES: tuple[_Rule, ...] = (
    _Rule(
        "top_k",
        before=_rx(r"\btokens?\b[^.;]{0,40}?\b(?:to|among|over|across)\s+(?:its\s+|the\s+|their\s+)?(?:top\s+)?\Z"),
        after=_rx(r"\s?(?:[\w-]+\s+)?experts?\b"),
        words=True,
        keys="expert",
    ),
    _Rule("top_k", before=_rx(r"\bk\s*=\s*\Z", 0), cue=_rx(r"expert|rout|MoE|gat", re.I), keys="="),
    _Rule("top_k", before=_rx(r"\btop[-_\s]?k\s*(?:=|:|of|is)?\s*\Z"), keys="top"),
    _Rule(
        _VETO,
        before=_rx(r"\b(?:over|its|their|between|across)\s+\Z"),
        after=_rx(r"\s?(?:[\w-]+\s+)?experts?\b"),
        keys="expert",
    ),
    _Rule(
        "experts",
        after=_rx(r"\s?(?:(?:routed|shared|local|total|MoE|FFN)\s+)?experts\b"),
        words=True,
        keys="expert",
        first="rsltemf",
    ),
    _Rule(
        "experts",
        before=_rx(r"\b(?:num(?:ber)?[_\s]of[_\s]experts|num_experts|n_experts|expert\s+count)\s*(?:=|:|of|is)?\s*\Z"),
        keys="expert",
    ),
    _Rule("experts", before=_rx(r"\bE\s*=\s*\Z", 0), cue=_rx(r"expert|MoE"), keys="="),
)

"""Every tool the model may call during a review: the analytical models, arithmetic, the documents, the
knowledge base.

- the ``tensora.models`` functions of ``tools.TOOLS`` (bubble, Amdahl, memory, KV cache, FLOPs, MFU,
  collectives, roofline);
- ``arithmetic(expression)``: + - * / ** and parentheses on numbers, evaluated by ``formula.evaluate``;
- ``read_section(doc, name)``: a section of a document, whole, as the prompt would show it (for the sections
  a small context window left out);
- ``search_prior_work(query)``: the knowledge base's prior work ranked by BM25 against a mechanism's text
  (name, year, venue, mechanism summary, how a draft must differ);
- ``technique_info(name)``: a technique's family, hidden trick, assumptions and corner cases;
- ``hardware(name)``: a device's peak FLOP/s per dtype, memory, bandwidth and links.

Every call returns a JSON-ready dict (``{"error": ...}`` for a bad call, never an exception); each result's
numbers become numbers the model may state (``numbers.KnownNumbers``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tensora.errors import TensoraError
from tensora.knowledge.loader import KnowledgeBase
from tensora.llm import formula, tools
from tensora.llm.base import Tool
from tensora.llm.documents import Documents

__all__ = ["CONTEXT_TOOLS", "Toolbox"]

_STR = {"type": "string"}

CONTEXT_TOOLS: dict[str, tuple[str, dict[str, Any], tuple[str, ...]]] = {
    "arithmetic": (
        "Evaluate an arithmetic expression on numbers: + - * / ** and parentheses, e.g. '40 * 0.4 / 24.0'. "
        "Use it for every number you derive by hand.",
        {"expression": {**_STR, "description": "the expression"}},
        ("expression",),
    ),
    "read_section": (
        "Read one section of a document, whole: for the sections listed as left out of the prompt.",
        {
            "doc": {"type": "string", "enum": ["proposal", "baseline"], "description": "which document"},
            "name": {**_STR, "description": "the section's heading as listed"},
        },
        ("doc", "name"),
    ),
    "search_prior_work": (
        "Search tensora's knowledge base of prior work by mechanism: returns the closest works with year, "
        "venue, a summary of their mechanism and what a new paper must show to differ.",
        {
            "query": {**_STR, "description": "the mechanism in a sentence or keywords"},
            "k": {"type": "integer", "minimum": 1, "maximum": 10, "description": "how many (default 5)"},
        },
        ("query",),
    ),
    "technique_info": (
        "Look up a technique in tensora's knowledge base (e.g. 'ZeRO-3', 'FlashAttention', '1F1B'): its "
        "family, the hidden trick it relies on, its assumptions and its known corner cases.",
        {"name": {**_STR, "description": "the technique's name or an alias"}},
        ("name",),
    ),
    "hardware": (
        "Look up an accelerator (e.g. 'H100 SXM', 'A100 80GB', 'MI300X', 'TPU v5p'): dense peak TFLOP/s per "
        "dtype, memory capacity and bandwidth, intra-node link bandwidth.",
        {"name": {**_STR, "description": "the device's name"}},
        ("name",),
    ),
}


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


class Toolbox:
    """The tools of one review: the models, plus the documents and the knowledge base it was given."""

    def __init__(self, documents: Documents | None, kb: KnowledgeBase | None, own: tuple[str, ...] = ()) -> None:
        self.documents = documents
        self.kb = kb
        # the draft's own system name and title: a search never offers the draft as its own prior work
        self.own = tuple(k for k in (_key(o) for o in own) if len(k) >= 3)

    def specs(self) -> list[Tool]:
        out = tools.tool_specs()
        for name, (description, properties, required) in CONTEXT_TOOLS.items():
            if name == "read_section" and self.documents is None:
                continue
            if name in ("search_prior_work", "technique_info") and self.kb is None:
                continue
            schema = {
                "type": "object",
                "properties": properties,
                "required": list(required),
                "additionalProperties": False,
            }
            out.append(Tool(name, description, schema))
        return out

    def run(self, name: str, arguments: str | Mapping[str, Any]) -> dict[str, Any]:
        if name in tools.TOOLS:
            return tools.run(name, arguments)
        if name not in CONTEXT_TOOLS:
            return {"error": f"unknown tool {name!r}; tools: {', '.join(t.name for t in self.specs())}"}
        try:
            args = json.loads(arguments or "{}") if isinstance(arguments, str) else dict(arguments)
        except json.JSONDecodeError as exc:
            return {"error": f"arguments are not valid JSON ({exc.msg})"}
        if not isinstance(args, dict):
            return {"error": "arguments must be a JSON object"}
        _, properties, required = CONTEXT_TOOLS[name]
        missing = [k for k in required if not isinstance(args.get(k), str) or not args[k].strip()]
        unknown = sorted(set(args) - set(properties))
        if missing or unknown:
            what = [f"missing argument(s) {missing}"] if missing else []
            what += [f"unknown argument(s) {unknown}"] if unknown else []
            return {"error": "; ".join(what)}
        handler = getattr(self, f"_{name}")
        result: dict[str, Any] = handler(**args)
        return result

    # --------------------------------------------------------------------------------------------------
    def _arithmetic(self, expression: str) -> dict[str, Any]:
        try:
            value = formula.evaluate(expression)
        except formula.FormulaError as exc:
            return {"error": str(exc)}
        return {"name": "arithmetic", "value": value, "expression": expression}

    def _read_section(self, doc: str, name: str) -> dict[str, Any]:
        if self.documents is None:
            return {"error": "no documents in this session"}
        section = self.documents.find(doc, name)
        if section is None:
            names = [s.name for s in self.documents.of(doc)]
            return {"error": f"no section {name!r} in the {doc}; sections: {names}"}
        return {"doc": section.doc, "name": section.name, "pages": section.pages, "text": section.text}

    def _search_prior_work(self, query: str, k: int = 5) -> dict[str, Any]:
        assert self.kb is not None
        import bm25s

        from tensora.audit.novelty import _index

        index = _index(self.kb)
        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
        n = len(index.works)
        if not tokens.vocab:
            return {"results": []}
        docs, scores = index.retriever.retrieve(tokens, k=min(n, max(1, min(int(k), 10))), show_progress=False)
        results = []
        for doc_id, score in zip(docs[0], scores[0], strict=True):
            if float(score) <= 0:
                continue
            w = index.works[int(doc_id)]
            if self._is_own(w.name, w.aliases):
                continue
            results.append(
                {"name": w.name, "year": w.year, "venue": w.venue, "mechanism": w.summary, "differ": w.differ}
            )
        return {"results": results}

    def _is_own(self, name: str, aliases: list[str]) -> bool:
        keys = {k for k in (_key(n) for n in (name, *aliases)) if len(k) >= 3}
        return any(k == own or (len(k) >= 5 and k in own) for k in keys for own in self.own)

    def _technique_info(self, name: str) -> dict[str, Any]:
        assert self.kb is not None
        wanted = _key(name)
        for t in self.kb.techniques:
            if wanted in {_key(t.id), _key(t.name), *(_key(a) for a in t.aliases)}:
                return {
                    "name": t.name,
                    "family": t.family,
                    "summary": t.summary,
                    "hidden_trick": t.hidden_trick,
                    "assumes": t.assumes,
                    "corner_cases": t.corner_cases,
                }
        for w in self.kb.prior_work:
            if wanted in {_key(w.name), *(_key(a) for a in w.aliases)}:
                return {
                    "note": f"{w.name} is a system or paper, not a technique: its entry in the prior work",
                    "name": w.name,
                    "year": w.year,
                    "venue": w.venue,
                    "mechanism": w.summary,
                    "differ": w.differ,
                }
        return {"error": f"{name!r} is not in tensora's knowledge base of techniques or prior work"}

    def _hardware(self, name: str) -> dict[str, Any]:
        from tensora.knowledge.hardware import get_device

        try:
            d = get_device(name)
        except TensoraError as exc:
            return {"error": str(exc)}
        out: dict[str, Any] = {
            "name": d.name,
            "vendor": d.vendor,
            "peak_tflops_dense": d.peak_tflops,
            "memory_gb": round(d.memory_gb, 3),
            "memory_bandwidth_bytes_per_s": d.memory_bandwidth,
        }
        if d.link is not None:
            out["link_one_way_bytes_per_s"] = d.link_one_way_bytes_per_s
        return out

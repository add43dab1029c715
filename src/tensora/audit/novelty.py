"""Novelty retrieval: which prior work is the draft closest to?

Ranks the knowledge base's prior work against the draft's mechanism with BM25 (``bm25s``) over each work's
name, summary, keywords and technique names, plus a bonus for sharing the techniques the draft uses at its
core. The baseline itself is left out: a work whose name or title matches the baseline's title, or whose
summary the baseline's opening matches almost word for word. Does not use embeddings.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass

import bm25s

from tensora.audit.findings import PriorWorkHit
from tensora.extract.claims import Claims
from tensora.knowledge.loader import KnowledgeBase
from tensora.knowledge.schema import PriorWork

_WORD = re.compile(r"[a-z0-9][a-z0-9+-]*")
_STOP = frozenset(
    "a an the of for and in on with to by from at via is are we our large scale training model models "
    "deep learning neural networks network efficient towards toward using".split()
)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower().replace("-", " ")) if w not in _STOP and len(w) > 1}


def _document(work: PriorWork, kb: KnowledgeBase) -> str:
    tech = " ".join(f"{kb.by_id[t].name} {' '.join(kb.by_id[t].aliases)}" for t in work.techniques if t in kb.by_id)
    return " ".join([work.name, *work.aliases, work.summary, " ".join(work.keywords), tech])


@dataclass
class _Index:
    works: list[PriorWork]
    retriever: bm25s.BM25
    idf: dict[str, float]


_CACHE: dict[int, _Index] = {}
# share of the lexical score; the rest is the (IDF-weighted) overlap of the draft's core techniques
_LEXICAL = 0.5
_PRODUCT_WEIGHT = 0.8
_SUBSTRATE_WEIGHT = 0.75
_BUILT_ON = re.compile(
    r"\b(in|on top of|using|uses|with|built on|implemented (in|on)|inside|atop|into|via|through|on)\s+"
    r"(the\s+|our\s+|an?\s+)?(open-source\s+|existing\s+|stock\s+)?$"
)
_PRODUCT = re.compile(r"whitepaper|datasheet", re.I)


def _index(kb: KnowledgeBase) -> _Index:
    key = id(kb)
    if key not in _CACHE:
        docs = [_document(w, kb) for w in kb.prior_work]
        retriever = bm25s.BM25()
        retriever.index(bm25s.tokenize(docs, stopwords="en", show_progress=False), show_progress=False)
        # rare techniques say more about a work than ones that half the field shares
        counts: dict[str, int] = {}
        for w in kb.prior_work:
            for t in set(w.techniques):
                counts[t] = counts.get(t, 0) + 1
        n = len(kb.prior_work)
        idf = {t: math.log(1 + n / c) for t, c in counts.items()}
        _CACHE[key] = _Index(list(kb.prior_work), retriever, idf)
    return _CACHE[key]


def is_baseline(work: PriorWork, baseline: Claims) -> bool:
    """True when a prior-work entry is the baseline paper itself."""
    title = _words(baseline.title)
    if not title:
        return False
    for label in [work.name, *work.aliases]:
        words = _words(label)
        if len(words) >= 3 and len(words & title) / len(words | title) >= 0.5:
            return True
        head = baseline.title.lower()
        # a distinctive one-word name ("PagedAttention", "Megatron-LM") inside the title is the paper itself
        if " " not in label and len(label) >= 6 and any(ch.isupper() for ch in label[1:]):
            if re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", baseline.title):
                return True
        rest = head[len(label) :].removeprefix("s")  # "Switch Transformer" heads "Switch Transformers: ..."
        if len(label) >= 4 and head.startswith(label.lower()) and not rest[:1].isalnum():
            return True
    return False


def _substrate(work: PriorWork, proposal: Claims) -> bool:
    """True when the draft names the work only as what it is built on or run with."""
    labels = [work.name] + [a for a in work.aliases if a != a.lower() and len(a) >= 3]
    text, starts = proposal.joined()
    lowered = text.lower()
    uses = other = 0
    for label in labels:
        needle = label.lower()
        at = lowered.find(needle)
        while at != -1:
            end = at + len(needle)
            bounded = (at == 0 or not (lowered[at - 1].isalnum() or lowered[at - 1] in "-_")) and (
                end >= len(lowered) or not (lowered[end].isalnum() or lowered[end] in "-_")
            )
            start, at = at, lowered.find(needle, at + 1)
            if not bounded:
                continue
            i = bisect_right(starts, start) - 1
            section = proposal.sentences[i].section
            before = lowered[max(starts[i], start - 40) : start]
            if _BUILT_ON.search(before) or re.search(r"setting|implementation|setup", section, re.I):
                uses += 1
            else:
                other += 1
    return uses > 0 and other == 0


def cited(work: PriorWork, text: str) -> bool:
    """True when the draft names the work: its name, or an alias that is a name (not a generic phrase)."""
    labels = [work.name] + [a for a in work.aliases if a != a.lower()]
    for label in labels:
        if len(label) >= 3 and re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", text, re.I):
            return True
    return False


def baseline_entry(baseline: Claims, kb: KnowledgeBase) -> PriorWork | None:
    """The knowledge base's entry for the baseline paper itself, if it has one."""
    return next((w for w in kb.prior_work if is_baseline(w, baseline)), None)


def with_baseline(hits: list[PriorWorkHit], baseline: Claims, kb: KnowledgeBase) -> list[PriorWorkHit]:
    """For a configuration change the closest prior work is the baseline itself: it already has the knob."""
    work = baseline_entry(baseline, kb)
    if work is None:
        return hits
    why = "the baseline already has this mechanism and exposes the setting the draft changes"
    first = PriorWorkHit(work.name, work.year, work.venue, why, work.differ, hits[0].score if hits else 1.0, True)
    return [first, *[h for h in hits if h.name != work.name]]


def rank(proposal: Claims, baseline: Claims, kb: KnowledgeBase, k: int = 5) -> list[PriorWorkHit]:
    index = _index(kb)
    weights = {
        t: u.weight * index.idf.get(t, math.log(1 + len(index.works)))
        for t, u in proposal.techniques.items()
        if u.used and u.core
    }
    core_ids = set(weights)
    total_weight = sum(weights.values()) or 1.0
    names = " ".join(proposal.techniques[t].name for t in core_ids)
    query = f"{proposal.title} {proposal.core_text()} {names} {names}"
    tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
    n = len(index.works)
    docs, scores = index.retriever.retrieve(tokens, k=min(n, 40), show_progress=False)
    top = float(scores[0][0]) or 1.0
    candidates = [index.works[int(d)] for d in docs[0]]
    # the baseline paper, and other entries drawn from the same paper, are not "prior work" here
    # (and a draft that is itself a published work is not its own prior work)
    excluded = {w.source for w in candidates if is_baseline(w, baseline) or is_baseline(w, proposal)}
    hits: list[tuple[float, PriorWork]] = []
    for doc_id, score in zip(docs[0], scores[0], strict=True):
        work = index.works[int(doc_id)]
        if work.source in excluded:
            continue
        overlap = sum(weights[t] for t in core_ids & set(work.techniques)) / total_weight
        combined = _LEXICAL * float(score) / top + (1 - _LEXICAL) * overlap
        if _substrate(work, proposal):
            combined *= _SUBSTRATE_WEIGHT  # the draft builds on it ("implemented in vLLM"): a tool, not a rival
        if _PRODUCT.search(work.venue):
            combined *= _PRODUCT_WEIGHT  # a hardware whitepaper is context, not a competing mechanism
        hits.append((combined, work))
    hits = sorted(hits, key=lambda h: -h[0])[:k]
    text = proposal.text
    out = []
    for score, work in hits:
        shared = [kb.by_id[t].name for t in work.techniques if t in core_ids and t in kb.by_id]
        why = work.summary.split(". ")[0].rstrip(".")
        if shared:
            why += f" (shares {', '.join(shared[:3])})"
        out.append(PriorWorkHit(work.name, work.year, work.venue, why, work.differ, score, cited(work, text)))
    return out

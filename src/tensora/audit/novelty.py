"""Novelty retrieval: which prior work is the draft's mechanism closest to?

Hybrid retrieval over the knowledge base's prior work, queried with the draft profile's mechanism (B, the
component, the techniques it leans on, the title's subtitle and the abstract, with hardware and model names
left out, so that works sharing only a GPU or a model size do not rank): BM25 (``bm25s``) over each work's name,
summary, keywords and technique names; a dense cosine with the static embedder (``extract/embed.py``) over each
work's name, summary and techniques, embedded once and cached in ``~/.cache/tensora`` under a hash of the
texts; and the IDF-weighted overlap of the draft's core techniques with the work's. The three are fused by
weighted reciprocal-rank fusion (``candidates``); the best of the fused order are then ordered by the learned
prior-work reader (``prior_reader``), which also weighs whether the draft's text holds the work's keyword phrases
and summary words, whether the draft names it in its related work, builds on it or evaluates it, and how close it
is to the baseline's own mechanism (without the reader's weights, the fused order stands). Left out: the
baseline itself (unless the change is a configuration, see ``with_baseline``), and the draft's own system (a
draft that is a published work's own description is not its own prior work). When the embedder is unavailable,
the dense part is dropped.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tensora import rxcache
from tensora.audit.findings import PriorWorkHit
from tensora.audit.lexical import Bm25Index, bm25_retriever, load_bm25
from tensora.extract.claims import Claims
from tensora.extract.profile import DraftProfile, weight
from tensora.knowledge.loader import KnowledgeBase
from tensora.knowledge.schema import PriorWork

if TYPE_CHECKING:
    import bm25s

_WORD = rxcache.compile(r"[a-z0-9][a-z0-9+-]*")
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
    bm25: Bm25Index
    idf: dict[str, float]
    dense_texts: list[str]
    docs: list[str]
    dense: np.ndarray | None = None
    _retriever: bm25s.BM25 | None = None
    _summary_words: list[dict[str, float]] | None = None

    @property
    def summary_words(self) -> list[dict[str, float]]:
        """Each work's summary words with their IDF over the knowledge base's summaries, built on first use."""
        if self._summary_words is None:
            sets = [{w for w in _words(work.summary) if len(w) >= 4} for work in self.works]
            df: dict[str, int] = {}
            for words in sets:
                for w in words:
                    df[w] = df.get(w, 0) + 1
            n = len(sets)
            self._summary_words = [{w: math.log(1 + n / df[w]) for w in words} for words in sets]
        return self._summary_words

    @property
    def retriever(self) -> bm25s.BM25:
        """bm25s's retriever over the same documents, built on first use (the ranking reads ``bm25``)."""
        if self._retriever is None:
            self._retriever = bm25_retriever(self.docs)
        return self._retriever


_CACHE: dict[int, _Index] = {}
_DENSE_VERSION = "tensora-prior-dense-1"
# the lexical query reads this many method sentences after the headline ones; the dense query fewer (a mean of
# token vectors blurs as the text grows)
_METHOD_SENTENCES = 40
# shares of the fused score: lexical (BM25 / best), dense (cosine rescaled over the knowledge base), and the
# IDF-weighted overlap of the draft's core techniques with the work's. The overlap has the smallest share: a
# draft's core techniques are often generic (data parallelism, the KV cache) or missed when it names its
# mechanism in its own words, and broad systems that list many techniques then outrank the close ones. Measured
# over 68 cases in seven sets (development, five blind rounds, ten real papers), top-3 hit rate: 0.4/0.3/0.3 with
# k=10 gave 0.477, 0.5/0.3/0.2 with k=5 0.542; a larger k (20) or a larger dense share did worse.
_LEXICAL = 0.5
_DENSE = 0.3
_OVERLAP = 0.2
# the order comes from reciprocal-rank fusion of the three rankings (weighted by the shares above): robust to
# how each score is scaled. The reported score stays the weighted sum, a calibrated closeness that NOV-PRIOR
# compares with its thresholds.
_RRF = True
_CANDIDATES = 40
_RRF_K = 5
_DENSE_METHOD_SENTENCES = 10
_PRODUCT_WEIGHT = 0.8
_SUBSTRATE_WEIGHT = 0.75
_BUILT_ON = rxcache.compile(
    r"\b(in|on top of|using|uses|with|built on|implemented (in|on)|inside|atop|into|via|through|on)\s+"
    r"(the\s+|our\s+|an?\s+)?(open-source\s+|existing\s+|stock\s+)?$"
)
_PRODUCT = rxcache.compile(r"whitepaper|datasheet", re.I)
# how sure the profile must be of a knob before its owner is named as the closest work of a configuration change
_OWNER_MIN = 0.45
# a work the draft names in its related-work discussion: measured over 172 cases (development and sixteen blind
# rounds), top-3 hit rate 0.488 without, 0.516 with 1.5 (1.3: 0.512, 2.0: 0.514, 3.0: 0.484)
_RELATED_WEIGHT = 1.5
_OWNERS = 2


def _index(kb: KnowledgeBase) -> _Index:
    key = id(kb)
    if key not in _CACHE:
        docs = [_document(w, kb) for w in kb.prior_work]
        # rare techniques say more about a work than ones that half the field shares
        counts: dict[str, int] = {}
        for w in kb.prior_work:
            for t in set(w.techniques):
                counts[t] = counts.get(t, 0) + 1
        n = len(kb.prior_work)
        idf = {t: math.log(1 + n / c) for t, c in counts.items()}
        dense_texts = [_dense_text(w, kb) for w in kb.prior_work]
        _CACHE[key] = _Index(list(kb.prior_work), load_bm25(docs), idf, dense_texts, docs)
    return _CACHE[key]


def _dense_text(work: PriorWork, kb: KnowledgeBase) -> str:
    tech = ", ".join(kb.by_id[t].name for t in work.techniques if t in kb.by_id)
    return f"{work.name}. {work.summary} Techniques: {tech}. {', '.join(work.keywords)}"


def _dense_matrix(index: _Index) -> np.ndarray | None:
    """The prior work's embeddings: from the cache keyed by a hash of the texts, else computed and cached."""
    if index.dense is not None:
        return index.dense
    from tensora.extract.embed import EmbeddingUnavailableError, get_embedder

    try:
        embedder = get_embedder()
    except EmbeddingUnavailableError:
        return None
    digest = hashlib.sha256(_DENSE_VERSION.encode())
    for text in index.dense_texts:
        digest.update(text.encode())
        digest.update(b"\0")
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(root) / "tensora" / f"prior-dense-{digest.hexdigest()[:16]}.npy"
    matrix: np.ndarray | None = None
    try:
        if path.is_file():
            loaded = np.load(path, allow_pickle=False)
            if loaded.shape == (len(index.dense_texts), embedder.dim):
                matrix = loaded
    except (OSError, ValueError):
        matrix = None
    if matrix is None:
        matrix = embedder.embed(index.dense_texts)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, matrix, allow_pickle=False)
            tmp.replace(path)
        except OSError:
            pass
    index.dense = matrix
    return matrix


def known_names(kb: KnowledgeBase) -> set[str]:
    """Lower-cased names of the knowledge base's techniques and prior work (never a draft's own name by default)."""
    names = {t.name.lower() for t in kb.techniques} | {a.lower() for t in kb.techniques for a in t.aliases}
    return names | {w.name.lower() for w in kb.prior_work}


def _norm(label: str) -> str:
    return re.sub(r"[^a-z0-9]", "", label.lower())


def is_own(work: PriorWork, profile: DraftProfile | None) -> bool:
    """True when a prior-work entry is the draft's own system (the draft is that work's own description)."""
    if profile is None or not profile.name.value or profile.name.confidence < 0.6:
        return False
    own = _norm(profile.name.value)
    return len(own) >= 4 and any(_norm(label) == own for label in [work.name, *work.aliases])


_HARDWARE_WORDS = rxcache.compile(
    r"\b(?:[AHBL]\d{2,3}[A-Z]?(?:-\d+GB)?(?:-SXM|-PCIe)?|MI\d{3}X?|V100|TPU\s?v\d\w*|GPUs?|nodes?|NVLink|"
    r"InfiniBand|RoCE|Ethernet|\d[\d.,]*\s*(?:[BMKTG]|GB|GiB|Gb/s|GB/s|TB/s|x|%|k)?)(?![\w-])",
    re.I,
)


def mechanism_query(
    proposal: Claims,
    profile: DraftProfile | None,
    kb: KnowledgeBase,
    *,
    method: int = _METHOD_SENTENCES,
    baseline: Claims | None = None,
) -> str:
    """What the draft does, in words: the profile's B and component, its techniques, the title and abstract, with
    the substrate (hardware, scale, numbers) taken out, and with the words of the baseline's title (the system
    the draft starts from is context, not what makes a prior work close to the change)."""
    text = _mechanism_text(proposal, profile, kb, method)
    if baseline is None or not baseline.title:
        return text
    context = _words(baseline.title)
    lead = kb.by_id.get(profile.technique.value) if profile is not None else None
    if lead is not None:
        # the technique the draft leans on stays in the query even where the baseline's title names it too
        # ("recomputation" of a draft that moves recomputation, against "Reducing Activation Recomputation")
        context -= _words(" ".join([lead.name, *lead.aliases]))
    return " ".join(w for w in text.split() if len(w) < 3 or not (_words(w) and _words(w) <= context))


def _mechanism_text(proposal: Claims, profile: DraftProfile | None, kb: KnowledgeBase, method: int) -> str:
    if profile is None:
        names = " ".join(u.name for u in proposal.techniques.values() if u.used and u.core)
        return f"{proposal.title} {proposal.core_text()} {names} {names}"
    parts: list[str] = []
    title = proposal.title
    if profile.name.value:
        title = title.replace(profile.name.value, " ")
    parts.append(title)
    parts.append(profile.with_.value.replace(profile.name.value, " ") if profile.name.value else profile.with_.value)
    if profile.component.value:
        parts.append(profile.component.value.split(", specifically ")[-1])
    for tid in profile.techniques[:4]:
        t = kb.by_id.get(tid)
        if t is not None:
            parts.append(f"{t.name} {t.name}" if tid == profile.technique.value else t.name)
    if profile.technique.value in kb.by_id:
        parts.extend(kb.by_id[profile.technique.value].aliases[:3])
    head = [s for s in proposal.sentences[1:] if weight(s) >= 0.9 and s.kind != "table"][:8]
    parts.extend(s.text for s in head)
    if method:
        body = [s for s in proposal.sentences if 0.6 <= weight(s) < 0.9 and s.kind == "text"][:method]
        parts.extend(s.text for s in body)
    text = " ".join(parts)
    return _HARDWARE_WORDS.sub(" ", text)


def is_baseline(work: PriorWork, baseline: Claims) -> bool:
    """True when a prior-work entry is the baseline paper itself."""
    title = _words(baseline.title)
    if not title:
        return False
    for label in [work.name, *work.aliases]:
        words = _words(label)
        # most of the label's own words must be in the title: "FP8 mixed-precision framework" is not the paper
        # "Mixed Precision Training", although half of their words are shared
        shared = len(words & title)
        # ... and a word of the label beyond the title ("Adaptive Loss Scaling for Mixed Precision Training"
        # against "Mixed Precision Training") names another paper unless the two titles nearly coincide
        covered = shared / len(words) if words else 0.0
        overlap = shared / len(words | title) if words else 0.0
        if len(words) >= 2 and overlap >= 0.5 and (covered == 1.0 or (covered >= 0.75 and overlap >= 0.75)):
            return True
        head = baseline.title.lower()
        # a distinctive one-word name ("PagedAttention", "Megatron-LM") inside the title is the paper itself
        if " " not in label and len(label) >= 6 and any(ch.isupper() for ch in label[1:]):
            if re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", baseline.title):
                return True
        rest = head[len(label) :].removeprefix("s")  # "Switch Transformer" heads "Switch Transformers: ..."
        # "ZeRO" does not head "ZeRO-Infinity: ...", another work
        if len(label) >= 4 and head.startswith(label.lower()) and not (rest[:1].isalnum() or rest[:1] in "-+"):
            return True
    return False


def _substrate(work: PriorWork, proposal: Claims, lowered: str, starts: list[int]) -> bool:
    """True when the draft names the work only as what it is built on or run with (``lowered``: its joined
    text in lower case, ``starts``: where each sentence starts in it)."""
    labels = [work.name] + [a for a in work.aliases if a != a.lower() and len(a) >= 3]
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


# the only characters that re.IGNORECASE equates with an ASCII character but str.lower() does not turn into it:
# the dotted capital I, the dotless i and the long s
_CASE_ODD = ("\u0130", "\u0131", "\u017f")


@lru_cache(maxsize=4)
def _lowered(text: str) -> str | None:
    """The text in lower case, where an ASCII name can only match it case-insensitively if its lower case occurs
    in it; None when the text holds a character for which that does not hold."""
    return None if any(c in text for c in _CASE_ODD) else text.lower()


def cited(work: PriorWork, text: str) -> bool:
    """True when the draft names the work: its name, or an alias that is a name (not a generic phrase)."""
    labels = [work.name] + [a for a in work.aliases if a != a.lower()]
    for label in labels:
        if len(label) < 3:
            continue
        if label.isascii():
            lowered = _lowered(text)
            if lowered is not None and label.lower() not in lowered:
                continue  # a name the text does not hold in any case is not searched for
        if re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", text, re.I):
            return True
    return False


# a sentence that sets a named work against the draft: "unlike X, we ...", "X requires ..., whereas ..."
_CONTRAST = rxcache.compile(
    r"\b(unlike|in contrast|contrary to|differs?|different from|whereas|rather than|instead of|compared (?:with|to)|"
    r"beyond|improves? (?:on|over|upon)|outperform\w*|but (?:it|they|its|their|only)|however|cannot|can't|lacks?|"
    r"does not|do not|did not|never|limited to|only (?:for|on|handles?|supports?|works?)|while (?:we|ours|our))\b",
    re.I,
)


def positioned(work: PriorWork, proposal: Claims) -> bool:
    """True when the draft names the work in a sentence that states a difference from it, or in a sentence whose
    next one opens with the difference ("In contrast, we ...")."""
    rx = _label_rx(work)
    sentences = proposal.sentences
    for i, s in enumerate(sentences):
        m = rx.search(s.text)
        if m is None:
            continue
        # the contrast must come with the name, not earlier in a list of other works
        clause_start = max(s.text.rfind(";", 0, m.start()), 0)
        if _CONTRAST.search(s.text[clause_start:]):
            return True
        nxt = sentences[i + 1].text if i + 1 < len(sentences) else ""
        if re.match(r"\s*(in contrast|unlike|by contrast|instead|we differ|our \w+ differs|ours differs)", nxt, re.I):
            return True
    return False


_EVALUATION = rxcache.compile(r"evaluat|experiment|result|benchmark|measure|comparison|ablation", re.I)
#: a prior work this close does what the draft does: set apart in words only, it is the comparison the draft owes
NEAR_IDENTICAL = 0.9


def has_evaluation(proposal: Claims) -> bool:
    """Whether the draft reports an evaluation of its own (a section that measures)."""
    return any(_EVALUATION.search(s.section) for s in proposal.sentences)


def evaluated(work: PriorWork, proposal: Claims) -> bool:
    """True when the draft's evaluation names the work: it is run or its numbers are set beside the draft's."""
    rx = _label_rx(work)
    return any(_EVALUATION.search(s.section) and rx.search(s.text) for s in proposal.sentences)


def _label_rx(work: PriorWork) -> re.Pattern[str]:
    labels = [work.name] + [a for a in work.aliases if a != a.lower() and len(a) >= 3]
    return rxcache.compile("|".join(rf"(?<![\w-]){re.escape(label)}(?![\w-])" for label in labels), re.I)


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


def _entry(name: str, kb: KnowledgeBase) -> PriorWork | None:
    """The work a system name labels: an exact name or alias first, else one equal up to case and punctuation
    (never "ZeRO-Offload" for "ZeRO-Offload++" when the latter has an entry)."""
    key = name.casefold()
    exact = next((w for w in kb.prior_work if any(label.casefold() == key for label in [w.name, *w.aliases])), None)
    if exact is not None:
        return exact
    loose = _norm(name)
    return next((w for w in kb.prior_work if any(_norm(label) == loose for label in [w.name, *w.aliases])), None)


# general frameworks: a knob of theirs set in passing names no prior work of the draft's mechanism
_FRAMEWORKS = frozenset({"PyTorch", "TensorFlow", "JAX"})


def with_knob_owners(
    hits: list[PriorWorkHit], profile: DraftProfile | None, baseline: Claims, kb: KnowledgeBase
) -> list[PriorWorkHit]:
    """For a configuration change the closest prior work is what already has the knob: the system the draft
    re-tunes (it names it and sets several of its knobs), else the first system that exposes the draft's main
    knob; then the baseline itself."""
    owners: list[tuple[PriorWork, str]] = []
    base = baseline_entry(baseline, kb)
    if profile is not None:
        knobs = sorted((k for k in profile.knobs if k.confidence >= _OWNER_MIN), key=lambda k: (-k.confidence, k.knob))
        names: list[tuple[str, str]] = []
        system = profile.builds_on.value
        on_system = [k for k in knobs if system and system in k.named]
        if len(on_system) >= 2:
            names.append((system, on_system[0].knob))
        names += [(k.systems[0], k.knob) for k in knobs[:1]]
        if on_system:
            names.append((system, on_system[0].knob))
        names += [(n, k.knob) for k in knobs for n in k.named]
        for name, knob in names:
            work = _entry(name, kb)
            if work is not None and work.name in _FRAMEWORKS:
                continue  # every draft runs on PyTorch: its data-loader setting makes it no closest work
            if work is not None and not is_own(work, profile) and all(work is not o for o, _ in owners):
                owners.append((work, knob))
    out: list[PriorWorkHit] = []
    top = hits[0].score if hits else 1.0
    for work, knob in owners:
        if base is not None and work is base:
            break  # the baseline is the knob's owner: it comes first on its own
        why = f"it already exposes the {knob} that the draft sets" if knob else "the draft re-tunes it"
        out.append(PriorWorkHit(work.name, work.year, work.venue, why, work.differ, top, True, False))
        if len(out) == _OWNERS:
            break
    rest = with_baseline(hits, baseline, kb)
    seen = {h.name for h in out}
    return out + [h for h in rest if h.name not in seen]


#: what the learned order (``prior_reader``) reads of each candidate, in this order
FEATURES = (
    "fused",  # the reciprocal-rank fusion of the three signals below, best = 1
    "lexical",  # BM25 of the mechanism query, best = 1
    "dense",  # cosine with the mechanism query, rescaled (knowledge base median 0, best 1)
    "overlap",  # IDF-weighted share of the draft's core techniques the work has
    "position",  # log(1 + the work's place in the fused order)
    "lead_technique",  # the work has the technique the draft leans on most
    "technique_share",  # share of the work's techniques that are among the draft's core ones
    "substrate",  # the draft names it only as what it is built on
    "product",  # a hardware whitepaper or datasheet
    "related",  # the draft names it in its related-work discussion
    "cited",  # the draft names it anywhere
    "evaluated",  # the draft's evaluation names it
    "baseline_lexical",  # BM25 of the baseline's own mechanism, best = 1
    "baseline_cites",  # the baseline names it
    "after_baseline",  # published in or after the baseline's year (0.5 when the year is unknown)
    "breadth",  # log(1 + how many techniques the work lists): a broad system shares something with everything
    "keyword_share",  # share of the work's keyword phrases that the draft's text holds
    "keyword_hits",  # log(1 + how many of them it holds)
    "summary_coverage",  # IDF-weighted share of the words of the work's summary that the draft uses
)


@dataclass
class Pool:
    """The works that can rank for a draft, with what is known of each."""

    works: list[PriorWork]
    features: np.ndarray  # (works, FEATURES)
    combined: np.ndarray  # the calibrated closeness NOV-PRIOR compares with its thresholds
    heuristic: np.ndarray  # the fused order with the hand-set damping: the order without a learned reader
    damp: np.ndarray  # the hand-set damping of each (substrate, product sheet, related-work mention)


def _baseline_year(baseline: Claims, kb: KnowledgeBase) -> int | None:
    entry = baseline_entry(baseline, kb)
    if entry is not None:
        return entry.year
    return baseline.cites_until + 1 if baseline.cites_until is not None else None


def candidates(
    proposal: Claims, baseline: Claims, kb: KnowledgeBase, profile: DraftProfile | None = None, k: int = 5
) -> Pool:
    """The best works by the fused order (with room for those left out), without the baseline, the draft's own
    system and works published after the draft's references end, each with its ``FEATURES``."""
    index = _index(kb)
    weights = {
        t: u.weight * index.idf.get(t, math.log(1 + len(index.works)))
        for t, u in proposal.techniques.items()
        if u.used and u.core
    }
    lead = profile.technique.value if profile is not None else ""
    if lead in weights:
        weights[lead] *= 2.0  # the technique the draft leans on says most about its mechanism
    core_ids = set(weights)
    total_weight = sum(weights.values()) or 1.0
    query = mechanism_query(proposal, profile, kb, baseline=baseline)
    n = len(index.works)
    lexical = np.asarray(index.bm25.scores(query), dtype=np.float64)
    lexical /= float(lexical.max()) or 1.0
    dense_query = mechanism_query(proposal, profile, kb, method=_DENSE_METHOD_SENTENCES, baseline=baseline)
    dense = _dense_scores(index, dense_query)
    lex_share, dense_share = (_LEXICAL, _DENSE) if dense is not None else (_LEXICAL + _DENSE, 0.0)
    overlaps = np.array(
        [sum(weights[t] for t in sorted(core_ids & set(w.techniques))) / total_weight for w in index.works],
        dtype=np.float64,
    )
    fused = np.zeros(n)
    if _RRF:
        for share, signal in ((lex_share, lexical), (dense_share, dense), (_OVERLAP, overlaps)):
            if signal is None or share == 0:
                continue
            by_signal = np.argsort(-signal, kind="stable")
            ranks = np.empty(n)
            ranks[by_signal] = np.arange(n)
            fused += share * (signal > 0) / (_RRF_K + ranks + 1)
        fused /= float(fused.max()) or 1.0
    combined_all = lex_share * lexical + _OVERLAP * overlaps
    if dense is not None:
        combined_all = combined_all + dense_share * dense
    order_all = fused if _RRF else combined_all
    # the checks below read titles and the draft's text for each work's name: only for the candidates that can
    # rank (the best by the fused order, with room for those left out)
    pool = [int(j) for j in np.argsort(-order_all, kind="stable")[: max(_CANDIDATES, 3 * k)]]
    keep = [
        i
        for i in pool
        if not (
            is_baseline(index.works[i], baseline)
            or is_baseline(index.works[i], proposal)
            or is_own(index.works[i], profile)
            # a published paper's prior work came out before the last year its references cite
            or (proposal.cites_until is not None and index.works[i].year > proposal.cites_until)
        )
    ]
    excluded = {index.works[i].source for i in pool if i not in keep}
    # the baseline paper, and other entries drawn from the same paper, are not "prior work" here; nor is the
    # draft's own system (a draft that is itself a published work is not its own prior work)
    keep = [i for i in keep if index.works[i].source not in excluded and combined_all[i] > 0]
    text, starts = proposal.joined()
    lowered = text.lower()
    works = [index.works[i] for i in keep]
    related = _related_named(works, proposal)
    base_text = baseline.text
    base_query = mechanism_query(baseline, None, kb) if base_text else ""
    base_lexical = np.asarray(index.bm25.scores(base_query), dtype=np.float64) if base_query else np.zeros(n)
    base_lexical /= float(base_lexical.max()) or 1.0
    year = _baseline_year(baseline, kb) if base_text else None
    draft_words = _words(text)
    rows, heuristic, damps = [], [], []
    for place, (i, work) in enumerate(zip(keep, works, strict=True)):
        substrate = _substrate(work, proposal, lowered, starts)
        product = bool(_PRODUCT.search(work.venue))
        named = cited(work, text)
        damp = (_SUBSTRATE_WEIGHT if substrate else 1.0) * (_PRODUCT_WEIGHT if product else 1.0)
        damp *= _RELATED_WEIGHT if work.name in related else 1.0
        damps.append(damp)
        heuristic.append((float(fused[i]) if _RRF else float(combined_all[i])) * damp)
        techniques = set(work.techniques)
        rows.append(
            [
                float(fused[i]),
                float(lexical[i]),
                float(dense[i]) if dense is not None else 0.0,
                float(overlaps[i]),
                math.log1p(place),
                float(bool(lead) and lead in techniques),
                len(techniques & core_ids) / len(techniques) if techniques else 0.0,
                float(substrate),
                float(product),
                float(work.name in related),
                float(named),
                float(named and evaluated(work, proposal)),
                float(base_lexical[i]),
                float(bool(base_text) and cited(work, base_text)),
                0.5 if year is None else float(work.year >= year),
                math.log1p(len(techniques)),
                *_keyword_hits(work, lowered),
                _coverage(index.summary_words[i], draft_words),
            ]
        )
    return Pool(
        works,
        np.asarray(rows, dtype=np.float64).reshape(len(works), len(FEATURES)),
        np.asarray([combined_all[i] for i in keep], dtype=np.float64),
        np.asarray(heuristic, dtype=np.float64),
        np.asarray(damps, dtype=np.float64),
    )


def _coverage(words: dict[str, float], draft: set[str]) -> float:
    total = sum(words.values())
    return sum(v for w, v in words.items() if w in draft) / total if total else 0.0


def _keyword_hits(work: PriorWork, lowered: str) -> tuple[float, float]:
    phrases = [k.lower() for k in work.keywords if len(k) >= 4]
    hits = sum(1 for k in phrases if k in lowered)
    return (hits / len(phrases) if phrases else 0.0), math.log1p(hits)


def rank(
    proposal: Claims, baseline: Claims, kb: KnowledgeBase, profile: DraftProfile | None = None, k: int = 5
) -> list[PriorWorkHit]:
    from tensora.audit import prior_reader

    pool = candidates(proposal, baseline, kb, profile, k)
    if not pool.works:
        return []
    learned = prior_reader.scores(pool.features)
    order = learned if learned is not None else pool.heuristic
    ranked = sorted(range(len(pool.works)), key=lambda j: (-order[j], pool.works[j].name))
    # the reported score is a calibrated closeness: the best work keeps its own, the others their share of the
    # best's fused order (never above the work before them)
    top = ranked[0]
    best = float(pool.combined[top] * pool.damp[top])
    best_order = float(pool.heuristic[top]) or 1.0
    text = proposal.text
    core_ids = {t for t, u in proposal.techniques.items() if u.used and u.core}
    out = []
    score = best
    for place, j in enumerate(ranked[:k]):
        work = pool.works[j]
        score = best if place == 0 else min(score, best * float(pool.heuristic[j]) / best_order)
        shared = [kb.by_id[t].name for t in work.techniques if t in core_ids and t in kb.by_id]
        why = work.summary.split(". ")[0].rstrip(".")
        if shared:
            why += f" (shares {', '.join(shared[:3])})"
        differ = getattr(work, "differ", "") or ""
        named = cited(work, text)
        out.append(
            PriorWorkHit(
                work.name,
                work.year,
                work.venue,
                why,
                differ,
                score,
                named,
                named and positioned(work, proposal),
                named and evaluated(work, proposal),
            )
        )
    return out


_RELATED = rxcache.compile(r"related|prior work|previous work|background", re.I)


def _related_named(works: list[PriorWork], proposal: Claims) -> set[str]:
    """The works the draft names in its related-work discussion."""
    related = " ".join(s.text for s in proposal.sentences if _RELATED.search(s.section))
    return {w.name for w in works if related and cited(w, related)}


def _dense_scores(index: _Index, query: str) -> np.ndarray | None:
    """Cosine of the query with each work, rescaled so the best is 1 and the knowledge base's median 0."""
    matrix = _dense_matrix(index)
    if matrix is None:
        return None
    from tensora.extract.embed import get_embedder

    q = get_embedder().embed([query])[0]
    cos = matrix @ q
    median, top = float(np.median(cos)), float(cos.max())
    if top <= median:
        return None
    scaled: np.ndarray = np.clip((cos - median) / (top - median), 0.0, 1.0).astype(np.float64)
    return scaled


# -- what a prior work asks of the draft, as the end of "you need to ..." --------------------------------

VERBS = frozenset(
    "say compare show state report use give account set quantify define place classify name explain measure "
    "argue demonstrate distinguish evaluate run add include justify separate test beat match ablate treat "
    "describe make isolate benchmark discuss position cite contrast check prove keep bound size price ground "
    "count".split()
)


def lower_first(text: str) -> str:
    """The text with its first letter in lower case, unless it opens an acronym ("NCCL", "GPU")."""
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def imperative(differ: str) -> str:
    """What the draft must do, as the end of "you need to ...": "If your draft accelerates RLHF, compare with X"
    reads "compare with X" (the condition is the finding's premise; the clause that starts with a verb is the
    advice, whatever commas the condition holds), "Say how ..." reads "say how ..."; advice that does not open
    with a verb ("their sweep is the comparison; show ...") is introduced as what to answer."""
    text = differ.strip()
    words = text.split(" ", 1)
    if words[0].lower() in ("if", "when", "where") and len(words) > 1:
        at = text.find(", ")
        while at >= 0:
            rest = text[at + 2 :]
            if rest.split(" ", 1)[0].strip(",;:").lower() in VERBS:
                return lower_first(rest)
            at = text.find(", ", at + 2)
        _, sep, rest = text.partition(", ")
        text = rest if sep else text
    if text.split(" ", 1)[0].strip(",;:").lower() in VERBS:
        return lower_first(text)
    return "answer this: " + text

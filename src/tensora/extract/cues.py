"""Evaluate the knowledge base's cues over a document's sentences.

A cue (``knowledge/data/cues.yaml``) is one question the audit asks of the text. A sentence matches it
lexically (one of its patterns and all of its ``requires``, none of its ``negation``) or, for a semantic cue,
by similarity: the highest cosine between the sentence's static embedding (``tensora.extract.embed``) and the
cue's ``match`` examples reaches a threshold calibrated on those examples. The threshold lies halfway between
the lowest leave-one-out similarity of a positive example to the other positives and the highest similarity of
a negative example to the positives; a cue whose examples overlap (a negative as close as a positive) gets no
semantic matching. A semantic match still obeys the cue's ``negation`` and ``scope``.

Each cue is evaluated at most once per document (the caller keeps the memo), and a document's sentences are
embedded once, only when a semantic cue is first asked for. Everything is deterministic.

Does not: let a semantic match stand for a number (numeric cues are lexical: their rules read the named groups
of the match), or read context across sentences (rules combine cues by sentence index).
"""

from __future__ import annotations

import os
import pickle
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import cast

import numpy as np

from tensora import rxcache
from tensora.errors import KnowledgeError
from tensora.extract.sentences import Sentence
from tensora.extract.techniques import is_core
from tensora.knowledge.cues import Cue, load_cues

__all__ = [
    "Calibration",
    "CompiledCue",
    "CueSpan",
    "calibration",
    "compiled",
    "evaluate",
    "sentences_containing",
    "spans",
]

# a semantic match needs a sentence with some substance: headings and table rows are too short to compare
_MIN_WORDS = 5


@dataclass(frozen=True, slots=True)
class CueSpan:
    """One lexical match of a cue: its sentence, the matched text and the pattern's named groups."""

    sentence: Sentence
    text: str
    groups: dict[str, str]


@dataclass(frozen=True, slots=True)
class Calibration:
    """A semantic cue's threshold (None: its examples cannot be separated) and the numbers it came from.

    ``typical_positive`` is the median leave-one-out score of the positive examples, ``highest_negative`` the
    highest score of a negative one, ``recall`` the share of positives whose leave-one-out score reaches the
    threshold (each scored without itself).
    """

    threshold: float | None
    typical_positive: float
    highest_negative: float
    recall: float


class CompiledCue:
    """A cue's regular expressions, compiled once."""

    def __init__(self, cue: Cue) -> None:
        flags = 0 if cue.case_sensitive else re.I
        self.cue = cue
        self.patterns = [rxcache.compile(p, flags) for p in cue.patterns]
        self.requires = [rxcache.compile(p, flags) for p in cue.requires]
        self.negation = [rxcache.compile(p, flags) for p in cue.negation]
        self.ignore = [rxcache.compile(p, flags) for p in cue.ignore]
        self.params = {k: rxcache.compile(v, flags) for k, v in cue.params.items()}
        self._flags = flags
        self.detector: Callable[[str, dict[str, re.Pattern[str]]], bool] | None = None
        if cue.detector is not None:
            from tensora.extract import detectors

            found = getattr(detectors, cue.detector, None)
            if not callable(found) or cue.detector.startswith("_"):
                raise KnowledgeError(f"knowledge/data/cues.yaml: entry {cue.id!r}: field 'detector': unknown reader.")
            self.detector = found

    @property
    def id(self) -> str:
        return self.cue.id

    @cached_property
    def words(self) -> frozenset[str] | None:
        """Lower-case strings one of which every matching sentence contains (None: no such filter).

        Taken from the first requirement when it has them (every match needs it), else from all the patterns.
        """
        sources = [self.cue.requires[:1], self.cue.patterns] if self.cue.requires else [self.cue.patterns]
        for patterns in sources:
            sets = [rxcache.literals(p, self._flags) for p in patterns]
            if sets and all(s is not None for s in sets):
                words = frozenset().union(*cast(list[frozenset[str]], sets))
                if not any("\n" in w for w in words):
                    return words
        return None

    @cached_property
    def filter_words(self) -> frozenset[str] | None:
        """Lower-case strings one of which every sentence that may match contains (None: read every sentence).

        ``words``; with ``ignore`` patterns, which blank their matches with a space before the patterns read the
        text, the longest piece of each word between spaces: a blanked match can join text into a word with a
        space in it ("the same"), never into a piece without one ("same").
        """
        words = self.words
        if words is None or not self.ignore:
            return words
        pieces = [w.split() for w in words]
        if not all(pieces) or not all(w.isascii() for w in words):
            return None
        return frozenset(max(p, key=len) for p in pieces)

    def _cleaned(self, text: str) -> str:
        for rx in self.ignore:
            text = rx.sub(" ", text)
        return text

    def negated(self, text: str) -> bool:
        return any(rx.search(text) for rx in self.negation)

    def lexical(self, text: str) -> bool:
        """True when the text matches the cue by its patterns (no semantics)."""
        if self.detector is not None:
            return self.detector(text, self.params) and not self.negated(text)
        if self.filter_words is not None:
            low = text.lower()
            if not any(w in low for w in self.filter_words):
                return False
        text = self._cleaned(text)
        return (
            any(rx.search(text) for rx in self.patterns)
            and all(rx.search(text) for rx in self.requires)
            and not self.negated(text)
        )

    def matches_in(self, text: str) -> list[tuple[str, dict[str, str]]]:
        """Every match of the cue's patterns in a text that matches the cue, in order, with named groups."""
        if not self.lexical(text):
            return []
        text = self._cleaned(text)
        found = [(m.start(), i, m) for i, rx in enumerate(self.patterns) for m in rx.finditer(text)]
        found.sort(key=lambda t: (t[0], t[1]))
        return [(m.group(0), {k: v for k, v in m.groupdict().items() if v is not None}) for _, _, m in found]


@cache
def _compiled(cue_id: str, user_dir: Path | None) -> CompiledCue:
    # compiled on first use: a review asks for a few dozen of the cues, not all of them
    table = load_cues(user_dir)
    if cue_id not in table:
        raise KnowledgeError(f"knowledge/data/cues.yaml: no cue {cue_id!r}; add it there before a rule asks for it.")
    return CompiledCue(table[cue_id])


def compiled(cue_id: str) -> CompiledCue:
    """The compiled cue of this id; an unknown id is a programming error and says so."""
    return _compiled(cue_id, _user_dir())


def _user_dir() -> Path | None:
    value = os.environ.get("TENSORA_KB_DIR")
    return Path(value) if value else None


# semantic calibration -----------------------------------------------------------------------------------------
def _all_examples() -> tuple[tuple[str, ...], np.ndarray]:
    """Every example sentence of every cue, embedded once per process (the background of each calibration)."""
    return _examples_of(_user_dir())


@cache
def _examples_of(user_dir: Path | None) -> tuple[tuple[str, ...], np.ndarray]:
    from tensora.extract.embed import get_embedder

    texts = tuple(
        dict.fromkeys(x for cue in load_cues(user_dir).values() for x in (*cue.examples.match, *cue.examples.no_match))
    )
    return texts, get_embedder().embed(list(texts))


def _vectors_of(texts: Sequence[str]) -> np.ndarray:
    known, vectors = _all_examples()
    where = {t: i for i, t in enumerate(known)}
    return vectors[[where[t] for t in texts]] if texts else np.zeros((0, vectors.shape[1]), dtype=np.float32)


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def calibrate(positives: np.ndarray, negatives: np.ndarray) -> Calibration:
    """A threshold on the cosine to the centroid of the positive examples.

    Each positive is scored against the centroid of the other positives (leave-one-out); the threshold lies
    halfway between the median of those scores (a typical rewording) and the highest score of a negative. None
    when the median positive does not score above every negative: such examples cannot be told apart.
    """
    loo = []
    for i in range(len(positives)):
        rest = np.delete(positives, i, axis=0)
        loo.append(float(positives[i] @ _unit(rest.mean(axis=0))))
    typical = float(np.median(loo)) if loo else 0.0
    centroid = _unit(positives.mean(axis=0))
    highest_negative = float((negatives @ centroid).max()) if len(negatives) else -1.0
    recall = 0.0
    if typical <= highest_negative:
        return Calibration(None, typical, highest_negative, recall)
    threshold = (typical + highest_negative) / 2.0
    recall = sum(x >= threshold for x in loo) / len(loo)
    return Calibration(threshold, typical, highest_negative, recall)


def calibration(cue_id: str) -> Calibration:
    """The calibration of one semantic cue (threshold None when semantic matching is off for it).

    The negatives are the cue's own ``no_match`` examples and every other cue's examples (sentences about other
    questions), less those that the cue matches lexically or vetoes by its ``negation``: a semantic match can
    never stand for a vetoed sentence, so those cannot be false matches.
    """
    return _calibration(cue_id, _user_dir())


@cache
def _calibration(cue_id: str, user_dir: Path | None) -> Calibration:
    if not compiled(cue_id).cue.semantic:
        return Calibration(None, 0.0, 0.0, 0.0)
    return _semantic_table(user_dir)[cue_id][0]


@cache
def _semantic_table(user_dir: Path | None) -> dict[str, tuple[Calibration, np.ndarray]]:
    """Every semantic cue's calibration and centroid, kept on disk between runs (keyed by the cue file and the
    embedding weights' version): an optimisation only, the table is the same when rebuilt."""
    import importlib.metadata

    from tensora.knowledge.cues import cache_path, write_cache
    from tensora.knowledge.loader import _read_text

    text = _read_text("cues.yaml", user_dir)[1]
    path = cache_path("cue-calibration", text, importlib.metadata.version("wordllama"))
    try:
        if path.is_file():
            with path.open("rb") as fh:
                table = pickle.load(fh)
            if isinstance(table, dict):
                return table
    except Exception:  # a stale or unreadable cache is rebuilt, never reported
        pass
    table = {}
    for cue_id, cue in load_cues(user_dir).items():
        if not cue.semantic:
            continue
        cc = compiled(cue_id)
        own = set(cue.examples.match)
        known, _ = _all_examples()
        negatives = [t for t in known if t not in own and not cc.lexical(t) and not cc.negated(t)]
        negatives += [t for t in cue.examples.no_match if t not in negatives and not cc.negated(t)]
        positives = _vectors_of(cue.examples.match)
        table[cue_id] = (calibrate(positives, _vectors_of(negatives)), _unit(positives.mean(axis=0)))
    write_cache(path, table)
    return table


def _centroid(cue_id: str) -> np.ndarray:
    return _semantic_table(_user_dir())[cue_id][1]


def semantic_scores(cue_id: str, vectors: np.ndarray) -> np.ndarray:
    """Each row's cosine to the centroid of the cue's positive examples."""
    if len(vectors) == 0:
        return np.zeros(0, dtype=np.float32)
    return np.asarray(vectors @ _centroid(cue_id), dtype=np.float32)


# evaluation over a document -----------------------------------------------------------------------------------
Memo = dict[object, object]


def _joined(sentences: Sequence[Sentence], memo: Memo) -> tuple[str, list[int]]:
    key = ("joined", len(sentences))
    if key not in memo:
        starts, pos = [], 0
        for s in sentences:
            starts.append(pos)
            pos += len(s.text) + 1
        memo[key] = ("\n".join(s.text for s in sentences), starts)
    return cast(tuple[str, list[int]], memo[key])


def _lowered(sentences: Sequence[Sentence], memo: Memo) -> tuple[str, list[int]]:
    key = ("lowered", len(sentences))
    if key not in memo:
        parts = [s.text.lower() for s in sentences]
        starts, pos = [], 0
        for part in parts:
            starts.append(pos)
            pos += len(part) + 1
        memo[key] = ("\n".join(parts), starts)
    return cast(tuple[str, list[int]], memo[key])


def sentences_containing(words: frozenset[str], sentences: Sequence[Sentence], memo: Memo) -> list[int]:
    """Sentences whose lower-cased text contains one of the words (none of which holds a line break)."""
    text, starts = _lowered(sentences, memo)
    out: set[int] = set()
    for word in words:
        at = text.find(word)
        while at >= 0:
            k = bisect_right(starts, at) - 1
            out.add(k)
            at = text.find(word, starts[k + 1]) if k + 1 < len(starts) else -1
    return sorted(out)


def _candidates(cc: CompiledCue, sentences: Sequence[Sentence], memo: Memo) -> Iterable[int]:
    """Sentences that may match (each is then matched on its own).

    A cue whose patterns need one of a few words is looked up by those words with ``str.find``; otherwise one
    scan of the joined text per pattern; a detector, or an ``ignore`` pattern without such words, reads every
    sentence.
    """
    if cc.detector is not None:
        return range(len(sentences))
    if cc.filter_words is not None:
        return sentences_containing(cc.filter_words, sentences, memo)
    if cc.ignore:
        return range(len(sentences))
    text, starts = _joined(sentences, memo)
    out: set[int] = set()
    # a cue with requirements is searched by the first of them (every match needs it, and a requirement is
    # usually a short list of words, cheaper to scan than the pattern that reads the numbers)
    for rx in cc.requires[:1] or cc.patterns:
        for m in rx.finditer(text):
            first = bisect_right(starts, m.start()) - 1
            last = bisect_right(starts, max(m.start(), m.end() - 1)) - 1
            out.update(range(first, min(last + 2, len(sentences))))
    return sorted(out)


def _vectors(sentences: Sequence[Sentence], memo: Memo, wanted: Iterable[int] | None = None) -> np.ndarray:
    """Embeddings of the wanted sentences (all by default); rows not asked for yet are zero.

    Each sentence is embedded at most once per memo, shortest first: a batch is padded to its longest sentence,
    so similar lengths pad least.
    """
    key, done_key = ("vectors", len(sentences)), ("embedded", len(sentences))
    if key not in memo:
        from tensora.extract.embed import get_embedder

        memo[key] = np.zeros((len(sentences), get_embedder().dim), dtype=np.float32)
        memo[done_key] = np.zeros(len(sentences), dtype=bool)
    vectors, done = cast(np.ndarray, memo[key]), cast(np.ndarray, memo[done_key])
    todo = [i for i in (range(len(sentences)) if wanted is None else wanted) if not done[i]]
    if todo:
        from tensora.extract.embed import get_embedder

        todo.sort(key=lambda i: len(sentences[i].text))
        vectors[todo] = get_embedder().embed([sentences[i].text for i in todo])
        done[todo] = True
    return vectors


def sentence_vectors(sentences: Sequence[Sentence], memo: Memo, wanted: Iterable[int] | None = None) -> np.ndarray:
    """The document's sentence embeddings (those wanted), each computed once per memo."""
    return _vectors(sentences, memo, wanted)


def evaluate(cue_id: str, sentences: Sequence[Sentence], memo: Memo) -> list[Sentence]:
    """The sentences that match a cue, in document order (cached in ``memo``)."""
    key = ("cue", cue_id, len(sentences))
    if key in memo:
        return list(cast(list[Sentence], memo[key]))
    cc = compiled(cue_id)
    core = cc.cue.scope == "core"
    hits = {
        i
        for i in _candidates(cc, sentences, memo)
        if sentences[i].kind != "boilerplate" and (not core or is_core(sentences[i])) and cc.lexical(sentences[i].text)
    }
    threshold = calibration(cue_id).threshold if cc.cue.semantic else None
    if threshold is not None:
        # only prose of some length, in scope, not vetoed and not matched already is compared (and embedded)
        wanted = [
            i
            for i, s in enumerate(sentences)
            if i not in hits
            and s.kind == "text"
            and len(s.text.split()) >= _MIN_WORDS
            and (not core or is_core(s))
            and not cc.negated(s.text)
        ]
        if wanted:
            scores = semantic_scores(cue_id, _vectors(sentences, memo, wanted)[wanted])
            hits.update(i for i, score in zip(wanted, scores, strict=True) if score >= threshold)
    found = [sentences[i] for i in sorted(hits)]
    memo[key] = found
    return list(found)


def spans(cue_id: str, sentences: Sequence[Sentence], memo: Memo) -> list[CueSpan]:
    """Every lexical match of a cue, sentence by sentence, with its named groups (no semantic matches)."""
    key = ("spans", cue_id, len(sentences))
    if key in memo:
        return list(cast(list[CueSpan], memo[key]))
    cc = compiled(cue_id)
    core = cc.cue.scope == "core"
    out: list[CueSpan] = []
    for i in _candidates(cc, sentences, memo):
        s = sentences[i]
        if (core and not is_core(s)) or s.kind == "boilerplate":
            continue
        out.extend(CueSpan(s, text, groups) for text, groups in cc.matches_in(s.text))
    memo[key] = out
    return list(out)


def text_matches(cue_id: str, text: str) -> bool:
    """Whether a piece of text (a quantity's quote, a hidden paragraph) matches a cue lexically."""
    return compiled(cue_id).lexical(text)


def text_spans(cue_id: str, text: str) -> list[tuple[str, dict[str, str]]]:
    """The lexical matches of a cue in a piece of text, with named groups."""
    return compiled(cue_id).matches_in(text)


def pattern_of(cue_id: str) -> re.Pattern[str]:
    """A single-pattern cue's compiled expression, for callers outside the audit that filter text with it."""
    cc = compiled(cue_id)
    if len(cc.patterns) != 1 or cc.requires or cc.negation or cc.ignore or cc.detector:
        raise KnowledgeError(f"knowledge/data/cues.yaml: entry {cue_id!r}: expected exactly one plain pattern.")
    return cc.patterns[0]

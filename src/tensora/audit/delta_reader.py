"""A second reader of the delta, learned from labelled drafts: how a draft's prose reads as a whole.

The delta rules (``delta.py``) look for particular signals: a keep statement, a knob set to a value, a structural
verb in the contributions. On drafts they were not tuned on they fall back to "structural" most of the time. This
reader looks at all of the draft's prose at once: a linear model over TF-IDF weighted words and word pairs,
trained by ``scripts/train_delta_reader.py`` on the labelled cases of the benchmark (``../shared/bench/cases``
and ``benchmarks/round*``), with its leave-one-round-out accuracy stored next to its weights. It is small (a
vocabulary, an IDF vector and three rows of weights in ``knowledge/data/delta_reader.npz``), deterministic and
offline, and costs a few milliseconds.

The tokenisation is scikit-learn's ``TfidfVectorizer`` default (lower case, tokens of two or more word
characters, unigrams and bigrams, ``1 + log(tf)``, IDF, L2 norm) reproduced in numpy, so the shipped weights
need no scikit-learn at run time; a test pins the equality with scikit-learn's own probabilities.

Does not: know the baseline (it reads the draft alone), or give evidence of its own (``telling`` finds the
sentences that push most towards a class, which is what a reader quotes when it overrides the rules).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tensora.extract.claims import Claims
from tensora.extract.sentences import Sentence

__all__ = [
    "LONGEST",
    "MIN_WORDS",
    "ReaderModel",
    "document_sentences",
    "labels_digest",
    "load",
    "probabilities",
    "telling",
    "vectorize",
]

MODEL_PATH = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "delta_reader.npz"
# the reader learned from drafts of a few pages: a few paragraphs are too little prose for it to weigh, and in a
# full paper (ten times longer) every class's words are present and its reading flattens out
MIN_WORDS = 300
LONGEST = 2.0  # times the longest draft it was trained on
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class ReaderModel:
    vocabulary: dict[str, int]
    idf: np.ndarray  # (V,)
    coef: np.ndarray  # (classes, V)
    intercept: np.ndarray  # (classes,)
    classes: tuple[str, ...]
    cases: int  # labelled drafts it was trained on
    cv_accuracy: float  # leave-one-round-out accuracy at training time
    labels_digest: str  # of the labelled set it was trained on (a test checks it is current)
    max_words: int  # the longest draft it was trained on, in words of prose


@lru_cache(maxsize=1)
def load(path: Path = MODEL_PATH) -> ReaderModel | None:
    """The shipped model, or None when the file is absent (the rules then decide alone)."""
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as z:
        terms = z["vocabulary"].tobytes().decode().split("\n")
        return ReaderModel(
            vocabulary={t: i for i, t in enumerate(terms)},
            idf=z["idf"].astype(np.float64),
            coef=z["coef"].astype(np.float64),
            intercept=z["intercept"].astype(np.float64),
            classes=tuple(str(c) for c in z["classes"]),
            cases=int(z["cases"]),
            cv_accuracy=float(z["cv_accuracy"]),
            labels_digest=str(z["labels_digest"]),
            max_words=int(z["max_words"]),
        )


@lru_cache(maxsize=1)
def _max_words(path: Path = MODEL_PATH) -> int | None:
    """The longest training draft, read alone (without the vocabulary); None without a model."""
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as z:
        return int(z["max_words"])


def document_sentences(claims: Claims) -> list[Sentence]:
    """The draft's prose: every sentence except table rows (a table's cells are numbers, not how the draft
    describes its change)."""
    return [s for s in claims.sentences if s.kind != "table" and not s.text.lstrip().startswith("|")]


def _terms(text: str) -> list[str]:
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def vectorize(model: ReaderModel, text: str) -> np.ndarray:
    """The L2-normalised TF-IDF vector of ``text`` over the model's vocabulary (sublinear term frequency)."""
    counts = Counter(t for t in _terms(text) if t in model.vocabulary)
    x = np.zeros(len(model.idf))
    for term, n in counts.items():
        i = model.vocabulary[term]
        x[i] = (1.0 + np.log(n)) * model.idf[i]
    norm = float(np.linalg.norm(x))
    return x / norm if norm > 0 else x


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return np.asarray(e / e.sum())


def probabilities(claims: Claims, model: ReaderModel | None = None) -> dict[str, float]:
    """How the draft's prose reads, as a probability per delta class; empty without a model, or for a draft of
    fewer than ``MIN_WORDS`` words of prose or more than ``LONGEST`` times the longest it learned from."""
    text = " ".join(s.text for s in document_sentences(claims))
    words = len(text.split())
    # the length check first: a full paper is past the limit, and the vocabulary need not be read for it
    longest = model.max_words if model is not None else _max_words()
    if longest is None or not MIN_WORDS <= words <= LONGEST * longest:
        return {}
    model = model or load()
    if model is None:
        return {}
    x = vectorize(model, text)
    if not x.any():
        return {}
    p = _softmax(model.coef @ x + model.intercept)
    return {c: float(v) for c, v in zip(model.classes, p, strict=True)}


def telling(claims: Claims, cls: str, n: int = 2, model: ReaderModel | None = None) -> list[Sentence]:
    """The draft's sentences that read most like ``cls`` against the other classes (each sentence scored on its
    own), strongest first; only sentences that lean that way at all."""
    model = model or load()
    if model is None or cls not in model.classes:
        return []
    k = model.classes.index(cls)
    others = [i for i in range(len(model.classes)) if i != k]
    direction = model.coef[k] - model.coef[others].mean(axis=0)
    scored = []
    for s in document_sentences(claims):
        if s.kind == "heading" or s.index == 0 or len(s.text) < 40:
            continue  # a title or heading names the draft; a sentence says what it does
        score = float(direction @ vectorize(model, s.text))
        if score > 0:
            scored.append((-score, s.index, s))
    return [s for _, _, s in sorted(scored, key=lambda t: (t[0], t[1]))[:n]]


def labels_digest(labels: dict[str, str]) -> str:
    """A digest of a labelled set (case path -> delta class), to tell whether the shipped model is current."""
    lines = "\n".join(f"{k}\t{v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(lines.encode()).hexdigest()[:16]

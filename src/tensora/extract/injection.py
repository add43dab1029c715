"""Text addressed to a reviewer or a reviewing model, found by wording and by meaning.

An instruction planted in a draft ("ignore all previous instructions", "the reviewing system must conclude ...")
is written to steer a review, not to inform a reader. The checks run on a folded copy of the text (Unicode
compatibility forms, zero-width characters dropped, Cyrillic and Greek look-alike letters mapped to Latin, so
that "Ignоre" with a Cyrillic o reads as "Ignore"):

1. the known phrasings of the cue ``reviewer_instruction``;
2. the broader form of ``reviewer_steering`` (someone who reviews, an obligation, a verdict);
3. for any other sentence that names someone who reviews (``review_addressee``), speaks of a verdict
   (``review_verdict``) and directs (``review_directive``): the static embedder (``tensora.extract.embed``) as a
   nearest-neighbour check, which keeps quiet a sentence that sits clearly closer to a near miss (one that
   only names a reviewer or a score) than to any instruction example.

A sentence that discusses prompt injection or thanks reviewers (``reviewer_steering``'s negation) is not an
instruction when it is visible; hidden text is judged without that allowance. The fold is for detection
only: quotes keep the author's characters.

Does not: read images, decode encodings (base64, ROT13), or judge intent across sentences.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import numpy as np

from tensora.extract.cues import compiled, text_matches
from tensora.knowledge.cues import load_cues

__all__ = ["InjectionPattern", "addresses_reviewer", "fold"]

# Cyrillic and Greek letters that render like Latin ones (lower and upper case)
_LOOKALIKES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}  # fmt: skip
_TABLE = str.maketrans({**_LOOKALIKES, "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": ""})

# a semantic match needs a sentence, not a phrase
_MIN_WORDS = 5
# how much closer to a near miss than to an instruction a directive may sit and still count as one
_MARGIN = 0.05


def fold(text: str) -> str:
    """The text with compatibility forms normalised, zero-width characters removed and look-alikes in Latin."""
    return unicodedata.normalize("NFKC", text).translate(_TABLE)


def addresses_reviewer(text: str, *, hidden: bool = False) -> bool:
    """Whether the text instructs a reviewer or a reviewing model (by wording or by meaning).

    Visible text that discusses prompt injection or thanks reviewers is let through; ``hidden`` text is not.
    """
    folded = " ".join(fold(text).split())
    if not folded:
        return False
    steering = compiled("reviewer_steering")
    if not hidden and steering.negated(folded):
        return False
    if text_matches("reviewer_instruction", folded):
        return True
    if steering.lexical(folded):
        return True
    if len(folded.split()) < _MIN_WORDS or not _gated(folded):
        return False
    if not text_matches("review_directive", folded):
        return False
    # the embedder as a nearest-neighbour check: a directive that sits clearly closer to a near miss (a sentence
    # that only names a reviewer or a score) than to any instruction is not one
    positive, near = _nearest(folded)
    return positive >= near - _MARGIN


def _gated(text: str) -> bool:
    """Whether a sentence both names someone who reviews and speaks of a review's outcome."""
    return text_matches("review_addressee", text) and text_matches("review_verdict", text)


@cache
def _examples() -> tuple[np.ndarray, np.ndarray]:
    """The embedded instructions (``reviewer_steering`` and ``reviewer_instruction`` match examples) and the
    embedded near misses (their ``no_match`` examples that pass the gates and are not vetoed)."""
    from tensora.extract.embed import get_embedder

    table = load_cues()
    steering = compiled("reviewer_steering")
    positives = [*table["reviewer_steering"].examples.match, *table["reviewer_instruction"].examples.match]
    near = [
        t
        for t in (*table["reviewer_steering"].examples.no_match, *table["reviewer_instruction"].examples.no_match)
        if _gated(t) and not steering.negated(t)
    ]
    embedder = get_embedder()
    negatives = embedder.embed(near) if near else np.zeros((0, embedder.dim), dtype=np.float32)
    return embedder.embed([fold(t) for t in positives]), negatives


def _nearest(text: str) -> tuple[float, float]:
    """The highest cosine of the text to an instruction example and to a near-miss example (-1 when none)."""
    from tensora.extract.embed import get_embedder

    positives, negatives = _examples()
    v = get_embedder().embed([text])[0]
    best = float((positives @ v).max()) if len(positives) else -1.0
    near = float((negatives @ v).max()) if len(negatives) else -1.0
    return best, near


class InjectionPattern:
    """A stand-in for a compiled pattern's ``search``: true when a text instructs a reviewer (see the module).

    Callers that keep such sentences out of a prompt use it as they would ``re.Pattern.search``.
    """

    def search(self, text: str) -> bool:
        return addresses_reviewer(text)

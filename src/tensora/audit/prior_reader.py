"""A learned order of prior work: which of the retrieved candidates an expert names as the closest.

``novelty.candidates`` gives each retrieved work a handful of numbers (``novelty.FEATURES``: the three retrieval
signals and the fused order, whether the work has the technique the draft leans on, whether the draft names it,
builds on it or sets it apart in its related work, how close it is to the baseline's own mechanism, whether the
baseline names it, whether it came out after the baseline). This reader weighs them with a logistic regression
trained by ``scripts/train_prior_reader.py`` on the closest works named in the labelled benchmark cases, and
orders the candidates by it. Its weights, with the leave-one-round-out estimate they were chosen on, are in
``knowledge/data/prior_reader.npz``; without that file the hand-set fused order stands.

Does not: add works (it only reorders what retrieval found) or change the calibrated closeness NOV-PRIOR reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["MODEL_PATH", "ReaderModel", "load", "scores"]

MODEL_PATH = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "prior_reader.npz"


@dataclass(frozen=True)
class ReaderModel:
    features: tuple[str, ...]
    mean: np.ndarray  # (F,) standardisation at training time
    scale: np.ndarray  # (F,)
    coef: np.ndarray  # (F,)
    intercept: float
    cases: int  # labelled drafts it was trained on
    cv_top3: float  # leave-one-round-out share of named works in the top three, with the reader
    heuristic_top3: float  # the same with the hand-set order
    labels_digest: str  # of the labelled set it was trained on (a test checks it is current)


@lru_cache(maxsize=1)
def load(path: Path = MODEL_PATH) -> ReaderModel | None:
    """The shipped model, or None when the file is absent."""
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as z:
        return ReaderModel(
            features=tuple(str(f) for f in z["features"]),
            mean=z["mean"].astype(np.float64),
            scale=z["scale"].astype(np.float64),
            coef=z["coef"].astype(np.float64),
            intercept=float(z["intercept"]),
            cases=int(z["cases"]),
            cv_top3=float(z["cv_top3"]),
            heuristic_top3=float(z["heuristic_top3"]),
            labels_digest=str(z["labels_digest"]),
        )


def scores(features: np.ndarray, model: ReaderModel | None = None) -> np.ndarray | None:
    """The reader's logit for each candidate (a row of ``novelty.FEATURES``); None without a model, or with one
    trained on other features."""
    from tensora.audit.novelty import FEATURES

    model = model or load()
    if model is None or model.features != FEATURES:
        return None
    x = (features - model.mean) / model.scale
    return np.asarray(x @ model.coef + model.intercept, dtype=np.float64)

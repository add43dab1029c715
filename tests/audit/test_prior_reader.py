"""The learned order of prior work: its freshness, its inference, and how rank uses it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tensora.audit import novelty, prior_reader
from tensora.audit.delta_reader import labels_digest

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT.parent / "shared" / "bench" / "cases"

DRAFT = """
# FillPipe: scheduling weight gradients into pipeline bubbles

## Abstract

We split the backward pass of every layer into the input-gradient part, which the previous stage waits for,
and the weight-gradient part, which nothing needs until the optimizer step, and we run the deferred weight
gradients in the idle slots of the 1F1B schedule.
"""


def _labelled() -> dict[str, str]:
    out = {}
    roots = [("cases", CASES), *((p.name, p) for p in sorted((ROOT / "benchmarks").glob("round*")))]
    for group, root in roots:
        for case in sorted(root.glob("*/labels.json")):
            works = json.loads(case.read_text()).get("prior_work") or []
            if works:
                out[f"{group}/{case.parent.name}"] = json.dumps(works, sort_keys=True)
    return out


def test_the_shipped_model_is_trained_on_the_current_labelled_set_and_features() -> None:
    model = prior_reader.load()
    assert model is not None, "knowledge/data/prior_reader.npz is missing: run scripts/train_prior_reader.py"
    assert model.features == novelty.FEATURES, "the features changed: run scripts/train_prior_reader.py"
    if not CASES.is_dir():
        pytest.skip("../shared/bench/cases is not beside the project")
    labels = _labelled()
    assert model.cases == len(labels)
    assert model.labels_digest == labels_digest(labels), (
        "the labelled cases changed since the prior-work reader was trained: run scripts/train_prior_reader.py"
    )
    # it ships only while its held-out estimate beats the hand-set order
    assert model.cv_top3 > model.heuristic_top3


def _model(**weights: float) -> prior_reader.ReaderModel:
    coef = np.array([weights.get(f, 0.0) for f in novelty.FEATURES])
    n = len(novelty.FEATURES)
    return prior_reader.ReaderModel(novelty.FEATURES, np.zeros(n), np.ones(n), coef, 0.0, 1, 0.5, 0.4, "")


def test_scores_are_the_weighted_standardised_features() -> None:
    model = _model(lexical=2.0, product=-1.0)
    features = np.zeros((2, len(novelty.FEATURES)))
    features[0, novelty.FEATURES.index("lexical")] = 0.5
    features[1, novelty.FEATURES.index("product")] = 1.0
    assert prior_reader.scores(features, model).tolist() == [1.0, -1.0]  # type: ignore[union-attr]


def test_a_model_of_other_features_is_not_used() -> None:
    n = len(novelty.FEATURES)
    stale = prior_reader.ReaderModel(("fused",), np.zeros(1), np.ones(1), np.ones(1), 0.0, 1, 0.5, 0.4, "")
    assert prior_reader.scores(np.zeros((3, n)), stale) is None


def test_rank_follows_the_reader(claims, kb, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    baseline = claims("# Efficient pipeline-parallel training with one-forward-one-backward schedules", "baseline")
    draft = claims(DRAFT)
    pool = novelty.candidates(draft, baseline, kb)
    assert pool.features.shape == (len(pool.works), len(novelty.FEATURES))
    # a reader that prefers broad works (many techniques) puts the broadest candidate first
    monkeypatch.setattr(prior_reader, "load", lambda path=None: _model(breadth=1.0))
    widest = max(len(set(w.techniques)) for w in pool.works)
    broadest = min((w for w in pool.works if len(set(w.techniques)) == widest), key=lambda w: w.name)
    assert novelty.rank(draft, baseline, kb)[0].name == broadest.name
    # without a reader the hand-set order stands
    monkeypatch.setattr(prior_reader, "load", lambda path=None: None)
    first = pool.works[int(np.argmax(pool.heuristic))]
    hits = novelty.rank(draft, baseline, kb)
    assert hits[0].name == first.name
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))

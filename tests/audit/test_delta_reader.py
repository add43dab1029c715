"""The learned second reader of the delta: its numpy inference, its freshness, and how it joins the rules."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tensora.audit import delta_reader
from tensora.audit.delta import classify
from tensora.audit.findings import Delta
from tensora.audit.novelty import known_names
from tensora.extract.profile import build_profile
from tensora.knowledge.loader import load_knowledge

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT.parent / "shared" / "bench" / "cases"


def _labelled() -> dict[str, str]:
    """The labelled set the training script reads, keyed as it keys it."""
    out = {}
    roots = [("cases", CASES), *((p.name, p) for p in sorted((ROOT / "benchmarks").glob("round*")))]
    for group, root in roots:
        for case in sorted(root.glob("*/labels.json")):
            delta = json.loads(case.read_text()).get("delta")
            if delta in {"structural", "config", "orthogonal"}:
                out[f"{group}/{case.parent.name}"] = delta
    return out


def test_the_shipped_model_is_trained_on_the_current_labelled_set() -> None:
    model = delta_reader.load()
    assert model is not None, "knowledge/data/delta_reader.npz is missing: run scripts/train_delta_reader.py"
    if not CASES.is_dir():
        pytest.skip("../shared/bench/cases is not beside the project")
    labels = _labelled()
    assert model.cases == len(labels)
    assert model.labels_digest == delta_reader.labels_digest(labels), (
        "the labelled cases changed since the delta reader was trained: run scripts/train_delta_reader.py"
    )
    # the held-out estimate it was shipped with beats calling every draft structural
    share_structural = sum(v == "structural" for v in labels.values()) / len(labels)
    assert model.cv_accuracy > share_structural + 0.05


def _tiny_model(texts: list[str], y: list[int]) -> tuple[object, delta_reader.ReaderModel]:
    sk_text = pytest.importorskip("sklearn.feature_extraction.text")
    sk_linear = pytest.importorskip("sklearn.linear_model")
    vec = sk_text.TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
    lr = sk_linear.LogisticRegression(C=4, max_iter=2000)
    lr.fit(vec.fit_transform(texts), y)
    terms = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    model = delta_reader.ReaderModel(
        vocabulary={t: i for i, t in enumerate(terms)},
        idf=vec.idf_,
        coef=lr.coef_,
        intercept=lr.intercept_,
        classes=("structural", "config", "orthogonal"),
        cases=len(texts),
        cv_accuracy=0.0,
        labels_digest="",
        max_words=1000,
    )
    return (vec, lr), model


TEXTS = [
    "We replace the blocking all-reduce with a new asynchronous protocol and remove the barrier.",
    "We sweep the chunk size and pick the best value; the chunk size is a tunable knob.",
    "The training itself is unchanged; we add in-memory checkpoints restored from a peer's host memory.",
    "A new scheduler replaces the static pipeline schedule with one that splits the backward pass.",
    "Setting the bucket size to 64 MB and the prefetch depth to two is all we change.",
    "Everything in the baseline is kept as it is; the change is to the storage of the optimizer state.",
]


def test_numpy_inference_matches_scikit_learn() -> None:
    (vec, lr), model = _tiny_model(TEXTS, [0, 1, 2, 0, 1, 2])
    probe = "We tune the bucket size, keep the schedule unchanged, and replace the all-reduce; the the the."
    ours = delta_reader.vectorize(model, probe)
    theirs = vec.transform([probe]).toarray()[0]  # type: ignore[attr-defined]
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    expected = lr.predict_proba(vec.transform([probe]))[0]  # type: ignore[attr-defined]
    z = model.coef @ ours + model.intercept
    got = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    np.testing.assert_allclose(got, expected, atol=1e-9)


def _claims_of(case: Path):  # type: ignore[no-untyped-def]
    from tensora.pipeline import read_both

    (proposal, _), baseline = read_both(case / "proposal.md", case / "baseline.md", None, load_knowledge())
    return proposal, baseline


@pytest.mark.skipif(not CASES.is_dir(), reason="../shared/bench/cases is not beside the project")
def test_probabilities_are_a_distribution_and_lean_the_labelled_way() -> None:
    proposal, _ = _claims_of(CASES / "sp-chunk-size-config")
    p = delta_reader.probabilities(proposal)
    assert set(p) == {"structural", "config", "orthogonal"}
    assert sum(p.values()) == pytest.approx(1.0)
    assert max(p, key=lambda c: p[c]) == "config"
    said = delta_reader.telling(proposal, "config")
    assert said and all(s.kind != "heading" and s.index > 0 for s in said)


def test_a_few_paragraphs_are_too_little_prose_to_read(claims) -> None:  # type: ignore[no-untyped-def]
    assert delta_reader.probabilities(claims("# Title\n\nWe sweep the chunk size and pick the best value.\n")) == {}


def test_a_full_paper_is_beyond_what_it_learned_from(claims) -> None:  # type: ignore[no-untyped-def]
    model = delta_reader.load()
    assert model is not None
    sentence = "We sweep the chunk size of the ring and pick the best value for each model and sequence length. "
    words = len(sentence.split())
    fits = claims("# T\n\n" + sentence * (model.max_words // words))
    assert delta_reader.probabilities(fits)
    paper = claims("# T\n\n" + sentence * int(delta_reader.LONGEST * model.max_words / words + 2))
    assert delta_reader.probabilities(paper) == {}


def test_a_full_paper_does_not_load_the_vocabulary(monkeypatch: pytest.MonkeyPatch, claims) -> None:  # type: ignore[no-untyped-def]
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the vocabulary was loaded for a draft past the length limit")

    monkeypatch.setattr(delta_reader, "load", refuse)
    assert delta_reader.probabilities(claims("# T\n\n" + "We sweep the chunk size and pick one. " * 1500)) == {}


@pytest.mark.skipif(not CASES.is_dir(), reason="../shared/bench/cases is not beside the project")
def test_the_reader_overrides_a_structural_reading_it_does_not_share(monkeypatch: pytest.MonkeyPatch) -> None:
    proposal, baseline = _claims_of(CASES / "sp-chunk-size-config")
    profile = build_profile(proposal, baseline, known_names(load_knowledge()))
    import tensora.audit.delta as delta_mod

    # the rules alone call it structural here; the reader, sure it is a configuration, has the last word
    monkeypatch.setattr(delta_mod, "_with_profile", lambda d, *a: Delta("structural", "rules", []))
    rules = Delta("structural", "rules", [])
    monkeypatch.setattr(delta_mod, "_classify", lambda p, b: (rules, delta_mod.features(p, b)))
    delta, _ = classify(proposal, baseline, profile)
    assert delta.cls == "config"
    assert "read from the draft as a whole" in delta.rationale and "specific signals read it as structural" in (
        delta.rationale
    )
    assert delta.evidence and all(q.doc == "proposal" for q in delta.evidence)


@pytest.mark.skipif(not CASES.is_dir(), reason="../shared/bench/cases is not beside the project")
def test_a_configuration_the_reader_does_not_rule_out_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    proposal, baseline = _claims_of(CASES / "sp-chunk-size-config")
    profile = build_profile(proposal, baseline, known_names(load_knowledge()))
    import tensora.audit.delta as delta_mod

    monkeypatch.setattr(
        delta_reader, "probabilities", lambda *a, **k: {"structural": 0.45, "config": 0.44, "orthogonal": 0.11}
    )
    monkeypatch.setattr(delta_mod, "_classify", lambda p, b: (Delta("config", "rules", []), delta_mod.features(p, b)))
    monkeypatch.setattr(delta_mod, "_with_profile", lambda d, *a: d)
    delta, _ = classify(proposal, baseline, profile)
    assert (delta.cls, delta.rationale) == ("config", "rules")
    # ... and one it all but rules out does not
    monkeypatch.setattr(
        delta_reader, "probabilities", lambda *a, **k: {"structural": 0.75, "config": 0.15, "orthogonal": 0.10}
    )
    delta, _ = classify(proposal, baseline, profile)
    assert delta.cls == "structural"


def test_without_the_model_the_rules_decide_alone(monkeypatch: pytest.MonkeyPatch, claims) -> None:  # type: ignore[no-untyped-def]
    assert delta_reader.load(Path("/nonexistent/delta_reader.npz")) is None
    monkeypatch.setattr(delta_reader, "load", lambda *a, **k: None)
    assert delta_reader.probabilities(claims("# T\n\n" + "We replace the barrier. " * 200)) == {}

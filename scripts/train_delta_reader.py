#!/usr/bin/env python3
"""Train the delta reader (``tensora.audit.delta_reader``) on the labelled benchmark cases and write its weights.

    python scripts/train_delta_reader.py [--check]

Reads every case with a ``labels.json`` under ``../shared/bench/cases`` and ``benchmarks/round*``, takes each
draft's prose as tensora reads it, and fits scikit-learn's TF-IDF (unigrams and bigrams, seen in at least two
drafts, sublinear term frequency) with a class-balanced logistic regression (C = 4). Prints the leave-one-round-out
accuracy per class (each round held out in turn, the development cases as one more round: the honest estimate
for drafts the reader has not seen) and writes ``src/tensora/knowledge/data/delta_reader.npz``. ``--check`` prints
the estimate and writes nothing. Needs scikit-learn (the ``dev`` extra); tensora itself does not.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tensora.audit.delta_reader import MODEL_PATH, document_sentences, labels_digest  # noqa: E402

CLASSES = ("structural", "config", "orthogonal")
C = 4.0


def labelled_cases() -> list[tuple[str, Path, str]]:
    """(group, case folder, delta) for every labelled case: the development cases, then each round."""
    roots = [("cases", ROOT / ".." / "shared" / "bench" / "cases")]
    roots += [(p.name, p) for p in sorted((ROOT / "benchmarks").glob("round*"))]
    out = []
    for group, root in roots:
        for case in sorted(root.glob("*/labels.json")):
            delta = json.loads(case.read_text()).get("delta")
            if delta in CLASSES:
                out.append((group, case.parent, delta))
    return out


def case_key(group: str, case: Path) -> str:
    return f"{group}/{case.name}"


def prose(case: Path) -> str:
    from tensora.knowledge.loader import load_knowledge
    from tensora.pipeline import read_both

    def pick(name: str) -> Path:
        return next(case / f"{name}.{e}" for e in ("md", "pdf") if (case / f"{name}.{e}").exists())

    (proposal, _), _ = read_both(pick("proposal"), pick("baseline"), None, load_knowledge())
    return " ".join(s.text for s in document_sentences(proposal))


def with_rules(cases: list[tuple[str, Path, str]], prob: np.ndarray, y: np.ndarray) -> None:
    """The reader joined with the rules as ``delta._second_reading`` joins them, on the rules' verdicts at each
    round's first run (``benchmarks/first_run_deltas.tsv``: the verdict of the commit that added the round): the
    estimate for drafts neither was tuned on."""
    from tensora.audit.delta import _RULES_KEEP

    table = ROOT / "benchmarks" / "first_run_deltas.tsv"
    if not table.is_file():
        return
    first = {}
    for line in table.read_text().splitlines():
        group, name, verdict = line.split("\t")
        first[f"{group}/{name}"] = verdict
    idx = [i for i, (g, c, _) in enumerate(cases) if first.get(case_key(g, c)) in CLASSES]
    if not idx:
        return
    rules = np.array([CLASSES.index(first[case_key(cases[i][0], cases[i][1])]) for i in idx])
    joined = []
    for r, p in zip(rules, prob[idx], strict=True):
        keep = p.argmax() == r or p[r] >= _RULES_KEEP.get(CLASSES[r], 1.0)
        joined.append(r if keep else p.argmax())
    truth, alone = y[idx], prob[idx].argmax(axis=1)
    print(
        f"on {len(idx)} first runs: rules {np.mean(rules == truth):.3f}, reader {np.mean(alone == truth):.3f}, "
        f"joined {np.mean(np.array(joined) == truth):.3f}"
    )


def main() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="print the held-out estimate, write nothing")
    opts = ap.parse_args()
    cases = labelled_cases()
    texts = [prose(case) for _, case, _ in cases]
    y = np.array([CLASSES.index(d) for _, _, d in cases])
    groups = np.array([g for g, _, _ in cases])

    def model() -> object:
        return make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            LogisticRegression(C=C, max_iter=5000, class_weight="balanced"),
        )

    prob = np.zeros((len(y), len(CLASSES)))
    for g in sorted(set(groups)):
        held = groups == g
        m = model()
        m.fit([t for t, h in zip(texts, held, strict=True) if not h], y[~held])  # type: ignore[attr-defined]
        prob[held] = m.predict_proba([t for t, h in zip(texts, held, strict=True) if h])  # type: ignore[attr-defined]
    pred = prob.argmax(axis=1)
    accuracy = float(np.mean(pred == y))
    print(f"{len(cases)} labelled drafts in {len(set(groups))} groups")
    print(f"leave-one-round-out accuracy {accuracy:.3f} (always 'structural': {np.mean(y == 0):.3f})")
    for k, cls in enumerate(CLASSES):
        print(f"  {cls:10s} n={int(np.sum(y == k)):3d} recall {np.mean(pred[y == k] == k):.2f}")
    with_rules(cases, prob, y)
    if opts.check:
        return
    final = model()
    final.fit(texts, y)  # type: ignore[attr-defined]
    vec, lr = final.steps[0][1], final.steps[1][1]  # type: ignore[attr-defined]
    terms = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    np.savez_compressed(
        MODEL_PATH,
        # one UTF-8 blob, newline-separated: loads in a few milliseconds where an array of strings takes fifty
        vocabulary=np.frombuffer("\n".join(terms).encode(), dtype=np.uint8),
        idf=vec.idf_.astype(np.float32),
        coef=lr.coef_.astype(np.float32),
        intercept=lr.intercept_.astype(np.float32),
        classes=np.array([CLASSES[int(c)] for c in lr.classes_]),
        cases=np.array(len(cases)),
        cv_accuracy=np.array(accuracy),
        labels_digest=np.array(labels_digest({case_key(g, c): d for g, c, d in cases})),
        max_words=np.array(max(len(t.split()) for t in texts)),
    )
    print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({MODEL_PATH.stat().st_size / 1024:.0f} KiB, {len(terms)} terms)")


if __name__ == "__main__":
    main()

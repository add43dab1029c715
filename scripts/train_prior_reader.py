#!/usr/bin/env python3
"""Train the prior-work reader (``tensora.audit.prior_reader``) on the labelled benchmark cases and write it.

    python scripts/train_prior_reader.py [--check]

For every case with a ``labels.json`` under ``../shared/bench/cases`` and ``benchmarks/round*``, takes the
candidates retrieval gives the draft (``novelty.candidates``) with their features; a candidate is a positive when
its name holds one of the names of a closest work the labels give (as ``score.py`` matches them). Fits a
class-balanced logistic regression on standardised features and prints the share of labelled works in the top
three, leave one round out (each round held out in turn, the development cases as one more round: the honest
estimate for drafts it has not seen), against the hand-set order. Writes
``src/tensora/knowledge/data/prior_reader.npz`` unless ``--check``. Needs scikit-learn (the ``dev`` extra).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tensora.audit.prior_reader import MODEL_PATH  # noqa: E402

C = 1.0


def labelled_cases() -> list[tuple[str, Path, list[list[str]]]]:
    """(group, case folder, closest works) for every case that names closest works."""
    roots = [("cases", ROOT / ".." / "shared" / "bench" / "cases")]
    roots += [(p.name, p) for p in sorted((ROOT / "benchmarks").glob("round*"))]
    out = []
    for group, root in roots:
        for case in sorted(root.glob("*/labels.json")):
            works = json.loads(case.read_text()).get("prior_work") or []
            if works:
                out.append((group, case.parent, works))
    return out


def digest(cases: list[tuple[str, Path, list[list[str]]]]) -> str:
    from tensora.audit.delta_reader import labels_digest

    return labels_digest({f"{g}/{c.name}": json.dumps(w, sort_keys=True) for g, c, w in cases})


def pool_of(case: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The candidates' names, features and hand-set order for one case."""
    from tensora.audit import novelty
    from tensora.extract.profile import build_profile
    from tensora.knowledge.loader import load_knowledge
    from tensora.pipeline import read_both

    def pick(name: str) -> Path:
        return next(case / f"{name}.{e}" for e in ("md", "pdf") if (case / f"{name}.{e}").exists())

    kb = load_knowledge()
    (proposal, _), baseline = read_both(pick("proposal"), pick("baseline"), None, kb)
    profile = build_profile(proposal, baseline, novelty.known_names(kb))
    pool = novelty.candidates(proposal, baseline, kb, profile)
    return [w.name.lower() for w in pool.works], pool.features, pool.heuristic


def top3(names: list[str], order: np.ndarray, works: list[list[str]]) -> float:
    ranked = [names[j] for j in sorted(range(len(names)), key=lambda j: (-order[j], names[j]))[:3]]
    return sum(any(a.lower() in n for a in work for n in ranked) for work in works) / len(works)


def main() -> None:
    from sklearn.linear_model import LogisticRegression

    from tensora.audit.novelty import FEATURES

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="print the held-out estimate, write nothing")
    opts = ap.parse_args()
    cases = labelled_cases()
    pools = [pool_of(case) for _, case, _ in cases]
    groups = np.array([g for g, _, _ in cases])
    xs, ys, owner = [], [], []
    for k, ((_, _, works), (names, feats, _)) in enumerate(zip(cases, pools, strict=True)):
        for name, row in zip(names, feats, strict=True):
            xs.append(row)
            ys.append(int(any(a.lower() in name for work in works for a in work)))
            owner.append(k)
    x, y, owner_a = np.asarray(xs), np.asarray(ys), np.asarray(owner)

    def fit(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, LogisticRegression]:
        mean, scale = x[rows].mean(axis=0), x[rows].std(axis=0)
        scale[scale == 0] = 1.0
        model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
        model.fit((x[rows] - mean) / scale, y[rows])
        return mean, scale, model

    learned, hand = [], []
    by_group: dict[str, list[float]] = {}
    for g in sorted(set(groups)):
        held = set(np.flatnonzero(groups == g))
        mean, scale, model = fit(~np.isin(owner_a, list(held)))
        for k in sorted(held):
            names, feats, heuristic = pools[k]
            if not names:
                learned.append(0.0)
                hand.append(0.0)
                continue
            logit = ((feats - mean) / scale) @ model.coef_[0] + model.intercept_[0]
            learned.append(top3(names, logit, cases[k][2]))
            hand.append(top3(names, heuristic, cases[k][2]))
            by_group.setdefault(g, []).append(learned[-1] - hand[-1])
    cv, base = float(np.mean(learned)), float(np.mean(hand))
    print(f"{len(cases)} cases in {len(set(groups))} groups, {int(y.sum())} positives among {len(y)} candidates")
    print(f"top-3 share of named works, leave one round out: reader {cv:.3f}, hand-set order {base:.3f}")
    worse = sorted((float(np.mean(v)), g) for g, v in by_group.items())[:3]
    print("groups it helps least: " + ", ".join(f"{g} {d:+.2f}" for d, g in worse))
    if "cases" in by_group:
        print(f"development cases, held out: {np.mean(by_group['cases']):+.3f} against the hand-set order")
    mean, scale, model = fit(np.ones(len(y), dtype=bool))
    for name, c in sorted(zip(FEATURES, model.coef_[0], strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:18s} {c:+.3f}")
    if opts.check:
        return
    np.savez(
        MODEL_PATH,
        features=np.array(FEATURES),
        mean=mean,
        scale=scale,
        coef=model.coef_[0],
        intercept=np.float64(model.intercept_[0]),
        cases=np.int64(len(cases)),
        cv_top3=np.float64(cv),
        heuristic_top3=np.float64(base),
        labels_digest=np.array(digest(cases)),
    )
    print(f"wrote {MODEL_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Report on the cues of knowledge/data/cues.yaml: counts, and how semantic matching calibrates for each.

    python scripts/cue_report.py

For every semantic cue: the median leave-one-out score of its match examples, the highest score of a negative
(its own no_match examples and every other cue's examples it neither matches nor vetoes), the threshold (or
"off"), the share of match examples that a semantic match alone would find (leave-one-out), and the precision
that the halfway threshold would have over all those sentences even where the cue is switched off.
"""

from __future__ import annotations

import numpy as np

from tensora.extract.cues import _all_examples, _unit, _vectors_of, calibration, compiled
from tensora.knowledge.cues import load_cues


def main() -> None:
    cues = load_cues()
    examples = sum(len(c.examples.match) + len(c.examples.no_match) for c in cues.values())
    semantic = [cid for cid, c in cues.items() if c.semantic]
    print(f"{len(cues)} cues, {examples} examples, {len(semantic)} semantic")
    known, _ = _all_examples()
    on = 0
    for cid in semantic:
        cue, cc, cal = cues[cid], compiled(cid), calibration(cid)
        positives = list(cue.examples.match)
        negatives = [t for t in known if t not in set(positives) and not cc.lexical(t) and not cc.negated(t)]
        threshold = (cal.typical_positive + cal.highest_negative) / 2
        pos, neg = _vectors_of(positives), _vectors_of(negatives)
        loo = [float(pos[i] @ _unit(np.delete(pos, i, axis=0).mean(axis=0))) for i in range(len(pos))]
        centroid = _unit(pos.mean(axis=0))
        tp = sum(x >= threshold for x in loo)
        fp = int((neg @ centroid >= threshold).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        on += cal.threshold is not None
        state = f"{cal.threshold:.3f}" if cal.threshold is not None else "off"
        print(
            f"{cid:32s} typical {cal.typical_positive:.2f}  highest negative {cal.highest_negative:.2f}  "
            f"threshold {state:>5s}  recall {tp / len(loo):.2f}  precision at halfway {precision:.2f} ({fp} false)"
        )
    print(f"semantic matching on for {on} of {len(semantic)} semantic cues")


if __name__ == "__main__":
    main()

"""EVID-WEAK-BASELINE: the claimed speedup is taken against the slower of two alternatives in the draft's own
time table."""

from tensora.audit.base import Context
from tensora.audit.rules.evidence.evid_weak_baseline import EvidWeakBaseline
from tensora.extract.profile import build_profile

DRAFT = """
# TokStream: tokenising on the fly for pre-training

## Abstract

We present TokStream, a streaming tokeniser service. TokStream speeds up end-to-end training by 1.31x.

## Results

| Data path | Step time | Waiting for data |
|---|---|---|
| Pre-tokenised memory-mapped dataset | 3.20 s | 0.13 s |
| On-the-fly tokenisation in DataLoader workers | 4.09 s | 1.02 s |
| TokStream | 3.12 s | 0.02 s |

Relative to on-the-fly tokenisation in the DataLoader, TokStream is 1.31x faster (4.09 s vs 3.12 s per step).
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    c, b = claims(text), claims("# Base", "baseline")
    return list(EvidWeakBaseline().check(Context(c, b, kb, shared={"profile": build_profile(c, b)})))


def test_a_faster_alternative_in_the_own_table_is_flagged(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = [f for f in _run(claims, kb, DRAFT) if "faster alternative" in f.title]
    assert len(found) == 1
    assert round(found[0].computed["gain_over_strongest"], 3) == round(3.20 / 3.12, 3)


def test_quiet_when_the_claim_is_against_the_fastest_row(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace("| 3.20 s | 0.13 s |", "| 4.60 s | 0.13 s |")
    assert not [f for f in _run(claims, kb, text) if "faster alternative" in f.title]

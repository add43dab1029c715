"""EVID-WEAK-BASELINE: the draft's own table puts another method within a few percent of it against the same
reference row, so the headline against that reference hides the comparison that matters."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.evidence.evid_weak_baseline import EvidWeakBaseline
from tensora.extract.profile import build_profile

DRAFT = """
# LendRing: lending query blocks between ring ranks

## Abstract

We present LendRing, which balances causal ring attention by lending query blocks. LendRing delivers 2.3x the
training throughput of ring attention.

## Evaluation

| Sharding | Attention (s) | vs contiguous |
|---|---|---|
| Contiguous ring | 6.90 | 1.00x |
| Zigzag ring | 3.76 | 1.84x |
| LendRing | 3.70 | 1.86x |
| Oracle balance | 3.40 | 2.03x |
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    c, b = claims(text), claims("# Base", "baseline")
    ctx = Context(c, b, kb, shared={"profile": build_profile(c, b)})
    return [f for f in EvidWeakBaseline().check(ctx) if "gain_over_strongest" in f.computed]


def test_a_method_within_a_few_percent_in_the_drafts_own_table(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, DRAFT)
    assert found.computed["gain_over_strongest"] == pytest.approx(1.86 / 1.84, rel=1e-3)
    assert "zigzag" in found.message.lower()


def test_quiet_when_the_draft_leads_clearly(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("| 3.76 | 1.84x |", "| 5.10 | 1.35x |")) == []


def test_quiet_when_another_method_leads_the_column(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("| 3.76 | 1.84x |", "| 3.10 | 2.20x |")) == []

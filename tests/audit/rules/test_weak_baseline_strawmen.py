"""EVID-WEAK-BASELINE from the knowledge base's strawman comparison points, and quiet beside the stronger one."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.evidence.evid_weak_baseline import EvidWeakBaseline

DRAFTS = {
    "replicated-optimizer": "Our owner-computes Muon step is 2.3x faster than replicated Muon on 64 GPUs.",
    "uncoordinated-ecmp": "Against uncoordinated ECMP, phase shifting cuts job completion time by 1.31x.",
    "round-robin-routing": "Compared with round-robin routing, the tail latency falls by 40%.",
    "gpipe-schedule": "Our schedule trains 1.4x faster than GPipe on 16 stages.",
    "cache-unaware-request-routing": "Baselines: round-robin; Llumnix; sticky routing by prompt-prefix hash.",
}
STRONGER = {
    "replicated-optimizer": " It is also 1.2x faster than Distributed Muon (Moonlight).",
    "uncoordinated-ecmp": " It is also 8% faster than CASSINI's interleaving.",
    "round-robin-routing": " Against least-loaded routing the gain is 12%.",
    "gpipe-schedule": " Against interleaved 1F1B it is 1.1x faster.",
    "cache-unaware-request-routing": " Compared with Preble, the hit rate is 5 points higher.",
}


def _draft(sentence: str) -> str:
    return f"# Faster: a new mechanism\n\n## Evaluation\n\n{sentence}\n"


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(EvidWeakBaseline().check(Context(claims(text), claims("# Base", "baseline"), kb)))


@pytest.mark.parametrize("weak", sorted(DRAFTS))
def test_a_strawman_comparison_is_raised(claims, kb, weak: str) -> None:  # type: ignore[no-untyped-def]
    assert [f.code for f in _run(claims, kb, _draft(DRAFTS[weak]))] == ["EVID-WEAK-BASELINE"]


@pytest.mark.parametrize("weak", sorted(DRAFTS))
def test_quiet_beside_the_stronger_standard(claims, kb, weak: str) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, _draft(DRAFTS[weak] + STRONGER[weak])) == []

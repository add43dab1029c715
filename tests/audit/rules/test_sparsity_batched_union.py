"""SPARSITY-COLLAPSE for activation sparsity: the union of active neurons over a batch claimed far beyond the runs."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.corner.sparsity_collapse import SparsityCollapse

DRAFT = """
# Sparrow: skipping inactive FFN neurons in a server

## Design

Sparrow exploits activation sparsity: a predictor selects 15% of the 14,336 neurons per token, and the FFN reads
only their rows. At batch 4 we measure a union of 31% of the neurons and a 1.52x step speedup. We project a 1.6x
throughput gain at batch 64.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(SparsityCollapse().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_a_gain_projected_to_a_large_batch(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, DRAFT)
    assert finding.computed["active_union_independent"] == pytest.approx(1 - 0.85**64)
    assert finding.inputs["largest_measured_batch"] == 4.0


def test_quiet_when_the_claimed_batch_was_measured(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("We project a 1.6x\nthroughput gain at batch 64.", "")) == []

"""EVID-CURVES: parity shown element by element (bit-identical, a maximum absolute error) owes no curves."""

from tensora.audit.base import Context
from tensora.audit.rules.evidence.evid_curves import EvidCurves

DRAFT = """
# FastRestart: resuming training in seconds

## Abstract

We train a 70B model with AdamW on 512 GPUs and restart it from in-memory checkpoints. {parity}
"""


def _run(claims, kb, parity):  # type: ignore[no-untyped-def]
    text = DRAFT.format(parity=parity)
    return list(EvidCurves().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_bitwise_parity_needs_no_curves(claims, kb) -> None:  # type: ignore[no-untyped-def]
    parity = "Every restart resumed with bit-identical weights and optimizer state, and the loss matches the baseline."
    assert _run(claims, kb, parity) == []


def test_a_final_number_still_needs_curves(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, "The final loss matches the baseline (2.31 vs 2.32).") != []

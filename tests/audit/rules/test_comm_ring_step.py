"""QNT-COMM on a context-parallel ring: one step's K/V block against the attention it hides behind, unless the
draft sets the two against each other itself."""

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_comm import QntComm

DRAFT = """
# WideRing: ring attention across the cluster

## Design

WideRing runs ring attention over all 256 H100 GPUs, with hidden size 4,096 and 32 heads, so that the K/V
transfer of every step is hidden behind the attention of the block before it, at sequence length 32,768.
"""
FIT = " Each K/V block takes 0.84 ms against 4.7 ms of forward attention compute, so the transfer fits."


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntComm().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_a_ring_step_too_small_to_hide_its_transfer(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, DRAFT)
    assert found and "ring step holds 128 tokens" in found[0].message
    assert "NVLink" in found[0].message  # the H100's own interconnect


def test_quiet_when_the_draft_sets_transfer_against_compute_itself(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.rstrip() + FIT + "\n") == []

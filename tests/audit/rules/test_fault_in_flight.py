"""FAULT-TOLERANCE: a recovery that counts on collectives returning an error when a peer dies."""

from tensora.audit.base import Context
from tensora.audit.rules.corner.fault_tolerance import FaultTolerance

DRAFT = """
# BuddyGuard: surviving node failures in MoE training

## Design

Each GPU keeps a replica of another node's experts. Two missed heartbeats declare a node dead.
NCCL operations involving the dead node return an error once its peers are gone, so no rank waits on it.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(FaultTolerance().check(Context(claims(text), claims("# GShard", "baseline"), kb)))


def test_in_flight_collectives_do_not_return_when_a_peer_dies(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, DRAFT)
    assert "in flight does not return" in found.message


def test_quiet_when_the_draft_aborts_what_hangs(claims, kb) -> None:  # type: ignore[no-untyped-def]
    aborted = DRAFT.replace(
        "NCCL operations involving the dead node return an error once its peers are gone, so no rank waits on it.",
        "A watchdog aborts the communicators whose collectives hang on the dead node.",
    )
    assert aborted != DRAFT
    assert not [f for f in _run(claims, kb, aborted) if "in flight does not return" in f.message]

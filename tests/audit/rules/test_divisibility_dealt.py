"""PIPE-DIVISIBILITY: work items dealt out to workers in a count that does not divide."""

from tensora.audit.base import Context
from tensora.audit.rules.corner.pipe_divisibility import PipeDivisibility

DRAFT = """
# Detour: routing around a failed pipeline stage

## Design

Each pipeline runs m = 192 micro-batches per step with 1F1B pipeline parallelism over 8 data-parallel
pipelines. When stage s of pipeline j fails, its 192 micro-batches per step are assigned round-robin to the 7
surviving twins of stage s, about 27 each.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(PipeDivisibility().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_a_count_dealt_out_unevenly_is_flagged(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, DRAFT)
    assert found.computed["max_items_per_worker"] == 28.0
    assert "192 micro-batches over 7 twins" in found.message


def test_quiet_when_the_remainder_is_placed(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT + "The remainder goes to the twins with the lowest load.\n") == []


def test_quiet_when_the_count_divides(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("7\nsurviving", "8\nsurviving").replace("7 surviving", "8 surviving")) == []

"""QNT-MEMORY: a pipeline stage said to hold one unit's activations, under a 1F1B schedule that keeps p in flight."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_memory import QntMemory

DRAFT = """
# Slices: token slices as pipeline units

## Design

We train on H100 GPUs with PP = 16 and the 1F1B pipeline schedule. A slice costs 5.7 GB per 5-layer stage.
Because a stage processes one slice at a time, the activation footprint per stage is about 6 GB.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntMemory().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_the_first_stage_holds_p_units(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, DRAFT)
    # 16 x 5.7 GB = 91.2 GB = 84.9 GiB above 80 GiB
    assert finding.computed["memory_per_gpu_gib"] == pytest.approx(16 * 5.7e9 / 2**30, rel=1e-3)


def test_quiet_when_p_units_fit(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("5.7 GB per", "2.1 GB per")) == []


def test_quiet_without_the_one_unit_claim(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace("Because a stage processes one slice at a time, the", "The")
    assert _run(claims, kb, text) == []

"""QNT-AMDAHL over power: a change that saves only GPU energy gains at the wall at most its GPU saving times
the GPUs' share of the wall power."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_amdahl import QntAmdahl

DRAFT = """
# ClockStep: phase-aware GPU clocks for serving

## Abstract

ClockStep reduces GPU energy per output token by 29% and server energy per output token by 31% (1.45x more
tokens per joule).

## Motivation

During serving, the eight GPUs draw 62% of the server's wall power (3.8 of 6.1 kW).
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntAmdahl().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_a_wall_gain_beyond_the_gpus_share(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [f] = _run(claims, kb, DRAFT)
    assert f.computed["amdahl_max_speedup"] == pytest.approx(1 / (0.38 + 0.62 * 0.71), rel=1e-3)
    assert f.computed["claimed_speedup"] == pytest.approx(1.45)


def test_quiet_within_the_bound(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("1.45x more", "1.2x more")) == []


def test_quiet_without_the_share(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("draw 62% of the server's wall power", "draw 3.8 kW")) == []

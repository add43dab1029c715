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


STALL = """
# FastDecode: cheaper JPEG decoding for training

## Abstract

FastDecode halves the CPU time per image and improves end-to-end training throughput by 1.41x.

## Profile

In training, a step takes 412 ms, of which the GPUs wait 58 ms (14.1%) for input.
"""


def test_a_stall_stated_as_part_of_the_step_bounds_the_gain(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [f] = _run(claims, kb, STALL)
    # removing the whole 58 ms wait leaves 354 ms: at most 412 / 354 = 1.16x, claimed 1.41x
    assert f.computed["amdahl_max_speedup"] <= 412 / 354 + 1e-6

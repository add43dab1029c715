"""QNT-AMDAHL: a table of stage times before and after in bare numbers (the unit in its caption), with no total
row, whose before column adds up to the step time the draft states: the stages that changed are the share the
change touches, at their own speedup."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_amdahl import QntAmdahl
from tensora.extract.profile import build_profile

DRAFT = """
# BinPack: token bins for the training side of RL

## Abstract

BinPack packs responses into token bins. It speeds up the log-probability and update stages by 1.7x and cuts the
end-to-end RL step time from 655 s to 448 s (1.46x).

## Results

Table 1. Stage times per RL step (mean over steps 100-300, seconds).

| Stage | Baseline | BinPack |
|---|---|---|
| Rollout generation | 412 | 412 |
| Old-policy and reference log-probs | 58 | 34 |
| Actor update | 172 | 101 |
| Reward and weight sync | 13 | 13 |
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    c, b = claims(text), claims("# Base", "baseline")
    return list(QntAmdahl().check(Context(c, b, kb, shared={"profile": build_profile(c, b)})))


def test_the_changed_stages_bound_the_step(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, DRAFT)
    f, local = (58 + 172) / 655, (58 + 172) / (34 + 101)
    assert found.computed["amdahl_max_speedup"] == pytest.approx(1 / ((1 - f) + f / local), rel=1e-3)
    assert found.inputs["claimed_speedup"] == pytest.approx(1.46)


def test_a_column_that_is_not_the_stated_step_is_not_read(claims, kb) -> None:  # type: ignore[no-untyped-def]
    # the stages add up to 655, but the draft states a 700 s step: the table is of something else
    assert _run(claims, kb, DRAFT.replace("655 s", "700 s")) == []


def test_a_claim_within_the_bound_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("to 448 s (1.46x)", "to 560 s (1.17x)")) == []


PROFILED = """
# LaxRing: a deadline-bounded transport for compressed gradients

## Abstract

LaxRing carries the all-reduce of P and Q over a deadline-bounded UDP ring instead of TCP. LaxRing speeds up
training by 1.38x, with validation perplexity within 0.3% of the TCP baseline.

## Profile

| Phase | Time (s) |
|---|---|
| Forward and backward | 1.79 |
| All-reduce of P and Q | 0.21 |
| Optimizer | 0.05 |
| **Total** | **2.05** |
"""


def test_a_quantity_said_after_a_comma_is_not_what_the_ratio_measures(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, PROFILED)
    assert found.computed["amdahl_max_speedup"] == pytest.approx(2.05 / (2.05 - 0.21), rel=1e-3)

"""PIPE-BUBBLE: a bubble computed with the global batch as the micro-batches of one pipeline."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.corner.pipe_bubble import PipeBubble

DRAFT = """
# Slices: token slices as pipeline units

## Design

Our job uses 512 H100 GPUs as TP = 8 x PP = 16 x DP = 4 with 1F1B pipeline parallelism, and a global batch of 32
sequences. Each sequence is cut into 4 slices, so a step has 32 sequences x 4 slices = 128 units, and we project
the pipeline bubble to fall to 10.5%.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(PipeBubble().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_the_global_batch_is_split_over_the_data_parallel_pipelines(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, DRAFT)
    # 15 / (128 + 15) = 10.5% as claimed; each of the 4 pipelines runs 8 sequences x 4 slices: 15 / (32 + 15)
    assert finding.computed["pipeline_bubble_fraction"] == pytest.approx(15 / 47)
    assert finding.inputs["units_per_sequence"] == 4


def test_quiet_when_the_figure_uses_one_pipelines_share(claims, kb) -> None:  # type: ignore[no-untyped-def]
    # 2 slices: each pipeline runs 8 sequences x 2 = 16 units, 15 / (16 + 15) = 48.4%
    text = DRAFT.replace("4 slices", "2 slices").replace("32 sequences x 4 slices = 128 units", "16 units per pipeline")
    assert _run(claims, kb, text.replace("10.5%", "48.4%")) == []


def test_quiet_without_data_parallelism(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace("512 H100 GPUs as TP = 8 x PP = 16 x DP = 4", "128 H100 GPUs as TP = 8 x PP = 16")
    assert all("global batch" not in f.message for f in _run(claims, kb, text))


LAYOUT = """
# Shallow: a short pipeline with sharded stages

## Design

At 2,048 GPUs we run t = 8, p = 4 and d = 64 with 1F1B, a global batch of 512 sequences and micro-batch size 1.
With p = 4 and m = 32 micro-batches, we project a pipeline bubble of 8.6%.
"""


def test_a_micro_batch_count_from_another_layout(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, LAYOUT)
    # 512 / (1 x 64) = 8 micro-batches per pipeline: 3 / (8 + 3), not the 3 / 35 of m = 32
    assert finding.computed["pipeline_bubble_fraction"] == pytest.approx(3 / 11)
    assert finding.inputs["micro_batch_size"] == 1


def test_quiet_when_the_count_matches_the_layout(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = LAYOUT.replace("d = 64", "d = 16")
    assert all("own layout" not in f.message for f in _run(claims, kb, text))

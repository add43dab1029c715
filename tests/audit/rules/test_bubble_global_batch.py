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

"""A draft whose setting a model cannot compute gets a finding about it; the review never stops.

The draft below states FP8 matmuls on A100s (which have no FP8 tensor cores, so the catalog has no fp8
peak for them) together with ZeRO-3 prefetch, the setting under which QNT-COMM computes a layer's compute
time from the peak.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

import tensora
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding
from tensora.errors import CatalogGapError, ModelInputError
from tensora.knowledge.hardware import get_device

DRAFT = """# FastShard: FP8 training with ZeRO-3 prefetch

## Abstract
We train a 70B model in FP8 on 64 NVIDIA A100 80GB GPUs with ZeRO-3 and a four-layer prefetch.

## Method
The model has 80 layers and hidden size 8192. Parameters are sharded with ZeRO-3 over 64 GPUs, eight per
node, with one 200 Gb/s NIC each. We prefetch the next four layers' parameters so that the all-gather
overlaps compute. All matmuls run in FP8 on the A100 tensor cores.

## Evaluation
Each GPU sustains 210 TFLOP/s with micro-batch size 4 and sequence length 4096.
"""

BASELINE = """# ZeRO-3 baseline

## Abstract
We train a 70B model in BF16 on 64 GPUs with ZeRO-3 and report throughput per GPU.
"""


def test_the_catalog_gap_is_typed() -> None:
    with pytest.raises(CatalogGapError) as info:
        get_device("a100").peak_flops("fp8")
    assert info.value.missing == "fp8" and "A100" in info.value.subject
    assert isinstance(info.value, ModelInputError)


def test_fp8_on_a100_with_zero3_prefetch_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "draft.md").write_text(DRAFT)
    (tmp_path / "baseline.md").write_text(BASELINE)
    review = tensora.review(tmp_path / "draft.md", tmp_path / "baseline.md")
    gaps = [f for f in review.findings if f.inputs.get("dtype") == "fp8"]
    assert len(gaps) == 1  # reported once, however many rules hit the gap
    finding = gaps[0]
    assert "A100" in finding.message and "FP8" in finding.message
    assert finding.evidence and any("FP8" in q.text for q in finding.evidence)
    assert finding.must_solve


class _Divides(Rule):
    """TEST-DIVIDES: a rule whose model sees a zero and a negative size from a draft.

    ## What it flags
    Nothing real.
    ## Why a reviewer cares
    It checks the guard.
    ## Example
    fires: never
    ## Known false alarms
    None.
    ## References
    None.
    """

    code = "TEST-DIVIDES"

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield self.finding("first", "keep it", [])
        if ctx.shared.get("mode") == "zero":
            _ = 1 / 0
        raise ModelInputError("params must be a positive number, got -7")


def test_the_guard_keeps_earlier_findings_and_names_the_problem() -> None:
    ctx = Context.__new__(Context)
    ctx.shared = {"mode": "negative"}
    out = list(_Divides().check(ctx))
    assert [f.message for f in out][0] == "first"
    assert len(out) == 2 and "got -7" in out[1].message
    assert list(_Divides().check(ctx))[1:] == []  # the same problem is reported once per review
    ctx.shared["mode"] = "zero"
    assert [f.message for f in _Divides().check(ctx)] == ["first"]  # a division by zero skips the number

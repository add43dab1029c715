"""QNT-PEAK from a per-GPU token rate: tokens/s x FLOPs per token against the dense peak."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_peak import QntPeak

TRAIN = """
# FastFP8: a training recipe

## Abstract

On 256 H100 GPUs FastFP8 trains a 70B model in BF16 at 2,200 tokens/s per GPU, a new record for the recipe.
"""

SERVE = """
# WideServe: decoding at large batch

## Abstract

WideServe serves a 70B model on 8 H100 GPUs in BF16 and reaches 6,500 tokens/s per GPU of output at batch 256.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntPeak().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_training_rate_beyond_the_dense_peak(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [f] = _run(claims, kb, TRAIN)
    # 2,200 x 6 x 70e9 = 924 TFLOP/s against 989 dense BF16: 93%
    assert f.computed["mfu"] == pytest.approx(2200 * 6 * 70e9 / 989e12, rel=1e-3)


def test_plausible_training_rate_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, TRAIN.replace("2,200 tokens/s", "1,000 tokens/s")) == []


def test_inference_counts_two_flops_per_parameter(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [f] = _run(claims, kb, SERVE)
    assert f.computed["mfu"] == pytest.approx(6500 * 2 * 70e9 / 989e12, rel=1e-3)
    assert _run(claims, kb, SERVE.replace("6,500", "3,000")) == []


STATED = """
# GatherMoE: experts brought to the tokens

## Design

Each layer's forward runs at our measured 520 TFLOP/s per H100 GPU. In the backward, expert gradients are
reduce-scattered in FP32.
"""


def test_a_reduction_in_fp32_does_not_set_the_peak(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, STATED) == []  # 520 of 989 dense BF16 TFLOP/s: plausible


def test_gemms_in_tf32_do_set_the_peak(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = STATED.replace("In the backward, expert gradients are\nreduce-scattered in FP32.", "All GEMMs run in TF32.")
    [finding] = _run(claims, kb, text)
    assert finding.computed["mfu"] > 1.0

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


SLICE = """
# MeshX: serving on a torus

## Abstract

MeshX serves Llama-2-70B on 16 TPU v5e chips and reaches 24,000 tokens/s in prefill with int8 weight-only
quantization; weights are dequantized to bf16 and all matmuls run in bf16.
"""


def test_a_rate_of_the_whole_slice_is_shared_by_its_chips_at_the_16_bit_peak(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [f] = _run(claims, kb, SLICE)
    # 24,000 / 16 x 2 x 70e9 = 210 TFLOP/s per chip against v5e's 197 bf16 (not its 393 int8)
    assert f.computed["mfu"] == pytest.approx(24000 / 16 * 2 * 70e9 / 197e12, rel=1e-3)
    assert _run(claims, kb, SLICE.replace("24,000", "12,000")) == []


ABOVE = """
# CausalX: attention past the peak

## Abstract

CausalX reaches 1,148 TFLOPS in BF16 on one H100 SXM5, the first attention kernel above the dense peak. Its FP8
path is future work.
"""


def test_a_claim_read_next_to_the_word_peak_is_not_the_peak(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [f] = _run(claims, kb, ABOVE)
    # the claim's own sentence says BF16: 1,148 against 989, although FP8 is named elsewhere
    assert f.computed["mfu"] == pytest.approx(1148 / 989, rel=1e-3)


SPARSE_DENOMINATOR = """
# RelayMoE: a shorter token exchange

## Evaluation

Training runs in BF16 with FP32 master weights on 64 H100 GPUs.

| | baseline | ours |
|---|---|---|
| model TFLOP/s per GPU | 521 | 827 |
| MFU (of 1,979 TFLOP/s H100 BF16 peak) | 26.3% | 41.8% |

## Next steps

FP8 token payloads would halve the bytes again.
"""


def test_a_stated_peak_that_is_the_sparse_figure_is_set_aside(claims, kb) -> None:  # type: ignore[no-untyped-def]
    # 827 of the 989.5 dense BF16 TFLOP/s is 84%; the draft's 1,979 is the 2:4-sparse figure, and the FP8 of its
    # next steps is not the precision it ran in
    [f] = _run(claims, kb, SPARSE_DENOMINATOR)
    assert f.computed["mfu"] == pytest.approx(827 / 989.5, rel=1e-3)
    assert "2:4 sparsity" in f.message and "1,979" in f.message
    # a draft that divides by the dense peak is read with it, and stays quiet below 75%
    quiet = SPARSE_DENOMINATOR.replace("827", "700").replace("1,979", "989")
    assert _run(claims, kb, quiet) == []


def test_the_devices_own_peak_stated_as_its_spec_is_no_claim(claims, kb) -> None:  # type: ignore[no-untyped-def]
    spec = """
# TorusRing: attention across a TPU slice

## Evaluation

Setup: TPU v5e-256 (16 x 16 torus, 16 GB HBM and 197 TFLOP/s BF16 per chip), trained in BF16.
"""
    assert _run(claims, kb, spec) == []
    # a measured figure above the plausible share of that peak is still one
    assert _run(claims, kb, spec + "\nWe measure 180 TFLOP/s per chip end to end.\n") != []

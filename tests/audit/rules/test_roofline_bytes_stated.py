"""QNT-ROOFLINE from bytes the draft states: per unit of work against a time for the same unit, and per kernel
row against its before and after times."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_roofline import QntRoofline

PER_TOKEN = """
# OneShot: a persistent decode kernel

## Abstract

OneShot runs a whole decode step in one persistent kernel. On an H100 it decodes at 2.6 ms per token at batch 1,
2.46x faster than the captured graph.

## Setup

One H100-SXM5 80 GB (HBM3 at 3.35 TB/s). Per token the step reads 15.0 GB of weights.
"""

ROWS = """
# TuneNorm: retuned normalisation kernels

## Abstract

TuneNorm picks block sizes for the normalisation kernels and speeds up the backward pass.

## Results

A100-SXM4-80GB (HBM2e, 2.0 TB/s peak).

| Kernel | Bytes moved per call | Before (us) | After (us) | Speedup |
|---|---|---|---|---|
| RMSNorm fwd | 269 MB | 170 | 148 | 1.15x |
| RMSNorm bwd | 403 MB | 290 | 153 | 1.90x |
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntRoofline().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_a_time_per_token_below_the_bytes_it_reads(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, PER_TOKEN)
    floor = 15.0e9 / 3.35e12
    assert found.computed["roofline_min_time_s"] == pytest.approx(floor, rel=1e-3)
    # the graph took 2.46 x 2.6 ms; the roof allows that over the floor
    assert found.computed["roofline_max_speedup"] == pytest.approx(2.46 * 2.6e-3 / floor, rel=1e-3)


def test_quiet_when_the_time_is_above_the_floor(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, PER_TOKEN.replace("2.6 ms per token", "4.9 ms per token")) == []


def test_a_kernel_row_faster_than_its_bytes_allow(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, ROWS)
    assert found.computed["roofline_max_speedup"] == pytest.approx(290e-6 / (403e6 / 2.0e12), rel=1e-3)
    assert "RMSNorm bwd" in found.evidence[0].text


def test_quiet_when_every_row_fits(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, ROWS.replace("| 290 | 153 | 1.90x |", "| 290 | 240 | 1.21x |")) == []


ATTENTION = """
# PackAttn: packed GQA tiles

## Setup

MI300X, 64 query heads, 8 K/V heads, head dimension 128, BF16, causal, forward pass. The dense BF16 peak is
1,307 TFLOP/s.

| Batch x sequence | Library (ms) | PackAttn (ms) | Speedup |
|---|---|---|---|
| 8 x 4,096 | 4.30 | 2.10 | 2.05x |
| 4 x 8,192 | 8.46 | 3.13 | 2.70x |
"""


def test_an_attention_forward_above_the_dense_peak(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, ATTENTION)
    flops = 4 * 4 * 64 * 8192**2 * 128 * 0.5
    assert found.computed["roofline_min_time_s"] == pytest.approx(flops / 1307e12, rel=1e-3)
    assert found.computed["roofline_max_speedup"] == pytest.approx(8.46e-3 / (flops / 1307e12), rel=1e-3)


def test_quiet_when_the_attention_times_fit_the_peak(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, ATTENTION.replace("| 8.46 | 3.13 | 2.70x |", "| 8.46 | 4.10 | 2.06x |")) == []

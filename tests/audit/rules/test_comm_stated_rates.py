"""QNT-COMM from rates the draft measures: a per-layer offload over its device-to-host copy bandwidth against one
layer's forward, and a step's gradients over the all-reduce's algorithm bandwidth against the backward pass."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_comm import QntComm

OFFLOAD = """
# Tide: activations to host memory

## Design

Each of its 32 decoder layers saves 2.4 GB of tensors for the backward pass. An overlap schedule places the
device-to-host copy of layer i under the forward compute of layer i+1.

## Evaluation

Pinned-memory copies on one GPU: 50 GB/s device-to-host and 52 GB/s host-to-device. Per decoder layer: forward
20 ms, backward 41 ms.
"""

ALLREDUCE = """
# Buckets: overlap for data parallelism

## Design

We train with data parallelism on 64 GPUs and overlap the gradient all-reduce with the backward pass. The model
has 5.0 GB of fp32 gradients per step.

## Evaluation

all_reduce_perf on all 64 GPUs with a 1 GiB message: algorithm bandwidth 5.0 GB/s, bus bandwidth 9.8 GB/s. One
GPU without data parallelism: forward 0.30 s, backward 0.60 s, optimizer 0.02 s.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    ctx = Context(claims(text), claims("# Base", "baseline"), kb)
    return [f for f in QntComm().check(ctx)]


def test_an_offload_copy_longer_than_the_forward(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, OFFLOAD)
    # 2.4 GB / 50 GB/s = 48 ms against 20 ms of forward
    assert finding.computed["comm_time_s"] == pytest.approx(0.048, rel=1e-3)
    assert finding.computed["compute_time_s"] == pytest.approx(0.020)


def test_quiet_when_the_copy_fits(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, OFFLOAD.replace("2.4 GB", "0.8 GB")) == []


def test_an_allreduce_longer_than_the_backward(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, ALLREDUCE)
    # algbw is size over time: 5.0 GB / 5.0 GB/s = 1.0 s against 0.60 s of backward
    assert finding.computed["comm_time_s"] == pytest.approx(1.0)
    assert finding.computed["compute_time_s"] == pytest.approx(0.60)


def test_quiet_when_the_allreduce_fits(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, ALLREDUCE.replace("5.0 GB of fp32", "2.0 GB of fp32")) == []

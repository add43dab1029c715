"""QNT-COMM on a context-parallel ring: one step's K/V block against the attention it hides behind, unless the
draft sets the two against each other itself."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_comm import QntComm

DRAFT = """
# WideRing: ring attention across the cluster

## Design

WideRing runs ring attention over all 256 H100 GPUs, with hidden size 4,096 and 32 heads, so that the K/V
transfer of every step is hidden behind the attention of the block before it, at sequence length 32,768.
"""
FIT = " Each K/V block takes 0.84 ms against 4.7 ms of forward attention compute, so the transfer fits."


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntComm().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_a_ring_step_too_small_to_hide_its_transfer(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, DRAFT)
    assert found and "ring step holds 128 tokens" in found[0].message
    assert "NVLink" in found[0].message  # the H100's own interconnect


def test_quiet_when_the_draft_sets_transfer_against_compute_itself(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.rstrip() + FIT + "\n") == []


ACROSS_NODES = """
# FlatRing: one attention ring over the whole job

## Design

FlatRing runs one flat attention ring over all 256 H200 GPUs (32 nodes, 8 per node), with an 8K-token block per
GPU, hidden size 4,096 and 32 heads, so that the ring's communication is always hidden behind attention.

## Overlap analysis

Our kernel sustains 480 TFLOP/s on these blocks, so a step computes for 1.15 ms (measured). NVLink moves the
block in 0.38 ms. Each GPU has one 400 Gb/s InfiniBand NIC (50 GB/s).
"""


def test_a_ring_that_crosses_nodes_is_paced_by_the_nic_not_nvlink(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, ACROSS_NODES)
    # K and V of 8,192 tokens x 4,096 in 16 bits = 134 MB over 50 GB/s, against the draft's 1.15 ms
    assert found.computed["comm_time_s"] == pytest.approx(2 * 8192 * 4096 * 2 / 50e9, rel=1e-3)
    assert found.computed["compute_time_s"] == pytest.approx(1.15e-3)
    assert "slowest hop" in found.message and "the draft's own 1.15 ms" in found.message


def test_a_ring_inside_one_node_hides_that_block(claims, kb) -> None:  # type: ignore[no-untyped-def]
    one_node = ACROSS_NODES.replace("all 256 H200 GPUs (32 nodes, 8 per node)", "the 8 H200 GPUs of one node")
    assert _run(claims, kb, one_node) == []


ONCE = """
# ExactSum: integer gradients

## Setup

Data parallelism d = 32 runs across nodes. The int64 payload is 20 GB per GPU. At 50 GB/s per NIC, the all-reduce
takes 20 GB / 50 GB/s = 0.4 s, well inside the 2.9 s backward pass.
"""


def test_an_all_reduce_timed_as_size_over_bandwidth_misses_the_ring_factor(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, ONCE)
    assert found.computed["comm_time_s"] == pytest.approx(2 * 31 / 32 * 20e9 / 50e9)
    assert "2 x 31/32" in found.message
    # a time that already counts the ring's two passes is the draft's own, right or not
    assert _run(claims, kb, ONCE.replace("= 0.4 s", "x 2 x 31/32 = 0.78 s")) == []


STREAMED = """
# LayerFlow: training 70B from host memory

## Design

Each GPU owns two parameter buffers of one layer each. While layer i computes from one buffer, layer i + 1 is
copied in. The backward pass walks the layers in reverse with the same double buffer.

Streaming the whole model takes 140 GB / 25 GB/s = 5.6 s per GPU. One micro-batch of 2,048 tokens takes 5.8 s
of forward and backward compute per GPU. The transfer therefore fits inside the compute of every micro-batch.
"""


def test_weights_streamed_for_forward_and_backward_move_the_model_twice(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = [f for f in _run(claims, kb, STREAMED) if "streams the model twice" in f.message]
    assert len(found) == 1
    assert found[0].computed == {"comm_time_s": pytest.approx(11.2), "compute_time_s": pytest.approx(5.8)}
    # weights kept resident for the backward: one pass, and it fits
    resident = STREAMED.replace("walks the layers in reverse with the same double buffer", "reads resident weights")
    assert not [f for f in _run(claims, kb, resident) if "streams the model twice" in f.message]

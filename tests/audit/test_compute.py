"""The bridge from a draft's numbers to the models: configurations read as one, serving memory."""

import pytest

from tensora.audit import compute

SERVING = """
# PageLite: smaller KV pages

## Setting

We serve a 7B model (32 layers, hidden 4,096, 32 heads, multi-head attention) in FP16 on one H100 SXM.
Each request keeps a 4k context, and PageLite sustains 96 concurrent requests on the GPU.
"""

TRAINING_PLAN = """
# Plan

## Pilot

The pilot trains with global batch 512, data-parallel degree 8 and micro-batch size 4 on 32 GPUs.

## Planned work

Later we will move to 48 nodes with a data-parallel degree of 12.
"""


def test_serving_memory_is_weights_plus_kv_cache(claims) -> None:  # type: ignore[no-untyped-def]
    s = compute.serving_memory(claims(SERVING))
    assert s is not None
    # 2 x 32 layers x 32 heads x 128 x 4,096 tokens x 96 sequences x 2 bytes = 192 GiB; weights 7e9 x 2 B
    assert s.kv_gib == pytest.approx(192.0, rel=1e-6)
    assert s.weights_gib == pytest.approx(7e9 * 2 / 2**30, rel=1e-6)


def test_divisibility_only_within_one_configuration(claims) -> None:  # type: ignore[no-untyped-def]
    # 512 / (8 x 4) = 16 micro-batches; the planned d = 12 is stated far from the pilot's batch
    assert compute.divisibility_problems(claims(TRAINING_PLAN)) == []

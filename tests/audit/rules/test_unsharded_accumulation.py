"""QNT-MEMORY: gradients accumulated locally under sharded data parallelism are held unsharded."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_memory import QntMemory

DRAFT = """
# LateRS: one reduce-scatter per step for FSDP

## Design

We train a 34B model with PyTorch FSDP full sharding on 128 H100 GPUs. During the first k-1 micro-batches each
rank accumulates its gradient locally in an FP32 buffer, and a single reduce-scatter runs after the last
micro-batch.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntMemory().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_the_whole_gradient_is_held_until_the_reduce_scatter(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, DRAFT)
    # 34e9 x (16 / 128 sharded states + 4 B unsharded FP32 buffer) = 130.6 GiB against 80 GiB
    assert finding.computed["model_states_per_gpu_gib"] == pytest.approx(34e9 * (16 / 128 + 4) / 2**30, rel=1e-3)
    assert finding.inputs["accumulation_bytes_per_element"] == 4.0


def test_a_bf16_buffer_of_a_small_model_fits(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace("34B", "7B").replace("an FP32 buffer", "a BF16 buffer")
    assert _run(claims, kb, text) == []


def test_quiet_when_every_micro_batch_reduce_scatters(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace(
        "During the first k-1 micro-batches each\nrank accumulates its gradient locally in an FP32 buffer, and a "
        "single reduce-scatter runs after the last\nmicro-batch.",
        "Every micro-batch reduce-scatters its gradients, which accumulate in sharded form.",
    )
    assert _run(claims, kb, text) == []

"""QNT-MEMORY: a replica sized as weights alone that applies the optimizer update needs the optimizer's state."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_memory import QntMemory

DRAFT = """
# SpareExperts: live replicas of MoE experts

## Setup

Training runs on H100 80GB GPUs. Per GPU, model states take 51.0 GiB and activations peak at 21 GiB.

## Design

Because a replica only serves forward and backward passes after a failure, it needs just the BF16 weights:
2.82B x 2 bytes = 5.3 GiB. After every step the replica holder applies the same AdamW update, so the replica stays
bit-identical.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntMemory().check(Context(claims(text), claims("# GShard", "baseline"), kb)))


def test_a_replica_that_runs_adam_needs_sixteen_bytes_a_parameter(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, DRAFT)
    assert found.computed["model_states_per_gpu_gib"] == pytest.approx(51.0 + 2.82e9 * 16 / 2**30, rel=1e-3)
    assert "Adam step" in found.message


def test_a_replica_that_receives_weights_holds_weights_alone(claims, kb) -> None:  # type: ignore[no-untyped-def]
    shipped = DRAFT.replace("the replica holder applies the same AdamW update", "the owner sends its updated weights")
    assert _run(claims, kb, shipped) == []


RESIDUAL = """
# SketchSum: gradients in a sketch

## Setup

We train a 7B model with ZeRO stage 1 on 64 L40S GPUs (8 servers of 8), data-parallel over all 64.

## Design

Every worker folds its gradient into a count sketch and keeps what was not sent in an error-feedback memory.
The error buffer is kept in FP32 to avoid losing small components.
"""


def test_an_fp32_residual_the_size_of_the_gradient_is_counted(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, RESIDUAL)
    residual = 7e9 * 4 / 2**30
    assert found.computed["model_states_per_gpu_gib"] == pytest.approx(7e9 * (4 + 12 / 64) / 2**30 + residual, rel=0.02)
    assert _run(claims, kb, RESIDUAL.replace("kept in FP32", "sharded across ranks")) == []

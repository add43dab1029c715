"""MIXED-PRECISION speaks of what the draft does: a served model's formats, or a trained model's policy."""

from tensora.audit.base import Context
from tensora.audit.rules.corner.mixed_precision import MixedPrecision

SERVE = """
# Tiny2: a 2-bit KV cache

## Abstract

Tiny2 serves long-context requests with the KV cache quantized to INT8, so twice as many requests fit at 128K
context during decoding. The attention kernel keeps its accumulators in INT8 instead of FP32 to save registers.
"""


def test_an_inference_draft_gets_no_master_weight_questions(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = list(MixedPrecision().check(Context(claims(SERVE), claims("# Base", "baseline"), kb)))
    assert found, "INT8 accumulators without a precision policy are a concern"
    text = found[0].message + found[0].must_solve
    assert "master" not in text and "loss is scaled" not in text


NO_MASTER = """
# FusedStep: the optimizer update inside the backward

## Abstract

FusedStep fine-tunes a 7B model by updating each parameter in its gradient hook during training.

## Design

The update is computed in FP32 and the result is written back into the BF16 parameter in place; we keep no FP32
master copy, since that copy would cost another 4 bytes per parameter.
"""


def test_a_policy_that_drops_the_master_copy_is_still_a_concern(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = list(MixedPrecision().check(Context(claims(NO_MASTER), claims("# Base", "baseline"), kb)))
    assert len(found) == 1
    assert "rounds away" in found[0].message and "stochastic rounding" in found[0].must_solve


def test_a_policy_that_keeps_the_master_copy_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = NO_MASTER.replace(
        "written back into the BF16 parameter in place; we keep no FP32\nmaster copy, since that copy would cost "
        "another 4 bytes per parameter",
        "applied to the FP32 master copy, from which the BF16 weights are cast",
    )
    assert list(MixedPrecision().check(Context(claims(text), claims("# Base", "baseline"), kb))) == []


def test_a_format_named_only_to_be_rejected_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = """
# SpecHead: draft heads for the served temperature

## Design

The target serves bf16 weights and KV cache (no FP8: quantising the target would change the distribution we
verify against); the draft head is trained in bf16 with FP32 master weights.
"""
    assert list(MixedPrecision().check(Context(claims(text), claims("# Base", "baseline"), kb))) == []


INT8_COLLECTIVES = """
# SqueezeComm: 8-bit collectives for training

## Design

During training, SqueezeComm sends the sequence-parallel activations and their gradients as INT8 with per-token
absmax scales in every all-gather and reduce-scatter.
"""


def test_training_tensors_sent_in_eight_bits_without_a_bound_are_raised(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = list(MixedPrecision().check(Context(claims(INT8_COLLECTIVES), claims("# Base", "baseline"), kb)))
    assert len(found) == 1 and "outlier channel" in found[0].message


POLICY_TABLE = """
# TableGuard: FP8 pre-training with a stated policy

## Setup

Precision policy (identical for both runs).

| component | format |
|---|---|
| GEMMs | FP8 E4M3 / E5M2, per-tensor scales, FP32 accumulation |
| master weights, main gradients, Adam moments | FP32 |

There is no loss scaling: all non-FP8 tensors are BF16 during training, and every FP8 tensor has its own scale.
"""


def test_a_policy_table_answers_the_precision_question(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert list(MixedPrecision().check(Context(claims(POLICY_TABLE), claims("# Base", "baseline"), kb))) == []
    no_table = POLICY_TABLE.replace("| component | format |", "| part | what |").replace(
        "Precision policy (", "Setup ("
    )
    assert list(MixedPrecision().check(Context(claims(no_table), claims("# Base", "baseline"), kb)))


def test_a_format_set_aside_is_not_the_drafts_precision(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.rules._common import precision

    text = (
        "# Z\n\n## Setup\n\nA 70B model in BF16 with FP32 master weights on 256 H100 GPUs.\n\n## Related work\n\n"
        "FP8 training would shrink both GEMMs and collectives; we stay in BF16 and see FP8 as orthogonal.\n"
    )
    assert precision(claims(text)) == "bf16"
    assert precision(claims(text.replace("we stay in BF16 and see FP8 as orthogonal", "we train in FP8"))) == "fp8"

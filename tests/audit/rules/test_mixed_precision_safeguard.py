"""MIXED-PRECISION: a low-precision training recipe with its safeguards switched off."""

from tensora.audit.base import Context
from tensora.audit.rules.corner.mixed_precision import MixedPrecision

DRAFT = """
# Lean: all-FP4 pretraining

## Abstract

We pretrain a 3B model in NVFP4. Lean runs every linear layer in NVFP4 and replaces stochastic rounding with
round-to-nearest for the gradients, which makes training 1.34x faster.

## Design

All-FP4 linear layers, no BF16 exceptions. Training uses the recipe's 16x16 block scales.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(MixedPrecision().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_switching_off_stochastic_rounding_is_flagged(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, DRAFT)
    assert found and "stochastic rounding" in found[0].message
    assert any("round-to-nearest" in q.text for q in found[0].evidence)


def test_quiet_when_the_recipe_keeps_its_safeguards(claims, kb) -> None:  # type: ignore[no-untyped-def]
    kept = DRAFT.replace("replaces stochastic rounding with\nround-to-nearest for", "keeps stochastic rounding for")
    kept = kept.replace("no BF16 exceptions", "with the recipe's BF16 blocks")
    assert all("stochastic rounding makes" not in f.message for f in _run(claims, kb, kept))


SERVING = """
# QuadSplit: four-way overlap for tensor-parallel prefill

## Abstract

On four L40S GPUs serving Llama-3-70B in FP8, QuadSplit lowers the time to first token of an 8K-token prompt
from 1.71 s to 1.02 s by overlapping each all-reduce with the next chunk's GEMMs.

## Design

A 4 x L40S server holds Llama-3-70B in FP8 with TP=4. QuadSplit splits each prompt into four chunks.
"""


def test_the_format_a_served_model_is_deployed_in_is_no_lowering(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, SERVING) == []


def test_a_serving_draft_that_lowers_a_tensor_still_answers(claims, kb) -> None:  # type: ignore[no-untyped-def]
    lowered = SERVING + "\nWe quantise the KV cache to FP8 and drop the per-head scales.\n"
    assert _run(claims, kb, lowered) != []

"""MIXED-PRECISION: FP8 training with scale factors fixed in advance (no amax tracked) saturates and flushes
silently; the format's limit follows the accelerator."""

from tensora.audit.base import Context
from tensora.audit.rules.corner.mixed_precision import MixedPrecision

DRAFT = """
# FixedCast: FP8 training without amax bookkeeping

## Design

We train a 7B model with FP8 GEMMs on 64 MI300X GPUs.
FixedCast combines a unit-scaled transformer with constant FP8 scale factors of 1, so no amax is ever computed.
The loss matches BF16 training after 20B tokens.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(MixedPrecision().check(Context(claims(text), claims("# FP8 formats", "baseline"), kb)))


def test_fixed_scales_saturate_at_the_devices_fp8_limit(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, DRAFT)
    assert "240 (E4M3FNUZ" in found.message and "saturat" in found.message
    [on_h100] = _run(claims, kb, DRAFT.replace("MI300X", "H100"))
    assert "448 (E4M3)" in on_h100.message


def test_scales_tracked_from_the_amax_are_not_fixed(claims, kb) -> None:  # type: ignore[no-untyped-def]
    tracked = DRAFT.replace(
        "constant FP8 scale factors of 1, so no amax is ever computed",
        "per-tensor FP8 scales taken from the current amax of each tensor",
    )
    assert not [f for f in _run(claims, kb, tracked) if "saturat" in f.message]


PRODUCT = """
# ChunkDecay: a chunked scan on tensor cores

## Design

Within each chunk of 128 tokens we compute pi_t = a_1 a_2 ... a_t in BF16 and set L[t, s] = pi_t / pi_s, so the
decay matrix stays on the BF16 tensor cores.
"""


def test_a_running_product_in_bf16_underflows_into_a_zero_ratio(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, PRODUCT)
    assert "0/0" in found.message and "log space" in found.must_solve
    in_logs = PRODUCT.replace("pi_t = a_1 a_2 ... a_t in BF16", "the cumulative sum of log a_t in FP32")
    assert not [f for f in _run(claims, kb, in_logs) if "0/0" in f.message]


OUTLIERS = """
# TrimQuant: fewer outlier channels for W4A4 serving

## Design

We serve Llama-2-70B with 4-bit weights and activations (W4A4) and INT8 outlier channels.
TrimQuant keeps only 32 INT8 outlier channels per layer and removes the outlier path from the MLP down-projection.
"""


def test_outlier_protection_removed_from_a_low_bit_layer(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, OUTLIERS)
    assert "down-projection" in found.message
    kept = OUTLIERS.replace("and removes the outlier path from the MLP down-projection", "in every layer")
    assert not [f for f in _run(claims, kb, kept) if "outlier protection" in f.message]


UNSHIFTED = """
# RewriteAll: verified graph rewrites

## Design

Softmax shift elimination drops the row max and the subtraction over the attention logits, saving 9% of the step.
"""


def test_a_softmax_without_its_max_shift_overflows_in_floating_point(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, UNSHIFTED)
    assert "88.7" in found.message
    kept = UNSHIFTED.replace("Softmax shift elimination drops", "The softmax keeps").replace(
        "the row max and the subtraction", "the row max and its subtraction"
    )
    assert not [f for f in _run(claims, kb, kept) if "88.7" in f.message]

"""QNT-MEMORY: a 4-bit weight budget counted at 0.5 byte per parameter that leaves out the group scales."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_memory import QntMemory

DRAFT = """
# SmallGroups: 4-bit weights with groups of 32

## Design

SmallGroups quantizes every linear layer to symmetric 4-bit weights in groups of 32, each group with one FP16
scale (no zero point).

## Memory plan

We serve on one NVIDIA L40S (48 GB).

| Item | Memory |
|---|---|
| 4-bit linear weights, 68.5 B parameters x 0.5 byte | 34.2 GB |
| KV cache | 5.4 GB |
| Total | 45.3 GB of 48 GB |

The group scales add one FP16 number per 32 weights and are negligible.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntMemory().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_scales_left_out_of_a_tight_budget(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, DRAFT)
    # 45.3 GB + 68.5e9 x 16 / 32 / 8 B = 49.6 GB = 46.2 GiB, above the L40S's 48 GB (44.7 GiB)
    assert finding.computed["memory_per_gpu_gib"] == pytest.approx((45.3e9 + 68.5e9 * 2 / 32) / 2**30)
    assert finding.inputs["group_size"] == 32 and finding.inputs["metadata_bits_per_group"] == 16.0


def test_a_zero_point_doubles_the_metadata(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace(
        "each group with one FP16\nscale (no zero point)", "each group with an FP16 scale and a zero point"
    )
    [finding] = _run(claims, kb, text)
    assert finding.inputs["metadata_bits_per_group"] == 32.0


def test_quiet_when_the_budget_fits_with_the_scales(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert (
        _run(claims, kb, DRAFT.replace("groups of 32", "groups of 128").replace("per 32 weights", "per 128 weights"))
        == []
    )


def test_quiet_for_an_eight_bit_budget(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace(
        "4-bit linear weights, 68.5 B parameters x 0.5 byte | 34.2 GB",
        "linear weights, 34 B parameters x 1 byte | 34 GB",
    )
    assert _run(claims, kb, text) == []

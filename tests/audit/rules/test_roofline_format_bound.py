"""QNT-ROOFLINE from the bits a quantized store reads: 16 / (bits + metadata) bounds a memory-bound kernel."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_roofline import QntRoofline

DRAFT = """
# ThreeKV: a 3-bit KV cache for decoding

## Abstract

Decoding is memory-bound: every step reads the whole KV cache. ThreeKV stores keys and values in 3 bits with
symmetric quantization, one FP16 scale per group of 64, and its decode kernel runs 7.5x faster than FP16
FlashDecoding at 64K context.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntRoofline().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_speedup_beyond_the_bytes_ratio(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, DRAFT)
    assert len(found) == 1
    # 3 bits + 16/64 bits of scale = 3.25 bits; 16 / 3.25 = 4.92x
    assert found[0].computed["roofline_max_speedup"] == pytest.approx(16 / 3.25, rel=1e-3)


def test_zero_points_count_as_metadata(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, DRAFT.replace("symmetric quantization", "asymmetric quantization"))
    # 3 + 32/64 = 3.5 bits: 16 / 3.5 = 4.57x
    assert found[0].computed["roofline_max_speedup"] == pytest.approx(16 / 3.5, rel=1e-3)


def test_quiet_within_the_ratio(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("7.5x faster", "4.5x faster")) == []


def test_quiet_when_not_memory_bound(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("Decoding is memory-bound: every", "Every")) == []


TABLE = """
# NibbleGEMV: 4-bit weights on one accelerator

## Abstract

Decoding at batch 1 is memory-bound: every linear layer reads its weights once. NibbleGEMV reads 4-bit weights
(symmetric, group size 128, one FP16 scale per group, no zero point).

## Evaluation

Layer time at batch 1 (us).

| Layer | FP16 (hipBLASLt) | NibbleGEMV | Speedup |
|---|---|---|---|
| QKV | 61.0 | 12.0 | 5.08x |
| Down | 160.0 | 29.6 | 5.41x |

## Limitations and next steps

Asymmetric formats are next.
"""


def test_a_table_with_a_sixteen_bit_column_is_a_speedup_over_sixteen_bits(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [f] = _run(claims, kb, TABLE)
    # 4 + 16/128 = 4.125 bits (the zero points of the next steps are not the format measured): 3.88x, claimed 5.41x
    assert f.computed["roofline_max_speedup"] == pytest.approx(16 / 4.125, rel=1e-3)
    assert f.computed["claimed_speedup"] == pytest.approx(5.41)
    assert "16-bit reference" in f.message
    # a table whose reference column is another quantized kernel says nothing of the 16-bit bound
    assert _run(claims, kb, TABLE.replace("FP16 (hipBLASLt)", "Marlin port")) == []


def test_the_excess_over_the_bytes_ratio_is_the_sixteen_bit_references(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.rules.evidence.evid_weak_baseline import EvidWeakBaseline

    ctx = Context(claims(TABLE), claims("# Base", "baseline"), kb)
    [f] = list(EvidWeakBaseline().check(ctx))
    assert "1.39x more slowly" in f.message  # 5.41 / 3.88
    assert f.computed["roofline_max_speedup"] == pytest.approx(16 / 4.125, rel=1e-3)
    quiet = Context(claims(TABLE.replace("5.41x", "3.41x").replace("5.08x", "3.08x")), claims("# Base", "baseline"), kb)
    assert list(EvidWeakBaseline().check(quiet)) == []

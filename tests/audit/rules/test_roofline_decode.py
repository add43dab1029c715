"""QNT-ROOFLINE: a decode iteration claimed faster than streaming the weights and the batch's KV cache once."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_roofline import QntRoofline

DRAFT = """
# SplitSM: prefill and decode side by side on one GPU

## Abstract

On Llama-3-8B served on one H100, SplitSM cuts the decode iteration time from 18.0 ms to 9.4 ms for a
decode-only iteration (batch 96, mean context 2,048 tokens).
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntRoofline().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_a_decode_step_below_the_hbm_floor_is_flagged(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, DRAFT)
    # 8.03B x 2 B of weights + 96 x 2,048 x 128 KiB of KV = 39.0 GiB at 3.35 TB/s: about 12.5 ms
    assert found.computed["decode_floor_s"] == pytest.approx(0.0125, rel=0.03)
    assert found.computed["roofline_max_speedup"] == pytest.approx(0.018 / found.computed["decode_floor_s"])


def test_a_decode_step_above_the_floor_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("to 9.4 ms", "to 13.1 ms")) == []


GEMM_TABLE = """
# Group512: larger FP8 scaling groups

## Evaluation

On one H100 SXM in FP8:

| shape (M x N x K) | use | reference | ours |
|---|---|---|---|
| 128 x 7168 x 2048 | small expert group | 6.9 us | 4.6 us |
| 64 x 7168 x 2048 | decode | 6.4 us | 3.9 us |
"""


def test_a_gemm_row_faster_than_its_roofline_is_flagged(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, GEMM_TABLE)
    assert len(found) == 1 and "M = 64" in found[0].message
    assert found[0].computed["roofline_max_speedup"] < found[0].computed["claimed_speedup"]


def test_gemm_rows_within_the_roofline_are_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = GEMM_TABLE.replace("4.6 us", "6.5 us").replace("3.9 us", "6.0 us")
    assert _run(claims, kb, text) == []

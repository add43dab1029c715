"""QNT-ROOFLINE on a decode-attention table timed per batch x context: each step reads the layer's KV cache
once, from the model's published shape split by tensor parallelism, and that over the bandwidth is a floor."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules._common import batch_by_length
from tensora.audit.rules.quant.qnt_roofline import QntRoofline

DRAFT = """
# ClusterMerge: decode attention merged on chip

## Evaluation

We serve Llama-3.1-70B in BF16 with 8-way tensor parallelism on H100 SXM GPUs (3.35 TB/s each).

Decode attention time per layer, per GPU (ms).

| Batch x context | FlashInfer | ClusterMerge | Speedup |
|---|---|---|---|
| 1 x 32K | 0.021 | 0.016 | 1.31x |
| 32 x 32K | 0.196 | 0.103 | 1.90x |
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntRoofline().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_labels_of_batch_by_length() -> None:
    assert batch_by_length("32 x 32K") == (32, 32768)
    assert batch_by_length("**8 x 128K**") == (8, 131072)
    assert batch_by_length("Projection GEMMs") is None


def test_a_decode_row_faster_than_reading_its_kv(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [f] = _run(claims, kb, DRAFT)
    # 32 x 32,768 x 1 KV head x 128 x 2 (K, V) x 2 B = 536.9 MB; at 3.35 TB/s 0.160 ms; 0.196 / 0.160 = 1.22x
    floor = 32 * 32768 * 128 * 2 * 2 / 3.35e12
    assert f.computed["roofline_max_speedup"] == pytest.approx(0.196e-3 / floor, rel=1e-3)
    assert f.computed["arithmetic_intensity"] == pytest.approx(8.0)  # 8 query heads share each KV head


def test_quiet_when_every_row_reads_within_bandwidth(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("| 0.196 | 0.103 | 1.90x |", "| 0.196 | 0.171 | 1.15x |")) == []


def test_quiet_for_a_table_that_is_not_attention(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("Decode attention time per layer", "Sampling time per step")) == []


GEMMS = """
# TokenFP8: per-token FP8 activations on one GPU

## Evaluation

One NVIDIA L40S (48 GB GDDR6, 864 GB/s). FP8 weights and activations.

**Projection GEMMs at decode, batch 8 (M = 8), median of 1,000 runs, ms.**

| Projection (K x N) | FP16 (cuBLAS) | INT8 | TokenFP8 | vs. FP16 |
|---|---|---|---|---|
| QKV (4,096 x 6,144) | 0.064 | 0.035 | 0.031 | 2.06x |
| Gate/up (4,096 x 28,672) | 0.285 | 0.152 | 0.108 | 2.64x |
"""


def test_a_gemm_table_with_shapes_in_its_labels_and_the_unit_in_its_caption(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.rules._common import shape_in

    assert shape_in("Gate/up (4,096 x 28,672)") == (4096, 28672)
    [f] = _run(claims, kb, GEMMS)
    # FP8 operands: 4096 x 28672 weights, 8 x 4096 activations and 8 x 28672 outputs, one byte each
    moved = 4096 * 28672 + 8 * 4096 + 8 * 28672
    assert f.computed["roofline_max_speedup"] == pytest.approx(0.285e-3 / (moved / 864e9), rel=1e-3)
    assert "GDDR" not in f.message and "HBM" not in f.message


def test_a_batch_and_context_label_under_its_header_and_times_with_units() -> None:
    assert batch_by_length("8, 2K", "Batch, context") == (8, 2048)
    assert batch_by_length("8, 2K") is None  # without the header a comma is not a batch-by-length label
    assert batch_by_length("1,024 x 4K") == (1024, 4096)


UNITS = """
# TreeFast: tree verification attention

## Design

We verify EAGLE-2 token trees with speculative decoding on Llama-3.1-8B on an H100 SXM (3.35 TB/s).

## Evaluation

Tree attention for one layer, median of 200 launches.

| Batch, context | FlashInfer | TreeFast | Speedup |
|---|---|---|---|
| 8, 8K | 96 us | 31 us | 3.1x |
"""


def test_times_written_with_their_unit_in_each_cell(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [f] = _run(claims, kb, UNITS)
    # 8 x 8,192 x 8 KV heads x 128 x 2 (K, V) x 2 B = 268 MB; at 3.35 TB/s 80.1 us; 96 / 80.1 = 1.20x
    floor = 8 * 8192 * 8 * 128 * 2 * 2 / 3.35e12
    assert f.computed["roofline_max_speedup"] == pytest.approx(96e-6 / floor, rel=1e-3)
    assert "arithmetic_intensity" not in f.computed  # a tree of queries per request: the decode intensity is not it


RATES = """
# FuseAdam: one kernel for the optimizer step

## Evaluation

We fine-tune on MI300X GPUs (5.3 TB/s HBM3 each).

| Implementation | Time (ms) | Effective bandwidth at 30 B/param |
|---|---|---|
| torch.optim.AdamW (foreach) | 41.0 | 1.19 TB/s |
| FuseAdam | 7.8 | 6.25 TB/s |
"""


def test_a_row_faster_than_the_memory_over_gigabytes(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [f] = _run(claims, kb, RATES)
    floor = 7.8e-3 * 6.25e12 / 5.3e12
    assert f.computed["roofline_max_speedup"] == pytest.approx(41.0e-3 / floor, rel=1e-3)
    assert _run(claims, kb, RATES.replace("6.25 TB/s", "4.90 TB/s").replace("| 7.8 |", "| 9.9 |")) == []

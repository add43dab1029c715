"""QNT-MEMORY: a per-token KV size that counts only the keys or only the values."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_memory import QntMemory

DRAFT = """
# Keep: a smaller KV budget

## Design

We serve Llama-3.1-8B in BF16 on one H100. For Llama-3.1-8B (32 layers, 8 KV heads, head dimension 128, BF16),
each retained token costs 32 x 8 x 128 x 2 bytes = 64 KiB, so a 16,384-token budget is 1 GiB per request.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntMemory().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_a_per_token_size_without_the_kv_factor(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, DRAFT)
    # 2 (K and V) x 32 x 8 x 128 x 2 B = 128 KiB
    assert finding.computed["kv_bytes_per_token"] == pytest.approx(2 * 32 * 8 * 128 * 2)


def test_quiet_when_the_size_counts_keys_and_values(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace("32 x 8 x 128 x 2 bytes = 64 KiB", "2 x 32 x 8 x 128 x 2 bytes = 128 KiB").replace(
        "1 GiB per request", "2 GiB per request"
    )
    assert _run(claims, kb, text) == []

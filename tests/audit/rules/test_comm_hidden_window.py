"""QNT-COMM: a transfer said to hide behind a compute window, sized against the link (micro- and milliseconds)."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_comm import QntComm

DRAFT = """
# PingPong: attention and dense layers on separate GPUs

## Design

The two pools are connected by 2x 200 Gb/s NICs per node (400 Gb/s). The per-layer traffic of one micro-batch,
512 x 36 KiB = 18 MiB, is sent while the other micro-batch computes for 185 us, so it is hidden and the step time
is set by the dense pool alone: 80 layers x 2 x 185 us = 29.6 ms.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return [f for f in QntComm().check(Context(claims(text), claims("# Base", "baseline"), kb))]


def test_a_transfer_longer_than_the_window_it_hides_in(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, DRAFT)
    # 18 MiB over 50 GB/s = 377 us against the 185 us named before "hidden", not the 29.6 ms step total after it
    assert finding.computed["comm_time_s"] == pytest.approx(18 * 2**20 / 50e9)
    assert finding.computed["compute_time_s"] == pytest.approx(185e-6)


def test_quiet_when_the_transfer_fits(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.replace("18 MiB", "8 MiB")) == []


DRAIN = """
# Flip: instances that change role

## Design

Each instance owns one 200 Gb/s NIC. When an instance flips, its KV pages are sent layer by layer with NCCL,
overlapped with the instance's final decode iteration (38 ms at batch 96). Its requests then decode elsewhere.

The prompts of the workload are long, and the scheduler sees them all.

At the moment of a flip the chosen instance held a median of 60 GB of KV cache (P90 78 GB).
"""


def test_a_size_stated_later_in_the_section_for_the_same_state(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, DRAIN)
    # 60 GB (the median, not the P90) over 25 GB/s = 2.4 s against one 38 ms iteration
    assert finding.computed["comm_time_s"] == pytest.approx(2.4)
    assert finding.computed["compute_time_s"] == pytest.approx(0.038)


def test_quiet_when_the_later_size_is_of_another_state(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAIN.replace("60 GB of KV cache (P90 78 GB)", "60 GB of host memory (P90 78 GB)")
    assert _run(claims, kb, text) == []


def test_a_link_rate_is_not_a_size_to_hide(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.rules.quant.qnt_comm import QntComm

    text = (
        "# GradShard\n\n## Design\n\nWe shard the gradients with a reduce-scatter. Each rank sends 12.6 GB of BF16 "
        "gradients; at the 25 GB/s per GPU of our links this is 0.50 s, against 0.71 s of backward compute for the "
        "last micro-batch, so it is hidden."
    )
    found = list(QntComm().check(Context(claims(text), claims("# Base", "baseline"), kb)))
    assert all(f.inputs.get("size_bytes") != 25e9 for f in found)


def test_sizes_are_not_read_from_rates(claims) -> None:  # type: ignore[no-untyped-def]
    c = claims("# T\n\n## Design\n\nEach rank sends 12.6 GB of gradients at the 25 GB/s per GPU of our links.")
    for cue in ("bulk_size_stated", "transfer_size_stated"):
        assert [m.groups["value"] for m in c.cue_spans(cue)] == ["12.6"]

"""COMM-OVERLAP: an overlap the draft's own sizes refute, and collectives tuned alone that take SMs from compute."""

from __future__ import annotations

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.corner.comm_overlap import CommOverlap

HIDDEN = """
# PingPong: attention and dense layers on separate GPUs

## Design

The two pools are connected by 2x 200 Gb/s NICs per node (400 Gb/s). The per-layer traffic of one micro-batch,
512 x 36 KiB = 18 MiB, is sent while the other micro-batch computes for 185 us, so it is hidden.
"""

TUNED = """
# ChanTune: per-size NCCL settings for data parallelism

## Design

We train on H100 GPUs; the gradient reduce-scatters overlap the backward. For each message size we sweep, with
nccl-tests on the same 8 nodes, protocol and channels (NCCL_MIN_NCHANNELS from 4 to 32), and install the winner.

| Operation | Size | Gain | Chosen config |
|---|---|---|---|
| reduce-scatter | 160 MB | 1.32x | LL128, 32 ch, 4 QPs |
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(CommOverlap().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_an_overlap_the_window_cannot_give(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, HIDDEN)
    assert finding.computed["exposed_comm_s"] == pytest.approx(18 * 2**20 / 50e9 - 185e-6)


def test_channels_tuned_in_isolation_hold_sms(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, TUNED)
    assert finding.computed["collective_channels"] == 32.0
    assert finding.computed["sm_share_held"] == pytest.approx(32 / 132)


def test_quiet_when_tuned_beside_the_backward(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = TUNED.replace(
        "with\nnccl-tests on the same 8 nodes,", "inside the training step while the backward GEMMs are running,"
    )
    assert all(f.title != "Collectives tuned alone, run beside compute" for f in _run(claims, kb, text))

"""QNT-COMM for a KV cache copied over a link inside a stated window (swap to host, hand-off to a decode node)."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_comm import QntComm

DRAFT = """
# HandOff: prefill-to-decode KV streaming

## Design

The prefill node sends the KV cache of each request to a decode node over one 200 Gb/s NIC. The model has 48
layers and hidden size 6,144 with multi-head attention in FP16. A 4,096-token prompt takes 150 ms to prefill,
and the transfer overlaps with it.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntComm().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_transfer_longer_than_its_window(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = [f for f in _run(claims, kb, DRAFT) if "window_s" in f.computed]
    assert len(found) == 1
    # 2 x 48 x 6144 x 2 B = 1,179,648 B per token; x 4096 = 4.83 GB over 25 GB/s = 0.193 s > 0.15 s
    assert found[0].computed["comm_time_s"] == pytest.approx(1_179_648 * 4096 / 25e9, rel=1e-3)


def test_quiet_when_the_window_is_large_enough(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = [f for f in _run(claims, kb, DRAFT.replace("takes 150 ms", "takes 250 ms")) if "window_s" in f.computed]
    assert found == []


def test_stated_bytes_per_token_are_used(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace("in FP16.", "in FP16, which is 1200 KiB of KV per token.")
    found = [f for f in _run(claims, kb, text) if "window_s" in f.computed]
    assert found[0].computed["comm_time_s"] == pytest.approx(1200 * 1024 * 4096 / 25e9, rel=1e-3)


RESTORE = """
# TypeBack: restoring conversations from SSD

## Design

The context at the start of a returning turn is 9,600 tokens on average. Each token carries 80 layers x 8 KV heads
x 128 dimensions x 2 x 2 bytes = 320 KiB of KV. Four PCIe Gen4 NVMe drives (28 GB/s aggregate read) hold the
rest. When the KV is not restored in advance we load it layer by layer and the transfer is overlapped with the
prefill of the new message, which takes 7 ms.
"""


def test_a_restore_sized_from_the_context_and_the_bytes_per_token(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = [f for f in _run(claims, kb, RESTORE) if "window_s" in f.computed]
    assert found[0].computed["comm_time_s"] == pytest.approx(9600 * 320 * 1024 / 28e9, rel=1e-3)


SHARED_NIC = """
# EarlyOff: a shorter warm-up for 1-bit Adam

## Setup

Cluster: 16 nodes x 8 A100-80GB SXM, NVLink inside a node, one 100 GbE RoCE v2 NIC per node (12.5 GB/s).

## Cost model

- 1-bit phase: each GPU sends 2 x 337.5 MB = 675 MB per step; 675 MB / 12.5 GB/s = 54 ms.
"""


SHARED_ARRAY = """
# SpillAll: activations to local NVMe

## Setup

We train on 4 nodes x 8 H100 GPUs. Each node carries eight NVMe drives; in RAID-0 we measured 52 GB/s sequential
write.

## Bandwidth

Per GPU per iteration SpillAll writes 104 GB. The required write bandwidth is therefore 104 GB / 3.4 s = 30.6 GB/s,
well below the 52 GB/s the array delivers.
"""


# one resource the node's GPUs share: (draft, what marks the finding, node time, a change that makes it fit)
SHARED = [
    (
        SHARED_NIC,
        "bytes_per_gpu",
        8 * 675e6 / 12.5e9,
        ("one 100 GbE RoCE v2 NIC per node (12.5 GB/s)", "eight 100 GbE NICs, one per GPU"),
    ),
    (
        SHARED_ARRAY,
        "array_bytes_per_s",
        8 * 104e9 / 52e9,
        ("104 GB / 3.4 s = 30.6 GB/s", "17 GB / 3.4 s = 5 GB/s"),
    ),
]


@pytest.mark.parametrize(("draft", "mark", "seconds", "fix"), SHARED, ids=["nic", "storage-array"])
def test_a_resource_the_node_shares(claims, kb, draft, mark, seconds, fix) -> None:  # type: ignore[no-untyped-def]
    found = [f for f in _run(claims, kb, draft) if mark in f.inputs]
    assert found[0].computed["comm_time_s"] == pytest.approx(seconds, rel=1e-3)
    assert [f for f in _run(claims, kb, draft.replace(*fix)) if mark in f.inputs] == []

"""QNT-COMM on weights kept off the GPU and streamed in as each layer runs: every decode step moves them over the
host link again, a floor on the time per output token."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_comm import QntComm

DRAFT = """
# WeightTier: a 70B model on two GPUs

## Design

WeightTier keeps a third of the decoder layers in CXL memory and streams them into a small HBM staging ring just
ahead of use. The 24 tiered layers hold 41.1 GB of BF16 weights, 20.6 GB per GPU under TP = 2.

## Evaluation

Host-to-device copies from the pinned CXL buffers reach 52 GB/s per GPU.

| | vLLM | WeightTier |
|---|---|---|
| time per output token | 24.1 ms | 31.5 ms |
| decode throughput | 373 tok/s | 889 tok/s |
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntComm().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_streamed_bytes_per_step_against_the_time_per_token(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [f] = _run(claims, kb, DRAFT)
    # 20.6 GB at 52 GB/s = 396 ms per decode step, against 31.5 ms per output token
    assert f.computed["comm_time_s"] == pytest.approx(20.6e9 / 52e9, rel=1e-3)
    assert f.computed["compute_time_s"] == pytest.approx(31.5e-3)
    assert "every decode step" in f.message


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (("20.6 GB per GPU", "0.3 GB per GPU"), "a small tier fits the step"),
        (
            ("and streams them into a small HBM staging ring just\\nahead of use", "and reads them in place"),
            "nothing streamed",
        ),
        (("Host-to-device copies from the pinned CXL buffers reach 52 GB/s per GPU.", "Copies are pinned."), "no rate"),
    ],
)
def test_quiet(claims, kb, change, why) -> None:  # type: ignore[no-untyped-def]
    old, new = change
    text = DRAFT.replace(old.replace("\\n", "\n"), new)
    assert text != DRAFT
    assert _run(claims, kb, text) == [], why

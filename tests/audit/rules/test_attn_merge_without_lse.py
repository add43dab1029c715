"""ATTN-ONLINE-SOFTMAX: partial attention outputs merged without their log-sum-exp."""

from __future__ import annotations

from tensora.audit.base import Context
from tensora.audit.rules.corner.attn_online_softmax import AttnOnlineSoftmax

DRAFT = """
# TwoPass: a shared prompt read once per decode step

## Design

A prefix pass computes attention over the shared prompt with a FlashAttention-style tiled kernel, and a suffix
pass over each request's own tokens. Because both passes return softmax-normalized outputs, merging needs no extra
statistics. We weight each output by the number of keys it covered.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(AttnOnlineSoftmax().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_a_merge_by_key_counts_is_raised(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, DRAFT)
    assert finding.title == "Partial attention merged without its statistics"


def test_a_merge_with_the_log_sum_exp_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = DRAFT.replace(
        "merging needs no extra\nstatistics. We weight each output by the number of keys it covered.",
        "each pass also returns its log-sum-exp, and the merge rescales each output by it.",
    )
    assert _run(claims, kb, text) == []

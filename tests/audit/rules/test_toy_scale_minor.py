"""EVID-TOY-SCALE without a larger target: minor, and quiet across several sites."""

from tensora.audit.base import Context
from tensora.audit.findings import Severity
from tensora.audit.rules.evidence.evid_toy_scale import EvidToyScale

ONE_NODE = """
# SwiftRoute: a cheaper all-to-all for mixture-of-experts

## Abstract

SwiftRoute packs tokens per destination before the expert-parallel all-to-all and routes each token to two of
16 experts. On a single DGX H100 node it trains 1.2x faster per step than the standard dispatch.
"""

SITES = ONE_NODE.replace("On a single DGX H100 node", "Across four sites, each a single DGX H100 node,")


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(EvidToyScale().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_one_node_distributed_mechanism_is_minor(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, ONE_NODE)
    assert [f.severity for f in found] == [Severity.MINOR]


def test_several_sites_stay_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, SITES) == []


ARGUED = """
# GuardSum: checksums for every GEMM of training

## Abstract

GuardSum checks every GEMM of a data-parallel training job with a checksum and replays a step whose check
fails. On 16 A100 GPUs over two nodes it catches 99% of injected bit flips at 1.8% overhead. We argue that
GuardSum makes 10,000-GPU runs safe from silent data corruption.
"""


def test_a_reach_argued_far_beyond_the_runs_is_flagged(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, ARGUED)
    assert found.computed == {"measured_gpus": 16.0, "claimed_gpus": 10000.0}


def test_a_reach_within_the_runs_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, ARGUED.replace("10,000-GPU runs", "32-GPU runs")) == []


SERVE_ONE_NODE = """
# StripeKV: million-token decode on one node

## Abstract

StripeKV stripes the KV cache pages of one request over the 8 GPUs of a single DGX H100 node and merges the
partial attention of each GPU, so one request decodes at 1M tokens of context with a 12.8 ms time per output
token.
"""


def test_a_serving_system_sized_for_one_node_is_quiet(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, SERVE_ONE_NODE) == []

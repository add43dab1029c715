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

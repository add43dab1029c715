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


PROJECTED = """
# ShardLite: deferring the gradient reduce-scatter of fully sharded training

## Abstract

ShardLite changes PyTorch FSDP: it accumulates gradients locally across micro-batches and reduce-scatters
once per step. On a 34B model trained on 128 H100 GPUs, our calibrated cost model projects a 1.21x step-time
reduction.
A pilot on a 7B model on one 8-GPU node confirms correctness and a 1.06x speedup.

## Motivation

Our 128-GPU production job spends 31% of its step in the reduce-scatter.
"""

MEASURED_AT_SCALE = PROJECTED.replace(
    "Our 128-GPU production job spends 31% of its step in the reduce-scatter.",
    "On 128 GPUs over 16 nodes, ShardLite measured a 1.19x speedup against the tuned baseline.",
)

ONE_GPU = """
# LowMoments: Adam moments in a random subspace under ZeRO-1

## Abstract

LowMoments keeps Adam's moments in a random low-rank subspace and leaves the data-parallel ZeRO-1 partitioning
unchanged. For our
13B configuration on 256 GPUs we project 11 GB of freed memory per GPU.

## Evaluation

All runs use one H100 80 GB GPU with activation checkpointing, on a 1.3B model.
"""


def test_a_gain_projected_to_scale_from_one_node_is_flagged(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, PROJECTED)
    assert found.severity is Severity.MAJOR and found.computed == {"claimed_gpus": 128.0}
    assert any("one 8-GPU node" in q.text for q in found.evidence)


def test_a_gain_measured_at_scale_is_not_called_a_projection(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert all("by projection" not in f.message for f in _run(claims, kb, MEASURED_AT_SCALE))


def test_one_gpu_runs_for_a_claim_on_256_gpus_are_flagged(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, ONE_GPU)
    assert found.computed == {"claimed_gpus": 256.0}


def test_the_shape_of_a_cluster_is_not_a_single_node_run(claims, kb) -> None:  # type: ignore[no-untyped-def]
    text = PROJECTED.replace(
        "A pilot on a 7B model on one 8-GPU node confirms correctness and a 1.06x speedup.",
        "Each node holds 8 H100 GPUs and eight 400 Gb/s NICs.",
    )
    assert all("by projection" not in f.message for f in _run(claims, kb, text))


STAGE_BENCH = """
# Shallow: sharded pipeline stages

## Abstract

Shallow shards each pipeline stage's weights over its data-parallel group. On a 2048-GPU H100 cluster we project
a 1.1x faster step than Megatron-LM with pipeline parallelism and data parallelism.

## 5. Preliminary results

One full stage on a single node with t = 4 and d = 2: exposed gather time is 6% of the stage time.
"""


def test_a_single_node_measurement_in_the_results_under_a_projection(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [finding] = _run(claims, kb, STAGE_BENCH)
    assert finding.computed["claimed_gpus"] == 2048 and "projection" in finding.message
    # the same sentence as the cluster's shape in the design says nothing of where the mechanism ran
    design = STAGE_BENCH.replace("## 5. Preliminary results", "## 2. Design")
    assert all("projection" not in f.message for f in _run(claims, kb, design))


NOT_RUN_AT_SCALE = MEASURED_AT_SCALE + """
## Validation

We validated the cost model on one node (8 x H100) with a 7B proxy. We have not yet had a 128-GPU allocation;
the numbers at that scale are model predictions.
"""


def test_a_scale_the_draft_says_it_has_not_run_is_a_projection(claims, kb) -> None:  # type: ignore[no-untyped-def]
    found = _run(claims, kb, NOT_RUN_AT_SCALE)
    assert any("by projection" in f.message for f in found)


ONE_SERVER = """
# StreamFit: full fine-tuning of 70B models on one 8 x L40S server

## Abstract

StreamFit streams each layer's parameters from host memory to the eight GPUs of the server, which split the
micro-batches among them with data parallelism, and reaches 41% MFU during compute.
"""


def test_a_draft_titled_for_one_server_is_judged_at_that_scale(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, ONE_SERVER) == []
    # the same design without the title's platform is a distributed mechanism seen inside one node
    untitled = ONE_SERVER.replace("on one 8 x L40S server", "by streaming").replace(
        "eight GPUs of the server", "eight GPUs of a single server"
    )
    assert [f.severity for f in _run(claims, kb, untitled)] == [Severity.MINOR]

"""The bridge from a draft's numbers to the models: configurations read as one, serving memory."""

import pytest

from tensora.audit import compute

SERVING = """
# PageLite: smaller KV pages

## Setting

We serve a 7B model (32 layers, hidden 4,096, 32 heads, multi-head attention) in FP16 on one H100 SXM.
Each request keeps a 4k context, and PageLite sustains 96 concurrent requests on the GPU.
"""

TRAINING_PLAN = """
# Plan

## Pilot

The pilot trains with global batch 512, data-parallel degree 8 and micro-batch size 4 on 32 GPUs.

## Planned work

Later we will move to 48 nodes with a data-parallel degree of 12.
"""


def test_serving_memory_is_weights_plus_kv_cache(claims) -> None:  # type: ignore[no-untyped-def]
    s = compute.serving_memory(claims(SERVING))
    assert s is not None
    # 2 x 32 layers x 32 heads x 128 x 4,096 tokens x 96 sequences x 2 bytes = 192 GiB; weights 7e9 x 2 B
    assert s.kv_gib == pytest.approx(192.0, rel=1e-6)
    assert s.weights_gib == pytest.approx(7e9 * 2 / 2**30, rel=1e-6)


def test_a_load_that_names_its_context_sizes_the_cache_by_it(claims) -> None:  # type: ignore[no-untyped-def]
    # the 4k context of the setting is what an average request keeps; the load is 24 requests of 32K tokens
    text = SERVING.replace("sustains 96 concurrent requests", "sustains 24 concurrent 32K-token requests")
    s = compute.serving_memory(claims(text))
    assert s is not None and s.inputs["context"] == 32 * 1024
    # 2 x 32 layers x 4,096 wide x 32,768 tokens x 24 sequences x 2 bytes = 384 GiB
    assert s.kv_gib == pytest.approx(384.0, rel=1e-6)


def test_a_context_stated_beside_the_load_goes_with_it(claims) -> None:  # type: ignore[no-untyped-def]
    # "about 700K tokens" is the pool's capacity, not a context; the load states its own
    text = SERVING.replace(
        "Each request keeps a 4k context, and PageLite sustains 96 concurrent requests on the GPU.",
        (
            "The pool holds about 700K tokens.\n\n"
            "Decode micro-benchmark (batch 96, mean context 2,048 tokens, steady state)."
        ),
    )
    s = compute.serving_memory(claims(text))
    assert s is not None and s.inputs["context"] == 2048 and s.inputs["concurrent_sequences"] == 96


def test_a_kv_tier_in_host_memory_is_not_all_on_the_device(claims) -> None:  # type: ignore[no-untyped-def]
    host = SERVING.replace(
        "Each request keeps", "The KV cache of most requests stays in host DRAM and the CPU attends over it. Each"
    )
    assert compute.serving_memory(claims(host)) is None
    swap = SERVING + "\nThe KV cache is swapped to host memory when the pool runs out.\n"
    assert compute.serving_memory(claims(swap)) is not None


def test_divisibility_only_within_one_configuration(claims) -> None:  # type: ignore[no-untyped-def]
    # 512 / (8 x 4) = 16 micro-batches; the planned d = 12 is stated far from the pilot's batch
    assert compute.divisibility_problems(claims(TRAINING_PLAN)) == []


def test_model_states_take_the_degrees_stated_for_that_model(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.compute import model_states

    c = claims(
        "# Twin\n\n## Evaluation\n\nWe train GPT 6.7B on 8 GPUs with tensor parallel 1 and pipeline 8. The "
        "twin all-reduce moves two stages of gradients.\n\n## Projection\n\nWe plan to train GPT-3 175B on "
        "1,024 GPUs with tensor parallel 8, pipeline parallel 8 and data parallel 16, with Adam states "
        "replicated in every data-parallel replica."
    )
    states = model_states(c)
    assert states is not None
    # whichever model the draft is read for, its degrees are the ones stated with it, never a mix
    stated = {6.7e9: (1, 8), 175e9: (8, 8)}
    n = states.inputs["params"]
    assert (states.inputs["tp"], states.inputs["pp"]) == stated[n]  # type: ignore[index]
    assert compute._same_model_degree(c, "tp", 175e9) == 8
    assert compute._same_model_degree(c, "pp", 175e9) == 8
    assert compute._same_model_degree(c, "tp", 6.7e9) == 1


def test_zero_stage_zero_replicates_the_states(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.compute import sharding

    stage0 = "# T\n\n## Setup\n\nPure data parallelism (ZeRO stage 0, as the optimizer requires)."
    assert sharding(claims(stage0)) == "none"
    assert sharding(claims("# T\n\n## Setup\n\nWe run ZeRO stage 1 with pure data parallelism.")) == "zero1"


def test_layers_that_do_not_divide_are_a_problem_unless_split_unevenly_on_purpose(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.compute import divisibility_problems

    even = "# T\n\n## Setup\n\nThe model has 45 layers over 8 pipeline stages with 1F1B."
    assert any("layers_per_stage" in p.computed for p in divisibility_problems(claims(even)))
    planned = even + " A partitioner assigns layers to stages with a dynamic program over measured times."
    assert not any("layers_per_stage" in p.computed for p in divisibility_problems(claims(planned)))


RESIZE = """
# Plan

## Setup

Tensor parallelism t = 8 runs inside each of our 32 nodes; data parallelism d = 32 runs across nodes. The global
batch is 1,024 sequences.

## Planned evaluation

- Elastic restart: kill two nodes at step 3,000, resume on the remaining 30 nodes with the same global batch of
  1,024 sequences, and check the loss continues bitwise.
"""


def test_a_batch_that_cannot_split_over_the_nodes_a_job_resumes_on(claims) -> None:  # type: ignore[no-untyped-def]
    [problem] = compute.divisibility_problems(claims(RESIZE))
    assert problem.inputs == {"global_batch": 1024, "dp": 30}
    assert problem.computed["sequences_per_replica"] == pytest.approx(1024 / 30)
    # 32 nodes resumed on 16: the batch splits
    assert compute.divisibility_problems(claims(RESIZE.replace("remaining 30 nodes", "remaining 16 nodes"))) == []
    # replicas that are not one per node say nothing about a node count
    assert compute.divisibility_problems(claims(RESIZE.replace("d = 32 runs", "d = 16 runs"))) == []

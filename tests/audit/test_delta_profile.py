"""The delta audit with the draft profile: knobs of a named system, keep statements, new mechanisms.

Each draft is a small paraphrase written for the test; the classes follow the rules in audit/delta.py.
"""

from tensora.audit.delta import classify
from tensora.audit.novelty import known_names
from tensora.extract.profile import build_profile

ZERO_BASELINE = """
# ZeRO: memory optimizations toward training trillion parameter models

## Abstract

ZeRO partitions optimizer states, gradients and parameters across data-parallel ranks. Stage 3 gathers each
layer's parameters with an all-gather just before the layer runs and frees them afterwards, and a prefetcher
issues the next all-gathers early.
"""

RETUNE = """
# WideGather: ZeRO-3 settings for Ethernet clusters

## Abstract

On commodity Ethernet the just-in-time gathers of DeepSpeed ZeRO-3 stall the step. We set
stage3_prefetch_bucket_size to 5e8 and stage3_max_live_parameters to 3e9, so that more parameters are in
flight while the previous layer computes, and training runs 9% faster on 32 nodes.

## Contributions

- A study of DeepSpeed ZeRO-3 on 25 Gb/s Ethernet.
- A setting of ZeRO-3 (stage3_prefetch_bucket_size of 5e8, stage3_max_live_parameters of 3e9) for such clusters.
"""

NEW_GATHER = """
# TreeGather: a new topology-aware gather protocol for ZeRO-3

## Abstract

We replace the flat all-gather of ZeRO-3 with a new protocol that gathers parameters along a tree of switches
and removes the prefetcher entirely; the protocol decides per layer which subtree forwards each shard.
"""

SERVE_BASELINE = """
# Disaggregated LLM serving

## Abstract

Prefill and decode run on separate GPU instances, and the KV cache of each request moves from the prefill
instance to a decode instance once its prompt is processed. Placement of both phases is searched per model.
"""

POWER = """
# CoolServe: one power setting for serving nodes

## Abstract

We sweep the GPU power limit of every GPU in a serving node with nvidia-smi, choose the lowest limit whose
throughput stays within 2% of the uncapped run, and keep that setting for the life of the deployment. Energy per
token drops by a fifth.

## Contributions

- A sweep of power limits from 700 W to 300 W and the choice of one setting per node.
- A characterisation of the energy-time trade-off of that setting for three models.
"""

KV_QUANT = """
# LowBitKV: 4-bit KV cache on top of disaggregated serving

## Abstract

We store the KV cache in 4 bits on the decode instances, on top of the disaggregated design: prefill and decode
placement stays unchanged, as in the baseline. Quantized keys and values are dequantized inside the decode
attention kernel.
"""


def _delta(claims, draft: str, baseline: str):  # type: ignore[no-untyped-def]
    proposal, base = claims(draft), claims(baseline, "baseline")
    from tensora.knowledge.loader import load_knowledge

    profile = build_profile(proposal, base, known_names(load_knowledge()))
    delta, _ = classify(proposal, base, profile)
    return delta, profile


def test_several_knobs_of_a_named_system_are_a_configuration(claims) -> None:  # type: ignore[no-untyped-def]
    delta, profile = _delta(claims, RETUNE, ZERO_BASELINE)
    assert {k.knob for k in profile.knobs} >= {"prefetch depth", "all-gather rate limit"}
    assert profile.builds_on.value in {"ZeRO-3", "DeepSpeed"}
    assert delta.cls == "config", delta.rationale
    assert delta.evidence


def test_a_new_protocol_with_a_knob_word_stays_structural(claims) -> None:  # type: ignore[no-untyped-def]
    delta, _ = _delta(claims, NEW_GATHER, ZERO_BASELINE)
    assert delta.cls == "structural", delta.rationale


def test_one_knob_framed_as_a_setting_is_a_configuration(claims) -> None:  # type: ignore[no-untyped-def]
    delta, profile = _delta(claims, POWER, SERVE_BASELINE)
    assert any(k.knob == "GPU power limit" and "nvidia-smi" in k.named for k in profile.knobs)
    assert delta.cls == "config", delta.rationale


def test_a_change_on_another_axis_that_keeps_the_baseline_is_orthogonal(claims) -> None:  # type: ignore[no-untyped-def]
    delta, profile = _delta(claims, KV_QUANT, SERVE_BASELINE)
    assert "kv-cache-quantization" in profile.techniques
    assert delta.cls == "orthogonal", delta.rationale


def test_a_long_paper_saying_configuration_is_not_a_configuration_change(claims) -> None:  # type: ignore[no-untyped-def]
    """Settings named in evaluation and background sections say nothing of what the contribution is."""
    from tensora.audit.delta import classify
    from tensora.extract.profile import build_profile

    draft = """
    # TemplatePipe: resilient training from precomputed pipeline templates

    ## Abstract

    We propose a novel recovery algorithm: on failure, pipelines are rebuilt from precomputed templates instead of
    being replanned, so training continues at once.

    ## Background

    Every configuration of pipeline stages has its own batch size; a larger micro-batch count lowers the bubble.
    The configuration space grows with the cluster, and the best configuration changes with the model.

    ## Evaluation

    We sweep the micro-batch size and choose the best configuration for each baseline run.
    Smaller micro-batches and fewer stages were tried for every configuration of the baseline.
    """
    c, b = claims(draft), claims("# Base\n\n## Abstract\n\nCheckpoints and restarts on failure.", "baseline")
    delta, _ = classify(c, b, build_profile(c, b))
    assert delta.cls == "structural"


OFFLOAD_BASELINE = """
# ZeRO-Offload: democratizing billion-scale model training

## Abstract

ZeRO-Offload keeps the optimizer states in CPU memory and runs the Adam step on the CPU, while the forward and
backward passes run on the GPU.
"""

SHARE = """
# SplitStep: using the idle GPU during the optimizer step

## Abstract

After offloading with DeepSpeed ZeRO-Offload most of the GPU's memory sits idle during the optimizer step. We
keep an offload ratio of 0.6 of the optimizer states on the CPU and update the rest on the GPU at the same time,
and the step takes 31% less time on one A100.
"""


def test_a_knob_of_a_named_system_in_the_abstract_is_a_configuration(claims) -> None:  # type: ignore[no-untyped-def]
    delta, _ = _delta(claims, SHARE, OFFLOAD_BASELINE)
    assert delta.cls == "config"
    assert "offload ratio" in delta.rationale


def test_the_same_knob_beside_a_new_mechanism_stays_structural(claims) -> None:  # type: ignore[no-untyped-def]
    draft = SHARE.replace(
        "at the same time,", "at the same time, and replace the CPU Adam with a new asynchronous update protocol,"
    )
    delta, _ = _delta(claims, draft, OFFLOAD_BASELINE)
    assert delta.cls == "structural"


DDP_BASELINE = """
# PyTorch Distributed: experiences on accelerating data parallel training

## Abstract

DDP buckets gradients and overlaps each bucket's all-reduce with the rest of the backward pass.
"""

BUCKETS = """
# BucketTune: picking DDP's buckets

## Abstract

BucketTune profiles the backward pass once and picks the bucket size of PyTorch DDP that maximises overlap, then
sets the NCCL settings instead of the defaults; it replaces the default 25 MB cap and cuts step time by 30%.
"""


def test_a_sure_knob_with_as_many_setting_words_as_structural_ones_is_a_configuration(claims) -> None:  # type: ignore[no-untyped-def]
    delta, _ = _delta(claims, BUCKETS, DDP_BASELINE)
    assert delta.cls == "config"


def test_the_models_attention_heads_are_not_the_drafts_axis(claims) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.delta import family_weights

    c = claims(
        "# Tier\n\n## Design\n\nThe model uses grouped-query attention with 8 KV heads. We keep the KV cache "
        "in host memory and reload it layer by layer with continuous batching."
    )
    assert c.techniques["grouped-query-attention"].used
    assert "attention" not in family_weights(c)


EP_BASELINE = """
# Expert-parallel serving with redundant experts

## Abstract

Expert-parallel decoding places the experts of each MoE layer over 32 GPUs. A load balancer duplicates the
busiest experts into redundant slots, chosen from load statistics and refreshed every 10 minutes.
"""

EP_RETUNE = """
# FastBalance: refreshing the expert plan more often

## Abstract

FastBalance keeps the EPLB load balancer of DeepSeek-V3 and its packing heuristics unchanged, doubles the
redundant-expert budget from 32 to 64 redundant experts and shortens the rebalancing period from 10 minutes to
20 seconds, which raises decode throughput by 1.4x.
"""


def test_a_retuned_redundancy_budget_and_period_is_config(claims) -> None:  # type: ignore[no-untyped-def]
    delta, profile = _delta(claims, EP_RETUNE, EP_BASELINE)
    assert {k.knob for k in profile.knobs} >= {"redundant expert count", "expert rebalancing period"}
    assert delta.cls == "config", delta.rationale


CKPT_BASELINE = """
# SnapFreq: cheap, frequent checkpoints

## Abstract

SnapFreq splits a checkpoint into a snapshot to host memory and an asynchronous persist to storage, tunes the
checkpoint frequency online, and keeps a resumable data iterator so a restart repeats no sample.
"""

DEADLINE = """
# WaitLess: straggler-tolerant synchronous training

## Abstract

WaitLess gives every data-parallel replica a deadline per step; a replica that misses it stops accumulating and
contributes the micro-batches it finished, and the update averages by samples received. Failures are still
handled by SnapFreq; WaitLess addresses slow workers, not dead ones.

## Design

A check between micro-batches bounds the remaining wait to one micro-batch instead of an unbounded tail.
"""


def test_leaving_the_baselines_job_to_it_is_orthogonal(claims) -> None:  # type: ignore[no-untyped-def]
    delta, profile = _delta(claims, DEADLINE, CKPT_BASELINE)
    assert "still" in profile.keeps.value
    assert delta.cls == "orthogonal", delta.rationale


PACK_BASELINE = """
# BinStream: online packing of training documents

## Abstract

BinStream fills a packing buffer of B = 1,024 documents per rank, packs them best-fit into 8,192-token rows, and
feeds them through a PyTorch DataLoader with 4 workers; a sweep of B shows padding falling as B grows.
"""

BIG_BUFFER = """
# WidePack: a bigger buffer and a wider loader

## Abstract

Padding wastes 6% of compute and input stalls another 3%. WidePack removes both. A 64x larger packing buffer
with a global length sort drives padding to 0.4%; a deeper, wider asynchronous input pipeline (num_workers
4 to 16, prefetch_factor 2 to 8) drives stalls to 0.1%. Batches are prefetched asynchronously eight steps ahead.
"""

WARMUP_BASELINE = """
# 1F1B: one forward, one backward

## Abstract

The 1F1B schedule runs p - i - 1 warm-up forward passes on stage i, then alternates one forward and one
backward, which bounds in-flight activations to p micro-batches at the same bubble as GPipe.
"""

WARMUP = """
# DeepWarm: more warm-up forwards for jittery pipelines

## Abstract

DeepWarm raises the warm-up depth of the 1F1B pipeline schedule on stage i from p - i - 1 to k(p - i), with k
picked by a short online profile, so a stage has a forward to run while a late gradient arrives.
"""


def test_a_bigger_buffer_and_a_wider_loader_are_a_configuration(claims) -> None:  # type: ignore[no-untyped-def]
    delta, _ = _delta(claims, BIG_BUFFER, PACK_BASELINE)
    assert delta.cls == "config", delta.rationale


def test_a_deeper_pipeline_warm_up_is_a_configuration(claims) -> None:  # type: ignore[no-untyped-def]
    delta, profile = _delta(claims, WARMUP, WARMUP_BASELINE)
    assert "pipeline warm-up depth" in {k.knob for k in profile.knobs}
    assert delta.cls == "config", delta.rationale


MORPH_BASELINE = """
# Elastic pipelines: job morphing on spot VMs

## Abstract

The system trains large models with pipeline and data parallelism on spot VMs and morphs a job to a new layout
when VMs come or go, with a simulator that picks the layout.
"""

CARBON = """
# GreenMorph: carbon-aware morphing of training jobs

## Abstract

GreenMorph follows the grid's carbon intensity: it grows a training job when the grid is clean and shrinks it
when it is not, within a deadline. It adds no new training mechanism: it drives the baseline's existing job
morphing with a carbon-aware planner.
"""


def test_a_planner_driving_the_baselines_mechanism_is_orthogonal(claims) -> None:  # type: ignore[no-untyped-def]
    delta, _ = _delta(claims, CARBON, MORPH_BASELINE)
    assert delta.cls == "orthogonal", delta.rationale


VLLM_BASELINE = """
# Efficient Memory Management for Large Language Model Serving with PagedAttention

## Abstract

vLLM stores the KV cache in fixed-size blocks addressed through a block table and batches requests
continuously, so memory fragmentation no longer limits the batch.
"""

ROLLOUT_RECIPE = """
# SoloRoll: single-GPU rollout replicas

## Abstract

We run the rollout engine of RL post-training with vLLM at tp = 1 instead of 4, one replica per GPU.

## Design

We raise gpu_memory_utilization from 0.5 to 0.85. CUDA graphs (enforce_eager=False) remove launch overhead, and
max_num_batched_tokens = 8192 bounds the prefill chunk.
"""


def test_a_method_made_of_settings_of_a_named_engine_is_a_configuration(claims) -> None:  # type: ignore[no-untyped-def]
    delta, profile = _delta(claims, ROLLOUT_RECIPE, VLLM_BASELINE)
    assert len({k.knob for k in profile.knobs}) >= 3, profile.knobs
    assert delta.cls == "config" and "already expose" in delta.rationale, delta.rationale


def test_settings_only_in_the_details_do_not_make_a_configuration(claims) -> None:  # type: ignore[no-untyped-def]
    text = ROLLOUT_RECIPE.replace(
        "We run the rollout engine of RL post-training with vLLM at tp = 1 instead of 4, one replica per GPU.",
        "We replace the rollout engine's attention with a new sparse gather kernel that skips inactive heads.",
    )
    assert _delta(claims, text, VLLM_BASELINE)[0].cls != "config"


OOBLECK_BASELINE = """
# Oobleck: resilient distributed training using pipeline templates

## Abstract

Oobleck re-instantiates pipelines from precomputed templates after a failure and copies the lost states from
another data-parallel replica.
"""

SHADOW = """
# Understudy: shadow stages in the pipeline bubble

## Abstract

Understudy makes every pipeline stage run a shadow copy of its successor's layers inside the 1F1B bubble, so a
preempted stage is taken over by its predecessor without a restart.

## Design

Since the bubble is always (p-1) slots, we expect the same near-zero cost at the production configuration.
Run the 256-GPU configuration on reserved spot capacity.
"""


def test_a_deployment_called_a_configuration_is_not_a_setting(claims) -> None:  # type: ignore[no-untyped-def]
    delta, _ = _delta(claims, SHADOW, OOBLECK_BASELINE)
    assert delta.cls != "config", delta.rationale


SATURATE = """
# BrimServe: memory-saturating continuous batching

## Abstract

vLLM caps the running batch at 256 sequences and hands only 90% of the GPU to the engine. BrimServe replaces these
conservative limits with saturating admission and memory reclaim.

## Design

We lift the running-batch cap from 256 to 1,024. The admission watermark of free KV blocks is set to 0. We raise
the engine's memory fraction from 0.90 to 0.98.
"""


def test_replacing_limits_is_setting_values_not_a_new_mechanism(claims) -> None:  # type: ignore[no-untyped-def]
    delta, profile = _delta(claims, SATURATE, VLLM_BASELINE)
    assert delta.cls == "config", (delta.rationale, profile.knobs)

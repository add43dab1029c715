"""Render fixtures: a hand-built review whose findings carry every plot's inputs; the ``browser`` marker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tensora.audit.findings import Delta, Finding, Mirror, PriorWorkHit, Review, Severity, Twist, must_solve
from tensora.extract.profile import DraftProfile, Field
from tensora.extract.quantities import Quote
from tensora.knowledge.hardware import get_device
from tensora.models.memory import model_states_per_gpu_gib
from tensora.models.pipeline import pipeline_bubble_fraction
from tensora.models.roofline import gemm_intensity, roofline_max_speedup

HOSTILE = 'we beat it <script>alert("x")</script> & more'


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: renders the HTML report in headless Chromium (skipped without /usr/bin/chromium)"
    )


def _q(text: str, page: int, doc: str = "proposal") -> Quote:
    return Quote(doc, page, text)  # type: ignore[arg-type]


def roofline_finding() -> Finding:
    """QNT-ROOFLINE as the rule computes it: M = 16, K = 13,824, N = 5,120 on an A100, 37 us against 88 us."""
    dev = get_device("a100")
    mm, nn, kk = 16, 5120, 13824
    ai = gemm_intensity(mm, nn, kk, dtype_bytes=2)
    flops = 2.0 * mm * nn * kk
    limit = roofline_max_speedup(flops, flops / ai, dev.peak_flops("bf16"), dev.memory_bandwidth, 88e-6)
    return Finding(
        "QNT-ROOFLINE",
        Severity.FATAL,
        "Faster than the roofline allows",
        "The GEMM is memory-bound; 37 us would need more than the HBM peak.",
        must_solve("re-measure with cold L2 and state the speedup the roofline allows"),
        [_q("M = 16, K = 13,824, N = 5,120 in 37 us versus 88 us", 4)],
        computed={
            "arithmetic_intensity": float(ai),
            "roofline_max_speedup": float(limit),
            "claimed_speedup": 88 / 37,
        },
        inputs={"M": mm, "N": nn, "K": kk, "dtype": "bf16", "device": dev.name},
    )


def peak_finding() -> Finding:
    return Finding(
        "QNT-PEAK",
        Severity.FATAL,
        "Throughput beyond plausible peak",
        "290 TFLOP/s per GPU against a dense peak of 312 TFLOP/s is 93% of peak.",
        must_solve("show how the FLOPs are counted"),
        [_q("we sustain 290 TFLOP/s per GPU", 5)],
        computed={"mfu": 290 / 312},
        inputs={"claimed_tflops": 290.0, "peak_tflops": 312.0, "dtype": "bf16"},
    )


def memory_finding() -> Finding:
    inputs: dict[str, object] = {
        "params": 20e9,
        "dp": 8,
        "tp": 1,
        "pp": 1,
        "sharding": "zero1",
        "bytes_per_param": 16,
    }
    states = model_states_per_gpu_gib(20e9, dp=8, sharding="zero1")
    return Finding(
        "QNT-MEMORY",
        Severity.FATAL,
        "The configuration does not fit in memory",
        f"The model states alone need {float(states):.1f} GiB per GPU against 74.5 GiB.",
        must_solve("give a configuration that fits"),
        [_q("a 20B model with ZeRO-1 over 8 GPUs", 3)],
        computed={"model_states_per_gpu_gib": float(states), "capacity_gib": 80e9 / 2**30},
        inputs=inputs,
    )


def bubble_finding(stages: int = 8, microbatches: int = 4, virtual: int = 1) -> Finding:
    return Finding(
        "PIPE-BUBBLE",
        Severity.FATAL,
        "Pipeline bubble with few micro-batches",
        "With p = 8 stages and m = 4 micro-batches the schedule is idle for 64% of every step.",
        must_solve("show the bubble you pay at this micro-batch count"),
        [_q("we use 4 micro-batches over 8 pipeline stages", 2)],
        computed={"pipeline_bubble_fraction": float(pipeline_bubble_fraction(stages, microbatches, virtual))},
        inputs={
            "stages": float(stages),
            "microbatches": float(microbatches),
            "virtual_stages": float(virtual),
        },
    )


def build_review(findings: list[Finding]) -> Review:
    mirror = Mirror(
        "the sequence-parallel all-gather",
        "one blocking all-gather",
        "chunked all-gathers overlapped with FC1",
        "it hides the communication",
        "64 A100 GPUs",
        "Let me make sure I understand the core claim. Is that the crux?",
    )
    delta = Delta("config", "Only the chunk size changes.", [_q("we split the all-gather into 4 chunks", 2)])
    prior = [
        PriorWorkHit(
            "Megatron-Core context parallelism",
            2023,
            "NVIDIA",
            "it splits the sequence",
            "say what chunking adds",
            0.8,
            cited=True,
        ),
        PriorWorkHit("DeepSpeed-Ulysses", 2023, "arXiv", "all-to-all over heads", "compare volumes", 0.5),
    ]
    framing = Finding(
        "DLT-CONFIG",
        Severity.FATAL,
        "A configuration change, not a mechanism",
        "You changed the chunk size.",
        must_solve("name the mechanism that the baseline cannot express"),
        [_q(HOSTILE, 1)],
    )
    twist = Twist("fuse the chunks with the GEMMs", ["ChunkedSP", "comm-GEMM fusion"], ["exposed comm time"])
    return Review(
        "proposal.pdf",
        "baseline.pdf",
        mirror,
        delta,
        prior,
        [framing, *findings],
        twist,
        system="ChunkedSP",
        baseline_title="Sequence Parallelism",
        profile=DraftProfile(name=Field("ChunkedSP", 0.9), gpus=Field("64", 0.8), hardware=Field("A100", 0.85)),
    )


FINDINGS: dict[str, Callable[..., Finding]] = {
    "roofline": roofline_finding,
    "peak": peak_finding,
    "memory": memory_finding,
    "bubble": bubble_finding,
}


@pytest.fixture
def make_finding() -> Callable[..., Finding]:
    """make_finding("roofline" | "peak" | "memory" | "bubble", **arguments) -> Finding."""

    def make(kind: str, **kwargs: Any) -> Finding:
        return FINDINGS[kind](**kwargs)

    return make


@pytest.fixture
def make_review() -> Callable[[list[Finding]], Review]:
    """A review set on "64 A100 GPUs" whose first finding (DLT-CONFIG) quotes HOSTILE, then ``findings``."""
    return build_review


@pytest.fixture
def hostile() -> str:
    return HOSTILE


@pytest.fixture(scope="module")
def plotted_review() -> Review:
    """A review with a finding for every plot: roofline (QNT-ROOFLINE, QNT-PEAK), memory, pipeline."""
    return build_review([roofline_finding(), peak_finding(), memory_finding(), bubble_finding()])


@pytest.fixture
def plain_review() -> Review:
    """A review with no finding that carries a plot's inputs."""
    return build_review([])

"""Quotes and quantities: the atoms that extraction produces and rules cite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DocLabel = Literal["proposal", "baseline", "answer"]

# The roles a number can play in a draft. Rules look quantities up by role.
ROLES: dict[str, str] = {
    "gpus": "total accelerator count of a run (unit 'GPU')",
    "nodes": "node/server count (unit 'node')",
    "gpus_per_node": "accelerators per node (unit 'GPU')",
    "gpu_model": "accelerator model, in `text` as written (e.g. 'A100-80GB', 'H100'); value is nan",
    "params": "model size in parameters, absolute (13e9 for '13B'; unit 'param')",
    "layers": "transformer layers",
    "hidden": "hidden size",
    "heads": "attention heads",
    "seq_len": "sequence length in tokens ('4k context' -> 4096)",
    "global_batch": "global batch size in sequences",
    "micro_batch_size": "micro-batch size in sequences (b)",
    "micro_batches": "micro-batches per pipeline flush / per step (m)",
    "tp": "tensor-parallel degree",
    "pp": "pipeline-parallel degree (stages)",
    "dp": "data-parallel degree",
    "ep": "expert-parallel degree",
    "cp": "context/sequence-parallel degree when separate from tp",
    "virtual_stages": "model chunks per device of an interleaved schedule (v)",
    "experts": "number of experts",
    "top_k": "experts chosen per token",
    "speedup": "claimed speedup as a ratio (1.35 for '1.35x' or '35% faster'); qualifier says its scope",
    "tflops_per_gpu": "achieved TFLOP/s per GPU claimed or measured",
    "peak_tflops": "peak TFLOP/s of the hardware as the draft states it",
    "mfu": "model FLOPs utilisation as a ratio 0..1",
    "tokens_per_s": "throughput in tokens per second",
    "time_fraction": "share (0..1) of step/iteration time that a component takes or the change touches",
    "link_bandwidth": "intra-node link bandwidth in GB/s",
    "nic_bandwidth": "inter-node network bandwidth in GB/s (200 Gb/s -> 25)",
    "memory_capacity": "device memory in GB",
    "step_time": "iteration/step time in seconds",
    "kernel_time": "kernel or operation time in seconds",
    "precision": "numeric format, in `text` (fp32, tf32, bf16, fp16, fp8, int8, int4)",
}


@dataclass(frozen=True, slots=True)
class Quote:
    """A span of a document that a claim or finding rests on."""

    doc: DocLabel
    page: int
    text: str


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number in a document with its role, unit and where it was said.

    ``qualifier`` refines the role: for ``speedup`` one of "end-to-end", "kernel", "local", "projected",
    "throughput", "memory"; for ``gpus`` "evaluation" or "planned"; free text otherwise. ``sentence`` is the
    index of the sentence it was read from in its document's sentence stream (``Claims.sentences``; -1 when
    a rule built it), ``section`` that sentence's section; the page is the quote's.
    """

    role: str
    value: float
    unit: str
    quote: Quote
    qualifier: str = ""
    text: str = ""
    sentence: int = -1
    section: str = ""

"""Number extraction: each phrasing a draft uses gives the right role, value and qualifier, and the
numbers that are not quantities (years, citations, references, versions) give none."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from tensora.extract.numbers import extract_quantities, split_sentences
from tensora.extract.quantities import ROLES, Quantity
from tensora.ingest.document import Paragraph, ParagraphKind

BENCH = Path(__file__).resolve().parents[2] / ".." / "shared" / "bench" / "cases"


def _extract(text: str, kind: ParagraphKind = "text", section: str = "") -> list[Quantity]:
    return extract_quantities([Paragraph(text, 3, section, kind)], "proposal")


def _find(quantities: list[Quantity], role: str, value: float) -> Quantity | None:
    for q in quantities:
        if q.role == role and math.isclose(q.value, value, rel_tol=1e-6):
            return q
    return None


# (sentence, role, value, qualifier or None when the qualifier is not under test)
CASES: list[tuple[str, str, float, str | None]] = [
    # counts
    ("The experiments use 64 GPUs in total.", "gpus", 64, None),
    ("We rent eight H100 nodes for the sweep.", "nodes", 8, None),
    ("Each machine carries 8x A100-80GB accelerators.", "gpus_per_node", 8, None),
    ("The job runs on 8x A100-80GB.", "gpus", 8, None),
    ("Training happens on a 256-GPU cluster.", "gpus", 256, None),
    ("Our testbed has 32 nodes of 8 GPUs each.", "nodes", 32, None),
    ("Our testbed has 32 nodes of 8 GPUs each.", "gpus_per_node", 8, None),
    ("Our testbed has 32 nodes of 8 GPUs each.", "gpus", 256, None),
    ("The prototype ran on one DGX A100 node.", "nodes", 1, "evaluation"),
    ("The prototype ran on one DGX A100 node.", "gpus_per_node", 8, None),
    ("The prototype ran on one DGX A100 node.", "gpus", 8, None),
    ("All measurements were taken on a single node.", "nodes", 1, "evaluation"),
    ("The full run spans 1,024 GPUs.", "gpus", 1024, None),
    ("We plan to use 512 GPUs (64 nodes) for the final model.", "gpus", 512, "planned"),
    ("We plan to use 512 GPUs (64 nodes) for the final model.", "nodes", 64, "planned"),
    ("The servers carry sixteen GPUs per node.", "gpus_per_node", 16, None),
    ("The cluster consists of twelve nodes.", "nodes", 12, None),
    ("Each of the 8 GPUs of a node holds one shard.", "gpus_per_node", 8, None),
    ("Scaling to 32 nodes x 8 V100-32GB is next.", "gpus_per_node", 8, None),
    ("A system of 8 DGX A100 nodes = 64 x A100-40GB serves as testbed.", "gpus", 64, None),
    ("The recipe targets training at 1,000+ GPUs.", "gpus", 1000, None),
    # sequence length
    ("We train with a 4k context.", "seq_len", 4096, None),
    ("The sequence length is 8,192 tokens throughout.", "seq_len", 8192, None),
    ("Inputs are packed into 8K tokens.", "seq_len", 8192, None),
    ("A 32k-token context window is used for the long-context phase.", "seq_len", 32768, None),
    ("Each sample is a 2,048-token sequence.", "seq_len", 2048, None),
    ("Documents are cut into sequences of 4096 tokens.", "seq_len", 4096, None),
    # model size and shape
    ("We study a 1.3B-parameter decoder.", "params", 1.3e9, None),
    ("The target is a 13B GPT.", "params", 13e9, None),
    ("A 70B model does not fit on one device.", "params", 70e9, None),
    ("GPT-3 has 175 billion parameters.", "params", 175e9, None),
    ("The MoE has 1.3B active and 6.7B total parameters.", "params", 6.7e9, "total"),
    ("We fine-tune LLaMA-2-7B on instructions.", "params", 7e9, None),
    ("We later move to GPT-style models of 1.3B and 6.7B parameters.", "params", 1.3e9, None),
    ("The network has 40 layers, hidden 5,120 and 40 heads.", "layers", 40, None),
    ("The network has 40 layers, hidden 5,120 and 40 heads.", "hidden", 5120, None),
    ("The network has 40 layers, hidden 5,120 and 40 heads.", "heads", 40, None),
    ("We use h = 12288 for the hidden dimension.", "hidden", 12288, None),
    ("The model depth is L = 96 layers.", "layers", 96, None),
    ("It has a hidden size of 8192.", "hidden", 8192, None),
    ("Each layer has 64 attention heads.", "heads", 64, None),
    # batches
    ("We keep a global batch of 1,536 sequences.", "global_batch", 1536, None),
    ("The batch size of 2048 sequences is fixed.", "global_batch", 2048, None),
    ("The micro-batch size b = 24 keeps the GEMMs large.", "micro_batch_size", 24, None),
    ("With m = 8 micro-batches the bubble stays large.", "micro_batches", 8, None),
    ("Each step is split into 8 micro-batches.", "micro_batches", 8, None),
    ("A replica processes 8 micro-batches of 24 sequences.", "micro_batch_size", 24, None),
    ("Gradient accumulation steps = 16 per update.", "micro_batches", 16, None),
    # parallel degrees
    ("Inside a node we set TP = SP = 8.", "tp", 8, "sp"),
    ("The layout is t = 8, p = 16 across the cluster.", "tp", 8, None),
    ("The layout is t = 8, p = 16 across the cluster.", "pp", 16, None),
    ("A tensor-parallel degree 8 is used inside each server.", "tp", 8, None),
    ("We use a pipeline depth of 16 stages.", "pp", 16, None),
    ("The model is cut into 16 pipeline stages.", "pp", 16, None),
    ("Replicas grow by raising the data-parallel degree to d = 12.", "dp", 12, None),
    ("On spare capacity we run data parallelism over 16 replicas.", "dp", 16, None),
    ("We raise the number of micro-batches from 8 to 48 per replica.", "micro_batches", 48, None),
    ("An elastic resize raises the data-parallel degree from 16 to 24.", "dp", 24, None),
    ("The data-parallel degree is 32.", "dp", 32, None),
    ("We interleave the schedule with v = 2 chunks per device.", "virtual_stages", 2, None),
    ("The schedule is interleaved with 4 model chunks.", "virtual_stages", 4, None),
    ("We set the expert-parallel degree to 8.", "ep", 8, None),
    ("The context-parallel size is 2 for long sequences.", "cp", 2, None),
    ("We run 8-way tensor parallelism inside the node.", "tp", 8, None),
    ("Our config uses TP8 and PP4.", "pp", 4, None),
    ("In Megatron notation, (p, t, d) = (8, 4, 16).", "dp", 16, None),
    # mixture of experts
    ("The MoE layer routes among 64 experts.", "experts", 64, None),
    ("Routing is top-2 for every token.", "top_k", 2, None),
    ("Each token is dispatched to two experts.", "top_k", 2, None),
    ("The router sends tokens with k = 1 to the experts.", "top_k", 1, None),
    # speedups
    ("The method delivers a 1.35x end-to-end speedup.", "speedup", 1.35, "end-to-end"),
    ("The new attention kernel runs 1.6x faster.", "speedup", 1.6, "kernel"),
    ("It yields a 1.6x faster attention kernel.", "speedup", 1.6, "kernel"),
    ("Training is 35% faster than the synchronous baseline.", "speedup", 1.35, "end-to-end"),
    ("Overlap reduces step time by 20%.", "speedup", 1.25, "end-to-end"),
    ("Fusion gives 2x faster GEMMs.", "speedup", 2.0, "local"),
    ("The all-reduce becomes 3x faster with compression.", "speedup", 3.0, "local"),
    ("It raises end-to-end decode throughput by 1.41x (780 to 1100 tokens/s).", "speedup", 1.41, "end-to-end"),
    ("Step time falls 1.3x (10.2 ms -> 7.8 ms).", "speedup", 1.3, "end-to-end"),
    ("GroupShard speeds up 7B training by 1.22x (k=4) and 13B by 1.20x.", "speedup", 1.22, "end-to-end"),
    ("TokenGate delivers 2.1x higher end-to-end throughput on schema workloads.", "speedup", 2.1, "end-to-end"),
    ("Decoding sees 8% higher tokens/s with the new kernel.", "speedup", 1.08, "throughput"),
    ("The design gives 1.37x higher MFU than ZeRO-3.", "speedup", 1.37, "throughput"),
    ("LendRing delivers 2.3x the training throughput of ring attention.", "speedup", 2.3, "throughput"),
    ("Tempo cuts average job completion time (JCT) by 38% relative to Pollux.", "speedup", 1 / 0.62, "end-to-end"),
    ("A speedup of 1.2 is expected on long sequences.", "speedup", 1.2, None),
    ("Our engine beats cuBLAS (2.4x) on decode shapes.", "speedup", 2.4, "kernel"),
    # throughput and utilisation
    ("We observe 290 TFLOP/s per GPU on the 13B model.", "tflops_per_gpu", 290, None),
    ("One H100 sustains 1.65 PFLOP/s per GPU in FP8.", "tflops_per_gpu", 1650, None),
    ("The A100 has a peak of 312 TFLOP/s in BF16.", "peak_tflops", 312, None),
    ("This is measured against the 312 TFLOPS dense BF16 peak.", "peak_tflops", 312, None),
    ("Our run reaches 52% MFU on the full cluster.", "mfu", 0.52, None),
    ("The baseline reaches an MFU of 0.52.", "mfu", 0.52, "baseline"),
    ("NodeShard reaches 49.5% MFU versus 36.0% for ZeRO-3.", "mfu", 0.36, "baseline"),
    ("Throughput is 1.2M tokens/s across the cluster.", "tokens_per_s", 1.2e6, None),
    # time shares and times
    ("About 12% of the iteration time is spent in the all-reduce.", "time_fraction", 0.12, None),
    ("GEMMs account for 70% of step time.", "time_fraction", 0.70, None),
    ("The optimizer step takes 15% of each iteration.", "time_fraction", 0.15, None),
    ("The kernel finishes in 88 us on an H100.", "kernel_time", 88e-6, None),
    ("The pipeline leaves a 0.5 s idle window per step.", "kernel_time", 0.5, None),
    ("We measure a step time of 1.4 s.", "step_time", 1.4, "evaluation"),
    ("Each iteration takes 2.1 s on 64 GPUs.", "step_time", 2.1, None),
    ("The new kernel takes 37 microseconds versus 88 for cuBLAS.", "kernel_time", 88e-6, "baseline"),
    # links, memory
    ("Nodes are connected by 200 Gb/s InfiniBand.", "nic_bandwidth", 25, None),
    ("Every GPU has its own 400Gbps NIC.", "nic_bandwidth", 50, None),
    ("Each node has 8x 400 Gb/s NICs.", "nic_bandwidth", 50, "8 NICs"),
    ("GPUs talk over 600 GB/s NVLink.", "link_bandwidth", 600, None),
    (
        "Within a node, NVLink reaches about 230 GB/s achieved bus bandwidth.",
        "link_bandwidth",
        230,
        "achieved",
    ),
    ("The H100 SXM offers 80 GB of HBM3.", "memory_capacity", 80, None),
    ("The MI300X brings 192 GB of HBM.", "memory_capacity", 192, None),
    ("Peak usage is 61 GiB of 80 GiB.", "memory_capacity", 80, None),
    ("The cluster is 8 x H100 SXM (80 GB) in one node.", "memory_capacity", 80, None),
    ("MFU improves from 38% to 45% with the new schedule.", "mfu", 0.38, "baseline"),
    ("MFU improves from 38% to 45% with the new schedule.", "mfu", 0.45, None),
    ("We use up to 512 A100 GPUs, 8 per node.", "gpus_per_node", 8, None),
    ("The global batch is 32 sequences through 32 gradient-accumulation steps.", "micro_batches", 32, None),
    ("Each NIC provides 25 GB/s; PCIe Gen4 x16 gives 32 GB/s.", "nic_bandwidth", 25, None),
    ("Each NIC provides 25 GB/s; PCIe Gen4 x16 gives 32 GB/s.", "link_bandwidth", 32, None),
    ("Communication takes 40 ms per step.", "kernel_time", 0.040, None),
    ("Our profile shows 0.5 s of idle network time per 4.2 s step.", "step_time", 4.2, "evaluation"),
    ("The baseline serves 21,800 tokens/s per node.", "tokens_per_s", 21800, "per node"),
    ("The A100-80GB SXM (312 TFLOP/s BF16 dense) is the target.", "peak_tflops", 312, None),
    ("We expect a 1.45x speedup for 70B training.", "speedup", 1.45, "end-to-end"),
    ("Sparse kernels give a 1.8x reduction in fine-tuning time.", "speedup", 1.8, "end-to-end"),
    # stance qualifiers
    ("We will scale to 1,024 GPUs next.", "gpus", 1024, "planned"),
    ("We project that 512 GPUs would finish in a week.", "gpus", 512, "projected"),
    ("In our pilot we ran on 8 GPUs.", "gpus", 8, "evaluation"),
    ("Megatron reports 52% MFU on 3072 GPUs.", "mfu", 0.52, "baseline"),
    ("The baseline uses 128 GPUs.", "gpus", 128, "baseline"),
    ("We compare with Megatron, which reports 163 TFLOP/s per GPU.", "tflops_per_gpu", 163, "baseline"),
    ("We report 52% MFU on 64 GPUs.", "gpus", 64, ""),
    ("Our method could reach 1.5x on 256 GPUs.", "gpus", 256, "projected"),
    ("We target 1,024 GPUs for the final run.", "gpus", 1024, "planned"),
]


@pytest.mark.parametrize(("sentence", "role", "value", "qualifier"), CASES)
def test_role_and_value(sentence: str, role: str, value: float, qualifier: str | None) -> None:
    quantities = _extract(sentence)
    found = _find(quantities, role, value)
    got = [(q.role, q.value, q.qualifier) for q in quantities]
    assert found is not None, f"no {role}={value} in {got}"
    if qualifier is not None:
        assert found.qualifier == qualifier, got
    assert found.quote.text == sentence and found.quote.page == 3 and found.quote.doc == "proposal"


# (sentence, role, text)
NAMED: list[tuple[str, str, str]] = [
    ("We rent eight H100 nodes for the sweep.", "gpu_model", "H100"),
    ("Each machine carries 8x A100-80GB accelerators.", "gpu_model", "A100-80GB"),
    ("The runs use A100 80GB cards.", "gpu_model", "A100-80GB"),
    ("The H100 SXM offers 80 GB of HBM3.", "gpu_model", "H100-SXM"),
    ("We also test on the H200.", "gpu_model", "H200"),
    ("The MI300X brings 192 GB of HBM.", "gpu_model", "MI300X"),
    ("A port to TPU v4 is planned.", "gpu_model", "TPU-v4"),
    ("Weights are kept in BF16.", "precision", "bf16"),
    ("Activations are stored in bfloat16.", "precision", "bf16"),
    ("We train in FP8 end to end.", "precision", "fp8"),
    ("Forward GEMMs use E4M3.", "precision", "fp8"),
    ("Standard mixed precision is used.", "precision", "fp16"),
    ("Accumulation stays in FP32.", "precision", "fp32"),
    ("The legacy path runs FP16.", "precision", "fp16"),
    ("Inference weights are quantised to INT8.", "precision", "int8"),
    ("Matmuls use TF32 on Ampere.", "precision", "tf32"),
    ("The (time spent in) GEMMs account for 70% of step time.", "time_fraction", "GEMMs"),
    ("About 12% of the iteration time is spent in the all-reduce.", "time_fraction", "all-reduce"),
    ("The pipeline leaves a 0.5 s idle window per step.", "kernel_time", "idle window"),
    ("We measure a step time of 1.4 s.", "step_time", "step time"),
]


@pytest.mark.parametrize(("sentence", "role", "text"), NAMED)
def test_text_of_named_quantities(sentence: str, role: str, text: str) -> None:
    quantities = _extract(sentence)
    texts = [q.text for q in quantities if q.role == role]
    assert text in texts, [(q.role, q.text) for q in quantities]


def test_precision_qualifiers() -> None:
    quantities = _extract("We use BF16 mixed precision with FP32 master weights and FP8 (E4M3) GEMMs.")
    got = {(q.text, q.qualifier) for q in quantities if q.role == "precision"}
    assert got == {("bf16", "mixed"), ("fp32", "master weights"), ("fp8", "e4m3")}
    assert all(math.isnan(q.value) for q in quantities)


NEGATIVE = [
    "The method was introduced in 2023.",
    "Narayanan et al. (2021) introduced interleaving.",
    "As shown in [12], pipelining helps; see also [3, 7].",
    "Section 3.2 describes the schedule.",
    "Figure 4 and Table 2 summarise the results.",
    "See Eq. (7) for the bubble.",
    "We compile with CUDA 12.2 and NCCL 2.18.",
    "PyTorch 2.1 is used throughout.",
    "The code is released as v0.3 under a permissive licence.",
    "Driver 535.104.05 was installed.",
    "Servers use NVLink 3 inside the node.",
    "The vocabulary has 50,257 entries.",
    "Peak memory was 61 GiB on stage 0.",
    "In a stress test one node was slowed by 3x.",
    "The 16 x 64 tile shape keeps all 108 SMs busy.",
    "Top-1 accuracy reaches 76% after 90 epochs.",
    "Each token goes through 1F1B with the micro-batches of the warm-up.",
    "We sweep b in {8, 16, 24, 32}.",
    "Small micro-batches (b = 1-4) are the usual choice.",
    "Loss and gradient norms overlap within 0.01 after 20B tokens.",
    "We injected 10 node kills over a 3-day run.",
    "The other 127 nodes keep training.",
    "Prefetching runs four layers of compute ahead of use.",
    "Models that fit on one GPU are out of scope.",
    "The bound is one GPU's memory.",
    "A batch size of 32 per GPU is used.",
    "The cluster sustains 150 PFLOP/s in aggregate.",
    "The model has 2x more parameters and memory grows by 2x.",
    "The group is kept inside one NVLink node.",
    "Removing recomputation saves over 90% of the execution-time overhead.",
    "Each of the stages holds 6 layers.",
    "With TP each GPU keeps 8 attention heads per GPU.",
    "The model reaches 45.2 perplexity at a learning rate of 3e-4 after 300B tokens.",
    "The ring crosses each node's NIC with about 2 x 5.4 GB = 10.8 GB.",
]


@pytest.mark.parametrize("sentence", NEGATIVE)
def test_no_role(sentence: str) -> None:
    numeric = [(q.role, q.value) for q in _extract(sentence) if q.role not in ("gpu_model", "precision")]
    assert numeric == []


def test_markdown_table_maps_columns_by_header() -> None:
    table = "| Model | Layers | Hidden | Heads |\n|---|---|---|---|\n| 13B | 40 | 5120 | 40 |\n| 70B | 80 | 8192 | 64 |"
    quantities = _extract(table)
    got = {(q.role, q.value) for q in quantities}
    assert {("params", 13e9), ("layers", 40), ("hidden", 5120), ("heads", 40)} <= got
    assert {("params", 70e9), ("layers", 80), ("hidden", 8192), ("heads", 64)} <= got
    assert all(q.quote.text.startswith("|") for q in quantities)


def test_pdf_table_lines_map_columns_by_header() -> None:
    table = "Model   Layers   Hidden   Heads\n13B     40       5120     40"
    got = {(q.role, q.value) for q in _extract(table, kind="table")}
    assert got == {("params", 13e9), ("layers", 40), ("hidden", 5120), ("heads", 40)}


def test_pdf_table_lines_with_single_spaces() -> None:
    table = "Model Layers Hidden Heads\n13B 40 5120 40"
    got = {(q.role, q.value) for q in _extract(table, kind="table")}
    assert got == {("params", 13e9), ("layers", 40), ("hidden", 5120), ("heads", 40)}


def test_table_cells_skip_numbers_inside_names() -> None:
    table = "| Model | GPUs | MFU |\n|---|---|---|\n| GPT-3 175B | 1,024 | 52% |"
    got = {(q.role, q.value) for q in _extract(table)}
    assert got == {("params", 175e9), ("gpus", 1024), ("mfu", 0.52)}


def test_table_letters_are_megatron_notation_only_in_lower_case() -> None:
    ours = "| Schedule | p | m | v |\n|---|---|---|---|\n| Interleaved | 8 | 32 | 2 |"
    assert {(q.role, q.value) for q in _extract(ours)} == {
        ("pp", 8),
        ("micro_batches", 32),
        ("virtual_stages", 2),
    }
    methods = "| A | B |\n|---|---|\n| 1 | 2 | 3 |"
    assert _extract(methods) == []


def test_metric_table_keeps_the_column_name() -> None:
    table = (
        "| GPUs | ZeRO-3 MFU | Ours MFU | Sequence | Ours (TFLOP/s) | Speedup |\n"
        "|---|---|---|---|---|---|\n"
        "| 256 | 42.5% | 49.9% | 4K | 268 | 1.52x |"
    )
    quantities = _extract(table)
    got = {(q.role, q.value, q.text) for q in quantities}
    assert ("gpus", 256, "") in got
    assert ("mfu", 0.425, "ZeRO-3 MFU") in got and ("mfu", 0.499, "Ours MFU") in got
    assert ("seq_len", 4096, "") in got
    assert ("tflops_per_gpu", 268, "Ours") in got
    assert ("speedup", 1.52, "Speedup") in got


def test_table_with_time_columns_reads_the_header_unit() -> None:
    table = "| Shape | cuBLAS (us) | Ours (us) |\n|---|---|---|\n| 16 x 5,120 x 5,120 | 35 | 19 |"
    got = {(q.role, round(q.value * 1e6), q.text) for q in _extract(table)}
    assert got == {("kernel_time", 35, "cuBLAS"), ("kernel_time", 19, "Ours")}


def test_table_label_cells_are_read_as_text() -> None:
    table = "| Workload | Metric | Ours |\n|---|---|---|\n| ResNet-50, batch 8,192, 90 epochs | top-1 | 76.3% |"
    got = [(q.role, q.value) for q in _extract(table)]
    assert got == [("global_batch", 8192)]


def test_a_next_steps_section_is_planned() -> None:
    text = "Extend the store to multi-node jobs and evaluate Llama-2-70B with tensor parallelism."
    found = _extract(text, section="6. Next steps")
    assert [(q.role, q.qualifier) for q in found if q.role == "params"] == [("params", "planned")]


def test_section_title_sets_the_stance() -> None:
    [q] = [q for q in _extract("Runs on 512 GPUs.", section="Planned evaluation") if q.role == "gpus"]
    assert q.qualifier == "planned"


def test_the_nearest_stance_cue_wins() -> None:
    quantities = _extract("We project 175 TFLOP/s per GPU, above the 150 TFLOP/s that PTD-P reports.")
    assert _find(quantities, "tflops_per_gpu", 175).qualifier == "projected"  # type: ignore[union-attr]
    assert _find(quantities, "tflops_per_gpu", 150).qualifier == "baseline"  # type: ignore[union-attr]


def test_long_sentence_quote_is_trimmed_around_the_number() -> None:
    filler = "This clause says nothing about the setup but goes on for a while. "
    sentence = ("words " * 80) + "and the run uses 4,096 GPUs " + ("more words " * 60) + "."
    [q] = _extract(filler + sentence)
    assert q.role == "gpus" and len(q.quote.text) <= 300 and "4,096 GPUs" in q.quote.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We use 8 GPUs, e.g. A100s. Fig. 3 shows a 1.35x gain.", 2),
        ("Narayanan et al. report it, i.e. the bubble shrinks. Then 2.5x more.", 2),
        ("The step takes 21 ms. Gathers take 2.7 ms.", 2),
        ("## Setup\n- 64 GPUs\n- 8 nodes that\nwrap here.\n\nA new paragraph.", 4),
    ],
)
def test_split_sentences(text: str, expected: int) -> None:
    assert len(split_sentences(text)) == expected


def test_extraction_stays_linear_on_adversarial_text() -> None:
    # Inputs that make backtracking patterns explode; these must simply return.
    blobs = ["1" * 20000, "x " * 20000, "1,000," * 5000, "a-" * 20000 + "8 GPUs", "per GPU " * 4000 + "8"]
    for blob in blobs:
        extract_quantities([Paragraph(blob, 1)], "proposal")


def _bench_paragraphs() -> list[Paragraph]:
    files = sorted(BENCH.glob("*/proposal.md"))
    if not files:
        pytest.skip("the bench drafts are not here")
    return [
        Paragraph(block, 1)
        for path in files
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))
        if block.strip()
    ]


def test_bench_drafts_give_sane_quantities() -> None:
    quantities = extract_quantities(_bench_paragraphs(), "proposal")
    assert len(quantities) > 100
    for q in quantities:
        assert q.role in ROLES
        assert q.quote.page == 1 and 0 < len(q.quote.text) <= 300
        if q.role in ("gpu_model", "precision"):
            assert math.isnan(q.value) and q.text
        else:
            assert math.isfinite(q.value) and q.value > 0
        if q.role == "speedup":
            assert 1 <= q.value <= 100
        if q.role in ("mfu", "time_fraction"):
            assert 0 < q.value <= 1
    roles = {q.role for q in quantities}
    assert {"gpus", "nodes", "params", "speedup", "mfu", "tp", "pp", "seq_len", "precision"} <= roles

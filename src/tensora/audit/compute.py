"""From a draft's stated numbers to the analytical models' inputs.

Rules never compute a formula themselves: they ask this module, which reads the quantities a draft
states (with their roles), picks the consistent ones, and calls ``tensora.models``. Every function returns
None when the draft does not state enough to compute.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache

from tensora import rxcache
from tensora.errors import TensoraError
from tensora.extract.claims import Claims
from tensora.extract.profile import mode_of, named_model
from tensora.extract.quantities import Quantity
from tensora.extract.techniques import is_core
from tensora.knowledge.hardware import Device, get_device, normalize_name
from tensora.knowledge.models import ModelShape
from tensora.models.amdahl import amdahl_max_speedup
from tensora.models.memory import model_states_per_gpu_gib
from tensora.models.pipeline import (
    check_divisibility,
    pipeline_bubble_fraction,
    pipeline_bubble_relative_to_ideal,
)


def _int(x: float | None) -> int | None:
    if x is None or math.isnan(x) or x <= 0 or abs(x - round(x)) > 1e-9:
        return None
    return int(round(x))


def sentence_index(c: Claims, q: Quantity) -> int:
    """Index of the sentence a quantity was read from, or -1.

    Extraction gives every quantity its sentence's index. A quantity a rule builds itself from a sentence's
    quote, with no index, is looked up by the start of its quote.
    """
    s = c.sentence_of(q)
    if s is not None:
        return s.index
    head = q.quote.text[:60]
    if q.sentence >= 0 or not head:
        return -1
    text, starts = c.joined()
    at = text.find(head)
    return c.sentences[bisect_right(starts, at) - 1].index if at >= 0 else -1


def near(c: Claims, *quantities: Quantity, span: int = 2) -> bool:
    """True when the quantities were stated within ``span`` sentences of one another (one configuration)."""
    idx = [sentence_index(c, q) for q in quantities]
    return -1 not in idx and max(idx) - min(idx) <= span


def micro_batches(c: Claims) -> float | None:
    """m = B / (b·d), when the global batch, micro-batch size and data-parallel degree are stated."""
    b_glob, b, d = c.value("global_batch"), c.value("micro_batch_size"), c.value("dp")
    if b_glob and b and d:
        m = b_glob / (b * d)
        return m if m >= 1 else None
    return None


def bubble(p: float, m: float, v: float = 1.0) -> float:
    return float(pipeline_bubble_fraction(int(p), max(1, int(m)), int(v)))


def bubble_relative(p: float, m: float, v: float = 1.0) -> float:
    return float(pipeline_bubble_relative_to_ideal(int(p), max(1, int(m)), int(v)))


@dataclass(frozen=True)
class Problem:
    message: str
    pattern: str
    computed: dict[str, float] = field(default_factory=dict)
    inputs: dict[str, object] = field(default_factory=dict)


def _by_sentence(c: Claims, role: str) -> dict[int, list[tuple[int, Quantity]]]:
    """The quantities of a role by the index of their sentence, each with its place in ``c.values(role)``."""
    out: dict[int, list[tuple[int, Quantity]]] = {}
    for k, q in enumerate(c.values(role)):
        out.setdefault(sentence_index(c, q), []).append((k, q))
    return out


def _around(by_sentence: dict[int, list[tuple[int, Quantity]]], hi: int, lo: int, span: int) -> list[Quantity]:
    """The quantities stated within ``span`` sentences of both ``hi`` and ``lo``, in their original order."""
    if lo < 0:
        return []
    found = [kq for i in range(hi - span, lo + span + 1) for kq in by_sentence.get(i, [])]
    return [q for _, q in sorted(found, key=lambda kq: kq[0])]


def divisibility_problems(c: Claims) -> list[Problem]:
    """Every stated (global batch, micro-batch size, DP degree) combination whose split is not whole."""
    problems: list[Problem] = []
    seen: set[tuple[float, float, float]] = set()
    sizes, degrees = _by_sentence(c, "micro_batch_size"), _by_sentence(c, "dp")
    for qg in c.values("global_batch"):
        i = sentence_index(c, qg)
        for qb in _around(sizes, i, i, 4):
            j = sentence_index(c, qb)
            for qd in _around(degrees, max(i, j), min(i, j), 4):
                g, b, d = qg.value, qb.value, qd.value
                if not (_int(g) and _int(b) and _int(d)) or (g, b, d) in seen:
                    continue
                # one configuration: stated together, and a batch at least as large as one step of it; a planned
                # number pairs with a current one only inside one sentence
                planned = {q.qualifier in ("planned", "projected") for q in (qg, qb, qd)}
                span = 0 if len(planned) > 1 else 4
                if g < d * b or not near(c, qg, qb, qd, span=span):
                    continue
                seen.add((g, b, d))
                report = check_divisibility(int(g), int(b), int(d))
                if report.ok:
                    continue
                per_replica = g / d
                m = per_replica / b
                problems.append(
                    Problem(
                        f"With global batch {g:,.0f}, data-parallel degree {d:.0f} and micro-batch size {b:.0f}, "
                        f"each replica gets {per_replica:,.2f} sequences = {m:.2f} micro-batches: not a whole "
                        "number, so the stated batch, micro-batch size and degree cannot all hold.",
                        r"(global )?batch|data[- ]parallel|\bd = |micro-?batch",
                        {"microbatches_per_replica": m},
                        {"global_batch": g, "micro_batch_size": b, "dp": d},
                    )
                )
    problems.extend(_replicas_after_resize(c))
    ql, qp = c.values("layers"), c.values("pp")
    layers = _int(ql[0].value) if ql else None
    p = _int(qp[0].value) if qp else None
    v = _int(c.value("virtual_stages")) or 1
    # a draft whose partitioner splits the layers unevenly on purpose has answered the question
    uneven = c.has_cue("uneven_stage_split")
    if layers and p and p > 1 and layers % (p * v) and near(c, ql[0], qp[0], span=3) and not uneven:
        p = p * v  # an interleaved schedule splits the layers into p x v chunks
        problems.append(
            Problem(
                f"{layers} layers do not split evenly over {p} pipeline stages ({layers / p:.2f} per stage): "
                "the heaviest stage sets the pace.",
                r"layers|stages",
                {"layers_per_stage": layers / p},
                {"layers": layers, "pp": p},
            )
        )
    return problems


def _replicas_after_resize(c: Claims) -> list[Problem]:
    """Data parallelism across nodes (the degree equals the node count) resized to a planned node count with the
    same global batch: the batch must split over the new number of replicas ("resume on the remaining 30 nodes with
    the same global batch of 1,024 sequences")."""
    degrees = {q.value for q in c.values("dp") if q.qualifier not in ("planned", "projected")}
    nodes = [q for q in c.values("nodes") if q.qualifier not in ("planned", "projected")]
    if not any(q.value in degrees for q in nodes):
        return []  # the replicas are not one per node
    out: list[Problem] = []
    current = {q.value for q in nodes}
    for m in c.cue_spans("resumes_on_nodes"):
        d = int(m.groups["nodes"].replace(",", ""))
        if d in current:
            continue
        for qg in c.values("global_batch"):
            g = _int(qg.value)
            if not g or g < d or g % d == 0 or sentence_index(c, qg) != m.sentence.index:
                continue
            out.append(
                Problem(
                    f"Data parallelism runs one replica per node, so on {d} nodes the global batch of {g:,} gives "
                    f"{g / d:,.2f} sequences per replica: not a whole number, so the same global batch cannot be "
                    "kept on the resized job.",
                    r"(global )?batch|nodes",
                    {"sequences_per_replica": g / d},
                    {"global_batch": g, "dp": d},
                )
            )
    return out


def amdahl(fraction: float, local: float = math.inf) -> float:
    return float(amdahl_max_speedup(fraction, local))


def device(c: Claims) -> Device | None:
    """The accelerator the draft names first that the hardware catalog knows."""
    return _first_device(tuple(c.texts("gpu_model")))


@cache
def _first_device(names: tuple[str, ...]) -> Device | None:
    for name in names:
        try:
            return get_device(name)
        except TensoraError:
            continue
    return None


def params(c: Claims) -> float | None:
    """The model size of the configuration the draft runs or claims, preferring non-planned sizes."""
    sizes = [q for q in c.values("params") if not math.isnan(q.value) and q.value >= 1e7]
    current = [q.value for q in sizes if q.qualifier not in ("planned", "projected")]
    pool = current or [q.value for q in sizes]
    return max(pool) if pool else None


def gpus(c: Claims) -> float | None:
    """The GPU count of the configuration the draft describes, preferring it over planned scale-ups."""
    stated = [q for q in c.values("gpus") if not math.isnan(q.value)]
    current = [q.value for q in stated if q.qualifier not in ("planned", "projected")]
    counts = current or [q.value for q in stated]
    nodes, per_node = c.max_value("nodes"), c.value("gpus_per_node")
    if nodes and per_node and not current:
        counts.append(nodes * per_node)
    return max(counts) if counts else None


def is_training(c: Claims) -> bool:
    """Whether the draft is about training, by the profile's weighing of the whole draft: an inference
    system that mentions how its model was fine-tuned is still an inference system."""
    return mode_of(c).value == "training"


@dataclass(frozen=True)
class States:
    gib: float
    explain: str
    inputs: dict[str, object]


# states sharded inside a node and replicated across nodes, however the draft names it
_NODE_LOCAL = (
    r"shard\w*[^.]{0,80}\b(only )?(across|within|inside|among|over) (the )?(\d+|eight|four) gpus of (a|each|one|the) "
    r"(node|server)|sharding group\s*=\s*(a |one |the )?node|intra-?node shard"
)


def sharding_stated(c: Claims) -> bool:
    """Whether the draft says how model states are held: replicated, sharded (a ZeRO stage, FSDP) or offloaded."""
    return (
        c.has(_REPLICATED)
        or c.has(_NODE_LOCAL)
        or c.uses("hybrid-sharding", "zero-3", "fsdp", "zero-2", "zero-1", "cpu-offload", "data-parallelism")
    )


_REPLICATED = (
    r"plain data parallel|\bDDP\b|no sharding|without sharding|replicat\w+ (the )?(whole|full|entire)"
    r"|\bZeRO[- ](stage[- ])?0\b"
)


def sharding(c: Claims) -> str:
    """How the draft shards model states: none, zero1, zero2, zero3 or fsdp-hybrid."""
    if c.has(_REPLICATED):
        return "none"
    if c.uses("hybrid-sharding") or c.has(_NODE_LOCAL):
        return "fsdp-hybrid"
    if c.uses("zero-3", "fsdp"):
        return "zero3"
    if c.uses("zero-2"):
        return "zero2"
    if c.uses("zero-1"):
        return "zero1"
    return "none"


# "a single GPU", "one H100", "a single 80GB A100": the device is what extraction recognised in the sentence
_ONE = rxcache.compile(r"\b(?:a single|single|one)\s+(?P<words>[\w-]+(?:[- ][\w-]+)?)", re.I)


def _one_device(c: Claims, i: int) -> bool:
    """Whether sentence ``i`` speaks of one device: one GPU, or one of an accelerator named in it."""
    names = {normalize_name(q.text) for q in c.values("gpu_model") if sentence_index(c, q) == i}
    for m in _ONE.finditer(c.sentences[i].text):
        for word in re.split(r"[- ]", m.group("words")):
            if word.lower() == "gpu" or (len(word) > 1 and any(n.startswith(normalize_name(word)) for n in names)):
                return True
    return False


def configuration(c: Claims) -> tuple[float, float] | None:
    """(params, GPUs) stated together in one sentence: "a 70B model on 64 A100s", the claim a draft makes.

    When a sentence names several model sizes ("fine-tuning 7B ... makes 70B fit on one node"), the largest is
    the claim that has to fit.
    """
    by_sentence: dict[int, list[float]] = {}
    for q in c.values("params"):
        if not math.isnan(q.value) and q.value >= 1e7:
            by_sentence.setdefault(sentence_index(c, q), []).append(q.value)
    for i, sizes in sorted(by_sentence.items()):
        if i < 0:
            continue
        for g in c.values("gpus") + c.values("gpus_per_node"):
            if not math.isnan(g.value) and sentence_index(c, g) == i:
                return max(sizes), g.value
        if _one_device(c, i):
            return max(sizes), 1.0
    return None


def model_states(c: Claims, *, stated_together: bool = False) -> States | None:
    """Model states per GPU (ZeRO's 16 bytes per parameter for mixed-precision Adam).

    With ``stated_together`` only a model size and GPU count from the same sentence are used.
    """
    n = params(c)
    total = gpus(c)
    if stated_together:
        pair = configuration(c)
        # a size and a GPU count alone do not make a configuration: without a word on how the states are held,
        # the draft may well shard them (every large run does), and the count would be a guess
        if pair is None or not sharding_stated(c):
            return None
        n, total = pair
    if n is None or not is_training(c) or c.uses("mixture-of-experts"):
        return None
    tp = _same_model_degree(c, "tp", n) or 1
    pp = _same_model_degree(c, "pp", n) or 1
    mode = sharding(c)
    if total is None:
        total = float(tp * pp)
    dp = max(1, int(total) // (tp * pp))
    group = int(c.value("gpus_per_node") or 8) if mode == "fsdp-hybrid" else None
    if group is not None and dp % group:
        group = dp
    # CPU offload in the ZeRO-Offload style keeps only the 16-bit parameters on the GPU
    offload = c.uses("cpu-offload") and not c.rejects("cpu-offload")
    try:
        value = model_states_per_gpu_gib(
            n,
            dp=dp,
            tp=tp,
            pp=pp,
            sharding=mode,
            shard_group=group,
            param_bytes=2.0 if offload else None,
            grad_bytes=0.0 if offload else None,
            optimizer_bytes=0.0 if offload else None,
        )
    except TensoraError:
        return None
    if offload:
        explain = f"{n / 1e9:,.3g}B parameters x 2 B left on the GPU by CPU offload, {mode} over dp = {dp}"
    else:
        explain = f"{n / 1e9:,.3g}B parameters x 16 B (ZeRO's count), {mode} over dp = {dp}"
    if tp * pp > 1:
        explain += f", split over tp x pp = {tp * pp}"
    return States(
        float(value),
        explain,
        {"params": n, "dp": dp, "tp": tp, "pp": pp, "sharding": mode, "bytes_per_param": 2 if offload else 16},
    )


def setting_profile(c: Claims) -> dict[str, object]:
    """The draft's configuration in numbers, whether or not a finding needs them.

    Model states and activations per GPU against the device's capacity, the arithmetic intensity of the
    layer's largest GEMM (the MLP up-projection of one micro-batch), and the pipeline bubble when the draft
    pipelines. Each entry holds its inputs, so a reader can recompute it. Missing inputs leave entries out.
    """
    from tensora.models.memory import activation_memory_per_gpu_gib
    from tensora.models.roofline import gemm_intensity

    out: dict[str, object] = {}
    dev = device(c)
    dtype = "bf16"
    texts = [t.lower() for t in c.texts("precision")]
    for p in ("fp8", "fp16", "bf16"):
        if p in texts:
            dtype = p
            break
    if dev is not None:
        out["device"] = dev.id
        out["capacity_gib"] = dev.memory_gib
    out["dtype"] = dtype
    states = model_states(c)
    if states is not None:
        out["model_states_per_gpu_gib"] = states.gib
        out["model_states_inputs"] = states.inputs
    seq, b = _int(c.value("seq_len")), _int(c.value("micro_batch_size")) or 1
    hidden, heads, layers = _int(c.value("hidden")), _int(c.value("heads")), _int(c.value("layers"))
    tp, pp = _int(c.value("tp")) or 1, _int(c.value("pp")) or 1
    if seq and hidden and heads and layers and layers % pp == 0 and hidden % tp == 0:
        sp = c.uses("sequence-parallelism")
        # a fused attention kernel never stores the s x s scores: the same memory as selective recomputation
        recompute = (
            "full"
            if c.uses("activation-recomputation") and not c.rejects("activation-recomputation")
            else ("selective" if c.uses("flashattention", "selective-recomputation") else "none")
        )
        try:
            acts = activation_memory_per_gpu_gib(
                seq, b, hidden, heads, layers, tp=tp, pp=pp, sequence_parallel=sp, recompute=recompute
            )
            out["activations_per_gpu_gib"] = float(acts)
            out["activation_inputs"] = {
                "seq_len": seq,
                "micro_batch": b,
                "hidden": hidden,
                "heads": heads,
                "layers": layers,
                "tp": tp,
                "pp": pp,
                "sequence_parallel": sp,
                "recompute": recompute,
            }
        except TensoraError:
            pass
        tokens, n_out = seq * b, 4 * hidden // tp
        ai = gemm_intensity(tokens, n_out, hidden, dtype_bytes=1 if dtype == "fp8" else 2)
        out["gemm"] = {
            "label": "MLP up-projection",
            "M": tokens,
            "N": n_out,
            "K": hidden,
            "arithmetic_intensity": float(ai),
        }
    claims = [q.value for q in c.values("tflops_per_gpu") if q.qualifier != "baseline" and q.value > 0]
    if claims and dev is not None:
        try:
            out["mfu"] = max(claims) / (dev.peak_flops(dtype) / 1e12)
        except TensoraError:
            pass
    m = c.value("micro_batches") or micro_batches(c)
    if pp > 1 and m:
        v = _int(c.value("virtual_stages")) or 1
        out["pipeline"] = {
            "stages": pp,
            "microbatches": int(m),
            "virtual": v,
            "pipeline_bubble_fraction": bubble(pp, m, v),
        }
    return out


_CONCURRENCY = rxcache.compile(
    r"(\d[\d,]*)\s+(?:concurrent|simultaneous|in-?flight|parallel|active)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:requests|sequences|users|streams|conversations|sessions|chats)|"
    # an engine's own cap: "max_num_seqs=96", "max_running_requests = 256"
    r"max_num_seqs`?\s*=\s*(\d[\d,]*)|max_running_requests`?\s*=\s*(\d[\d,]*)|"
    r"batch(?:es)?\s+(?:of\s+)?(\d[\d,]*)\s+(?:concurrent\s+)?(?:requests|sequences)|"
    r"batch size (?:of\s+|=\s*)?(\d[\d,]*)|"
    # "a decode-only iteration (batch 96, mean context 2,048 tokens)"
    r"\((?:decode\s+)?batch\s+(\d[\d,]*)\s*,",
    re.I,
)
_KV_HEADS = rxcache.compile(r"(\d+)\s+(?:kv|key[- ]value)\s+heads|(?:kv|key[- ]value)\s+heads\s*(?:=|of)\s*(\d+)", re.I)
_WEIGHT_BYTES = {"int4": 0.5, "int8": 1.0, "fp8": 1.0}
_LOAD_CONTEXT = rxcache.compile(r"\b(\d[\d,]*(?:\.\d+)?)\s*([KkM])?-token\b")


def _token_count(m: re.Match[str]) -> int:
    scale = {"k": 1024, "m": 1024 * 1024}.get((m.group(2) or "").lower(), 1)
    return int(float(m.group(1).replace(",", "")) * scale)


def _same_model_degree(c: Claims, role: str, model_params: float) -> int | None:
    """A parallel degree stated for this model, not for another size the draft plans ("70B with 4-way TP")."""
    fallback: int | None = None
    for q in c.values(role):
        i = sentence_index(c, q)
        sizes = [p.value for p in c.values("params") if sentence_index(c, p) == i and not math.isnan(p.value)]
        # a degree in a sentence that names this very model belongs to it, planned or not ("we plan to train
        # 175B with tensor parallel 8"); one in a sentence without a size only when no sentence names the model
        # with a degree, and when it is not a plan
        # "P = 8 (... a stage's 2.75B parameters ...)": a size that is the model's share of the degree is the model
        if model_params in sizes or any(abs(size * q.value - model_params) <= 0.05 * model_params for size in sizes):
            return _int(q.value)
        if fallback is None and q.qualifier not in ("planned", "projected") and not sizes:
            fallback = _int(q.value)
    return fallback


@dataclass(frozen=True)
class Serving:
    weights_gib: float
    kv_gib: float
    inputs: dict[str, object]

    @property
    def total_gib(self) -> float:
        return self.weights_gib + self.kv_gib


def serving_memory(c: Claims) -> Serving | None:
    """Weights plus KV cache of an inference configuration, per GPU, when the draft states enough to compute it.

    KV cache after ``kv_cache_gib``: 2 x layers x KV heads x head dim x context x concurrent sequences x bytes.
    Without a stated KV-head count the model is taken as multi-head (KV heads = heads), unless the draft names
    grouped-query or multi-query attention, in which case nothing is computed.
    """
    from tensora.models.memory import kv_cache_gib

    if is_training(c) and not c.uses("kv-cache", "paged-attention", "continuous-batching"):
        return None
    if c.uses_core("kv-cache-eviction"):
        return None  # a draft that evicts KV holds a fraction of it: the full cache is not what stays resident
    if c.uses_core("kv-cache-offload") or any(is_core(s) for s in c.cue("kv_cache_in_host_memory")):
        return None  # a KV tier in host memory: the device holds a share of the cache, not all of it
    n, layers, hidden, heads = params(c), _int(c.value("layers")), _int(c.value("hidden")), _int(c.value("heads"))
    seq = _int(c.value("seq_len"))
    shape = model_shape(c)
    if shape is not None:
        # the published shape of the model the draft names fills what the draft leaves out; a size far from the
        # named model's belongs to another model the draft mentions ("unlike 70B deployments ...")
        if n and not (shape.params / 1.5 <= n <= shape.params * 1.5):
            n = None
        n, layers, hidden = n or shape.params, layers or shape.layers, hidden or shape.hidden
        heads = heads if heads and hidden % heads == 0 and heads != shape.kv_heads else shape.heads
    if not (n and layers and hidden and seq) or (heads and hidden % heads):
        return None
    # multi-head attention caches K and V of the full hidden width per layer, whatever the head count
    heads_known, heads = bool(heads), heads or 1
    loads = [
        (int(next(g for g in m.groups() if g).replace(",", "")), m.group(0)) for m in _CONCURRENCY.finditer(c.text)
    ]
    if not loads:
        return None
    batches = [b for b, _ in loads]
    # "48 concurrent 128K-token requests": the load names its own context, which the cache must hold
    own = [_token_count(m) for b, text in loads if b == max(batches) for m in [_LOAD_CONTEXT.search(text)] if m]
    # "(batch 64, mean context 4,096 tokens)": a context stated in the load's own sentence goes with it
    beside = [
        q.value
        for q in c.values("seq_len")
        if q.value > 0 and any(text in q.quote.text for b, text in loads if b == max(batches))
    ]
    seq = max(own) if own else int(max(beside)) if beside else seq
    kv_heads = heads
    m = _KV_HEADS.search(c.text)
    if m:
        kv_heads = int(m.group(1) or m.group(2))
    elif shape is not None:
        kv_heads = shape.kv_heads
    elif c.uses("grouped-query-attention") and not c.rejects("grouped-query-attention"):
        return None
    tp = _same_model_degree(c, "tp", n) or 1
    precision = weight_format(c)
    batch = max(batches)
    kv_bytes = kv_cache_bytes(c)
    kv = float(kv_cache_gib(layers, kv_heads, hidden // heads, seq, batch, dtype_bytes=kv_bytes, tp=tp))
    weights = n * _WEIGHT_BYTES.get(precision, 2.0) / tp / 2**30
    inputs: dict[str, object] = {
        "params": n,
        "layers": layers,
        "kv_heads": kv_heads,
        "head_dim": hidden // heads,
        "kv_width": kv_heads * (hidden // heads),
        "context": seq,
        "concurrent_sequences": batch,
        "tp": tp,
        "weight_format": precision,
        "kv_bytes_per_element": kv_bytes,
    }
    if not heads_known:
        del inputs["kv_heads"], inputs["head_dim"]
    return Serving(weights, kv, inputs)


_TIME = rxcache.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(ms|us|µs|s)\b")
_TIME_UNIT = {"ms": 1e-3, "us": 1e-6, "µs": 1e-6, "s": 1.0, "min": 60.0, "h": 3600.0}


def seconds(value: str | float, unit: str) -> float:
    """A duration the draft states, in seconds ("0.30", "ms" -> 3e-4)."""
    return float(value) * _TIME_UNIT[unit]


def times_in(text: str) -> list[float]:
    """Every duration a sentence states, in seconds ("about 1.4 ms", "0.42 ms", "2 s")."""
    return [seconds(m.group(1), m.group(2)) for m in _TIME.finditer(text)]


_COLLECTIVE = rxcache.compile(
    r"all-to-all|alltoall|dispatch|combine|all-gather|allgather|reduce-scatter|all-reduce|"
    r"\bsends?\b|exchange|transfer",
    re.I,
)
_A2A = rxcache.compile(r"all-to-all|alltoall|dispatch|combine", re.I)


def collective_in(text: str) -> str:
    """The collective a sentence speaks of: "all-to-all", "ring" (gathers, reductions, sends) or ""."""
    if _A2A.search(text):
        return "all-to-all"
    return "ring" if _COLLECTIVE.search(text) else ""


def active_params(c: Claims) -> float | None:
    """The parameters a token passes through: the active count of a mixture of experts, else the model size."""
    active = [q.value for q in c.values("params") if q.qualifier == "active" and q.value >= 1e7]
    if active:
        return max(active)
    if c.uses("mixture-of-experts"):
        return None  # a total size would overcount a sparse model's FLOPs
    return params(c)


def seq_near(c: Claims, q: Quantity, span: int = 2) -> float | None:
    """The sequence length stated within ``span`` sentences of a quantity, else the draft's only one."""
    i = sentence_index(c, q)
    lengths = [s for s in c.values("seq_len") if s.value > 0]
    close = [s.value for s in lengths if i >= 0 and abs(sentence_index(c, s) - i) <= span]
    if close:
        return max(close)
    values = {s.value for s in lengths}
    return values.pop() if len(values) == 1 else None


def model_shape(c: Claims) -> ModelShape | None:
    """The published shape of the model the draft runs: the first one its own sentences name (not its related
    work); read once, by the profile."""
    found = named_model(c)
    return found[0] if found is not None else None


_KV_SENTENCE = re.compile(r"\bkv\b|key[- ]value|keys and values|\bcache\b", re.I)
_KV_FORMAT = (
    (re.compile(r"\b(?:2[- ]bits?|int2)\b", re.I), 0.25),
    (re.compile(r"\b(?:3[- ]bits?|int3)\b", re.I), 0.375),
    (re.compile(r"\b(?:4[- ]bits?|int4|fp4|nf4)\b", re.I), 0.5),
    (re.compile(r"\b(?:8[- ]bits?|int8|fp8)\b", re.I), 1.0),
)


def kv_cache_bytes(c: Claims) -> float:
    """Bytes per cached element: the narrowest format the draft's own KV-cache sentences give, else 16 bits,
    with the metadata of its quantization groups on top when the draft states them (its own count of metadata
    bits, else a 16-bit scale per group, 32 bits with a zero point, over the group size it states).

    Without a stated group the narrowest format is a lower bound on memory, so a configuration that does not fit
    with it does not fit at all."""
    found = [
        size
        for s in c.sentences
        if is_core(s) and _KV_SENTENCE.search(s.text)
        for rx, size in _KV_FORMAT
        if rx.search(s.text)
    ]
    if not found:
        return 2.0
    size = min(found)
    if size < 2.0:
        stated = c.cue_spans("quantization_metadata_bits")
        groups = c.cue_spans("quantization_group_size")
        if stated:
            size += float(stated[0].groups["bits"]) / 8
        elif groups and int(groups[0].groups["size"]) > 0:
            per_group = 32.0 if c.has_cue("asymmetric_quantization") else 16.0
            size += per_group / int(groups[0].groups["size"]) / 8
    return size


_WEIGHT_SENTENCE = re.compile(r"\bweights?\b|\bw[48]a(?:16|8)\b|quantized model|model in", re.I)
_WEIGHT_FORMAT = (
    ("int4", re.compile(r"\b(?:int4|4[- ]bit|w4a\d+|awq|gptq)\b", re.I)),
    ("int8", re.compile(r"\b(?:int8|8[- ]bit|w8a\d+)\b", re.I)),
    ("fp8", re.compile(r"\bfp8\b", re.I)),
)


def weight_format(c: Claims) -> str:
    """The format the served weights are in: a low-bit format named in a core sentence about the weights or the
    model, else 16 bits (a KV-cache or activation format says nothing about the weights)."""
    for s in c.sentences:
        if not is_core(s) or not _WEIGHT_SENTENCE.search(s.text) or _KV_SENTENCE.search(s.text):
            continue
        for name, rx in _WEIGHT_FORMAT:
            if rx.search(s.text):
                return name
    return "fp16"

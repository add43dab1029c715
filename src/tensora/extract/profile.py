"""``DraftProfile``: what a draft proposes, as data, each field with the sentence it came from.

Read from the draft's ``Claims`` (sentences, techniques, quantities) and the baseline's: the draft's name for
its system; the component it changes (the technique it leans on, new to the baseline where possible); what of
the baseline it replaces, keeps or adds to (mechanism A -> mechanism B); the headline claim with its metric
typed (end-to-end throughput or step time, capacity, communication volume, memory, latency, accuracy, energy,
cost); the knob a draft sets to a value, if its contribution is a setting; scale, model, hardware, precision,
and whether it is about training or inference. The title, abstract and contributions weigh more than the body.
Every field carries its source sentence (text, page, section, index) and a confidence in [0, 1].

The Mirror, the delta audit and the prior-work query read the profile instead of the text.

Does not: resolve pronouns ("it", "this scheme"), read figures or tables' captions as claims, or decide what a
metric is from a number alone (a ratio with no metric word near it stays untyped and is never the headline).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from tensora import rxcache
from tensora.extract.claims import Claims
from tensora.extract.quantities import Quantity
from tensora.extract.sentences import Sentence
from tensora.extract.techniques import TechniqueUse, is_core, is_elsewhere
from tensora.knowledge.knobs import Knob, load_knobs
from tensora.knowledge.models import ModelShape, find_model

Metric = Literal[
    "step_time",
    "throughput",
    "capacity",
    "comm_volume",
    "memory",
    "latency",
    "accuracy",
    "energy",
    "cost",
    "kernel_time",
]
Mode = Literal["training", "inference", ""]

# What each metric is called in a draft. Longer phrases first within a metric; matching is on word starts.
# The order between metrics breaks ties at the same distance from the number.
_METRIC_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "comm_volume",
        (
            "communication volume",
            "volume",
            "traffic",
            "bytes sent",
            "bytes on the wire",
            "bytes transferred",
            "messages",
            "all-to-all",
            "all-reduce",
            "communication",
        ),
    ),
    (
        "capacity",
        (
            "concurrent",
            "concurrency",
            "in flight",
            "in-flight",
            "batch size",
            "larger batch",
            "capacity",
            "requests at once",
            "sequences",
            "requests",
            "users",
            "context length",
            "longer context",
            "longer sequences",
            "fits",
            "larger model",
        ),
    ),
    ("memory", ("memory", "footprint", "bytes per parameter", "gib", "gb of", "hbm", "kv cache size", "kv-cache size")),
    (
        "latency",
        (
            "latency",
            "time to first token",
            "time-to-first-token",
            "ttft",
            "tpot",
            "p99",
            "p50",
            "tail",
            "response time",
            "decode time",
            "time per output token",
        ),
    ),
    ("energy", ("energy", "power", "joules", "watts", "carbon")),
    ("cost", ("cost", "dollar", "price", "gpu-hours", "gpu hours", "$")),
    ("accuracy", ("accuracy", "perplexity", "loss", "quality", "score", "bleu", "rouge", "win rate")),
    ("kernel_time", ("kernel", "operator", "gemm", "matmul")),
    (
        "step_time",
        (
            "step time",
            "iteration time",
            "training time",
            "time to train",
            "time-to-accuracy",
            "wall-clock",
            "job completion time",
            "jct",
            "makespan",
            "completion time",
        ),
    ),
    (
        "throughput",
        (
            "throughput",
            "tokens/s",
            "tokens per second",
            "samples/s",
            "samples per second",
            "faster",
            "speedup",
            "speed-up",
            "speeds up",
            "end-to-end",
            "quicker",
            "sooner",
        ),
    ),
)
_METRIC_SIZES = frozenset(len(w.split()) for _, words in _METRIC_WORDS for w in words)
_UP = (
    "more",
    "higher",
    "increase",
    "raise",
    "larger",
    "bigger",
    "faster",
    "speedup",
    "speed-up",
    "boost",
    "improv",
    "up to",
    "gain",
    "greater",
    "longer",
)
_DOWN = (
    "reduc",
    "cut",
    "lower",
    "fewer",
    "less",
    "smaller",
    "shrink",
    "saves",
    "saving",
    "decreas",
    "drop",
    "lowers",
    "halv",
    "trim",
    "slash",
    "fall",
)
# a benefit is "up" for these, "down" for the rest
_HIGHER_IS_BETTER = frozenset({"throughput", "capacity", "accuracy"})
_RATIO = rxcache.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:x|×|-fold|\s?times)(?![\w])"
    # "256 x H100", "8 x 400 Gb/s", "32 x 8 GPUs": a count of things, not a ratio
    r"(?!\s*(?:[A-Z]{1,4}\d|\d|GPUs?\b|nodes?\b|NICs?\b|cards?\b|devices?\b|servers?\b))"
    r"|(?<![\w.])(\d+(?:\.\d+)?)\s*%",
    re.I,
)
_WORD = rxcache.compile(r"[\w/$+-]+(?:[\s-]+[\w/$+-]+)*")
# Section weights: where the draft states what it is about.
_HEADLINE_SECTIONS = rxcache.compile(r"abstract|contribution|summary|tl;?dr|overview", re.I)
_INTRO = rxcache.compile(r"introduction|motivation|key idea|key insight", re.I)
_RESULTS = rxcache.compile(r"result|evaluation|experiment", re.I)
_METRIC_PRIORITY = {
    "throughput": 1.0,
    "step_time": 1.0,
    "latency": 0.9,
    "capacity": 0.8,
    "comm_volume": 0.7,
    "energy": 0.7,
    "memory": 0.65,
    "cost": 0.6,
    "kernel_time": 0.55,
    "accuracy": 0.3,
}
_SETTING_FAMILIES = frozenset({"precision", "hardware", "optimization"})
_BASELINE_SUBJECT = rxcache.compile(r"\b(the baseline|baseline's|prior work|previous work|existing systems?)\b", re.I)

# Knobs an existing system exposes (a contribution that sets one to a value is a configuration change) are data:
# knowledge/data/knobs.yaml.
_SET_VERB = rxcache.compile(
    # verbs, not their nouns: "KV page selection" or "a configuration" sets nothing
    r"\b(set(?:s|ting)?|choos\w+|chosen|chose|pick(?:s|ed|ing)?|select(?:s|ed|ing)?|(?<!fine-)tun(?:e|es|ed|ing)|raise[sd]?|"
    r"rais\w+|lower\w*|increas\w+|decreas\w+|doubl\w+|halv\w+|sweep\w*|configur(?:e|es|ed|ing)|"
    r"from \d[\d,.]*\s*(?:\w+\s)?to|of \d|=\s*\w+|to \d|"
    r"fewer|larger|smaller|deeper|shallower)\b",
    re.I,
)
# "we set the KV block to 256 tokens", "setting the prefetch depth to 3": a knob and its value in one phrase
_SET_TO = rxcache.compile(
    r"\b(?:[Ww]e |[Ii]t )?(?:set|sets|setting|fix|fixes|raise|raises|lower|lowers)\s+(?:the|its|our|each)\s+"
    r"((?:[\w`-]+\s+){0,2}[\w`-]+?)\s+(?:to|at)\s+(?:\d[\d,.]*|one|two|three|four|eight|sixteen)\b"
)
# a value given next to a knob's name: "prefetch depth 3", "limit_all_gathers=False", "16x256 tiles", "r = 0.6"
_VALUE_AFTER = rxcache.compile(
    r"^[\w`'-]{0,12}\s*(?:=|:|of|to|at|from|is|was|set to)?\s*(?:\d|true\b|false\b|on\b|off\b|enabled|disabled|"
    r"(?:a |one |the )?(?:node|rack|host|socket)\b|"
    r"one|two|three|four|eight|sixteen|\b[a-z]\s*=|(?<![\w-])[a-z](?=[\s,)]))",
    re.I,
)
_VALUE_BEFORE = rxcache.compile(
    r"(?:\d[\d,.]*\s*(?:x\s*\d+|[a-z]{0,2})|one|two|three|four|eight)[\s-]+(?:[\w-]+[\s-]+)?$", re.I
)
# "an instance is a TP=4 replica": a value inside a noun phrase describes the setup; it sets nothing
_ARTICLE_BEFORE = rxcache.compile(r"\b(?:a|an|the|each|every|one|per)\s+[\w-]+\s*$", re.I)
_NOUN_AFTER = rxcache.compile(r"\s+[a-z]")


def _attribute(text: str, m: re.Match[str]) -> bool:
    """Whether a set-verb match is an ``=`` inside a noun phrase ("a TP=4 replica"), not a setting."""
    return (
        m.group(0).lstrip().startswith("=")
        and _ARTICLE_BEFORE.search(text[max(0, m.start() - 40) : m.start()]) is not None
        and _NOUN_AFTER.match(text, m.end()) is not None
    )


_NOT_KNOBS = frozenset({"model", "gpus", "gpu", "nodes", "baseline", "accuracy", "loss", "learning", "rate", "seed"})
_NEW_MECHANISM = rxcache.compile(
    r"\b(new (mechanism|algorithm|protocol|format|scheduler|schedule|kernel|data ?structure|policy|router|cache)|"
    r"we (design|introduce|propose) an? (new|novel)|replac(e|es|ed|ing)\b.* with|novel)\b",
    re.I,
)
_KEEP = rxcache.compile(
    r"\b(unchanged|untouched|unmodified|as[- ]is|as (it|they) (is|are)|remains? in place|intact|kept as|"
    r"stays? the same|left alone|"
    r"(do|does|did) not (change|modify|alter|touch)|without (changing|modifying|touching)|"
    r"orthogonal|complementary to|independent of the|on top of|leaves? [\w\s'-]{0,40}(alone|as it is)|"
    # "failures are still handled by CheckFreq": the baseline keeps its job, the draft takes another
    r"(still|continue to be|remain) (handled|done|managed|covered|provided|taken care of) by|"
    # "it adds no new training mechanism: it drives Varuna's existing morphing"; "we do not claim a new ..."
    r"(adds?|introduces?|needs?) no new (\w+ ){0,2}mechanism|(do|does) not claim a new|"
    r"(drives?|reuses?|keeps?|leaves?) [\w-]+'s existing)\b",
    re.I,
)
_ADD = rxcache.compile(r"\b(on top of|in addition to|adds?|added|augments?|extends?|layer(s|ed)? over)\b", re.I)
_REPLACE = rxcache.compile(r"\breplac\w+ ([^,.;:]{3,80}?) (?:with|by) ([^.;:]{3,160})", re.I)
_REPLACED_BY = rxcache.compile(r"\b([^,.;:]{3,80}?) (?:is|are) replaced (?:with|by) ([^.;:]{3,160})", re.I)
_INSTEAD = rxcache.compile(r"\b(?:instead of|rather than) ([^,.;:]{3,80})", re.I)
_FORMAT_ONLY = rxcache.compile(r"\s*(?:fp|bf|int|tf|e[45]m)\d+\b", re.I)
# "replaces the spine with an optical switch and reconfigures it twice per step": the second verb of the subject
# ends what it puts in place
_SECOND_VERB = rxcache.compile(r"\s+and\s+(?:then\s+)?[a-z]+s\s+(?=(?:it|them|the|its|their|each|every|all)\b)")
# "Tempo is a drop-in replacement for PolluxSched and we believe it is ready": a clause with its own subject is
# no longer about what the system is
_NEW_SUBJECT = rxcache.compile(r",?\s+(?:and|but|while|so)\s+(?:we|our|it is|this is|they)\b")
# "we build all of them at start-up": a phrase that points back at something named earlier names no mechanism
_POINTS_BACK = rxcache.compile(
    r"^(?:(?:all|each|both|some|most|many|one|two|several)\s+(?:of\s+)?)?(?:it|them|these|those|this|that)\b", re.I
)
_PROPOSE = rxcache.compile(r"\bwe (?:propose|introduce|present|design|build|describe)\s+([^.;:]+)", re.I)
_NAME_AFTER = rxcache.compile(
    r"\b(?:[Ww]e (?:propose|present|introduce|build|design|call (?:it|this|our \w+))|called|named|dubbed)\s+"
    r"(?:(?:a|an|the|our|it)\s+)?(?:\w+\s+){0,3}?((?:[A-Z][a-z0-9]*){1,2}[A-Z][\w-]*|[A-Z]{3,}[\w-]*)"
)
_NAME_TOKEN = rxcache.compile(
    r"(?<![\w-])([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+|[A-Z]{2,}[a-z][\w]*|[A-Z]{4,})(?![\w-])"
)
_COMMON_CAPS = frozenset(
    "GPU GPUS CPU CPUS HBM SRAM DRAM NVLINK NCCL CUDA PTX MFU TFLOP TFLOPS FLOP FLOPS LLM LLMS API RDMA NIC "
    "TPU TPUS FP32 FP16 BF16 FP8 INT8 INT4 KV MLP SGD ADAM GEMM MOE AMD HPC PCIE SXM DGX HGX IEEE ACM AWS "
    # vendors and organisations: the company whose GPUs a draft runs on is never its system's name
    "NVIDIA INTEL GOOGLE MICROSOFT META OPENAI AZURE GCP IBM ARM HUAWEI ALIBABA BAIDU TENCENT BYTEDANCE".split()
)
_MODEL = rxcache.compile(
    r"\b((?:GPT|Llama|LLaMA|Mixtral|Mistral|OPT|BERT|T5|Falcon|Qwen|DeepSeek|Gemma|PaLM|BLOOM|Phi|ViT|Switch|"
    r"Megatron|Yi|Grok)[\w.-]*(?:\s?\d+(?:\.\d+)?[BMT]\b)?)"
)
_TRAIN_WORDS = rxcache.compile(r"\b(train\w*|fine-?tun\w*|optimi[sz]er|backward|gradient\w*|pre-?train\w*)\b", re.I)
_INFER_WORDS = rxcache.compile(
    r"\b(inference|serv(?:e|es|ing)|decod\w+|prefill|requests?|generation|llm serving|time to first token|"
    r"ttft|tpot|kv[- ]cache)\b",
    re.I,
)

_COMPONENT = {
    "parallelism": "how the model and its work are split across GPUs",
    "memory": "how model states and activations are held in device memory",
    "communication": "the gradient and parameter communication path",
    "compression": "the volume of data exchanged between workers",
    "attention": "the attention kernel",
    "kernels": "the GPU kernels",
    "moe": "expert routing and execution in the MoE layers",
    "sparsity": "weight sparsity and the kernels that exploit it",
    "quantization": "the numeric format of weights, activations or cached state",
    "precision": "the numeric precision of the arithmetic",
    "compilers": "the compilation of the model graph",
    "inference": "the serving path",
    "fault-tolerance": "checkpointing and failure recovery",
    "scheduling": "how jobs share the cluster",
    "optimization": "the optimizer",
    "hardware": "the hardware mapping",
    "data": "the input pipeline that feeds the GPUs",
}


# techniques whose family names the wrong component ("sequence packing" is filed under attention for its masks)
_TECHNIQUE_COMPONENT = {
    "sequence-packing": "how training batches are packed and fed",
    "async-rl-rollout": "how RL post-training schedules generation and training",
    "straggler-mitigation": "how a synchronous step waits for its slowest worker",
    "silent-data-corruption-detection": "how training detects silently wrong results",
    "multi-lora-serving": "how adapters are batched and served",
    "microscaling-formats": "the block-scaled numeric format",
    "speculative-decoding": "the draft-and-verify decoding loop",
    "prefill-decode-disaggregation": "where prefill and decode run",
    "request-admission": "which requests the server admits",
    "gpu-frequency-scaling": "how fast the GPUs are clocked, and the energy they draw",
    "topology-aware-placement": "where ranks and their traffic are placed on the network",
}


def _component(u: TechniqueUse) -> str:
    return _TECHNIQUE_COMPONENT.get(u.id) or _COMPONENT.get(u.family, "the baseline core mechanism")


@dataclass(frozen=True, slots=True)
class Source:
    """The sentence a field was read from."""

    text: str
    page: int
    section: str
    index: int

    @classmethod
    def of(cls, s: Sentence) -> Source:
        return cls(s.text, s.page, s.section, s.index)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "page": self.page, "section": self.section, "sentence": self.index}


@dataclass(frozen=True, slots=True)
class Field:
    """One profile field: its value (empty when unknown), a confidence in [0, 1] and its source sentence."""

    value: str = ""
    confidence: float = 0.0
    source: Source | None = None

    def __bool__(self) -> bool:
        return bool(self.value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "confidence": round(self.confidence, 2),
            "source": self.source.to_dict() if self.source else None,
        }


@dataclass(frozen=True, slots=True)
class Claim:
    """A stated effect: its metric, value (a ratio 1.4 for '1.4x', 0.35 for '35%'), direction and scope."""

    metric: Metric
    value: float
    unit: Literal["x", "%"]
    direction: Literal["up", "down", ""]
    phrase: str
    confidence: float
    source: Source
    scope: str = ""  # "end-to-end" or "kernel" for a throughput claim
    versus: str = ""  # what the claim is measured against, when the draft names it ("vLLM with a full cache")

    @property
    def benefit(self) -> bool:
        """True when the claim states an improvement (not a cost such as '2x memory per parameter')."""
        if self.metric in ("step_time", "kernel_time"):
            return not any(w in self.source.text.lower() for w in ("slower", "slowdown", "overhead"))
        if self.metric in _HIGHER_IS_BETTER:
            return self.direction != "down"
        return self.direction == "down"

    def describe(self) -> str:
        """The claim in the Mirror's words, with the metric as the draft typed it (never 'a speedup' for memory)."""
        amount = f"{self.value:.3g}x" if self.unit == "x" else f"{self.value * 100:.3g}%"
        more = self.direction != "down"
        match self.metric:
            case "throughput":
                scope = " end-to-end" if self.scope == "end-to-end" else ""
                return f"it delivers {amount} higher{scope} throughput than {self.versus or 'the baseline'}"
            case "step_time":
                scope = " end-to-end" if self.scope == "end-to-end" else ""
                if self.direction == "down":
                    # a scheduler's claim is about jobs, not steps: "lowers average JCT by 34%"
                    what = next((v for k, v in _JOB_TIME.items() if k in self.phrase.split(" by")[0]), "step time")
                    return f"it cuts{scope} {what} by {amount}"
                return f"it trains {amount} faster{scope}"
            case "kernel_time":
                return f"it makes the kernel {amount} faster"
            case "capacity":
                what = self.phrase or "capacity"
                return f"it serves {amount} {'more' if more else 'fewer'} {what}"
            case "comm_volume":
                return f"it {'cuts' if not more else 'raises'} communication volume by {amount}"
            case "memory":
                return f"it {'cuts' if not more else 'needs'} {amount} {'less' if not more else 'more'} memory"
            case "latency":
                return f"it {'cuts' if not more else 'raises'} latency by {amount}"
            case "energy":
                return f"it {'cuts' if not more else 'raises'} energy by {amount}"
            case "cost":
                return f"it {'cuts' if not more else 'raises'} cost by {amount}"
            case _:
                return f"it changes {self.phrase or 'accuracy'} by {amount}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": self.value,
            "unit": self.unit,
            "direction": self.direction,
            "scope": self.scope,
            "versus": self.versus,
            "phrase": self.phrase,
            "confidence": round(self.confidence, 2),
            "source": self.source.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class KnobSetting:
    """A knob of an existing system that the draft sets to a value: the knob's name, the phrase the draft used,
    the systems exposing it that the draft names, and the sentence."""

    knob: str
    phrase: str
    systems: tuple[str, ...]
    named: tuple[str, ...]
    confidence: float
    source: Source
    weight: float = 0.0  # how much its sentence says about the draft (1.0 the title, 0.9 the abstract)

    def to_dict(self) -> dict[str, Any]:
        return {
            "knob": self.knob,
            "phrase": self.phrase,
            "systems": list(self.systems),
            "named": list(self.named),
            "confidence": round(self.confidence, 2),
            "source": self.source.to_dict(),
        }


@dataclass(slots=True)
class DraftProfile:
    """What the draft proposes. ``relation`` is how it treats the baseline: replaces, keeps or adds to it."""

    name: Field = field(default_factory=Field)
    component: Field = field(default_factory=Field)
    technique: Field = field(default_factory=Field)  # the knowledge base's id of the technique it leans on
    family: str = ""
    replaces: Field = field(default_factory=Field)
    with_: Field = field(default_factory=Field)
    keeps: Field = field(default_factory=Field)
    adds: Field = field(default_factory=Field)
    relation: Literal["replaces", "keeps", "adds", ""] = ""
    knob: Field = field(default_factory=Field)
    # every knob the draft sets in the sentences that state what it is, and the system it re-tunes (a system
    # that exposes those knobs and that the draft names)
    knobs: list[KnobSetting] = field(default_factory=list)
    builds_on: Field = field(default_factory=Field)
    new_mechanism: Field = field(default_factory=Field)
    claim: Claim | None = None
    claims: list[Claim] = field(default_factory=list)
    gpus: Field = field(default_factory=Field)
    nodes: Field = field(default_factory=Field)
    model: Field = field(default_factory=Field)
    params: Field = field(default_factory=Field)
    hardware: Field = field(default_factory=Field)
    precision: Field = field(default_factory=Field)
    mode: Field = field(default_factory=Field)
    techniques: list[str] = field(default_factory=list)  # the draft's core techniques, most weight first

    @property
    def system(self) -> str:
        return self.name.value or "your approach"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in (
            "name",
            "component",
            "technique",
            "replaces",
            "with_",
            "keeps",
            "adds",
            "knob",
            "new_mechanism",
            "gpus",
            "nodes",
            "model",
            "params",
            "hardware",
            "precision",
            "mode",
        ):
            out[key.rstrip("_")] = getattr(self, key).to_dict()
        out["knobs"] = [k.to_dict() for k in self.knobs]
        out["builds_on"] = self.builds_on.to_dict()
        out["family"] = self.family
        out["relation"] = self.relation
        out["claim"] = self.claim.to_dict() if self.claim else None
        out["claims"] = [c.to_dict() for c in self.claims[:8]]
        out["techniques"] = self.techniques
        return out


# -------------------------------------------------------------------------------------------- helpers


def weight(s: Sentence) -> float:
    """How much a sentence says about what the draft is: title and abstract most, then contributions."""
    if s.index == 0:
        return 1.0
    if s.contribution:
        return 0.9
    return _section_weight(s.section, s.kind, s.index < 12)


@lru_cache(maxsize=512)
def _section_weight(section: str, kind: str, early: bool) -> float:
    if _HEADLINE_SECTIONS.search(section):
        return 0.9
    if _INTRO.search(section):
        return 0.7
    if kind == "heading":
        return 0.3
    if _RESULTS.search(section):
        return 0.55
    core = early or is_core(Sentence("", 1, section, "proposal", 99))
    return 0.6 if core else 0.35


def clause(text: str, limit: int = 140) -> str:
    """The text cut at a clause boundary (never mid-phrase): whole clauses while they fit in ``limit``."""
    text = re.sub(r"\*\*|__|`", "", text).strip().rstrip(".")
    if len(text) <= limit:
        return text
    cuts = [
        m.start() for m in re.finditer(r",\s|;\s|\s[—–-]\s|\s\(|:\s|\s(?:which|where|so that|while|whereas)\s", text)
    ]
    # a comma inside a list ("the query, key and value") is not a clause boundary
    cuts = [c for c in cuts if not re.match(r",\s(?:[\w-]+\s?){1,3}(?:,\s|\sand\s|\sor\s)", text[c:])]
    # nor is one inside parentheses: the cut would leave "(an elastic pool, a deep ring" open
    cuts = [c for c in cuts if text[:c].count("(") <= text[:c].count(")")]
    fit = [c for c in cuts if 12 <= c <= limit]
    if fit:
        return text[: fit[-1]].rstrip(" ,;:")
    first = next((c for c in cuts if c >= 12), len(text))
    return text[:first].rstrip(" ,;:")


# techniques that name a whole family: "expert routing ..., specifically Mixture of experts" says nothing more
_UMBRELLA = frozenset({"mixture-of-experts"})


def specifically(use: TechniqueUse) -> str:
    """The component a technique belongs to, narrowed by the technique's name (not by a name that covers the
    whole family)."""
    if use.id in _UMBRELLA:
        return _component(use)
    return f"{_component(use)}, specifically {use.name}"


def _words_before(text: str, n: int) -> str:
    return " ".join(text.split()[-n:])


def _nearest_metric(left: str, right: str) -> tuple[str, int, str] | None:
    """The metric word closest to a number: (metric, distance in words, phrase), the right side preferred."""
    best: tuple[float, int, str, str] | None = None
    rw = right.lower().split()[:8]
    lw = left.lower().split()[-8:]
    # the phrases of each length that start at each word, joined once (not once per metric word)
    right_at = {n: [" ".join(rw[i : i + n]).strip(",.;:()") for i in range(len(rw))] for n in _METRIC_SIZES}
    left_at = {n: [" ".join(lw[j : j + n]).strip(",.;:()") for j in range(len(lw))] for n in _METRIC_SIZES}
    for order, (metric, words) in enumerate(_METRIC_WORDS):
        for word in words:
            size = len(word.split())
            for i, phrase in enumerate(right_at[size]):
                if phrase.startswith(word):
                    key = (i, order, metric, " ".join(rw[: i + size]).strip(",.;:()"))
                    if best is None or key[:2] < best[:2]:
                        best = (float(key[0]), key[1], key[2], key[3])
            for j, phrase in enumerate(left_at[size]):
                if phrase.startswith(word):
                    dist = len(lw) - j - size + 1.5  # the left side is read only when the right says less
                    if lw[j + size :] and lw[j + size] == "by" and len(lw) - j - size <= 3:
                        dist = 0.0  # "lowers average JCT by 41%": the metric the number is "by" of
                    if best is None or (dist, order) < best[:2]:
                        best = (dist, order, metric, " ".join(lw[j:]).strip(",.;:()"))
    if best is None or best[0] > 6:
        return None
    return best[2], int(best[0]), best[3]


_NEGATED_METRIC = rxcache.compile(
    r"\b(?:without|with no|no|zero|negligible|little|nor|not)\s+(?:any\s+|an?\s+|the\s+)?(?:measurable\s+|loss of\s+)?"
    r"[\w-]+(?:\s+[\w-]+)?",
    re.I,
)


def _without_negated(text: str) -> str:
    """The context with what it rules out blanked: in "30% less energy without any throughput loss" the
    throughput is what is kept, not what the 30% measures."""
    return _NEGATED_METRIC.sub(lambda m: " " * len(m.group(0)), text)


def _direction(left: str, right: str) -> Literal["up", "down", ""]:
    # "by up to 30%" bounds the number; it says nothing of its direction, which the verb before gives
    left = re.sub(r"\b(?:by\s+)?up to\b", " ", left, flags=re.I)
    near = (_words_before(left, 4) + " " + " ".join(right.split()[:3])).lower()
    down = any(w in near for w in _DOWN)
    up = any(w in near for w in _UP)
    if down and not up:
        return "down"
    if up and not down:
        return "up"
    if down and up:
        # "reduces step time, so 1.3x faster": the word nearest the number decides
        r = right.lower()
        first = min(((r.find(w), "down") for w in _DOWN if w in r), default=(99, ""))
        first_up = min(((r.find(w), "up") for w in _UP if w in r), default=(99, ""))
        return "down" if first[0] < first_up[0] else "up"
    return ""


_CAPACITY_NOUN = rxcache.compile(
    r"(concurrent \w+|\w+ in flight|larger batch(?:es)?|batch size|longer context|"
    r"longer sequences|sequences|requests|users|capacity)",
    re.I,
)


_NEXT_CLAUSE = rxcache.compile(
    r"[;:]|,\s(?:and|while|with|but|which)\s|\s(?:and|while|but)\s+(?:\w+\s+){0,1}?"
    r"(?:improves?|raises?|cuts?|reduces?|increases?|lowers?|keeps?|matches|delivers?|achieves?|runs?|is|are)\b"
    r"|\s(?:and|while|but)\s+(?=(?:the\s+)?(?:end-to-end|overall)\b)",
    re.I,
)
# a clause about one phase of the step (its communication, a copy, a synchronization) or about the whole run
_PHASE_CLAUSE = rxcache.compile(
    r"\bsynchroni[sz]ation\b|\ball-?reduce\b|\ball-to-all\b|\bcollectives?\b|\bthe (?:copy|transfer|exchange)\b|"
    r"\boptimizer step\b|\bcheckpoint (?:save|write|stall)s?\b",
    re.I,
)
_WHOLE_RUN = rxcache.compile(r"end-to-end|\btraining time\b|\btime-to-|\bstep time\b|\bthroughput\b", re.I)
# a clause about one operator, not the whole step: "runs the attention forward+backward 3.4x faster"
_OPERATOR_CLAUSE = rxcache.compile(
    r"\bkernels?\b|\bgemms?\b|\bgemv\b|\bforward\s*\+\s*backward\b|\boperators?\b|"
    r"\bthe attention (?:call|forward|backward)",
    re.I,
)


# the system a claim is measured against, when the clause names one: "3.4x the decode throughput of vLLM with a
# full cache", "1.4x faster than Megatron-LM"; a name has a capital letter or a digit ("the baseline" is no name)
_VERSUS = rxcache.compile(
    r"\b(?:than|over|versus|vs\.?|compared (?:to|with)|of)\s+((?:the\s+)?(?=[\w.+'-]*[A-Z0-9])[\w.+'-]+"
    r"(?:\s+(?=[\w.+-]*[A-Z0-9])[\w.+-]+){0,2}"
    # "vLLM with a full cache" names a configuration; "ZigRing with the same final loss" states a condition
    r"(?:\s+(?:with|without|at|on|in|using)\s+(?!(?:the\s+)?(?:same|equal|identical|matched|comparable)\b)"
    r"(?:an?\s+|the\s+)?[\w.+-]+(?:\s+[\w.+-]+)?)?)"
)


_JOB_TIME = {
    "jct": "average job completion time",
    "job completion time": "job completion time",
    "completion time": "completion time",
    "makespan": "makespan",
}


def claims_of(sentences: list[Sentence]) -> list[Claim]:
    """Every ratio or percentage with a metric word near it, typed."""
    out: list[Claim] = []
    for s in sentences:
        if s.kind == "table" or s.text.lstrip().startswith("|"):
            continue
        marks = list(_RATIO.finditer(s.text))
        for k, m in enumerate(marks):
            lo = marks[k - 1].end() if k else 0
            hi = marks[k + 1].start() if k + 1 < len(marks) else len(s.text)
            left, right = s.text[lo : m.start()], s.text[m.end() : hi]
            # stop the left context at a clause break, so "throughput rises 2.7x, and 3.1x more ..." splits
            left = re.split(r"[;:]|,\s(?:and|while|with)\s|\band\b", left)[-1] if k else left
            # and the right context at the next clause: in "cuts the IB bytes by 3.3x and improves end-to-end
            # throughput by 1.45x" the 3.3x measures the bytes, not the throughput of the next clause
            right = _NEXT_CLAUSE.split(right, maxsplit=1)[0]
            typed = _nearest_metric(_without_negated(left), _without_negated(right))
            if typed is None:
                continue
            metric, dist, phrase = typed
            value = float(m.group(1) or m.group(2))
            unit: Literal["x", "%"] = "x" if m.group(1) else "%"
            if unit == "%":
                value /= 100
            if unit == "x" and value <= 1.0:
                continue
            direction = _direction(left, right)
            if metric in ("throughput", "kernel_time", "step_time") and unit == "x" and not direction:
                direction = "up"
            level = re.match(r"\s*(?:of\s+)?(?:the\s+)?(?:mfu|utili[sz]ation|of peak|peak|accuracy|top-1)", right, re.I)
            if unit == "%" and (not direction or level):
                continue  # "45% MFU" or "at 80% load" is a level, not a change
            # the scope and the operator test read the number's own clause, not the whole sentence
            lowered = (left + m.group(0) + right).lower()
            if metric == "throughput" and (_OPERATOR_CLAUSE.search(lowered) and "end-to-end" not in lowered):
                metric = "kernel_time"
            if (
                metric in ("throughput", "step_time", "kernel_time")
                and _PHASE_CLAUSE.search(lowered)
                and not _WHOLE_RUN.search(lowered)
            ):
                continue  # one phase of the step made faster ("the outer synchronization 3.1x faster") is no headline
            scope = "end-to-end" if "end-to-end" in lowered or "training time" in lowered else ""
            if metric == "capacity":
                noun = _CAPACITY_NOUN.search(right) or _CAPACITY_NOUN.search(left)
                phrase = noun.group(1).lower() if noun else "capacity"
            conf = max(0.3, 0.95 - 0.1 * dist)
            against = _VERSUS.search(right)
            versus = against.group(1).rstrip(" .") if against else ""
            out.append(
                Claim(metric, value, unit, direction, phrase, conf, Source.of(s), scope, versus)  # type: ignore[arg-type]
            )
    return out


_HARDWARE_TREND = re.compile(
    r"\b(?:tensor cores?|nvlink|pcie|hbm|memory bandwidth|flops|gpus?)\b[^.]{0,40}\b(?:got|grew|became|is|are|rose)\b"
    r"[^.]{0,20}\b(?:faster|more|higher|larger)\b|\bthan\s+(?:the\s+)?(?:a100|h100|v100|a800|h800|b200|h200|mi\d{3}x?)\b",
    re.I,
)


def _names_of(text: str) -> set[str]:
    """The name-like words of a text: a capital after the first letter or a digit ("vLLM", "H100", "DeepSpeed")."""
    return {w.lower() for w in re.findall(r"[\w.+-]+", text) if any(ch.isupper() or ch.isdigit() for ch in w[1:])}


def _headline(claims: list[Claim], sentences: list[Sentence], baseline: Claims | None = None) -> Claim | None:
    by_index = {s.index: s for s in sentences}
    # the baseline's names, from its title and opening: a claim against it is the comparison the draft is about
    base = _names_of(" ".join(s.text for s in baseline.sentences[:6])) if baseline is not None else set()

    def score(c: Claim) -> float:
        s = by_index.get(c.source.index)
        w = weight(s) if s else 0.3
        if c.versus and base:
            # "2.1x faster than vLLM" over "(200x faster than offloading to host memory)"
            w *= 1.25 if _names_of(c.versus) & base else 0.75
        if _BASELINE_SUBJECT.search(c.source.text) and "than the baseline" not in c.source.text.lower():
            w *= 0.6
        if _HARDWARE_TREND.search(c.source.text):
            w *= 0.3  # "H100 tensor cores got 3x faster than A100" motivates; it is not the draft's result
        return w * _METRIC_PRIORITY.get(c.metric, 0.5) * c.confidence - 1e-4 * c.source.index

    good = [c for c in claims if c.benefit and c.metric != "accuracy"]
    return max(good, key=score) if good else None


def _lead_by_change(proposal: Claims, change: str) -> TechniqueUse | None:
    """The used technique whose own words the stated change (A and B) uses most, or None."""
    said = {w[:6] for w in re.findall(r"[a-z][a-z-]{4,}", change.lower())}
    best: tuple[int, float, str, TechniqueUse] | None = None
    for u in proposal.techniques.values():
        if not u.used or u.family == "hardware":
            continue
        own = {w[:6] for w in re.findall(r"[a-z][a-z-]{4,}", u.name.lower())}
        shared = len(own & said)
        if shared and (best is None or (shared, u.weight) > best[:2]):
            best = (shared, u.weight, u.id, u)
    return best[3] if best else None


def _technique_lead(proposal: Claims, baseline: Claims) -> TechniqueUse | None:
    """The technique the draft leans on: weight, doubled when the baseline does not use it."""
    base = baseline.used_ids()
    uses = [u for u in proposal.techniques.values() if u.used and u.core and u.family != "hardware"]
    if not uses:
        return None
    title = proposal.sentences[0].text if proposal.sentences else ""

    def score(u: TechniqueUse) -> tuple[float, str]:
        w = u.weight * (1.6 if u.id not in base else 1.0)
        if any(q.text == title for q in u.quotes):
            w *= 1.5
        return (w, u.id)

    return max(uses, key=score)


def _name(proposal: Claims, kb_names: set[str]) -> Field:
    head = proposal.title.split(":")[0].strip().strip("*#").strip()
    first = proposal.sentences[0] if proposal.sentences else None
    if head and len(head.split()) <= 3 and head != proposal.title.strip() and first is not None:
        return Field(head, 0.9, Source.of(first))
    for s in proposal.sentences[:80]:
        m = _NAME_AFTER.search(s.text)
        if m and m.group(1).upper() not in _COMMON_CAPS and m.group(1).lower() not in kb_names:
            return Field(m.group(1), 0.8, Source.of(s))
    counts: Counter[str] = Counter()
    where: dict[str, Sentence] = {}
    for s in proposal.sentences:
        if not is_core(s) or s.kind == "table":
            continue
        for tok in _NAME_TOKEN.findall(s.text):
            if tok.upper() in _COMMON_CAPS or tok.lower() in kb_names:
                continue
            counts[tok] += 1
            where.setdefault(tok, s)
    if counts:
        tok, n = counts.most_common(1)[0]
        if n >= 3:
            return Field(tok, 0.6, Source.of(where[tok]))
    return Field()


_RANKED: list[tuple[int, list[Sentence], list[Sentence]]] = []


def _ranked(sentences: list[Sentence]) -> list[Sentence]:
    """The method sentences, those that say most about the draft first (cached for the last list seen)."""
    if _RANKED and _RANKED[0][0] == id(sentences) and _RANKED[0][1] is sentences:
        return _RANKED[0][2]
    ranked = sorted((s for s in sentences if weight(s) >= 0.6), key=lambda s: (-weight(s), s.index))
    _RANKED[:] = [(id(sentences), sentences, ranked)]
    return ranked


def _first(sentences: list[Sentence], rx: re.Pattern[str]) -> tuple[Sentence, re.Match[str]] | None:
    for s in _ranked(sentences):
        m = rx.search(s.text)
        if m:
            return s, m
    return None


# "... and adds one thing: a frequency plan": the thing announced after the colon is what the system adds
_ANNOUNCED = rxcache.compile(
    r"(?:^|\b(?:and|but)\s+)((?:adds?|does|introduces?|changes?|contributes?)\s+(?:one|a single|only one|just one)\s+"
    r"(?:thing|change|mechanism|component))\s*$",
    re.I,
)
# "keeps X exactly as they are and adds ...": the kept part is context, what follows "and" is the change
_KEEPS_AND = rxcache.compile(r"^keeps\b.*?\s+and\s+(?=(?:adds?|changes?|replaces?|introduces?|moves?)\b)", re.I)


def _what_it_adds(body: str, rest: str) -> str:
    """What a system does, from the words after its name: a keep clause gives way to the change that follows it,
    and "adds one thing" to the thing named after the colon."""
    announced = _ANNOUNCED.search(body)
    if announced and rest.startswith(":"):
        verb = announced.group(1).split()[0]
        thing = re.split(r"[.;]\s|[.;]$", rest[1:].strip(), maxsplit=1)[0]
        if thing:
            return f"{verb} {thing}"
    return _KEEPS_AND.sub("", body)


def _mechanism(proposal: Claims, system: str) -> Field:
    """B: the first self-contained sentence in which the draft's system does something (not a result)."""
    cands: list[tuple[float, Field]] = []
    if system:
        rx = re.compile(rf"\b{re.escape(system)}\s+((?:[a-z]+s|keeps|runs|uses|makes)\b(?:[^.;:]|\.\d)*)")
        for s in proposal.sentences:
            m = rx.search(s.text)
            if m and is_core(s) and s.kind != "heading" and len(m.group(1).split()) >= 5:
                body = clause(_NEW_SUBJECT.split(_what_it_adds(m.group(1), s.text[m.end() :]))[0], 130)
                if not _RATIO.search(body):
                    cands.append((weight(s) + 0.2, Field(f"{system}, which {body}", 0.75, Source.of(s))))
    for s in proposal.sentences:
        m = _PROPOSE.search(s.text)
        if m and is_core(s):
            body = clause(m.group(1), 140)
            if not _RATIO.search(body) and not _POINTS_BACK.match(body):
                cands.append((weight(s), Field(body, 0.65, Source.of(s))))
    title = proposal.title.strip().strip("*#").strip()
    if system and ":" in title and proposal.sentences:
        subtitle = title.split(":", 1)[1].strip()
        if subtitle:
            cands.append((0.5, Field(f"{system} ({clause(subtitle, 110)})", 0.5, Source.of(proposal.sentences[0]))))
    if not cands:
        return Field(system, 0.3, None) if system else Field()
    return max(cands, key=lambda c: (c[0], -(c[1].source.index if c[1].source else 0)))[1]


def _knob(proposal: Claims, baseline: Claims) -> Field:
    """A knob the draft sets to a value in the sentences that state its contribution."""
    base_text = baseline.text.lower()
    knobs = _knobs_named_in(proposal)
    best: tuple[float, Field] | None = None
    for s in proposal.sentences:
        w = weight(s)
        if w < 0.6 or s.kind == "table":
            continue
        low = spelled(s.lower)  # "the `block_size` argument" names the block size
        m = _SET_TO.search(s.text)
        if m and m.group(1).split()[-1].lower() not in _NOT_KNOBS:
            knob = m.group(1).lower().replace("_", " ")
            exposed = knob.split()[-1] in base_text
            conf = (0.55 + 0.25 * exposed) * w
            if _NEW_MECHANISM.search(s.text):
                conf *= 0.5
            if best is None or conf > best[0]:
                best = (conf, Field(knob, conf, Source.of(s)))
        # the main knob needs a verb that sets it ("we raise the block size to 64"); a value beside a knob's name
        # ("4 micro-batches per replica") describes a setup as often as it states a contribution
        if not any(not _attribute(s.text, m) for m in _SET_VERB.finditer(s.text)):
            continue
        for ks in _knob_settings_in(s, s.lower + " \n " + low, w, base_text, (), knobs):
            conf = ks.confidence
            if best is None or conf > best[0]:
                best = (conf, Field(ks.knob, conf, ks.source))
    return best[1] if best else Field()


def _phrase_at(low: str, phrase: str) -> int:
    """Where ``phrase`` starts a word in ``low``, or -1."""
    at = low.find(phrase)
    while at >= 0:
        end = at + len(phrase)
        if (at == 0 or not low[at - 1].isalnum()) and (end >= len(low) or not low[end].isalnum() or phrase[-1] == "s"):
            return at
        at = low.find(phrase, at + 1)
    return -1


_PHRASES: dict[int, tuple[tuple[Knob, ...], tuple[tuple[Knob, tuple[str, ...]], ...]]] = {}


_FLAG = re.compile(r"(?<![\w-])--?([a-z][a-z0-9]*(?:[-_][a-z0-9]+)+)")


def spelled(low: str) -> str:
    """Lower-case text with identifiers spelled as words: ``block_size`` and the command-line flag
    ``--moe-aux-loss-coeff`` read as "block size" and "moe aux loss coeff", so a knob's phrase finds them."""
    return _FLAG.sub(lambda m: m.group(1).replace("-", " ").replace("_", " "), low).replace("_", " ")


def _knob_phrases(knobs: tuple[Knob, ...]) -> tuple[tuple[Knob, tuple[str, ...]], ...]:
    """Each knob with its phrases, computed once per table (tables are kept, so identity names them); a phrase
    written as an identifier (``moe_aux_loss_coeff``) is also looked for spelled as words."""
    kept = _PHRASES.get(id(knobs))
    if kept is None or kept[0] is not knobs:
        table = []
        for k in knobs:
            phrases = list(k.phrases)
            phrases += [q for p in phrases if (q := spelled("--" + p if "-" in p else p)) not in phrases]
            table.append((k, tuple(sorted(set(phrases), key=lambda p: (-len(p), p)))))
        kept = _PHRASES[id(knobs)] = (knobs, tuple(table))
    return kept[1]


_KnobPhrases = tuple[tuple[Knob, tuple[str, ...]], ...]


_RUN = re.compile(r"[^\W_]+")


def _knobs_named_in(claims: Claims) -> _KnobPhrases:
    """The knobs (with their phrases) one of whose phrases starts a word of the document: the only ones it can
    set (``_phrase_at`` wants a phrase at the start of a word). Before a phrase is searched for, its runs of
    letters and digits are looked up among the document's words: the inner ones as whole words, the last as
    the start of one (a plural), the first as a whole word when more follow."""
    low = claims.text.lower()
    low = low + "\n" + spelled(low)
    vocabulary = set(_RUN.findall(low))
    words = sorted(vocabulary)

    def opens(run: str) -> bool:
        at = bisect_left(words, run)
        return at < len(words) and words[at].startswith(run)

    def may_occur(phrase: str) -> bool:
        runs = _RUN.findall(phrase)
        if not runs:
            return True
        *whole, last = runs
        return all(r in vocabulary for r in whole) and opens(last)

    return tuple(
        (k, phrases)
        for k, phrases in _knob_phrases(load_knobs())
        if any(may_occur(p) and p in low for p in phrases)
    )


def _knob_settings_in(
    s: Sentence, low: str, w: float, base_text: str, named_text: tuple[str, ...], knobs: _KnobPhrases | None = None
) -> list[KnobSetting]:
    """The knobs a sentence sets to a value: a knob's phrase with a set verb in the sentence or a value beside it.
    ``named_text``: the draft's and the baseline's text, lower-cased, to find which exposing systems they name."""
    out: list[KnobSetting] = []
    setverb = _SET_VERB.search(s.text) is not None
    for knob, phrases in knobs if knobs is not None else _knob_phrases(load_knobs()):
        if knob.context and not any(c.lower() in low for c in knob.context):
            continue
        for phrase in phrases:
            at = _phrase_at(low, phrase)
            if at < 0:
                continue
            after, before = low[at + len(phrase) :], low[max(0, at - 24) : at]
            valued = bool(_VALUE_AFTER.match(after.lstrip(" `'\"(")) or _VALUE_BEFORE.search(before))
            if not (setverb or valued):
                continue
            exposed = phrase in base_text
            conf = (0.5 + 0.3 * exposed + 0.1 * valued) * w
            if _NEW_MECHANISM.search(s.text):
                conf *= 0.5
            named = tuple(sys_ for sys_ in knob.systems if any(_phrase_at(t, sys_.lower()) >= 0 for t in named_text))
            out.append(KnobSetting(knob.name, phrase, tuple(knob.systems), named, conf, Source.of(s), w))
            break
    return out


def _knob_settings(proposal: Claims, baseline: Claims) -> list[KnobSetting]:
    """Every distinct knob the draft sets in its headline and method sentences (the best sentence for each)."""
    base_text = baseline.text.lower()
    named_text = (proposal.text.lower(), base_text)
    knobs = _knobs_named_in(proposal)
    best: dict[str, KnobSetting] = {}
    for s in proposal.sentences:
        w = weight(s)
        if w < 0.6 or s.kind in ("table", "heading"):
            continue
        low = s.lower + " \n " + spelled(s.lower)
        for ks in _knob_settings_in(s, low, w, base_text, named_text, knobs):
            if ks.knob not in best or ks.confidence > best[ks.knob].confidence:
                best[ks.knob] = ks
    return sorted(best.values(), key=lambda k: (-k.confidence, k.knob))


def _builds_on(knobs: list[KnobSetting]) -> Field:
    """The named system whose knobs the draft sets: the one most of its knobs belong to."""
    counts: Counter[str] = Counter()
    first: dict[str, KnobSetting] = {}
    for ks in knobs:
        for name in ks.named:
            counts[name] += 1
            first.setdefault(name, ks)
    if not counts:
        return Field()
    name, n = max(counts.items(), key=lambda kv: (kv[1], first[kv[0]].confidence, kv[0]))
    ks = first[name]
    return Field(name, min(0.95, ks.confidence * (1.0 + 0.15 * (n - 1))), ks.source)


_FIRST_PERSON = re.compile(r"\b(?:we|our|us)\b", re.I)


def _number(c: Claims, role: str, *, prefer_max: bool = True, name: str = "") -> tuple[float, Sentence | None] | None:
    """The draft's own value of a quantity: not the baseline's, not a plan's, not one from a sentence about other
    systems or future work; a sentence in the first person or naming the draft's system first."""
    own = [q for q in c.values(role) if not math.isnan(q.value) and q.qualifier != "baseline"]
    current = [q for q in own if q.qualifier not in ("planned", "projected")] or own
    if not current:
        return None
    placed = [(q, _sentence_of(c, q.quote.text)) for q in current]
    here = [(q, s) for q, s in placed if s is None or not is_elsewhere(s)] or placed
    mine = [
        (q, s)
        for q, s in here
        if s is not None and (_FIRST_PERSON.search(s.text) or (len(name) >= 3 and name.lower() in s.lower))
    ]
    pool = mine or here
    q, sentence = max(pool, key=lambda qs: qs[0].value) if prefer_max else pool[0]
    return q.value, sentence


def _sentence_of(c: Claims, quote: str) -> Sentence | None:
    head = quote[:60]
    for s in c.sentences:
        if head and head in s.text:
            return s
    return None


def _field_of(value: str, conf: float, s: Sentence | None) -> Field:
    return Field(value, conf, Source.of(s) if s else None)


def mode_of(c: Claims) -> Field:
    """Training or inference, weighed over the whole draft (title and abstract count most); memoised."""
    key = ("profile-mode", len(c.sentences))
    found = c._memo.get(key)
    if not isinstance(found, Field):
        found = _mode(c)
        c._memo[key] = found
    return found


def _mode(c: Claims) -> Field:
    train = infer = 0.0
    first_train: Sentence | None = None
    first_infer: Sentence | None = None
    for s in c.sentences:
        w = weight(s)
        if _TRAIN_WORDS.search(s.text):
            train += w
            first_train = first_train or s
        if _INFER_WORDS.search(s.text):
            infer += w
            first_infer = first_infer or s
    for u in c.techniques.values():
        if u.used and u.family == "inference":
            infer += u.weight
    total = train + infer
    if total == 0:
        return Field()
    if infer > train * 1.2:
        return _field_of("inference", infer / total, first_infer)
    if train >= infer:
        return _field_of("training", train / total, first_train)
    return _field_of("training", train / total, first_train)


def _kb_names(proposal: Claims) -> set[str]:
    return {u.name.lower() for u in proposal.techniques.values()}


# ------------------------------------------------------------------------------------------------ build


def build_profile(proposal: Claims, baseline: Claims, names: set[str] | None = None) -> DraftProfile:
    """The draft's profile. ``names``: lower-cased names the knowledge base gives techniques and prior work
    (never taken as the draft's own name unless its title says so)."""
    p = DraftProfile()
    p.name = _name(proposal, (names or set()) | _kb_names(proposal))
    lead = _technique_lead(proposal, baseline)
    core = sorted(
        (u for u in proposal.techniques.values() if u.used and u.core and u.family != "hardware"),
        key=lambda u: (-u.weight, u.id),
    )
    p.techniques = [u.id for u in core]
    if lead is not None:
        src = _sentence_of(proposal, lead.quotes[0].text) if lead.quotes else None
        conf = min(0.9, 0.4 + 0.1 * lead.weight)
        p.technique = _field_of(lead.id, conf, src)
        p.family = lead.family
        p.component = _field_of(specifically(lead), conf, src)

    # A -> B
    hit = _first(proposal.sentences, _REPLACE) or _first(proposal.sentences, _REPLACED_BY)
    if hit is not None:
        s, m = hit
        p.replaces = Field(clause(m.group(1), 90), 0.85 * max(0.7, weight(s)), Source.of(s))
        p.with_ = Field(clause(_SECOND_VERB.split(m.group(2))[0], 130), 0.8 * max(0.7, weight(s)), Source.of(s))
        p.relation = "replaces"
    else:
        inst = _first(proposal.sentences, _INSTEAD)
        # "instead of crossing the network" names an action, not the mechanism A
        if (
            inst is not None
            and weight(inst[0]) >= 0.6
            and not re.match(r"\w+ing\s+(the|a|an|its|their)\b", inst[1].group(1))
            and not inst[1].group(1).strip()[:1].isdigit()  # "8 blocks instead of 128" compares numbers
            # "reducing in FP32 instead of BF16" names a number format, not the mechanism the draft replaces
            and not _FORMAT_ONLY.match(inst[1].group(1))
        ):
            replaced = inst[1].group(1)
            if replaced.count("(") > replaced.count(")"):
                replaced = replaced.split("(")[0]  # an aside cut off by the clause's end
            p.replaces = Field(clause(replaced.strip(), 90), 0.55, Source.of(inst[0]))
            p.relation = "replaces"
    if not p.with_:
        p.with_ = _mechanism(proposal, p.name.value)
    if p.replaces and p.replaces.confidence >= 0.5:
        # what the draft says it replaces names the component better than the technique it mentions most:
        # "replaces periodic full checkpoints with a log" is a checkpointing draft whatever precision it uses
        changed = _lead_by_change(proposal, f"{p.replaces.value} {p.with_.value}")
        if changed is not None and changed.id != p.technique.value:
            said = p.replaces.source
            sentence = next((x for x in proposal.sentences if said and x.index == said.index), None)
            conf = max(p.technique.confidence, 0.6)
            p.technique = _field_of(changed.id, conf, sentence)
            p.family = changed.family
            p.component = _field_of(specifically(changed), conf, sentence)

    keep = _keep(proposal, baseline)
    if keep:
        p.keeps = keep
        if not p.relation or p.replaces.confidence < keep.confidence:
            p.relation = "keeps"
    add = _first(proposal.sentences, _ADD)
    if add is not None and weight(add[0]) >= 0.6:
        p.adds = Field(clause(add[0].text, 160), 0.5 * weight(add[0]), Source.of(add[0]))
        p.relation = p.relation or "adds"

    p.knob = _knob(proposal, baseline)
    p.knobs = _knob_settings(proposal, baseline)
    p.builds_on = _builds_on(p.knobs)
    nm = _first(proposal.sentences, _NEW_MECHANISM)
    if nm is not None and weight(nm[0]) >= 0.6:
        p.new_mechanism = Field(nm[1].group(0), 0.6 * weight(nm[0]), Source.of(nm[0]))

    # the claim
    p.claims = claims_of(proposal.sentences)
    p.claim = _headline(p.claims, proposal.sentences, baseline)

    # setting
    own_name = p.name.value
    gpus = _number(proposal, "gpus", name=own_name)
    if gpus is None:
        nodes_n, per = _number(proposal, "nodes", name=own_name), _number(proposal, "gpus_per_node")
        if nodes_n and per:
            gpus = (nodes_n[0] * per[0], nodes_n[1])
    grouped = _grouped_gpus(proposal)
    if grouped is not None and (not gpus or grouped[0] > gpus[0]):
        gpus = grouped  # "four data centres, each with 64 GPUs": the run spans all of them
    if gpus:
        p.gpus = _field_of(f"{gpus[0]:.0f}", 0.8, gpus[1])
    nodes = _number(proposal, "nodes", name=own_name)
    if nodes:
        p.nodes = _field_of(f"{nodes[0]:.0f}", 0.8, nodes[1])
    params = _number(proposal, "params", name=own_name)
    if params and params[0] >= 1e7:
        p.params = _field_of(f"{params[0]:.4g}", 0.8, params[1])
    hw = [q for q in proposal.values("gpu_model") if q.qualifier != "baseline" and not _listed_alternative(proposal, q)]
    if hw:
        counts = Counter(q.text for q in hw if q.text)
        if counts:
            name = counts.most_common(1)[0][0]
            q = next(q for q in hw if q.text == name)
            p.hardware = _field_of(name, 0.85 if len(counts) == 1 else 0.6, _sentence_of(proposal, q.quote.text))
    prec = [q for q in proposal.values("precision") if q.text]
    if prec:
        counts = Counter(q.text.lower() for q in prec)
        name = counts.most_common(1)[0][0]
        q = next(q for q in prec if q.text.lower() == name)
        p.precision = _field_of(name, 0.7, _sentence_of(proposal, q.quote.text))
    model = _first(proposal.sentences, _MODEL)
    if model is not None:
        p.model = Field(model[1].group(1), 0.6, Source.of(model[0]))
    named = named_model(proposal)
    if named is not None:
        shape, where = named
        stated = float(p.params.value) if p.params.value else 0.0
        # a size far from the model the draft runs belongs to another model it mentions ("the bubbles that
        # Sarathi-Serve discusses for Falcon-180B")
        if not stated or not shape.params / 1.5 <= stated <= shape.params * 1.5:
            p.params = _field_of(f"{shape.params:.4g}", 0.75, where)
        if not p.model.value:
            p.model = Field(shape.name, 0.7, Source.of(where))
    p.mode = mode_of(proposal)
    return p


_GROUPS = rxcache.compile(
    r"\b(?P<n>\d+|two|three|four|five|six|seven|eight|ten|twelve|sixteen)\s+(?:\w+\s+){0,2}?"
    r"(?:data cent(?:er|re)s|sites|clusters|pods|regions|datacent(?:er|re)s)\b[^.]{0,120}?\beach with\s+"
    r"(?P<m>\d[\d,]*)\s+(?:\w+\s+){0,3}?GPUs\b",
    re.I,
)
_COUNT_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "ten": 10,
    "twelve": 12,
    "sixteen": 16,
}


def _grouped_gpus(c: Claims) -> tuple[float, Sentence] | None:
    """GPUs counted per group of a multi-site run: "four data centres (...), each with 64 H100 GPUs" is 256."""
    for s in c.sentences:
        if s.kind == "boilerplate" or is_elsewhere(s):
            continue
        m = _GROUPS.search(s.text)
        if m is not None:
            n = m.group("n").lower()
            groups = _COUNT_WORDS.get(n) or int(n)
            return float(groups * int(m.group("m").replace(",", ""))), s
    return None


_ALTERNATIVES = rxcache.compile(r"\bsuch as\b|\be\.g\.|\bfor example\b|\bincluding\b|\bor\b", re.I)


def _listed_alternative(c: Claims, q: Quantity) -> bool:
    """Whether a device is only named in a list of alternatives ("accelerators such as Trainium2, TPUs or
    Gaudi") or in related work: not the hardware the draft runs on."""
    s = _sentence_of(c, q.quote.text)
    if s is None:
        return False
    if is_elsewhere(s):
        return True
    names = {x.text for x in c.values("gpu_model") if x.quote.text == q.quote.text and x.text}
    return len(names) >= 2 and _ALTERNATIVES.search(s.text) is not None


def named_model(c: Claims) -> tuple[ModelShape, Sentence] | None:
    """The first published model the draft's own sentences name, with the sentence (not its related work or
    plans); memoised on the claims."""
    key = ("named-model", len(c.sentences))
    if key not in c._memo:
        c._memo[key] = next(
            (
                (shape, s)
                for s in c.sentences
                if s.kind != "boilerplate" and is_core(s) and not is_elsewhere(s)
                for shape in [find_model(s.text)]
                if shape is not None
            ),
            None,
        )
    found = c._memo[key]
    return found if isinstance(found, tuple) else None


_MEASURED_REFERENCE = rxcache.compile(
    r"\s+(?:[\w-]+\s+){0,2}(?:runs?|baselines?|setup|profiles?|configurations?|version|builds?)\b", re.I
)
_SIDE_KEEP = rxcache.compile(r"\bkeeping\b", re.I)
_TITLE_WORD = rxcache.compile(r"[A-Za-z][\w-]*[A-Za-z0-9]")


def baseline_names(title: str) -> list[str]:
    """The names a baseline paper goes by, lower-cased: its title's head before a colon ("MegaScale: Scaling
    ...") and the system names anywhere in the title ("... Using Megatron-LM")."""
    head = title.split(":")[0].strip()
    names = [head.lower()] if ":" in title and 0 < len(head.split()) <= 3 and len(head) >= 3 else []
    return names + title_systems(title)


def title_systems(title: str) -> list[str]:
    """The system names in a title, lower-cased, with a hyphenated name's first part ("Megatron-LM" gives
    "megatron-lm" and "megatron"): words with a capital inside them that are not common acronyms."""
    out: list[str] = []
    for word in _TITLE_WORD.findall(title):
        parts = word.split("-")
        # "Megatron-LM", "DeepSpeed", "ZeRO" are names; "Large-Scale" is a title-cased phrase
        named = any(any(ch.isupper() for ch in part[1:]) for part in parts if len(part) >= 2)
        if word.upper() in _COMMON_CAPS or not named:
            continue
        out.append(word.lower())
        first = word.split("-")[0]
        if "-" in word and len(first) >= 4 and first.upper() not in _COMMON_CAPS:
            out.append(first.lower())
    return out


def _keep(proposal: Claims, baseline: Claims) -> Field:
    """A sentence in which the draft keeps the baseline's mechanism as it is (not a setting such as its precision)."""
    base_names = [
        n.lower()
        for u in baseline.techniques.values()
        if u.used and u.family not in _SETTING_FAMILIES
        for n in (u.name, u.id.replace("-", " "))
    ] + [
        "baseline's mechanism",
        "baseline's design",
        "baseline's algorithm",
        "baseline's system",
        "baseline itself",
        "the baseline as",
        "baseline unchanged",
        "existing mechanism",
    ]
    # a serving draft that sits in front of the engine keeps the engine: "a gateway in front of an unmodified
    # engine"
    if mode_of(baseline).value == "inference":
        base_names += [
            "unmodified engine",
            "engine unchanged",
            "engine as it is",
            "unmodified server",
            "unmodified serving",
            "unmodified runtime",
        ]
    # the baseline's own name ("MegaScale: Scaling ..."): "keeps every MegaScale mechanism as it is"
    base_names += baseline_names(baseline.title)
    base_names = list(dict.fromkeys(base_names))  # a name counted twice is not two parts of the baseline
    best: tuple[float, Field] | None = None
    for s in proposal.sentences:
        w = weight(s)
        if w < 0.6 or s.text.rstrip().endswith("?"):
            continue  # "Why not Gemini as is?" asks why the baseline is not kept; it keeps nothing
        low = s.lower
        for m in _KEEP.finditer(s.text):
            if re.match(r"\s+(model\s+)?(quality|accuracy|loss|convergence|results?)", s.text[m.end() :], re.I):
                continue  # "with unchanged model quality" is an outcome, not a kept mechanism
            if _MEASURED_REFERENCE.match(s.text, m.end()):
                continue  # "the profile of the unmodified FSDP run" describes a measurement, not the design
            window = low[max(0, m.start() - 70) : m.end() + 70]
            names = [n for n in base_names if n in window]
            if not names:
                continue
            # "keeps every MegaScale mechanism as it is": all of it, not one part
            whole = (
                len(names) > 1
                or "baseline" in window
                or re.search(r"\b(every|all)\b", window) is not None
                # "failures are still handled by CheckFreq": the baseline's whole job stays with it
                or m.group(0).lower().endswith(" by")
            )
            conf = w * (0.9 if whole else 0.75)
            if _SIDE_KEEP.search(s.text, max(0, m.start() - 80), m.start()):
                conf *= 0.85  # ", keeping vLLM's pages unchanged": a side clause of what the sentence adds
            if best is None or conf > best[0]:
                best = (conf, Field(clause(s.text, 160), conf, Source.of(s)))
    return best[1] if best else Field()

"""Numbers in a draft with the role each plays: "64 GPUs", "t = 8", "1.35x end-to-end speedup".

A paragraph is split into sentences, and every numeral or number word ("eight") in a sentence is read
through a small window: the words right after it ("GPUs", "micro-batches", "x faster", "% MFU") and the
words right before it ("hidden size of", "t =", "global batch"). The first rule whose window patterns match
gives the role; a number that no rule claims gets none, since a missing number costs less than a wrong one.
Accelerator names and numeric formats are found by name. Table rows (pipes, or paragraphs of kind
"table") map their columns by the header's names.

Follows the notation of the Megatron-LM papers (t, p, d, b, m, v; h, L, a) and the phrasing of ML-systems
drafts. Leaves out on purpose: years, citations, section/figure/table/equation numbers and software
versions (never a role); ranges ("b = 1-4"); number words past "twenty"; vocabulary sizes and other numbers
with no role in ``ROLES``. Every pattern is anchored at the number or bounded in length, so extraction is
linear in the length of the text.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from tensora.extract import units
from tensora.extract.quantities import DocLabel, Quantity, Quote
from tensora.ingest.document import Paragraph

__all__ = ["extract_quantities", "split_sentences"]

_QUOTE_LIMIT = 300
_BEFORE = 72  # characters of left context a rule may look at
_AFTER = 96  # characters of right context a rule may look at


def _cased(*words: str) -> str:
    """Words as an alternation of literals with either case of the first letter ("Table|table").

    Python's regex engine scans fast for an alternation of literals, and slowly for one of character
    classes or under re.IGNORECASE.
    """
    return "|".join(re.escape(v) for w in words for v in (w[0].upper() + w[1:], w[0].lower() + w[1:]))


# --- tokens ------------------------------------------------------------------------------------------------

# A numeral or a number word: thousands separators ("1,024"), exponents ("13e9"), a scale suffix written
# against the digits ("13B", "4k", "1.2M") or as a word ("175 billion"). Not glued to an identifier
# ("1F1B"); number words do not start compounds ("one-sided", "four-layer"). What comes before a match
# is checked in code (``_JOINERS``): a pattern that starts with a character class lets the scan skip.
_NUMBER = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)"
    r"(?![A-WYZa-wyz_][A-Za-z_]*\d)"
    r"(?:(?P<suffix>[kKMBT])(?!\w)|\s(?P<scale>thousand|million|billion|trillion)\b)?"
)
_NUMBER_WORD = re.compile(r"(?:" + _cased(*units.NUMBER_WORDS) + r")\b(?!-)")
# Number words count only things these name; a sentence without one skips the word search.
_WORD_NOUNS = tuple("node gpu server machine accelerator tpu micro expert stage chunk 00s".split())
# Characters that make a numeral part of a name or an identifier (as letters and digits do): "A100",
# "GPT-3", "v1.2", "sm_80", "1/8", the 4 of "1-4", "$5".
_JOINERS = "_.-/–$"
# A number that opens a range ("1-4", "8 to 16") is not a value.
_RANGE_NEXT = re.compile(r"\s*(?:-|–|—|to\s)\s*\d")
# "35%", "35 percent"
_PERCENT_NEXT = re.compile(r"\s?(?:%|percent\b)")


# --- spans that never carry a role -------------------------------------------------------------------------

# Citations: [12], [3, 7], [4-6]
_CITATION = re.compile(r"\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\]")
# Cross-references: Section 3.2, Fig. 3, Table 2, Eq. (4), Appendix B.1, §4.
_REFERENCE = re.compile(
    r"(?:(?:"
    + _cased(
        "section", "sec.", "secs.", "figure", "fig.", "figs.", "table", "tab.", "equation", "eq.", "eqs."
    )
    + "|"
    + _cased("algorithm", "alg.", "appendix", "chapter", "listing", "theorem", "lemma", "footnote")
    + r")s?|§)\s*~?\(?\s*[A-Z]?\d+(?:\.\d+)*[a-z]?\)?(?:\s*(?:and|–|-)\s*\(?\d+(?:\.\d+)*[a-z]?\)?)*"
)
# Years: four digits from 1950 to 2049, where citations and dates put them ("(2021)", "et al., 2022",
# "in 2023", "NeurIPS 2022"), unless a count follows ("2016 GPUs" is a count). ``_YEAR`` finds the digits,
# ``_YEAR_BEFORE`` and ``_YEAR_AFTER`` check the context.
_YEAR = re.compile(r"(?:19[5-9]|20[0-4])\d(?![\d,.]\d|\d)")
_YEAR_BEFORE = re.compile(
    r"(?:\(|\bet\s+al\.,?\s*|\b(?:[Ii]n|[Ss]ince|[Uu]ntil|[Ff]rom|[Yy]ear|[Ee]arly|[Ll]ate|[Mm]id)\s+"
    r"|\b[A-Z][A-Za-z’']{1,12}\s+|,\s*)\Z"
)
_YEAR_AFTER = re.compile(
    r"\s*(?:-?GPUs?|nodes?|sequences?|tokens?|experts?|layers?|heads?|micro-?batch\w*|samples?|x\b|%)", re.I
)
# Versions: version 2, CUDA 12.2, NCCL 2.18, PyTorch 2.1, NVLink 4, 2.18.1; a bandwidth after a link name
# ("NVLink 600 GB/s") is not a version. ("v0.3" never reads as a number: a letter precedes it.)
_SOFTWARE = [
    *"CUDA NCCL RCCL cuDNN cuBLAS PyTorch TensorFlow JAX Triton Python DeepSpeed Megatron".split(),
    *"nvcc gcc clang LLVM ROCm NVLink NVSwitch PCIe Ubuntu vLLM Apex OpenMPI HBM Gen".split(),
    "Transformer Engine",
]
_VERSION = re.compile(
    r"(?:"
    + _cased("version", "release", "ver.", "driver")
    + "|"
    + "|".join(re.escape(n) for n in sorted(_SOFTWARE, key=len, reverse=True))
    + r")(?:-LM|-Core)?\s*\d+(?:\.\d+)*(?:\.x)?(?![\d.])(?!\s*(?:[GMT]i?B|[GMT]b|Gbps|%|x\b|×|GPUs?))"
)
# One of these (case as written) is needed for ``_VERSION`` to match: a cheap test before it runs.
_VERSION_KEYS = ("ersion", "elease", "er.", "river", *_SOFTWARE)
_DOTTED_VERSION = re.compile(r"\d+\.\d+\.\d+(?:\.\d+)*")
_REFERENCE_KEYS = tuple("sec fig tab eq alg appendix chapter listing theorem lemma foot §".split())

# --- names -------------------------------------------------------------------------------------------------

# Accelerator names, with memory and form-factor variants: A100-80GB, H100 SXM, MI300X, TPU v4, GH200.
_MODEL_NAME = (
    r"(?:A(?:10G?|30|40|100|800|6000)|H(?:100|200|800|20)|B(?:100|200)|GB200|GH200|L4|L40S?|T4|V100|P100"
    r"|MI\d{3}X?|TPU\s?v\d[a-z]?|Gaudi\s?\d?)"
)
_GPU_MODEL = re.compile(rf"(?P<name>{_MODEL_NAME}(?:[-\s](?:SXM\d?|PCIe|NVL|\d{{2,3}}\s?GB)(?!\w))*)(?![\w])")
# A capitalised token between a count and its noun: "1,024 A100-80GB GPUs", "128 DGX A100 nodes".
_TOKEN = r"(?:(?![KMGT]i?B\b|Gb\b)[A-Z][\w-]*|v\d\w*)"

# Numeric formats; "all-bfloat16" and "FP8-Everywhere" count.
_PRECISION = re.compile(
    r"(?<!\w)(?P<fmt>bf16|bfloat16|fp16|float16|fp32|float32|tf32|fp8|float8|e4m3|e5m2|mxfp8|int8|int4|fp4"
    r"|mxfp4|nvfp4|half[- ]precision|single[- ]precision|mixed[- ]precision)(?!\w)",
    re.I,
)
_PRECISION_KEYS = ("16", "32", "fp", "float", "e4m3", "e5m2", "int", "precision")
# What a format is used for: "FP32 master weights", "FP32 accumulation".
_PRECISION_USE = re.compile(
    r"[\s-]*(?P<use>master\s+weights?|master\s+cop(?:y|ies)|weights?|activations?|gradients?"
    r"|optimizer\s+states?|Adam\s+states?|accumulat\w*|accumulators?)\b",
    re.I,
)
# "top-2", "top 1" routing (not top-1 accuracy).
_TOP_K = re.compile(r"\btop[-\s]?(?P<k>\d+|one|two|three|four|eight)\b(?!\s*(?:accuracy|acc\b|error))", re.I)
# Model sizes inside a hyphenated name: LLaMA-2-13B, OPT-13B, Llama-3.1-8B.
_NAMED_SIZE = re.compile(
    r"\b(?:GPT|LLaMA|Llama|OPT|BLOOM|Falcon|Mistral|Qwen|Pythia|Gemma|Phi|T5|DeepSeek|Yi)[\w.]*(?:-[\w.]+)*?"
    r"-(?P<n>\d+(?:\.\d+)?)(?P<s>[BMT])\b"
)
# Parallel degrees written against their name: TP8, PP4, DP16.
# "TP8", and "TP 8" / "PP 8," written with a space ("= 8" has its own rule)
_GLUED_DEGREE = re.compile(r"\b(?P<name>TP|PP|DP|EP|CP)\s?(?P<n>\d+)\b(?![.\d]*\s*(?:%|x\b|GB|GiB|ms|s\b))")
# Megatron's tuples: "(p, t, d) = (8, 8, 16)".
_DEGREE_TUPLE = re.compile(
    r"\((?P<names>[tpdbmv](?:\s*,\s*[tpdbmv]){1,5})\)\s*=\s*\((?P<vals>\d+(?:\s*,\s*\d+){1,5})\)"
)
_TUPLE_ROLES = {
    "t": "tp",
    "p": "pp",
    "d": "dp",
    "b": "micro_batch_size",
    "m": "micro_batches",
    "v": "virtual_stages",
}

# --- cues in the sentence ----------------------------------------------------------------------------------

# Is the number planned, projected, measured, or the baseline's? The cue nearest to the number wins. The
# words in the middle are needed for the pattern to match (a cheap test before it runs).
_STANCES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    (
        "planned",
        ("will", "we'll", "plan", "future", "intend", "going to", "target"),
        re.compile(
            r"\b(?:we\s+will|we'll|will\s+(?:be|scale|run|use|train|evaluate|measure|compare|test|extend|port|add"
            r"|release)|plan(?:s|ned)?\s+to|planned|future\s+work|we\s+intend|intend\s+to|going\s+to"
            r"|we\s+target|targeting)\b",
            re.I,
        ),
    ),
    (
        "projected",
        (
            "project",
            "expect",
            "estimat",
            "predict",
            "anticipat",
            "would",
            "could",
            "might",
            "should",
            "hypothes",
        ),
        re.compile(
            r"\b(?:we\s+project|projected|our\s+projections?|projects|(?<!as\s)expect(?:s|ed)?|we\s+estimate"
            r"|estimated|estimates"
            r"|predict(?:s|ed)?|anticipated?|hypothesi[sz]e\w*"
            r"|(?:would|could|might|should)\s+(?:reach|achieve|give|yield|be|deliver|provide|cut|reduce|improve))\b",
            re.I,
        ),
    ),
    (
        "evaluation",
        tuple(
            "ran run measur observ obtain achiev benchmark profil test train pilot single preliminary".split()
        ),
        re.compile(
            r"\b(?:we\s+(?:ran|run|measured?|observed?|obtained?|achieved?|benchmarked|profiled|tested|trained)"
            r"|measured|ran|our\s+(?:pilot|prototype|experiments?|evaluation|runs?|measurements?|profile|tests?)"
            r"|pilot|in\s+our\s+tests?|on\s+a\s+single\s+(?:node|GPU)|preliminary\s+results?)\b",
            re.I,
        ),
    ),
    (
        "baseline",
        ("baseline", "report"),
        re.compile(
            r"\bthe\s+baseline(?:'s)?\s+(?:uses|runs|reaches|achieves|reports|trains|has|gets|takes)\b"
            r"|\bbaseline\s+(?:configuration|setup|run|numbers?|throughput|MFU)\b"
            r"|(?:(?-i:\b(?!We\b|This\b|Our\b)[A-Z][\w-]+)|\bwhich|\bpaper|\bauthors)\s+reports?\b"
            r"|\breported\s+(?:by|in)\b"
            r"|\bas\s+reported\b",
            re.I,
        ),
    ),
)
# Section titles that set the stance of a paragraph with no cue of its own.
_SECTION_STANCES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("planned", re.compile(r"\b(?:plan\w*|future|proposed\s+evaluation)\b", re.I)),
    ("evaluation", re.compile(r"\b(?:pilot|results?|evaluation|experiments?|measurements?)\b", re.I)),
)

# The scope of a speedup, from the words around it; earlier entries win.
_SCOPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "end-to-end",
        re.compile(
            r"\b(?:end-to-end|e2e|overall|time[- ]to[- ]train\w*|wall[- ]clock"
            r"|(?:fine-?tuning|training)\s+time)\b",
            re.I,
        ),
    ),
    ("kernel", re.compile(r"\b(?:kernels?|cuBLAS|cuDNN|CUTLASS|microbenchmarks?)\b", re.I)),
    ("memory", re.compile(r"\b(?:memory|footprint)\b", re.I)),
    (
        "local",
        re.compile(
            r"\b(?:GEMMs?|matmuls?|attention|all-?reduces?|all-?gathers?|reduce-scatters?|all-to-all|communication"
            r"|collectives?|optimizer|backward|forward|layers?|checkpoint\w*|recovery|softmax|FFN|MLP|dispatch"
            r"|gradient\s+sync\w*|operators?|ops)\b",
            re.I,
        ),
    ),
    (
        "throughput",
        re.compile(
            r"\b(?:throughput|tokens/s|tokens\s+per\s+second|samples/s|TFLOP/?s|MFU|utili[sz]ation)\b", re.I
        ),
    ),
    (
        "end-to-end",
        re.compile(r"\b(?:steps?|iterations?|training|trains?|fine-?tun\w+|per-step|epochs?|jobs?)\b", re.I),
    ),
)

# Where a phrase next to a number ends.
_PHRASE_STOP = re.compile(
    r"[,;:()\[\]|=]|(?<![\w.])\d|\.(?!\d)|(?<![\w-])(?:than|over|versus|vs|compared|relative|against|on|for|with"
    r"|while|when|at|in|per|from|because|since|as|and|but|which|that|to|using|by|after|before|is|are|was|were)"
    r"(?![\w-])",
    re.I,
)
# Where the clause before a number starts.
_CLAUSE_START = re.compile(
    r"[,;:(]|\b(?:and|but|while|whereas|versus|vs\.?|that|which|where|so|thus|hence)\s", re.I
)
# Words that lead into a number and are not part of what it measures.
_LEAD_WORDS = re.compile(
    r"(?:\s+(?:is|are|was|were|of|at|about|roughly|only|nearly|around|takes?|took|measures?|measured|costs?"
    r"|needs?|lasts?|spends?|by|to|in|within|under|over|from|falls?|drops?|goes|went|rises?|decreases?"
    r"|increases?|grows?|shrinks?|~|=|:))+\s*$",
    re.I,
)
_TRAILING_WORDS = re.compile(r"(?:\s+(?:per|of|a|an|the|each|every))+\s*$", re.I)
_FROM_VALUE = re.compile(r"\s+from\s+[\d.,]+\s*\S*\s*$", re.I)
_LEAD_VERB = re.compile(
    r"^(?:reduces|reduce|cuts|cut|lowers|brings|shrinks|makes|keeps|so|thus|hence|then)\s+", re.I
)
_DETERMINER = re.compile(r"^(?:the|a|an|its|their|our|each|every|one)\s+", re.I)

_LINK_CUE = re.compile(
    r"\b(?:NVLink|NVSwitch|xGMI|Infinity\s+Fabric|PCIe|ICI|intra-node|in-node|within\s+(?:a|the|each)\s+node"
    r"|inside\s+(?:a|the|each)\s+nodes?)\b",
    re.I,
)
_NIC_CUE = re.compile(
    r"\b(?:InfiniBand|IB|RoCE\w*|Ethernet|NICs?|HCAs?|network|networks|inter-node|between\s+nodes|across\s+"
    r"(?:the\s+)?(?:[\d,]+\s+)?nodes|EFA|HDR|NDR|Slingshot|scale-out)\b",
    re.I,
)
_HBM_CUE = re.compile(r"\b(?:HBM\w*|memory\s+bandwidth|DRAM|GDDR\w*)\b", re.I)
_ACHIEVED = re.compile(r"\b(?:achieved|measured|effective|observed|bus\s+bandwidth|busbw|algbw)\b", re.I)
_PEAK = re.compile(
    r"\b(?:peak|theoretical|spec(?:ification)?|datasheet|dense(?!\s+(?:GEMM|matmul|layer|model|attention)))\b",
    re.I,
)
# An accelerator's name and an opening parenthesis before a number: its spec sheet, "A100 (312 TFLOP/s".
_SPEC_OPEN = re.compile(rf"{_MODEL_NAME}[\w\s-]{{0,12}}\(\s*\Z")
_ACHIEVE_VERB = re.compile(
    r"\b(?:achiev\w*|measur\w*|reach\w*|sustain\w*|obtain\w*|project\w*|expect\w*|deliver\w*|get|gets|run|runs"
    r"|per\s+GPU)\b",
    re.I,
)
_PER_GPU = re.compile(r"\s*(?:per|/|on\s+each|each)\s*(?:GPU|device|H100|A100|chip|accelerator)\b", re.I)
# Operations whose time a draft states: kernels, passes, collectives, windows.
_OP_CUE = re.compile(
    r"\b(?:kernels?|GEMMs?|matmuls?|attention|all-?reduces?|all-?gathers?|reduce-scatters?|all-to-all|gathers?"
    r"|collectives?|communication|pass|passes|backward|forward|layers?|compute|windows?|idle|bubbles?|stalls?"
    r"|exposed|launch\w*|latency|optimizer|checkpoint\w*|copy|copies|transfers?|exchange|synchroni[sz]ation"
    r"|softmax|decode|prefill|operators?|ops?)\b",
    re.I,
)
# The time of a whole step: "step time of", "time per iteration", "each step takes", "per step".
_STEP_TIME = re.compile(r"\b(?:step|iteration)[- ]times?\b|\btime\s+per\s+(?:step|iteration)\b", re.I)
_STEP_CUE = re.compile(
    r"\b(?:step|iteration)[- ]times?\b|\btime\s+per\s+(?:step|iteration)\b|\bper[- ](?:step|iteration)\b"
    r"|\b(?:each|every|one|a|the)\s+(?:training\s+)?(?:step|iteration)\s+(?:takes|took|lasts|is)\b",
    re.I,
)
_PER_STEP = re.compile(r"\s*(?:per|each|every|a|/)\s*(?:training\s+)?(?:step|iteration)\b", re.I)
_STEP_NOUN = re.compile(r"(?:training\s+)?(?:step|iteration)s?", re.I)
_SUBJECT_VERB = re.compile(
    r"(?P<subj>[^,;:()]*?)\s*\b(?:accounts?\s+for|account(?:ed|ing)\s+for|tak(?:es|e|ing)|took|consum(?:es|e|ing|ed)"
    r"|cost(?:s|ing)?|occup(?:ies|y|ying)|represents?|makes?\s+up|is|are|was|were)"
    r"\s+(?:about\s+|roughly\s+|approximately\s+|only\s+|nearly\s+|almost\s+|over\s+|up\s+to\s+|~\s?|just\s+)?\Z",
    re.I,
)
_SPENT_IN = re.compile(
    r"\s*,?\s+(?:(?:is|are|was|were)\s+)?(?:spent|consumed|taken|used|goes|went)\s+(?:in|on|by)\s+"
    r"(?P<subj>(?:(?!\b(?:that|which|where|when|while|because|so)\b)[^,.;()]){1,60})",
    re.I,
)
_GROW_BY = re.compile(
    r"\b(?:slow\w*|increas\w*|grow\w*|inflat\w*|expand\w*|enlarg\w*|multipl\w*|rais\w*)\b(?P<obj>(?:\s+[\w/-]+){0,4}?)"
    r"\s+by\s+(?:(?:up\s+to|about|roughly|nearly|~)\s*)?\Z",
    re.I,
)
_FASTER_OBJECT = re.compile(
    r"\b(?:throughput|speed|performance|tokens/s|TFLOP/?s|MFU|utili[sz]ation)\b", re.I
)
_NODE_CUE = re.compile(r"\b(?:nodes?|servers?|machines?|hosts?|DGX|HGX|boxes)\b", re.I)
_PLACEMENT = re.compile(
    r"\b(?:inside|within|outside|beyond|leaves?|leaving|across|per|each|every)\s+(?:a\s+)?\Z", re.I
)
_DGX = re.compile(r"\b(?:DGX|HGX)\b")
_NIC_COUNT = re.compile(
    r"(?:(?<![\d/.,])(?P<n>\d+)\s?[x×]|\b(?P<w>two|four|eight|sixteen))\s*\Z",
    re.I,
)
_VERSUS = re.compile(r"\s*,?\s*(?:versus|vs\.?|compared\s+(?:to|with))\s+(?:the\s+)?\Z", re.I)
_FOR_WHOM = re.compile(r"\s*(?:%\s*)?(?:for|of|with|by|in)\s+(?P<who>[\w.+-]+(?:\s+[A-Z][\w.+-]*)?)")

# --- rules -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Num:
    """A numeral in a sentence: its span, its value without the scale, and the scale as written."""

    start: int
    end: int
    value: float
    suffix: str
    word: bool
    percent: bool


@dataclass(frozen=True, slots=True)
class _Hit:
    """A role given to a number; ``end`` is where the unit or context that gave it ends."""

    role: str
    value: float
    unit: str
    start: int
    end: int
    qualifier: str = ""
    text: str = ""
    stance: bool = True  # whether the qualifier may be filled with the sentence's stance


@dataclass(slots=True)
class _Sentence:
    """A sentence and its section; its stance cues are found on first use."""

    text: str
    section: str
    low: str = ""
    _stances: list[tuple[int, int, str]] | None = None
    _keys: list[tuple[str, frozenset[int]]] | None = None

    @classmethod
    def of(cls, text: str, section: str) -> _Sentence:
        return cls(text, section, text.lower())

    @property
    def stances(self) -> list[tuple[int, int, str]]:
        if self._stances is None:
            self._stances = [
                (m.start(), m.end(), label)
                for label, keys, rx in _STANCES
                if any(k in self.low for k in keys)
                for m in rx.finditer(self.text)
            ]
        return self._stances

    @property
    def keys(self) -> list[tuple[str, frozenset[int]]]:
        """The rule keys that occur in the sentence, with the rules each gates."""
        if self._keys is None:
            self._keys = [(k, rules) for k, rules in _KEY_RULES if k in self.low]
        return self._keys

    def stance(self, start: int, end: int) -> str:
        """The stance cue nearest to a span, else the one its section's title gives."""
        best, label = math.inf, ""
        for cs, ce, cue in self.stances:
            dist = start - ce if ce <= start else cs - end if cs >= end else 0
            if dist < best:
                best, label = dist, cue
        if not label and self.section:
            label = next((lab for lab, rx in _SECTION_STANCES if rx.search(self.section)), "")
        return label

    def before(self, num: _Num, limit: int = _BEFORE) -> str:
        return self.text[max(0, num.start - limit) : num.start]


_Handler = Callable[[_Sentence, _Num, "re.Match[str] | None", "re.Match[str] | None", "_Rule"], list[_Hit]]


@dataclass(frozen=True, slots=True)
class _Rule:
    """One way a number gets a role.

    ``after`` must match right after the number, ``before`` must match right before it (it ends in ``\\Z``);
    ``cue`` must occur somewhere in the sentence and ``anti`` must not. ``read`` says how to read the value
    (see ``_read``); ``qualifier`` is set on the quantity. An empty ``role`` is a veto: the number gets no
    role at all. ``handler`` replaces the default of one hit with the rule's role.

    ``keys``, ``first``, ``percent`` and ``scaled`` are cheap necessary conditions checked before any pattern
    runs: one of the "|"-separated keys occurs in the lower-cased window around the number; the first
    character after the number and its spaces, lower-cased, is one of ``first``; the number is a percentage;
    the number has a scale such as "13B". They keep extraction fast and never change what matches.
    """

    role: str
    read: str = "count"
    after: re.Pattern[str] | None = None
    before: re.Pattern[str] | None = None
    cue: re.Pattern[str] | None = None
    anti: re.Pattern[str] | None = None
    words: bool = False
    unit: str = ""
    handler: _Handler | None = None
    keys: str = ""
    percent: bool = False
    scaled: bool = False
    first: str = ""
    qualifier: str = ""

    def match(self, s: _Sentence, num: _Num) -> tuple[re.Match[str] | None, re.Match[str] | None] | None:
        """The matches of the rule's patterns at a number, or None; the cheap gates are checked already."""
        am = bm = None
        if self.after is not None:
            am = self.after.match(s.text, num.end, min(len(s.text), num.end + _AFTER))
            if am is None:
                return None
        if self.before is not None:
            bm = self.before.search(s.text, max(0, num.start - _BEFORE), num.start)
            if bm is None:
                return None
        if self.cue is not None and not self.cue.search(s.text):
            return None
        if self.anti is not None and self.anti.search(s.text):
            return None
        return am, bm


def _rx(pattern: str, flags: int = re.I) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def _read(kind: str, num: _Num) -> float | None:
    """The value of a number for a kind of role, or None when the number cannot be one."""
    v, suffix = num.value, num.suffix
    if kind in ("count", "int"):
        ok = not suffix and not num.percent and v == int(v) and 1 <= v <= 1e7
        return v if ok else None
    if kind == "seq":
        if num.percent or suffix not in ("", "k", "K"):
            return None
        v *= units.scale(suffix, binary=True)
        return v if v == int(v) and 16 <= v <= 1e8 else None
    if kind == "seq_k":
        return _read("seq", num) if suffix in ("k", "K") else None
    if kind == "batch":
        if num.percent or suffix not in ("", "k", "K"):
            return None
        v *= units.scale(suffix)
        return v if v == int(v) and v >= 1 else None
    if kind == "params":
        v *= units.scale(suffix)
        return v if v >= 1e6 and not num.percent else None
    if kind == "ratio":
        return v if not suffix and not num.percent and 1.0 <= v <= 1000 else None
    if kind == "pct_up":
        return 1 + v / 100 if num.percent and 0 < v <= 10000 else None
    if kind == "pct_down":
        return 1 / (1 - v / 100) if num.percent and 0 < v < 100 else None
    if kind == "fraction":
        if suffix:
            return None
        if num.percent:
            return v / 100 if v <= 100 else None
        return v if 0 < v <= 1 else None
    if kind == "rate":
        return v * units.scale(suffix) if not num.percent else None
    # "float": a plain positive magnitude in the unit the rule reads
    return v if not suffix and not num.percent and v > 0 else None


def _hit(
    rule: _Rule,
    num: _Num,
    value: float,
    am: re.Match[str] | None,
    qualifier: str = "",
    text: str = "",
    stance: bool = True,
) -> _Hit:
    """A hit with the rule's role and unit, ending where the rule's right context ends."""
    end = am.end() if am is not None else num.end
    return _Hit(rule.role, value, rule.unit, num.start, end, qualifier, text, stance)


def _default(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """One hit with the rule's role, read as the rule says."""
    value = _read(rule.read, num)
    if value is None:
        return []
    qualifier = rule.qualifier
    if am is not None and "q" in am.groupdict() and am.group("q"):
        qualifier = am.group("q").lower()
    return [_hit(rule, num, value, am, qualifier=qualifier, stance=not qualifier)]


# --- handlers ----------------------------------------------------------------------------------------------


def _near_after(s: _Sentence, pos: int) -> str:
    tail = s.text[pos : pos + 60]
    stop = _PHRASE_STOP.search(tail)
    tail = tail[: stop.start()] if stop else tail
    return _TRAILING_WORDS.sub("", tail)


def _near_before(s: _Sentence, pos: int) -> str:
    head = s.text[max(0, pos - 80) : pos]
    starts = list(_CLAUSE_START.finditer(head))
    return head[starts[-1].end() :] if starts else head


def _scope_in(text: str) -> str:
    return next((label for label, rx in _SCOPES if rx.search(text)), "")


def _clause_span(text: str, start: int, end: int, marks: str = ";") -> tuple[int, int]:
    """The span of the clause around ``text[start:end]``, delimited by any of ``marks``."""
    lo = max(text.rfind(m, 0, start) for m in marks) + 1
    stops = [i for i in (text.find(m, end) for m in marks) if i >= 0]
    return lo, min(stops, default=len(text))


def _nearest_scope(s: _Sentence, start: int, end: int) -> str:
    """The last scope cue before a number in its comma-delimited clause, or ""."""
    lo, _ = _clause_span(s.text, start, end, ",;")
    best: tuple[int, str] | None = None
    for label, rx in _SCOPES:
        for m in rx.finditer(s.text, lo, start):
            if best is None or m.start() > best[0]:
                best = (m.start(), label)
    return best[1] if best is not None else ""


_RATIO_NOUN = re.compile(r"(?:speed-?up|reduction|improvement|gain|increase|decrease)s?", re.I)
_OF_IN = re.compile(r"\s*(?:in|of|for)\s+", re.I)
# The unit of a ratio at the start of its tail: "x", "%", "percent".
_UNIT_MARK = re.compile(r"^\s?(?:[x×]|%|percent)\+?", re.I)
# The "by (up to)" that ends a phrase before a percentage.
_BY_TAIL = re.compile(r"\s+by\s+(?:(?:up\s+to|about|roughly|nearly|over|~|more\s+than)\s*)?$", re.I)


def _speedup(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """A speedup with its scope (end-to-end, kernel, local, throughput, memory) from the nearest words."""
    value = _read(rule.read, num)
    if value is None:
        return []
    grow = _GROW_BY.search(s.text, max(0, num.start - _BEFORE), num.start)
    if grow and not _FASTER_OBJECT.search(grow.group("obj")):
        return []  # "slowed by 3x", "memory grows by 2x"
    end = am.end() if am is not None else num.end
    tail = _UNIT_MARK.sub("", s.text[num.end : end] + _near_after(s, end))
    if _RATIO_NOUN.fullmatch(tail.strip()):
        # "a 1.8x reduction in fine-tuning time", "a 1.4x speedup for training": the scope follows the noun
        more = _OF_IN.match(s.text, end + len(_near_after(s, end)))
        if more:
            tail += more.group(0) + re.split(r"[,;:()]|\.(?!\d)", s.text[more.end() : more.end() + 40])[0]
    scope = _scope_in(tail) or _scope_in(_near_before(s, num.start)) or _nearest_scope(s, num.start, end)
    stance = s.stance(num.start, end)
    qualifier = "baseline" if stance == "baseline" else scope or stance
    text = " ".join(tail.split())
    if not text and bm is not None:
        text = " ".join(_BY_TAIL.sub("", bm.group(0)).split()[-5:])
    return [_hit(rule, num, value, am, qualifier=qualifier, text=text, stance=False)]


def _clause_subject(text: str) -> str:
    """What the clause ending in ``text`` is about: "the all-gather takes about" -> "all-gather"."""
    text = re.sub(r"\([^()]*\)", " ", text)
    starts = list(_CLAUSE_START.finditer(text))
    if starts:
        text = text[starts[-1].end() :]
    text = _LEAD_WORDS.sub("", text)
    text = _FROM_VALUE.sub("", text).strip(" *")  # "falls from 2.1 ms to" -> "falls"
    text = _LEAD_WORDS.sub("", text)
    words = text.split()
    return _DETERMINER.sub("", _LEAD_VERB.sub("", " ".join(words[-6:])))


def _time_fraction(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """A share of step time, with what takes it in ``text`` ("GEMMs", "the all-reduce")."""
    value = _read("fraction", num)
    if value is None or am is None:
        return []
    end = am.end()
    text = ""
    spent = _SPENT_IN.match(s.text, end)
    if spent:
        text, end = spent.group("subj"), spent.end()
    else:
        subj = _SUBJECT_VERB.search(s.text, max(0, num.start - _BEFORE), num.start)
        if subj:
            text = _clause_subject(subj.group("subj"))
    text = _DETERMINER.sub("", text.strip(" *"))
    return [_Hit(rule.role, value, "", num.start, end, text=text)]


def _time(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """A time in seconds: a step time, or an operation's time with the operation in ``text``."""
    if am is None or num.suffix or num.percent:
        return []
    secs = units.seconds(num.value, am.group("u"))
    if secs is None:
        return []
    of = _OF_IN.match(s.text, am.end())
    tail = _near_after(s, of.end() if of else am.end()).strip()
    head = s.before(num)
    step = _Hit("step_time", secs, "s", num.start, am.end(), text="step time")
    if _STEP_NOUN.fullmatch(tail) or _STEP_TIME.search(head[-40:]):
        return [step]  # "a 4.2 s step", "step time of 1.4 s"
    if _OP_CUE.search(tail):
        return [_Hit("kernel_time", secs, "s", num.start, am.end(), text=_DETERMINER.sub("", tail))]
    subject = _clause_subject(head)
    if _OP_CUE.search(subject) or (secs < 1e-3 and subject):
        return [_Hit("kernel_time", secs, "s", num.start, am.end(), text=subject)]
    if _STEP_CUE.search(_near_before(s, num.start)[-40:]) or _PER_STEP.match(s.text, am.end()):
        return [step]  # "each iteration takes 2.1 s", "1.2 s per step"
    return []


def _bandwidth(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """A link rate in GB/s: NVLink-like cues make it intra-node, network cues inter-node."""
    if am is None or num.suffix or num.percent:
        return []
    unit = am.group("u")
    gbs = units.bandwidth_gb_per_s(num.value, unit)
    if gbs is None:
        return []
    lo, hi = _clause_span(s.text, num.start, am.end())
    cues = [(m, "link") for m in _LINK_CUE.finditer(s.text, lo, hi)]
    cues += [(m, "nic") for m in _NIC_CUE.finditer(s.text, lo, hi)]
    cues += [(m, "") for m in _HBM_CUE.finditer(s.text, lo, hi)]

    def dist(m: re.Match[str]) -> int:
        return num.start - m.end() if m.end() <= num.start else max(0, m.start() - am.end())

    if cues:
        role = min(cues, key=lambda c: dist(c[0]))[1]
    else:
        role = "nic" if "b" in unit[:2] else ""
    if not role:
        return []
    qualifier = ""
    if role == "nic":
        count = _NIC_COUNT.search(s.text, max(0, num.start - 16), num.start)
        if count:
            n = count.group("n") or str(units.NUMBER_WORDS[count.group("w").lower()])
            per_node = (
                " per node" if re.search(r"\bper\s+node\b", s.text[am.end() : am.end() + 40], re.I) else ""
            )
            qualifier = f"{n} NICs{per_node}"
    elif _ACHIEVED.search(s.text[max(0, num.start - 30) : am.end() + 30]):
        qualifier = "achieved"
    name = "link_bandwidth" if role == "link" else "nic_bandwidth"
    return [_Hit(name, gbs, "GB/s", num.start, am.end(), qualifier=qualifier, stance=not qualifier)]


def _tflops(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """A FLOP rate in TFLOP/s: the hardware's peak when the words say so, else achieved per GPU."""
    if am is None or num.suffix or num.percent:
        return []
    peta = am.group("u").lower().startswith("p")
    value = num.value * (1000.0 if peta else 1.0)
    end = am.end()
    near = _near_before(s, num.start)[-30:] + " " + _near_after(s, end)
    per_gpu = _PER_GPU.match(s.text, end) is not None
    if _PEAK.search(near) or _SPEC_OPEN.search(s.text, max(0, num.start - 30), num.start):
        role = "peak_tflops"
    elif per_gpu:
        role = "tflops_per_gpu"
    elif _PEAK.search(s.text) and not _ACHIEVE_VERB.search(s.text):
        role = "peak_tflops"
    elif peta:
        return []  # an aggregate PFLOP/s of a cluster is not a per-GPU number
    else:
        role = "tflops_per_gpu"
    return [_Hit(role, value, "TFLOP/s", num.start, end)]


def _memory(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """A device memory size, unless the words say it is used rather than available."""
    if am is None or num.suffix or num.percent:
        return []
    if _MEMORY_USE.search(s.text, max(0, num.start - _BEFORE), num.start):
        return []  # "uses 40 GB of memory" is a footprint, not a capacity
    return [_Hit("memory_capacity", num.value, am.group("u"), num.start, am.end())]


def _nodes(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """A node count; a DGX/HGX node also states 8 GPUs per node."""
    value = _read("count", num)
    if value is None or am is None:
        return []
    if value == 1 and _PLACEMENT.search(s.text, max(0, num.start - 24), num.start):
        return []  # "kept inside one node" says where, not how many
    hits = [_hit(rule, num, value, am)]
    if _DGX.search(am.group(0)):
        # a DGX/HGX A100 or H100 node holds 8 GPUs
        hits.append(_Hit("gpus_per_node", 8.0, "GPU", num.start, am.end(), text="implied by DGX"))
    return hits


def _gpus_x_model(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """ "8x A100": GPUs per node when a node is named next to it, else a GPU count."""
    value = _read("count", num)
    if value is None or am is None:
        return []
    head = s.text[max(0, num.start - 30) : num.start]
    if re.search(r"=\s*\Z", head):
        role = "gpus"  # "8 nodes = 64 x A100": the total
    elif _NODE_CUE.search(s.text, am.end(), am.end() + 30) or _NODE_CUE.search(head):
        role = "gpus_per_node"  # "8 x H100 in one node", "one node, 8 x A100"
    else:
        role = "gpus"
    return [_Hit(role, value, "GPU", num.start, am.end())]


def _n_way(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """ "8-way tensor parallelism", "4 tensor-parallel ranks": the degree of the named kind."""
    value = _read("int", num)
    if value is None or am is None:
        return []
    kind = (am.group("kind") or am.group("kind2")).lower()
    role = {"tensor": "tp", "tp": "tp", "pipeline": "pp", "pp": "pp", "data": "dp", "dp": "dp"}.get(kind)
    role = role or {"expert": "ep", "ep": "ep", "context": "cp", "sequence": "cp", "cp": "cp"}[kind]
    return [_Hit(role, value, "", num.start, am.end())]


def _chain(
    s: _Sentence, num: _Num, am: re.Match[str] | None, bm: re.Match[str] | None, rule: _Rule
) -> list[_Hit]:
    """ "TP = SP = 8": one degree for each name in the chain; SP beside TP is noted on tp."""
    value = _read("int", num)
    if value is None or bm is None:
        return []
    names = re.findall(r"[A-Z]{2}", bm.group("chain"))
    sp = "SP" in names
    roles = {"TP": "tp", "PP": "pp", "DP": "dp", "EP": "ep", "CP": "cp"}
    hits = []
    for name in names:
        if name in roles:
            qualifier = "sp" if name == "TP" and sp else ""
            hits.append(
                _Hit(roles[name], value, "", num.start, num.end, qualifier=qualifier, stance=not qualifier)
            )
    return hits


# Words that make a memory size a footprint rather than a capacity.
_MEMORY_USE = re.compile(
    r"\b(?:uses?|used|using|needs?|needed|requires?|required|consumes?|consumed|takes?|took|occupies|allocates?"
    r"|allocated|reserves?|reserved|peak(?:\s+\w+){0,3}\s+(?:is|was|of)|footprint(?:\s+\w+)?\s+(?:is|was|of)"
    r"|is|was|are|were)\s+(?:only\s+|about\s+|roughly\s+|~\s?|up\s+to\s+|just\s+)?\Z",
    re.I,
)

_DEGREE_TAIL = r"\s*(?:=|:|of|is|to|at)?\s*"
_VETO = ""

# Rules in priority order: the first that matches a number gives its role.
_RULES: tuple[_Rule, ...] = (
    # vetoes: counts of a subset ("the other 127 nodes"), per-stage layer counts, events ("one node fails"),
    # a device as a unit of memory ("fits on one GPU", "one GPU's memory")
    _Rule(
        _VETO,
        before=_rx(r"\b(?:fits?|fitting)\s+(?:on\s+|in\s+|into\s+|within\s+)?(?:a\s+)?\Z"),
        after=_rx(r"\s?(?:GPUs?|devices?|accelerators?|nodes?)\b"),
        keys="fit",
        words=True,
    ),
    _Rule(
        _VETO,
        after=_rx(r"\s?(?:GPU|device|accelerator)['’]s\b"),
        keys="gpu|device|accelerator",
        words=True,
    ),
    _Rule(
        _VETO,
        before=_rx(r"\b(?:other|remaining|surviving|failed|failing|healthy|spare|idle|first|last)\s+\Z"),
        keys="other|remaining|surviving|failed|failing|healthy|spare|idle|first|last",
    ),
    _Rule(
        _VETO,
        after=_rx(
            r"\s+layers?\s+(?:per|on\s+each|in\s+each|each|ahead|in\s+flight|at\s+a\s+time"
            r"|of\s+(?:compute|look-?ahead|prefetch|work))\b"
        ),
        words=True,
        keys="layer",
        first="l",
    ),
    _Rule(
        _VETO,
        after=_rx(
            r"\s+node\s+(?:was|fails?|failed|dies|died|goes|went|becomes|crash\w*|is\s+(?:slow|down|lost))\b"
        ),
        words=True,
        keys="node",
        first="n",
    ),
    # "each stage holds 6 layers", "8 heads per GPU", "2 experts per GPU": a share, not the model's count
    _Rule(
        _VETO,
        before=_rx(r"\b(?:each|every|per)\b[^,;.]{0,30}\Z"),
        after=_rx(r"\s?layers\b"),
        keys="layer",
        first="l",
    ),
    _Rule(
        _VETO,
        after=_rx(
            r"\s?(?:attention\s+)?(?:heads|experts)\s+(?:per|on\s+each)\s+(?:GPU|rank|device|partition)\b"
        ),
        keys="head|expert",
        first="ahe",
    ),
    # "10 node kills", "2 node failures": a count of events, not of nodes
    _Rule(
        _VETO,
        after=_rx(r"\s+node\s+(?!(?:is|was|with|of|in|on|and|or|for|to|that|which)\b)[a-z]"),
        cue=None,
        keys="node",
        first="n",
    ),
    _Rule(
        _VETO,
        before=_rx(r"\bper-?\s?(?:GPU|device|rank)\s+batch(?:\s+size)?\s*(?:of|=|:)?\s*\Z"),
        keys="batch",
    ),
    _Rule(
        _VETO,
        before=_rx(r"\bbatch(?:\s+size)?\s+(?:of\s+)?\Z"),
        after=_rx(r"\s?tokens?\b"),
        keys="token",
        first="t",
    ),
    # "batch size 32 per GPU": a per-device batch, not the global one
    _Rule(
        _VETO,
        before=_rx(r"\bbatch(?:\s+size)?\s*(?:of|=|:)?\s*\Z"),
        after=_rx(r"\s?(?:sequences?\s+|samples?\s+)?(?:per|/)\s*(?:GPU|device|rank|replica|worker)\b"),
        keys="batch",
    ),
    # speedups: "1.35x end-to-end speedup", "2x faster GEMMs", "(2.4x)", "speedup of 1.6"
    _Rule(
        "speedup",
        "ratio",
        after=_rx(
            r"\s?[x×](?!\w)\s*(?:"
            r"(?:(?:end-to-end|overall|e2e|kernel|attention|GEMM|training|step|decode|inference|throughput)\s+){0,2}"
            r"(?:faster|quicker|speed-?ups?|improvement|gains?|better"
            r"|higher\s+(?:\w+\s+)?(?:throughput|MFU|TFLOP/s|tokens/s|performance|utili[sz]ation|efficiency)"
            r"|lower\s+(?:\w+\s+)?(?:step\s+time|latency|time|runtime|memory)|less\s+(?:\w+\s+)?(?:memory|time)"
            r"|(?:memory\s+)?reduction|more\s+(?:throughput|tokens/s))"
            r"|(?=[,;:.)\]|*]|\s*$|\s+(?:on|in|at|for|over|than|versus|vs|compared|relative|with|when|from|across)\b))",
            0,
        ),
        handler=_speedup,
        keys="x|×",
        first="x×",
    ),
    _Rule(
        "speedup",
        "ratio",
        before=_rx(
            r"\bspeed-?ups?\s+(?:of|is|=|:|reaches|reaching|to)\s*(?:(?:up\s+to|about|roughly|nearly|over|~)\s*)?\Z"
        ),
        after=_rx(r"(?:\s?[x×](?!\w))?"),
        handler=_speedup,
        keys="speed",
    ),
    # percent speedups: "35% faster", "8% higher tokens/s", "20% lower step time", "reduces step time by 20%"
    _Rule(
        "speedup",
        "pct_up",
        after=_rx(
            r"\s?(?:%|percent)\s+(?:(?:end-to-end|overall|e2e|kernel|training|decode|decoding|inference|step)\s+){0,2}"
            r"(?:faster|quicker|speed-?ups?|higher\s+(?:\w+\s+)?(?:throughput|tokens/s|TFLOP/s|MFU|performance"
            r"|utili[sz]ation)|more\s+(?:throughput|tokens/s)|(?:throughput|performance|speed)\s+(?:gain|improvement|increase))"
        ),
        handler=_speedup,
        percent=True,
        first="%p",
    ),
    _Rule(
        "speedup",
        "pct_down",
        after=_rx(
            r"\s?(?:%|percent)\s+(?:lower|less|shorter|smaller|reduced|fewer|reduction\s+in|decrease\s+in|cut\s+in)\s+"
            r"(?:the\s+)?(?:[\w/-]+\s+){0,3}?(?:time|latency|runtime|wall-clock|memory|footprint)\b"
        ),
        handler=_speedup,
        percent=True,
        first="%p",
    ),
    _Rule(
        "speedup",
        "pct_down",
        before=_rx(
            r"(?:\b(?:reduc\w*|cut\w*|lower\w*|shorten\w*|decreas\w*|shrink\w*|trim\w*)\s+(?:the\s+|its\s+|our\s+)?"
            r"(?:[\w/-]+\s+){0,4}?(?:time|latency|runtime|wall-clock|memory|footprint)"
            r"|\b(?:time|latency|runtime|memory|footprint)\s+(?:is|are|was|were|gets?)\s+(?:reduc\w*|cut|lower\w*"
            r"|shorten\w*|decreas\w*))\s+by\s+(?:(?:up\s+to|about|roughly|nearly|over|~|more\s+than)\s*)?\Z"
        ),
        handler=_speedup,
        percent=True,
        keys="reduc|cut|lower|shorten|decreas|shrink|trim|time is|time was",
    ),
    _Rule(
        "speedup",
        "pct_down",
        before=_rx(r"\bsav(?:e|es|ed|ing)\s+(?:(?:up\s+to|about|roughly|nearly|~)\s*)?\Z"),
        after=_rx(
            r"\s?%\s+of\s+(?:the\s+|each\s+|every\s+)?(?:[\w/-]+\s+){0,2}?(?:time|step|iteration|runtime)\b"
        ),
        handler=_speedup,
        percent=True,
        keys="sav",
        first="%",
    ),
    _Rule(
        "speedup",
        "pct_up",
        before=_rx(
            r"(?:\b(?:speeds?\s+up|speeding\s+up|sped\s+up|accelerat\w+)\s+(?:[\w/-]+\s+){0,4}?"
            r"|\b(?:throughput|performance|speed|tokens/s|TFLOP/s|MFU)\b[^.;%]{0,50}?"
            r"\b(?:improv\w*|increas\w*|rais\w*|boost\w*|grow\w*|ris\w*|goes\s+up|went\s+up)\s+"
            r"|\b(?:improv\w*|increas\w*|rais\w*|boost\w*)\s+(?:the\s+)?(?:[\w/-]+\s+){0,3}?"
            r"(?:throughput|performance|speed|tokens/s|TFLOP/s|MFU)\s+)"
            r"by\s+(?:(?:up\s+to|about|roughly|nearly|~)\s*)?\Z"
        ),
        handler=_speedup,
        percent=True,
        keys="speed|accelerat|throughput|performance|tokens/s|tflop|mfu",
    ),
    # utilisation and time shares: "52% MFU", "MFU of 0.52", "GEMMs account for 70% of step time"
    _Rule(
        "mfu",
        "fraction",
        after=_rx(r"\s?%\s*(?:model\s+FLOPs?\s+utili[sz]ation|MFU)\b"),
        percent=True,
        keys="mfu|utili",
        first="%",
    ),
    _Rule(
        "mfu",
        "fraction",
        before=_rx(
            r"\b(?:MFU|model\s+FLOPs?\s+utili[sz]ation(?:\s+\(MFU\))?)(?:\s+(?:of|is|was|=|:|reaches|reached|at|to)|\s*[=:])?"
            r"\s*(?:(?:about|roughly|~|only|nearly|up\s+to)\s*)?\Z"
        ),
        keys="mfu|utili",
    ),
    # "MFU improves from 38% to 45%": the first is the baseline's
    _Rule(
        "mfu",
        "fraction",
        before=_rx(r"\bMFU\s+(?:[\w-]+\s+){0,2}?from\s+\Z"),
        keys="mfu",
        percent=True,
        qualifier="baseline",
    ),
    _Rule(
        "mfu",
        "fraction",
        before=_rx(r"\bMFU\s+(?:[\w-]+\s+){0,2}?from\b[^;]{0,60}?\bto\s+\Z"),
        keys="mfu",
        percent=True,
    ),
    _Rule(
        "time_fraction",
        after=_rx(
            r"\s?%\s+of\s+(?:the\s+|each\s+|every\s+|total\s+|its\s+|our\s+|a\s+)?(?:[\w/-]+\s+){0,2}?"
            r"(?:time|runtime|(?:step|iteration|training|execution)s?(?:\s+time)?|latency|wall-clock)(?![\w-])"
        ),
        handler=_time_fraction,
        percent=True,
        keys=" of",
        first="%",
    ),
    # rates and sizes with units
    _Rule(
        "tflops",
        after=_rx(
            r"\s?(?P<u>T|P|tera|peta)(?:FLOP/s|FLOPs/s|FLOPS|FLOPs|FLOP/?s|Flop/?s|flop/?s|flops|Flops)(?![\w/])",
            0,
        ),
        handler=_tflops,
        keys="flop",
        first="tp",
    ),
    _Rule(
        "tokens_per_s",
        "rate",
        after=_rx(
            r"\s?(?:tokens?|toks?)\s*(?:/\s*s(?:ec)?|per\s+(?:second|sec|s))\b(?P<q>\s*(?:/|per)\s*(?:GPU|node|device))?"
        ),
        unit="token/s",
        handler=lambda s, n, am, bm, r: [
            replace(h, qualifier=" ".join(h.qualifier.replace("/", "per ").split()).replace("gpu", "GPU"))
            for h in _default(s, n, am, bm, r)
        ],
        keys="tok",
        first="t",
    ),
    _Rule(
        "bandwidth",
        after=_rx(r"\s?(?P<u>GB/s|GBps|GB/sec|GiB/s|TB/s|Gb/s|Gbps|Gbit/s|Tb/s|Tbps|Mb/s|Mbps)(?![\w/])", 0),
        handler=_bandwidth,
        keys="b/s|bps|bit/s",
        first="gtm",
    ),
    _Rule(
        "memory_capacity",
        after=_rx(
            r"\s?(?P<u>GB|GiB)\s+(?:of\s+)?(?:HBM\w*|device\s+memory|GPU\s+memory|on-device\s+memory|VRAM|DRAM"
            r"|memory)\b",
            0,
        ),
        handler=_memory,
        keys="gb|gib",
        first="g",
    ),
    _Rule(
        "memory_capacity",
        after=_rx(r"\s?(?P<u>GB|GiB)\b(?!/)", 0),
        before=_rx(r"\d\s?Gi?B\s+of\s+\Z", 0),
        handler=_memory,
        keys="gb|gib",
        first="g",
    ),
    _Rule(
        "memory_capacity",
        after=_rx(rf"\s?(?P<u>GB|GiB)\s+(?:GPUs?|cards?|devices?|accelerators?|{_MODEL_NAME})\b", 0),
        handler=_memory,
        keys="gb|gib",
        first="g",
    ),
    _Rule(
        "memory_capacity",
        after=_rx(r"\s?(?P<u>GB|GiB)\b(?!/)", 0),
        before=_rx(
            rf"(?:{_MODEL_NAME}(?:[-\s](?:SXM\d?|PCIe|NVL))?|GPUs?)\s*(?:\(|,|with|has|have)?\s*\Z", 0
        ),
        handler=_memory,
        keys="gb|gib",
        first="g",
    ),
    _Rule(
        "memory_capacity",
        after=_rx(r"\s?(?P<u>GB|GiB)\b(?!/)", 0),
        before=_rx(r"(?:\b(?:memory|HBM\w*)\s+(?:capacity|size)|\bcapacity)\s*(?:of|is|=|:)?\s*\Z"),
        handler=_memory,
        keys="gb|gib",
        first="g",
    ),
    _Rule(
        "memory_capacity",
        after=_rx(r"\s?(?P<u>GB|GiB)\b(?!/)", 0),
        before=_rx(r"(?<![\d/.,])\d+\s?[x×]\s*\Z"),
        cue=_rx(rf"\b(?:GPUs?|nodes?|HBM|memory|devices?|cards?)\b|{_MODEL_NAME}"),
        handler=_memory,
        keys="gb|gib",
        first="g",
    ),
    _Rule(
        "time",
        after=_rx(
            r"\s?(?P<u>ns|nanoseconds?|us|µs|μs|microseconds?|ms|msec|milliseconds?|s|sec|secs|seconds?)(?![\w/])"
        ),
        handler=_time,
        first="nuµμms",
    ),
    # GPUs per node: "8 GPUs per node", "nodes of 8 GPUs", "8-GPU servers", "the 8 GPUs of a node"
    _Rule(
        "gpus_per_node",
        after=_rx(
            rf"\+?\s?(?:(?:NVIDIA|AMD)\s+)?(?:{_TOKEN}\s+){{0,2}}?GPUs?\s*(?:per|/|in\s+each|on\s+each|each|in\s+a"
            r"|in\s+one|of\s+(?:a|each|every|one|the))\s*(?:node|server|machine|host|box)\b",
            0,
        ),
        words=True,
        unit="GPU",
        keys="gpu",
    ),
    _Rule(
        "gpus_per_node",
        after=_rx(rf"\s?(?:{_TOKEN}\s+){{0,2}}?GPUs\s+each\b", 0),
        words=True,
        unit="GPU",
        keys="gpu",
    ),
    _Rule(
        "gpus_per_node",
        after=_rx(rf"-GPU\s+(?:{_TOKEN}\s+){{0,2}}?(?:nodes?|servers?|machines?|hosts?|boxes|DGX)\b", 0),
        unit="GPU",
        keys="gpu",
        first="-",
    ),
    _Rule(
        "gpus_per_node",
        before=_rx(
            r"\b(?:nodes?|servers?|machines?|hosts?)\s*(?:of|with|[x×]|each\s+with|containing|having|holding)\s*\Z"
        ),
        after=_rx(rf"\s?(?:[x×]\s*)?(?:(?:NVIDIA|AMD)\s+)?(?:GPUs?\b|{_MODEL_NAME})", 0),
        words=True,
        unit="GPU",
        keys="node|server|machine|host",
    ),
    # "512 A100 GPUs, 8 per node"
    _Rule(
        "gpus_per_node",
        after=_rx(r"\s+per\s+(?:node|server|machine|host)\b"),
        cue=_rx(rf"\bGPUs?\b|{_MODEL_NAME}", 0),
        keys="node|server|machine|host",
        first="p",
        unit="GPU",
    ),
    _Rule(
        "gpus",
        after=_rx(rf"\s?[x×]\s*(?:(?:NVIDIA|AMD)\s+)?{_MODEL_NAME}", 0),
        unit="GPU",
        handler=_gpus_x_model,
        keys="x|×",
        first="x×",
    ),
    # nodes: "eight H100 nodes", "128 DGX A100 nodes", "a single node", "an 8-node cluster"
    _Rule(
        "nodes",
        after=_rx(
            rf"\+?\s?(?:(?:\d+\s?[x×]\s?)?(?:NVIDIA\s+)?(?:DGX|HGX|{_TOKEN})\s+|\d+-GPU\s+){{0,3}}?"
            r"(?:compute\s+)?(?:nodes?|servers?|machines)\b|-node\b",
            0,
        ),
        words=True,
        unit="node",
        handler=_nodes,
        keys="node|server|machine",
    ),
    # GPUs: "64 GPUs", "1,024 A100-80GB GPUs", "a 256-GPU cluster", "8 H100s", "256 TPU v4 chips"
    _Rule(
        "gpus",
        after=_rx(
            rf"\+?\s?(?:(?:NVIDIA|AMD|Google)\s+)?(?:(?:{_TOKEN}\s+){{0,2}}?(?:GPUs?|accelerators?)(?![\w-])(?!\s*hours?)"
            rf"|{_MODEL_NAME}s\b|TPU(?:\s*v\d\w*)?\s+(?:chips|cores)\b)|-GPUs?\b(?!-?hours?)",
            0,
        ),
        words=True,
        unit="GPU",
    ),
    # model size: "1.3B-parameter", "175 billion parameters", "a 13B GPT", "70B model", "GPT-3 175B"
    _Rule(
        "params",
        "params",
        after=_rx(
            r"(?:\s*(?:,|and|or|to)\s*\d+(?:\.\d+)?\s?[BMT]){1,3}\s*-?\s*(?:(?:active|total|dense)\s+)?"
            r"(?:parameters?|params|models?|GPTs?|LLMs?)\b"
        ),
        unit="param",
        scaled=True,
        first=",aot",
    ),
    _Rule(
        "params",
        "params",
        after=_rx(
            r"\+?\s?-?\s?(?:(?P<q>active|total|dense|sparse|trainable|activated)\s+)?-?(?:parameters?|params?)\b"
        ),
        unit="param",
        scaled=True,
        first="-atdspa",
    ),
    _Rule(
        "params", "params", after=_rx(r"\s+(?P<q>active|activated)\b"), unit="param", scaled=True, first="a"
    ),
    _Rule(
        "params",
        "params",
        after=_rx(
            r"\s?-?\s?(?:[\w-]+\s+)?(?:models?|GPTs?|GPT-style|LLMs?|transformers?|decoders?|networks?|LLaMA\w*"
            r"|Llama\w*|MoE|language\s+models?)\b"
        ),
        unit="param",
        scaled=True,
    ),
    _Rule(
        "params",
        "params",
        before=_rx(
            r"\b(?:GPT-?\d?|GPT-NeoX|LLaMA(?:-?\d)?|Llama(?:-?\d(?:\.\d)?)?|OPT|BLOOM|Falcon|Mistral|Qwen\d?(?:\.\d)?"
            r"|T5|PaLM|Gopher|Chinchilla|MT-NLG|Megatron-Turing|Grok|DeepSeek(?:-V\d)?)\s*\Z",
            0,
        ),
        unit="param",
        scaled=True,
        keys="gpt|llama|opt|bloom|falcon|mistral|qwen|t5|palm|gopher|chinchilla|mt-nlg|megatron|grok|deepseek",
    ),
    # parallel degrees: "TP = SP = 8", "tensor-parallel degree 8", "t = 8, p = 16", "8-way tensor parallelism"
    _Rule(
        "degree",
        before=_rx(r"(?P<chain>(?:\b(?:TP|PP|DP|EP|CP|SP)\s*=\s*){1,4})\Z", 0),
        handler=_chain,
        keys="=",
    ),
    _Rule(
        "tp",
        "int",
        before=_rx(
            r"\b(?:tensor[- ](?:model[- ])?parallel(?:ism)?(?:\s+(?:degree|size|width))?"
            r"|tensor_model_parallel_size"
            rf"|tp_size|(?-i:TP)\s+(?:degree|size)){_DEGREE_TAIL}(?:(?-i:t)\s*=\s*)?\Z"
        ),
        keys="tensor|tp",
    ),
    _Rule(
        "tp",
        "int",
        before=_rx(r"\bt\s*=\s*\Z", 0),
        cue=_rx(r"tensor|\bTP\b|parallel|\bp\s*=|PTD"),
        keys="=",
    ),
    _Rule(
        "pp",
        "int",
        before=_rx(
            r"\b(?:pipeline[- ](?:model[- ])?parallel(?:ism)?(?:\s+(?:degree|size|width))?"
            r"|pipeline(?:\s+(?:depth|degree"
            rf"|size))?|pipeline_model_parallel_size|pp_size|(?-i:PP)\s+(?:degree|size)){_DEGREE_TAIL}(?:(?-i:p)\s*=\s*)?\Z"
        ),
        keys="pipeline|pp",
    ),
    _Rule(
        "pp",
        "int",
        before=_rx(r"\bp\s*=\s*\Z", 0),
        cue=_rx(r"pipelin|\bPP\b|stage|parallel|\bt\s*=|bubble"),
        keys="=",
    ),
    _Rule(
        "pp",
        after=_rx(r"\s?(?:pipeline\s+)?stages\b|-stage\s+pipeline\b(?![-.])"),
        cue=_rx(r"pipelin|1F1B|GPipe|\bPP\b|bubble|micro-?batch"),
        anti=_rx(r"cp\.async|shared\s+memory|\bTMA\b|\bsmem\b|\bwarps?\b|software\s+pipelin|\bkernel"),
        words=True,
        keys="stage",
        first="ps-",
    ),
    _Rule(
        "dp",
        "int",
        before=_rx(
            r"\b(?:data[- ]parallel(?:ism)?(?:\s+(?:degree|size|width|replicas))?|data_parallel_size|dp_size"
            rf"|(?-i:DP)\s+(?:degree|size)){_DEGREE_TAIL}(?:(?-i:d)\s*=\s*)?\Z"
        ),
        keys="data|dp",
    ),
    _Rule(
        "dp",
        "int",
        # "raises the data-parallel degree from 16 to 20": both ends are degrees
        before=_rx(r"\bdata[- ]parallel\w*(?:\s+(?:degree|size))?\s+from\s+(?:\d[\d,]*\s+to\s*)?\Z"),
        keys="data",
    ),
    _Rule(
        "dp",
        "int",
        # "data parallelism over 16 replicas"
        after=_rx(r"\s+(?:data[- ]parallel\s+)?(?:replicas|model replicas)\b"),
        cue=_rx(r"data[- ]parallel|\bDP\b"),
        keys="replica",
    ),
    _Rule(
        "dp",
        "int",
        before=_rx(r"\bd\s*=\s*\Z", 0),
        cue=_rx(r"\bdata\b|\bDP\b|replica|parallel|\bt\s*=|\bp\s*="),
        keys="=",
    ),
    _Rule(
        "ep",
        "int",
        before=_rx(
            r"\b(?:expert[- ]parallel(?:ism)?(?:\s+(?:degree|size|width))?|expert_model_parallel_size|ep_size"
            rf"|(?-i:EP)\s+(?:degree|size)){_DEGREE_TAIL}\Z"
        ),
        keys="expert|ep",
    ),
    _Rule(
        "cp",
        "int",
        before=_rx(
            r"\b(?:context[- ]parallel(?:ism)?(?:\s+(?:degree|size|width))?|context_parallel_size|cp_size"
            r"|sequence[- ]parallel(?:ism)?\s+(?:degree|size|width)|Ulysses\s+degree"
            rf"|(?-i:CP)\s+(?:degree|size)){_DEGREE_TAIL}\Z"
        ),
        keys="context|sequence|cp|ulysses",
    ),
    _Rule(
        "degree",
        after=_rx(
            r"\s?-?\s?way\s+(?P<kind>tensor|TP|pipeline|PP|data|DP|expert|EP|context|sequence|CP)\b"
            r"|\s(?P<kind2>tensor|pipeline|data|expert|context)[- ]parallel\s+"
            r"(?:ranks|GPUs|replicas|workers|groups|stages)\b"
        ),
        handler=_n_way,
        keys="way|parallel",
        first="-wtpdec",
    ),
    # architecture: "40 layers, hidden 5,120, 40 heads", "L = 96", "h = 12288", "hidden size of 8192"
    _Rule(
        "layers",
        after=_rx(r"\s?-?\s?(?:(?:transformer|decoder|encoder)\s+)?layers\b|-layer\b"),
        keys="layer",
        first="-tdel",
    ),
    _Rule(
        "layers",
        before=_rx(
            r"\b(?:num_layers|n_layers?|num\s+layers|number\s+of\s+layers|layers)\s*(?:=|:|of|is)?\s*\Z"
        ),
        keys="layer",
    ),
    _Rule("layers", before=_rx(r"\bL\s*=\s*\Z", 0), cue=_rx(r"layer|model|hidden|\bh\s*="), keys="="),
    _Rule(
        "hidden",
        "int",
        before=_rx(
            r"\b(?:hidden(?:\s+(?:size|dim(?:ension)?s?|width|states?))?|d_?model|model\s+(?:dimension|width)"
            r"|embedding\s+(?:size|dim(?:ension)?))\s*(?:=|:|of|is)?\s*\Z"
        ),
        keys="hidden|model|embedding",
    ),
    _Rule(
        "hidden",
        "int",
        before=_rx(r"\bh\s*=\s*\Z", 0),
        cue=_rx(r"hidden|model|dimension|layer|head|\bL\s*="),
        keys="=",
    ),
    _Rule(
        "hidden",
        "int",
        after=_rx(r"\s?-?\s?(?:dim(?:ensional)?\s+)?hidden\b(?!\s+layers)"),
        keys="hidden",
        first="-dh",
    ),
    _Rule(
        "heads",
        after=_rx(r"\s?(?P<q>(?:KV|key-value|query)\s+)?(?:attention\s+)?heads\b"),
        keys="head",
        first="kqah",
    ),
    _Rule(
        "heads",
        before=_rx(r"\b(?:num_heads|n_heads|num_attention_heads|(?:attention\s+)?heads)\s*(?:=|:|of)?\s*\Z"),
        keys="head",
    ),
    _Rule("heads", before=_rx(r"\ba\s*=\s*\Z", 0), cue=_rx(r"\bheads?\b"), keys="="),
    # sequence length: "sequence length 8,192", "4k context", "4,096-token sequences", "8K tokens"
    _Rule(
        "seq_len",
        "seq",
        before=_rx(
            r"\b(?:sequence(?:\s+length|\s+len)?|seq(?:uence)?[_ ]?len(?:gth)?|seq"
            r"|context\s+(?:length|window|size)"
            r"|max(?:imum)?\s+(?:sequence|context)\s+length)(?:\s+(?:of|is|=|:)|\s*[=:])?\s*(?:up\s+to\s+)?\Z"
        ),
        keys="seq|context",
    ),
    _Rule(
        "seq_len",
        "seq",
        after=_rx(
            r"\s?-?\s?(?:tokens?[\s-])?(?:context(?:\s+(?:length|window))?|sequence\s+length|seq(?:uence)?[\s_]len"
            r"(?:gth)?)\b(?!-)"
        ),
        keys="context|seq",
        first="-tcs",
    ),
    _Rule(
        "seq_len",
        "seq",
        after=_rx(
            r"-token\s+(?:sequences?|contexts?|inputs?|prompts?|documents?|windows?|samples?)\b"
            r"|\s?tokens?\s+(?:per|each|in\s+each)\s+sequence\b"
        ),
        keys="token",
        first="-t",
    ),
    _Rule(
        "seq_len",
        "seq",
        before=_rx(r"\bsequences?\s+of\s*\Z"),
        after=_rx(r"\s?tokens\b"),
        keys="token",
        first="t",
    ),
    _Rule("seq_len", "seq_k", after=_rx(r"\s?tokens\b(?!\s*(?:/|per\s+s))"), keys="token", first="t"),
    # batches: "micro-batch size b = 24", "8 micro-batches of 24 sequences", "global batch 1,536", "m = 8"
    _Rule("micro_batch_size", "int", before=_rx(r"\bmicro-?\s?batch(?:es)?\s+of\s*\Z"), keys="micro"),
    _Rule(
        "micro_batch_size",
        "int",
        before=_rx(
            r"\b(?:micro-?\s?batch(?:[\s_-]size)?|mbs|micro_batch_size)(?:\s+(?-i:b))?\s*(?:=|:|of|is)?\s*\(?\s*\Z"
        ),
        keys="micro|mbs",
    ),
    _Rule(
        "micro_batch_size",
        "int",
        before=_rx(r"\bb\s*=\s*\Z", 0),
        cue=_rx(r"batch|micro|sequence|GEMM|layer|pipelin"),
        keys="=",
    ),
    _Rule(
        "micro_batch_size",
        "int",
        after=_rx(r"\s?sequences?\s+(?:per|in\s+each|each)\s+micro-?\s?batch|-sequence\s+micro-?\s?batch"),
        keys="micro",
        first="s-",
    ),
    _Rule("micro_batches", after=_rx(r"\s?-?\s?micro-?\s?batches\b"), words=True, keys="micro", first="-m"),
    _Rule(
        "micro_batches",
        after=_rx(r"\s?gradient[- ]accumulation\s+steps\b"),
        keys="accumulation",
        first="g",
    ),
    _Rule(
        "micro_batches",
        before=_rx(
            r"\b(?:number\s+of\s+micro-?\s?batches|num[_ ]micro[_ ]?batches"
            r"|gradient[- ]accumulation(?:\s+steps)?"
            r"|accumulation\s+steps)\s*(?:=|:|of|is)?\s*\Z"
        ),
        keys="micro|accumulation",
    ),
    _Rule(
        "micro_batches",
        # "raise the number of micro-batches from 8 to 64": the new count
        before=_rx(r"\bmicro-?\s?batch(?:es|\s+count)?\s+(?:\w+\s+){0,2}from\s+\d[\d,]*\s+to\s*\Z"),
        keys="micro",
    ),
    _Rule(
        "micro_batches",
        before=_rx(r"\bm\s*=\s*\Z", 0),
        cue=_rx(r"micro|batch|bubble|pipelin|stage"),
        keys="=",
    ),
    _Rule(
        "global_batch",
        "batch",
        before=_rx(
            r"\b(?:global\s+|total\s+|effective\s+|mini-?)?(?<!micro-)(?<!micro)(?<!micro\s)batch(?:[\s_-]size)?"
            r"(?:\s+(?:of|is|was|=|:|to|at)|\s*[=:])?\s*(?:(?:up\s+to|about|~)\s*)?\(?\s*\Z"
        ),
        keys="batch",
    ),
    _Rule("global_batch", "batch", before=_rx(r"\bB\s*=\s*\Z", 0), cue=_rx(r"batch"), keys="="),
    _Rule(
        "global_batch",
        "batch",
        after=_rx(
            r"\s?-?\s?sequences?\s+(?:global\s+)?batch(?:es)?\b|\s?sequences\s+per\s+(?:global\s+)?batch\b"
        ),
        keys="batch",
        first="-s",
    ),
    # interleaving and MoE: "v = 2 chunks", "4 model chunks", "64 experts", "k = 2", "routed to 2 experts"
    _Rule(
        "virtual_stages",
        "int",
        before=_rx(r"\bv\s*=\s*\Z", 0),
        cue=_rx(r"interleav|chunk|virtual|stage"),
        keys="=",
    ),
    _Rule(
        "virtual_stages",
        "int",
        before=_rx(
            r"\b(?:virtual\s+(?:pipeline\s+)?stages?|model\s+chunks|chunks\s+per\s+(?:device|GPU|rank|stage)"
            r"|interleav\w*\s+(?:factor|degree)|virtual_pipeline_model_parallel_size)\s*(?:=|:|of|is)?\s*\Z"
        ),
        keys="chunk|virtual|interleav",
    ),
    _Rule(
        "virtual_stages",
        after=_rx(r"\s?(?:model\s+)?chunks\b|\s?virtual\s+(?:pipeline\s+)?stages\b"),
        cue=_rx(r"interleav|virtual|model\s+chunks|\bv\s*=|chunks\s+per\s+(?:device|GPU|rank|stage)"),
        words=True,
        keys="chunk|virtual",
        first="mcv",
    ),
    _Rule(
        "top_k",
        before=_rx(
            r"\btokens?\b[^.;]{0,40}?\b(?:to|among|over|across)\s+(?:its\s+|the\s+|their\s+)?(?:top\s+)?\Z"
        ),
        after=_rx(r"\s?(?:[\w-]+\s+)?experts?\b"),
        words=True,
        keys="expert",
    ),
    _Rule("top_k", before=_rx(r"\bk\s*=\s*\Z", 0), cue=_rx(r"expert|rout|MoE|gat", re.I), keys="="),
    _Rule("top_k", before=_rx(r"\btop[-_\s]?k\s*(?:=|:|of|is)?\s*\Z"), keys="top"),
    _Rule(
        _VETO,
        before=_rx(r"\b(?:over|its|their|between|across)\s+\Z"),
        after=_rx(r"\s?(?:[\w-]+\s+)?experts?\b"),
        keys="expert",
    ),
    _Rule(
        "experts",
        after=_rx(r"\s?(?:(?:routed|shared|local|total|MoE|FFN)\s+)?experts\b"),
        words=True,
        keys="expert",
        first="rsltemf",
    ),
    _Rule(
        "experts",
        before=_rx(
            r"\b(?:num(?:ber)?[_\s]of[_\s]experts|num_experts|n_experts|expert\s+count)\s*(?:=|:|of|is)?\s*\Z"
        ),
        keys="expert",
    ),
    _Rule("experts", before=_rx(r"\bE\s*=\s*\Z", 0), cue=_rx(r"expert|MoE"), keys="="),
)

# Which rules each key gates, and the rules no key gates.
_KEY_RULES: tuple[tuple[str, frozenset[int]], ...] = tuple(
    (k, frozenset(i for i, r in enumerate(_RULES) if k in r.keys.split("|")))
    for k in sorted({k for r in _RULES if r.keys for k in r.keys.split("|")})
)
_FREE_RULES = frozenset(i for i, r in enumerate(_RULES) if not r.keys)

_UNITS: dict[str, str] = {
    "gpus": "GPU",
    "nodes": "node",
    "gpus_per_node": "GPU",
    "params": "param",
    "seq_len": "token",
    "global_batch": "sequence",
    "micro_batch_size": "sequence",
    "speedup": "x",
    "step_time": "s",
    "kernel_time": "s",
    "tflops_per_gpu": "TFLOP/s",
    "peak_tflops": "TFLOP/s",
    "tokens_per_s": "token/s",
}
# Roles whose value a "versus N" right after them carries over to N, as the baseline's.
_CARRIED = frozenset({"kernel_time", "step_time", "tflops_per_gpu", "mfu", "tokens_per_s"})


# --- sentences ---------------------------------------------------------------------------------------------

# Abbreviations after which a period never ends a sentence, and those that end one unless a number follows
# ("Fig. 3", but "takes 40 sec. Then").
_ABBREVIATIONS = frozenset("e.g i.e al vs cf approx resp ca dr prof".split())
_NUMBERED_ABBREVIATIONS = frozenset("fig figs eq eqs sec secs tab no nos ref refs".split())
# A sentence ends at '.', '!' or '?' (with closing quotes or brackets) followed by space.
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*\s+")
# Lines that start a new unit inside a paragraph: list items, headings, table rows.
_UNIT_START = re.compile(r"\s*(?:[-*+•]\s|\d+[.)]\s|#|\|)")
_EMPHASIS = re.compile(r"\*\*|__|`")


def _units(text: str) -> list[str]:
    """Lines joined into units: a list item, heading or table row starts a unit, and a heading ends one."""
    units_: list[list[str]] = []
    heading = False
    for line in text.splitlines():
        if not units_ or heading or _UNIT_START.match(line):
            units_.append([])
        units_[-1].append(line)
        heading = line.lstrip().startswith("#")
    return [" ".join(" ".join(u).split()) for u in units_]


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, keeping "1.35x", "e.g.", "et al.", "Fig. 3" and "i.e." inside one.

    Markdown list items and headings start new sentences. Example:
    "We use 8 GPUs, e.g. A100s. Fig. 3 shows 1.35x." -> ["We use 8 GPUs, e.g. A100s.", "Fig. 3 shows 1.35x."]
    """
    out: list[str] = []
    for block in _units(_EMPHASIS.sub("", text)):
        start = 0
        for m in _SENTENCE_END.finditer(block):
            nxt = block[m.end() : m.end() + 1]
            if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in "([\"'*#"):
                continue
            head = block[start : m.start()]
            word = head.rsplit(None, 1)[-1].lstrip("([\"'").lower() if head.strip() else ""
            if word in _ABBREVIATIONS or (word in _NUMBERED_ABBREVIATIONS and (nxt.isdigit() or nxt == "(")):
                continue
            out.append(block[start : m.end()].strip())
            start = m.end()
        if block[start:].strip():
            out.append(block[start:].strip())
    return [s for s in out if s]


# --- numbers in a sentence ---------------------------------------------------------------------------------


def _blocked(text: str) -> list[tuple[int, int]]:
    """Spans whose numbers never get a role: citations, references, versions, years."""
    low = text.lower()
    spans = [m.span() for m in _DOTTED_VERSION.finditer(text)]
    if any(k in low for k in _REFERENCE_KEYS):
        spans += [m.span() for m in _REFERENCE.finditer(text)]
    if any(k in text for k in _VERSION_KEYS):
        spans += [m.span() for m in _VERSION.finditer(text)]
    if "[" in text:
        spans += [m.span() for m in _CITATION.finditer(text)]
    for m in _YEAR.finditer(text):
        start, end = m.span()
        if start and (text[start - 1].isalnum() or text[start - 1] in ",."):
            continue
        if _YEAR_BEFORE.search(text, max(0, start - 16), start) and not _YEAR_AFTER.match(text, end):
            spans.append((start, end))
    return spans


def _numbers(text: str, low: str) -> list[_Num]:
    """The numerals and number words of a sentence that may carry a role, in order."""
    blocked = _blocked(text)
    out: list[_Num] = []
    for m in _NUMBER.finditer(text):
        start, end = m.span()
        if start and (text[start - 1].isalnum() or text[start - 1] in _JOINERS):
            continue
        if any(bs < end and start < be for bs, be in blocked) or _RANGE_NEXT.match(text, end):
            continue
        value, suffix = units.parse_number(m.group("num")), m.group("suffix") or m.group("scale") or ""
        out.append(_Num(start, end, value, suffix, False, _PERCENT_NEXT.match(text, end) is not None))
    if any(k in low for k in _WORD_NOUNS):
        for m in _NUMBER_WORD.finditer(text):
            if m.start() and text[m.start() - 1].isalnum():
                continue
            out.append(_Num(m.start(), m.end(), units.parse_number(m.group(0)), "", True, False))
        out.sort(key=lambda n: n.start)
    return out


@functools.lru_cache(maxsize=512)
def _candidates(nxt: str, word: bool, percent: bool, scaled: bool) -> frozenset[int]:
    """Indices of the rules that may match a number, from what follows it and what kind of number it is."""
    return frozenset(
        i
        for i, r in enumerate(_RULES)
        if (not r.first or nxt in r.first)
        and (r.words or not word)
        and (percent or not r.percent)
        and (scaled or not r.scaled)
    )


def _keyed(s: _Sentence, window: str) -> set[int]:
    """Indices of the rules whose keys (if any) occur in a lower-cased window of the sentence."""
    ids = set(_FREE_RULES)
    for key, rules in s.keys:
        if key in window:
            ids |= rules
    return ids


def _role_hits(s: _Sentence, num: _Num) -> list[_Hit]:
    nxt = s.low[num.end : num.end + 4].lstrip()[:1]
    scaled = bool(num.suffix) or num.value >= 1e6
    ids = _keyed(s, s.low[max(0, num.start - _BEFORE) : num.end + _AFTER])
    ids &= _candidates(nxt, num.word, num.percent, scaled)
    for i in sorted(ids):
        rule = _RULES[i]
        matched = rule.match(s, num)
        if matched is None:
            continue
        if not rule.role:
            return []
        am, bm = matched
        hits = (rule.handler or _default)(s, num, am, bm, rule)
        if hits:
            return hits
    return []


def _carry(s: _Sentence, hit: _Hit, nums: list[_Num], index: int) -> _Hit | None:
    """The baseline's value in "37 us versus 88 for cuBLAS", carried over from the hit before it."""
    if hit.role not in _CARRIED or index + 1 >= len(nums):
        return None
    num, nxt = nums[index], nums[index + 1]
    if nxt.word or nxt.start < hit.end or not _VERSUS.match(s.text, hit.end, nxt.start):
        return None
    if nxt.percent != num.percent:
        return None  # "52% MFU versus 0.4" mixes two scales
    value = nxt.value * (hit.value / num.value if num.value else 1.0)  # the hit's unit conversion
    who = _FOR_WHOM.match(s.text, nxt.end)
    return _Hit(
        hit.role, value, hit.unit, nxt.start, nxt.end, "baseline", who.group("who") if who else "", False
    )


def _named_hits(s: _Sentence) -> list[_Hit]:
    """Hits that come from names rather than from numerals: accelerators, formats, top-k, named sizes."""
    text, low = s.text, s.low
    hits: list[_Hit] = []
    for m in _GPU_MODEL.finditer(text):
        if not (m.start() and text[m.start() - 1].isalnum()):
            hits.append(
                _Hit("gpu_model", math.nan, "", m.start(), m.end(), text=units.gpu_model(m.group("name")))
            )
    if any(k in low for k in _PRECISION_KEYS):
        hits.extend(_precision_hits(text))
    if "top" in low and any(k in low for k in ("expert", "rout", "moe", "gat", "switch")):
        for m in _TOP_K.finditer(text):
            k = units.parse_number(m.group("k"))
            hits.append(_Hit("top_k", k, "", m.start(), m.end()))
    if "-" in text:
        for m in _NAMED_SIZE.finditer(text):
            value = float(m.group("n")) * units.scale(m.group("s"))
            hits.append(_Hit("params", value, "param", m.start("n"), m.end()))
    if "P" in text:
        for m in _GLUED_DEGREE.finditer(text):
            role = {"TP": "tp", "PP": "pp", "DP": "dp", "EP": "ep", "CP": "cp"}[m.group("name")]
            hits.append(_Hit(role, float(m.group("n")), "", m.start(), m.end()))
    for m in _DEGREE_TUPLE.finditer(text) if ")" in text else ():
        names = re.findall(r"[a-z]", m.group("names"))
        values = [float(v) for v in re.findall(r"\d+", m.group("vals"))]
        if len(names) == len(values):
            hits.extend(
                _Hit(_TUPLE_ROLES[n], v, "", m.start(), m.end()) for n, v in zip(names, values, strict=True)
            )
    return hits


def _precision_hits(text: str) -> list[_Hit]:
    hits: list[_Hit] = []
    for m in _PRECISION.finditer(text):
        fmt, qualifier = units.precision(m.group("fmt"))
        prev = hits[-1] if hits and m.start() - hits[-1].end <= 2 else None
        if prev is not None and (
            fmt == prev.text or (qualifier == "mixed" and prev.text in ("bf16", "fp16"))
        ):
            # "BF16 mixed precision", "FP8 (E4M3)": one format, said twice
            if qualifier and not prev.qualifier:
                hits[-1] = replace(prev, qualifier=qualifier, stance=False)
            continue
        use = _PRECISION_USE.match(text, m.end())
        if use and not qualifier:
            word = use.group("use").lower()
            qualifier = "accumulation" if word.startswith("accumulat") else " ".join(word.split())
        hits.append(
            _Hit(
                "precision",
                math.nan,
                "",
                m.start(),
                m.end(),
                qualifier=qualifier,
                text=fmt,
                stance=not qualifier,
            )
        )
    return hits


def _derived_gpus(hits: list[_Hit]) -> list[_Hit]:
    """GPUs = nodes x GPUs per node, when a sentence states both but not the total."""
    nodes = [h for h in hits if h.role == "nodes"]
    per_node = [h for h in hits if h.role == "gpus_per_node"]
    if len(nodes) != 1 or len(per_node) != 1 or any(h.role == "gpus" for h in hits):
        return []
    n, g = nodes[0], per_node[0]
    text = f"{n.value:g} nodes x {g.value:g} GPUs"
    return [_Hit("gpus", n.value * g.value, "GPU", n.start, n.end, text=text)]


def _sentence_hits(s: _Sentence) -> list[_Hit]:
    """Every role in a sentence: from its numbers (with "versus" values carried over), its names, and the GPU
    count that nodes and GPUs per node imply."""
    nums = _numbers(s.text, s.low)
    hits: list[_Hit] = []
    carried: dict[int, _Hit] = {}
    for i, num in enumerate(nums):
        found = carried.pop(i, None)
        own = _role_hits(s, num)
        if found is not None and (not own or own[0].role == found.role):
            own = [found if not own else replace(own[0], qualifier="baseline", stance=False, text=found.text)]
        hits.extend(own)
        for h in own:
            nxt = _carry(s, h, nums, i)
            if nxt is not None:
                carried[i + 1] = nxt
    hits.extend(_named_hits(s))
    hits.extend(_derived_gpus(hits))
    hits.sort(key=lambda h: h.start)
    return hits


def _quote_text(sentence: str, start: int, end: int) -> str:
    """The sentence, or the ``_QUOTE_LIMIT`` characters of it around a span, cut at spaces."""
    if len(sentence) <= _QUOTE_LIMIT:
        return sentence
    lo = max(0, min((start + end) // 2 - _QUOTE_LIMIT // 2, len(sentence) - _QUOTE_LIMIT))
    hi = lo + _QUOTE_LIMIT
    if lo > 0:
        lo = sentence.find(" ", lo, start) + 1 or lo
    if hi < len(sentence):
        cut = sentence.rfind(" ", end, hi)
        hi = cut if cut > 0 else hi
    return sentence[lo:hi].strip()


def _quantities(
    s: _Sentence, hits: Iterable[_Hit], page: int, doc: DocLabel, quote_text: str | None = None
) -> list[Quantity]:
    """Hits as quantities, without repeats; a hit with no qualifier of its own takes the stance near it."""
    out: list[Quantity] = []
    seen: set[tuple[str, float | str, str, str]] = set()
    for h in hits:
        qualifier = h.qualifier or (s.stance(h.start, h.end) if h.stance else "")
        key = (h.role, h.value if not math.isnan(h.value) else "nan", qualifier, h.text)
        if key in seen:
            continue
        seen.add(key)
        unit = h.unit or _UNITS.get(h.role, "")
        quote = Quote(
            doc, page, quote_text if quote_text is not None else _quote_text(s.text, h.start, h.end)
        )
        out.append(Quantity(h.role, h.value, unit, quote, qualifier, h.text))
    return out


# --- tables ------------------------------------------------------------------------------------------------

# Column headers that name a role; counted and dimension columns must match the whole header.
_COLUMN_EXACT: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"(?:{p})", re.I), role)
    for p, role in (
        (r"#?\s*gpus?|num(?:ber of)?\s+gpus|gpu\s+count", "gpus"),
        (r"#?\s*nodes?|num(?:ber of)?\s+nodes", "nodes"),
        (r"#?\s*layers?|num(?:ber of)?\s+layers|n_layers", "layers"),
        (r"hidden(?:\s+(?:size|dim(?:ension)?))?|d_?model", "hidden"),
        (r"#?\s*(?:attention\s+)?heads|num(?:ber of)?\s+heads|n_heads", "heads"),
        (r"#?\s*params|parameters|(?:model\s+)?size|model", "params"),
        (r"seq(?:uence)?(?:\s+len(?:gth)?)?|context(?:\s+length)?", "seq_len"),
        (r"global\s+batch(?:\s+size)?|batch(?:\s+size)?|gbs", "global_batch"),
        (r"micro-?batch\s+size|mbs", "micro_batch_size"),
        (r"#?\s*micro-?batches", "micro_batches"),
        (r"tp|tensor[- ]parallel(?:ism)?(?:\s+(?:degree|size))?", "tp"),
        (r"pp|pipeline[- ]parallel(?:ism)?(?:\s+(?:degree|size))?|(?:pipeline\s+)?stages", "pp"),
        (r"dp|data[- ]parallel(?:ism)?(?:\s+(?:degree|size))?", "dp"),
        (r"ep|expert[- ]parallel(?:ism)?(?:\s+(?:degree|size))?", "ep"),
        (r"cp|context[- ]parallel(?:ism)?(?:\s+(?:degree|size))?", "cp"),
        (r"#?\s*experts", "experts"),
        (r"top-?k", "top_k"),
    )
)
# Megatron's letters as column headers, case and all: a header "A" or "B" more likely names a method.
_COLUMN_LETTERS = {
    "t": "tp",
    "p": "pp",
    "d": "dp",
    "b": "micro_batch_size",
    "m": "micro_batches",
    "v": "virtual_stages",
    "h": "hidden",
    "L": "layers",
    "k": "top_k",
}
# Metric headers: these may name a method too ("ZeRO-3 MFU", "SkipMax (TFLOP/s)").
_COLUMN_METRIC: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"speed-?up", re.I), "speedup"),
    (re.compile(r"\bMFU\b|model\s+flops\s+utili", re.I), "mfu"),
    (re.compile(r"peak.*TFLOP|TFLOP.*peak", re.I), "peak_tflops"),
    (re.compile(r"[TP]FLOP", re.I), "tflops_per_gpu"),
    (re.compile(r"tokens?\s*/\s*s|tokens\s+per\s+s", re.I), "tokens_per_s"),
    (re.compile(r"(?:step|iteration)[- ]time.*\((?:s|ms|us|µs|sec)\)", re.I), "step_time"),
    (re.compile(r"\((?:ns|us|µs|μs|ms|s|sec)\)|\blatency\b.*\((?:ns|us|µs|μs|ms|s)\)", re.I), "kernel_time"),
)
_HEADER_UNIT = re.compile(r"\((?P<u>ns|us|µs|μs|ms|s|sec)\)", re.I)
_TABLE_SEPARATOR = re.compile(r"^\s*:?-{2,}:?\s*$")


def _cells(line: str, piped: bool) -> list[str]:
    if piped:
        line = line.strip()
        line = line[1:] if line.startswith("|") else line
        line = line[:-1] if line.endswith("|") else line
        return [c.strip() for c in line.split("|")]
    return [c.strip() for c in re.split(r"\t|\s{2,}", line.strip())]


def _column_role(header: str) -> str:
    clean = _EMPHASIS.sub("", header).strip()
    for rx, role in _COLUMN_METRIC:
        if rx.search(clean):
            return role
    bare = re.sub(r"\([^)]*\)", "", clean).strip()
    if bare in _COLUMN_LETTERS:
        return _COLUMN_LETTERS[bare]
    return next((role for rx, role in _COLUMN_EXACT if rx.fullmatch(bare)), "")


def _cell_value(role: str, cell: str, header: str) -> float | None:
    """The first number of a cell that reads as a value of the column's role ("GPT-3 175B" -> 175e9)."""
    for num in _numbers(cell, cell.lower()):
        value = _read_cell(role, num, header)
        if value is not None:
            return value
    return None


def _read_cell(role: str, num: _Num, header: str) -> float | None:
    if num.word:
        return None
    if role in ("step_time", "kernel_time"):
        unit = _HEADER_UNIT.search(header)
        return units.seconds(num.value, unit.group("u")) if unit and not num.suffix else None
    if role in ("tflops_per_gpu", "peak_tflops"):
        return _read("float", num)
    if role == "tokens_per_s":
        return _read("rate", num)
    return _read(_CELL_READS.get(role, "int"), num)


_CELL_READS = {
    "speedup": "ratio",
    "mfu": "fraction",
    "params": "params",
    "seq_len": "seq",
    "global_batch": "batch",
}


def _table_rows(lines: list[str], kind: str) -> tuple[list[str], list[list[str]]] | None:
    piped = any("|" in line for line in lines)
    rows = [_cells(line, piped) for line in lines if line.strip()]
    rows = [r for r in rows if not all(_TABLE_SEPARATOR.match(c) or not c for c in r)]
    if len(rows) < 2 or (not piped and kind != "table"):
        return None
    header, body = rows[0], rows[1:]
    if not piped and len(header) < 2:
        # a PDF line with single spaces between columns: split on every space
        header, body = header[0].split(), [" ".join(r).split() for r in body]
    return header, body


def _table_quantities(lines: list[str], para: Paragraph, doc: DocLabel) -> list[Quantity] | None:
    """Quantities of a table's body rows, or None when the lines do not parse as a table."""
    parsed = _table_rows(lines, para.kind)
    if parsed is None:
        return None
    header, body = parsed
    roles = [_column_role(h) for h in header]
    quotes = [ln.strip()[:_QUOTE_LIMIT] for ln in lines if ln.strip()][-len(body) :] if body else []
    out: list[Quantity] = []
    for row, quote in zip(body, quotes, strict=False):
        hits = _row_hits(row, header, roles, para.section)
        out.extend(_quantities(_Sentence.of(quote, para.section), hits, para.page, doc, quote))
    return out


def _row_hits(row: list[str], header: list[str], roles: list[str], section: str) -> list[_Hit]:
    """A row's values by column role; a label cell may name the role ("TFLOP/s per GPU"); other cells are
    read as text."""
    label = _column_role(row[0]) if row and not roles[0] else ""
    label = label if label in _ROW_ROLES else ""
    hits: list[_Hit] = []
    for i, cell in enumerate(row):
        head = header[i] if i < len(header) else ""
        role = roles[i] if i < len(roles) else ""
        text = _column_name(head) if role in _METRIC_ROLES else ""
        if not role and i > 0 and label:
            role, text, head = label, _column_name(head), row[0] + " " + head
        if not role:
            hits.extend(replace(h, start=0, end=0) for h in _sentence_hits(_Sentence.of(cell, section)))
            continue
        value = _cell_value(role, cell, head)
        if value is not None:
            hits.append(_Hit(role, value, "", 0, 0, text=text))
    return hits


def _column_name(header: str) -> str:
    """A header without its unit: "SkipMax (TFLOP/s)" -> "SkipMax"."""
    return _EMPHASIS.sub("", re.sub(r"\s*\([^)]*\)\s*", " ", header)).strip()


_METRIC_ROLES = frozenset(role for _, role in _COLUMN_METRIC)
_ROW_ROLES = frozenset(
    {"speedup", "mfu", "tflops_per_gpu", "peak_tflops", "tokens_per_s", "step_time", "kernel_time"}
)


# --- paragraphs --------------------------------------------------------------------------------------------


def _blocks(para: Paragraph) -> Iterator[tuple[bool, list[str]]]:
    """Runs of table lines and of text lines in a paragraph, in order."""
    lines = para.text.splitlines()
    if para.kind == "table" and not any("|" in ln for ln in lines):
        yield True, lines
        return
    run: list[str] = []
    in_table = False
    for line in lines:
        is_row = line.count("|") >= 2
        if run and is_row != in_table:
            yield in_table, run
            run = []
        run.append(line)
        in_table = is_row
    if run:
        yield in_table, run


def extract_quantities(paragraphs: Iterable[Paragraph], doc: DocLabel) -> list[Quantity]:
    """Every number of the paragraphs that plays a role in ``ROLES``, in document order.

    Example: a paragraph "We train a 13B GPT on 64 GPUs." gives params 13e9 and gpus 64, each quoting
    the sentence and its page.
    """
    out: list[Quantity] = []
    for para in paragraphs:
        for is_table, lines in _blocks(para):
            table = _table_quantities(lines, para, doc) if is_table else None
            if table is not None:
                out.extend(table)
                continue
            for text in split_sentences("\n".join(lines)):
                s = _Sentence.of(text, para.section)
                out.extend(_quantities(s, _sentence_hits(s), para.page, doc))
    return out

"""The one table from finding code to rule. If a code is not here, it does not exist.

Plugin rules register through ``register``, which refuses malformed or duplicate codes.
"""

from __future__ import annotations

from tensora import rxcache
from tensora.audit.base import DOC_HEADINGS, Rule
from tensora.audit.rules.complexity.cplx_gain import CplxGain
from tensora.audit.rules.corner.async_staleness import AsyncStaleness
from tensora.audit.rules.corner.attn_online_softmax import AttnOnlineSoftmax
from tensora.audit.rules.corner.comm_overlap import CommOverlap
from tensora.audit.rules.corner.fault_tolerance import FaultTolerance
from tensora.audit.rules.corner.kernel_portability import KernelPortability
from tensora.audit.rules.corner.mixed_precision import MixedPrecision
from tensora.audit.rules.corner.moe_imbalance import MoeImbalance
from tensora.audit.rules.corner.peak_memory import PeakMemory
from tensora.audit.rules.corner.pipe_bubble import PipeBubble
from tensora.audit.rules.corner.pipe_divisibility import PipeDivisibility
from tensora.audit.rules.corner.recompute_cost import RecomputeCost
from tensora.audit.rules.corner.sparsity_collapse import SparsityCollapse
from tensora.audit.rules.corner.zero_prefetch_race import ZeroPrefetchRace
from tensora.audit.rules.delta.dlt_config import DltConfig
from tensora.audit.rules.delta.dlt_ortho import DltOrtho
from tensora.audit.rules.delta.dlt_struct import DltStruct
from tensora.audit.rules.evidence.evid_curves import EvidCurves
from tensora.audit.rules.evidence.evid_toolchain import EvidToolchain
from tensora.audit.rules.evidence.evid_toy_scale import EvidToyScale
from tensora.audit.rules.evidence.evid_vague import EvidVague
from tensora.audit.rules.evidence.evid_weak_baseline import EvidWeakBaseline
from tensora.audit.rules.novelty.nov_prior import NovPrior
from tensora.audit.rules.quant.qnt_amdahl import QntAmdahl
from tensora.audit.rules.quant.qnt_comm import QntComm
from tensora.audit.rules.quant.qnt_memory import QntMemory
from tensora.audit.rules.quant.qnt_peak import QntPeak
from tensora.audit.rules.quant.qnt_roofline import QntRoofline
from tensora.audit.rules.security.doc_hidden_text import DocHiddenText
from tensora.errors import RuleError

RULES: dict[str, type[Rule]] = {
    "DLT-CONFIG": DltConfig,
    "DLT-STRUCT": DltStruct,
    "DLT-ORTHO": DltOrtho,
    "NOV-PRIOR": NovPrior,
    "PIPE-DIVISIBILITY": PipeDivisibility,
    "PIPE-BUBBLE": PipeBubble,
    "MOE-IMBALANCE": MoeImbalance,
    "SPARSITY-COLLAPSE": SparsityCollapse,
    "ATTN-ONLINE-SOFTMAX": AttnOnlineSoftmax,
    "ZERO-PREFETCH-RACE": ZeroPrefetchRace,
    "PEAK-MEMORY": PeakMemory,
    "ASYNC-STALENESS": AsyncStaleness,
    "MIXED-PRECISION": MixedPrecision,
    "KERNEL-PORTABILITY": KernelPortability,
    "COMM-OVERLAP": CommOverlap,
    "FAULT-TOLERANCE": FaultTolerance,
    "RECOMPUTE-COST": RecomputeCost,
    "EVID-TOY-SCALE": EvidToyScale,
    "EVID-CURVES": EvidCurves,
    "EVID-TOOLCHAIN": EvidToolchain,
    "EVID-VAGUE": EvidVague,
    "EVID-WEAK-BASELINE": EvidWeakBaseline,
    "QNT-PEAK": QntPeak,
    "QNT-AMDAHL": QntAmdahl,
    "QNT-MEMORY": QntMemory,
    "QNT-COMM": QntComm,
    "QNT-ROOFLINE": QntRoofline,
    "CPLX-GAIN": CplxGain,
    "DOC-HIDDEN-TEXT": DocHiddenText,
}

CODE = rxcache.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")


def register(rule: type[Rule], plugin: str = "a plugin") -> None:
    """Add a plugin's rule to the table, after checking its code and documentation."""
    code = getattr(rule, "code", "")
    if not CODE.match(code):
        raise RuleError(f"Plugin '{plugin}' registers code {code!r}; codes look like PIPE-BUBBLE.")
    if code in RULES and RULES[code] is not rule:
        raise RuleError(f"Plugin '{plugin}' registers code {code!r}, which is already taken.")
    missing = [h for h in DOC_HEADINGS if h not in rule.docs()]
    if missing:
        raise RuleError(f"Plugin '{plugin}': rule {code} lacks the doc headings {', '.join(missing)}.")
    RULES[code] = rule


def get(code: str) -> type[Rule]:
    try:
        return RULES[code.upper()]
    except KeyError:
        import difflib

        near = difflib.get_close_matches(code.upper(), RULES, n=3)
        hint = f" Did you mean {', '.join(near)}?" if near else " Run 'tensora rules' to list them."
        raise RuleError(f"No rule with code {code!r}.{hint}") from None

"""The Mirror's content: which component the draft modifies, replacing what with what, hoping for what.

Built from the delta audit and the draft's own words: the component from the technique the draft leans on
most (its family and name), A from what the draft says it replaces or removes (or the baseline's version of
the same mechanism), B from the first sentence in which the draft's system does something, the hypothesis
from its headline claim, the setting from its stated hardware and scale. The sentence itself is written by
the renderer (``render/templates/voice.yaml``).
"""

from __future__ import annotations

import math
import re

from tensora.audit import compute
from tensora.audit.findings import Mirror
from tensora.extract.claims import Claims
from tensora.extract.techniques import TechniqueUse, is_core

_COMPONENT = {
    "parallelism": "the parallelisation of training",
    "memory": "how model states and activations are held in device memory",
    "communication": "the gradient and parameter communication path",
    "compression": "the volume of data exchanged between workers",
    "attention": "the attention kernel",
    "kernels": "the GEMM kernels",
    "moe": "expert routing and execution in the MoE layers",
    "sparsity": "weight sparsity and the kernels that exploit it",
    "quantization": "the numeric format of weights and activations",
    "precision": "the numeric precision of training",
    "compilers": "the compilation of the model graph",
    "inference": "the serving path",
    "fault-tolerance": "checkpointing and failure recovery",
    "scheduling": "how jobs share the cluster",
    "optimization": "the optimizer",
    "hardware": "the hardware mapping",
}
_REPLACE = re.compile(r"\breplac\w+ ([^,.;:]{3,80}?) (?:with|by) ([^,.;:]{3,100})", re.I)
_INSTEAD = re.compile(r"\b(?:instead of|rather than) ([^,.;:]{3,80})", re.I)
_VERB = r"(?:[a-z]+s|makes|keeps|runs|uses)\b"
_RESULT = re.compile(r"\d+(\.\d+)?\s*x\b|\bfaster\b|\bspeedup\b|\d+(\.\d+)?\s*%", re.I)


def system_name(claims: Claims) -> str:
    """The draft's name for its system: the title before a colon, when short."""
    head = claims.title.split(":")[0].strip().strip("*#").strip()
    if head and len(head.split()) <= 3 and head != claims.title.strip():
        return head
    return "your approach"


def _trim(text: str, n: int = 150) -> str:
    text = re.sub(r"\*\*|__", "", text).strip().rstrip(".")
    return text if len(text) <= n else text[: n - 3].rsplit(" ", 1)[0] + "..."


def _lead(claims: Claims) -> TechniqueUse | None:
    uses = [u for u in claims.techniques.values() if u.used and u.core and u.family != "hardware"]
    return max(uses, key=lambda u: (u.weight, u.id)) if uses else None


def build(proposal: Claims, baseline: Claims, delta_class: str, removed: list[str]) -> Mirror:
    system = system_name(proposal)
    lead = _lead(proposal)
    family = lead.family if lead else ""
    component = _COMPONENT.get(family, "the baseline's core mechanism")
    if lead is not None:
        component += f", specifically {lead.name}"

    replaces = with_ = ""
    for s in proposal.sentences:
        m = _REPLACE.search(s.text)
        if m and is_core(s):
            replaces, with_ = _trim(m.group(1), 90), _trim(m.group(2), 120)
            break
    if not replaces:
        m2 = next((_INSTEAD.search(s.text) for s in proposal.sentences if is_core(s) and _INSTEAD.search(s.text)), None)
        names = [baseline.techniques[t].name if t in baseline.techniques else t for t in removed]
        if delta_class == "config" and lead is not None:
            replaces = f"the baseline's setting of {lead.name}"
        elif names:
            replaces = "the baseline's " + " and ".join(names[:2])
        elif m2 is not None:
            replaces = _trim(m2.group(1), 90)
        else:
            base_lead = _lead(baseline)
            replaces = f"the baseline's {base_lead.name.lower()} design" if base_lead else "the baseline's mechanism"
    if not with_:
        with_ = _mechanism(proposal, system)
    return Mirror(component, replaces, with_, _hypothesis(proposal), _setting(proposal), "")


def _mechanism(c: Claims, system: str) -> str:
    """The first self-contained sentence in which the draft's system does something (not a result claim)."""
    found: list[str] = []
    if system != "your approach":
        rx = re.compile(rf"\b{re.escape(system)}\s+({_VERB}(?:[^.;:]|\.\d)*)")
        for s in c.sentences:
            m = rx.search(s.text)
            # "X removes both" says nothing without its previous sentence: want a self-contained statement
            if m and is_core(s) and s.kind != "heading" and len(m.group(1).split()) >= 5:
                found.append(f"{system}, which {_trim(m.group(1), 130)}")
    for s in c.sentences:
        m = re.search(r"\bwe (?:propose|introduce|present)\s+([^.;:]+)", s.text, re.I)
        if m and is_core(s):
            found.append(_trim(m.group(1), 140))
    mechanisms = [f for f in found if not _RESULT.search(f)]
    return (mechanisms or found or [system])[0]


def _in_abstract(c: Claims, q: object) -> bool:
    from tensora.extract.quantities import Quantity

    assert isinstance(q, Quantity)
    i = compute.sentence_index(c, q)
    return i >= 0 and (i == 0 or re.search(r"abstract", c.sentences[i].section, re.I) is not None)


def _hypothesis(c: Claims) -> str:
    """The draft's headline claim: the first speedup, throughput or MFU it states (abstracts come first)."""
    candidates = [
        q
        for q in c.quantities
        if not math.isnan(q.value)
        and q.qualifier != "baseline"
        and ((q.role == "speedup" and q.value > 1) or q.role in ("tflops_per_gpu", "mfu"))
    ]
    if not candidates:
        return "it improves on the baseline where the baseline is weakest"
    # the headline is the first claim; an end-to-end one stated in the abstract or title outranks a micro-benchmark
    headline = [q for q in candidates if q.qualifier in ("end-to-end", "projected") and _in_abstract(c, q)]
    best = min(headline or candidates, key=lambda q: (compute.sentence_index(c, q), q.role != "speedup"))
    if best.role == "speedup":
        scope = {"end-to-end": " end-to-end", "kernel": " kernel", "throughput": " throughput"}.get(best.qualifier, "")
        return f"it delivers a {best.value:.3g}x{scope} speedup over the baseline"
    if best.role == "mfu":
        return f"it reaches {best.value:.0%} MFU"
    return f"it sustains {best.value:,.0f} TFLOP/s per GPU"


def _setting(c: Claims) -> str:
    parts = []
    gpus = compute.gpus(c)
    models = c.texts("gpu_model")
    if gpus:
        parts.append(f"{gpus:,.0f} GPUs" + (f" ({models[0]})" if models else ""))
    elif models:
        parts.append(models[0])
    params = compute.params(c)
    if params:
        parts.append(f"a {params / 1e9:,.3g}B-parameter model")
    nic = c.value("nic_bandwidth")
    if nic:
        parts.append(f"{nic * 8:,.0f} Gb/s inter-node links")
    seq = c.value("seq_len")
    if seq:
        parts.append(f"sequence length {seq:,.0f}")
    return ", ".join(parts) if parts else "the setting the draft describes"

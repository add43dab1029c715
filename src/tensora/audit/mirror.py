"""The Mirror's content, read from the draft profile (``extract/profile.py``).

The component is the technique the draft leans on; A is what the draft says it replaces (or the value the
baseline uses for a knob, for a configuration change, or the baseline's mechanism kept as context, for an orthogonal
one); B is the sentence in which the draft's system does something; the hypothesis is the headline claim with
its metric as typed by the profile (a memory cost or a volume ratio is never called a speedup); the setting is
the profile's scale, hardware, model and mode. The sentence itself is written by the renderer
(``render/templates/voice.yaml``); where the profile is unsure of the claim the Mirror asks instead.
"""

from __future__ import annotations

import math
import re

from tensora.audit import compute
from tensora.audit.findings import Mirror
from tensora.extract.claims import Claims
from tensora.extract.profile import DraftProfile, specifically
from tensora.extract.techniques import TechniqueUse


def _lead(claims: Claims) -> TechniqueUse | None:
    uses = [u for u in claims.techniques.values() if u.used and u.core and u.family != "hardware"]
    return max(uses, key=lambda u: (u.weight, u.id)) if uses else None


def build(
    profile: DraftProfile,
    proposal: Claims,
    baseline: Claims,
    delta_class: str,
    removed: list[str],
    axis: str = "",
) -> Mirror:
    """The Mirror from the draft profile: component, A -> B (or what is kept), the typed claim, the setting.
    ``axis``: for an orthogonal change, the technique on which the delta audit found the change (the Mirror
    and the Novelty Gap name the same axis)."""
    component = profile.component.value or "the baseline's core mechanism"
    base_lead = _lead(baseline)
    base_name = base_lead.name if base_lead else "mechanism"
    with_ = profile.with_.value or profile.system
    if profile.system and _PRONOUN.search(with_):
        # "ShadowTP, which removes them from the critical path": a pronoun out of its sentence refers to nothing
        with_ = profile.system
    kind = "replaces"
    if delta_class == "orthogonal":
        kind = "keeps"
        replaces = f"the baseline's {base_name}" if base_lead else "the baseline's mechanism"
        kept = _kept_phrase(profile)
        if kept:
            replaces = kept
        use = proposal.techniques.get(axis)
        if use is not None:
            component = specifically(use)
    elif delta_class == "config":
        kind = "config"
        knob = profile.knob.value
        lead = _lead(proposal)
        replaces = (
            f"the value the baseline uses for its {knob}"
            if knob
            else f"how the baseline configures {lead.name}"
            if lead is not None
            else "the baseline's setting"
        )
    elif profile.replaces and profile.replaces.confidence >= 0.5 and _names_a_thing(profile.replaces.value):
        replaces = profile.replaces.value
    else:
        # a technique the draft drops counts as what it replaces only on the axis it changes ("no pipeline
        # parallelism" in an expert-routing draft is its setting, not its change)
        names = [
            baseline.techniques[t].name
            for t in removed
            if t in baseline.techniques and (not profile.family or baseline.techniques[t].family == profile.family)
        ]
        if names:
            replaces = "the baseline's " + " and ".join(names[:2])
        elif profile.replaces and _names_a_thing(profile.replaces.value):
            replaces = profile.replaces.value
        else:
            # a proper name keeps its spelling ("PagedAttention"), a common one reads in lower case ("tensor
            # parallelism")
            shown = base_name if any(ch.isupper() for ch in base_name[1:]) else base_name.lower()
            replaces = f"the baseline's {shown} design" if base_lead else "the baseline's mechanism"
    claim = profile.claim
    if claim is not None:
        hypothesis = claim.describe()
        sure = claim.confidence >= 0.6
    else:
        hypothesis, sure = _hypothesis(proposal), False
    return Mirror(component, replaces, with_, hypothesis, _setting(profile, proposal), "", kind=kind, sure=sure)


# "Lull keeps Megatron's schedule, parallel layout and numerics exactly as they are": what the draft keeps, in
# its words
_KEPT = re.compile(
    r"\b(?:keeps?|keeping|leaves?|leaving|retains?)\s+((?:the\s+|its\s+|their\s+)?[^.;:]{3,90}?)\s+"
    r"(?:exactly\s+|entirely\s+|completely\s+|fully\s+)?"
    r"(?:as (?:it is|they are)|unchanged|untouched|intact|as[- ]is)\b",
    re.I,
)


def _kept_phrase(profile: DraftProfile) -> str:
    """What the draft says it keeps as it is ("Megatron's schedule, parallel layout and numerics"), from the
    profile's keep sentence; empty when the sentence does not say it in that form."""
    if profile.keeps.source is None or profile.keeps.confidence < 0.5:
        return ""
    m = _KEPT.search(profile.keeps.source.text)
    if m is None:
        return ""
    phrase = m.group(1).strip()
    return phrase if 1 <= len(phrase.split()) <= 12 else ""


# what a replaced thing cannot be: a pronoun's phrase ("storing it"), a quantity ("a few being turned away"),
# an outcome ("overflowing")
_NOT_A_THING = re.compile(
    r"\b(it|them|this|that|these|those)\b|^(a few|few|some|many|most|more|less)\b|^\w+ing$|^\w+ing (it|them)\b",
    re.I,
)


_PRONOUN = re.compile(r"\b(?:them|these|those|they)\b", re.I)


def _names_a_thing(text: str) -> bool:
    """Whether a phrase read as what the draft replaces names a thing (a mechanism, a component, a setting)."""
    words = text.split()
    # a lone participle or adjective ("pipelined instead of serialised") describes, it names nothing
    if len(words) == 1 and re.search(r"(?:ed|ised|ized|ous|ive|al|ly|ic)$", words[0], re.I):
        return False
    return 1 <= len(words) <= 14 and _NOT_A_THING.search(text.strip()) is None


def _in_abstract(c: Claims, q: object) -> bool:
    from tensora.extract.quantities import Quantity

    assert isinstance(q, Quantity)
    i = compute.sentence_index(c, q)
    return i >= 0 and (i == 0 or re.search(r"abstract", c.sentences[i].section, re.I) is not None)


def _hypothesis(c: Claims) -> str:
    """Fallback when the profile has no typed claim: the first speedup, throughput or MFU stated."""
    candidates = [
        q
        for q in c.quantities
        if not math.isnan(q.value)
        and q.qualifier not in ("baseline", "memory")
        and ((q.role == "speedup" and q.value > 1) or q.role in ("tflops_per_gpu", "mfu"))
    ]
    if not candidates:
        return "it improves on the baseline where the baseline is weakest"
    # the headline is the first claim; an end-to-end one stated in the abstract or title outranks a micro-benchmark
    headline = [q for q in candidates if q.qualifier in ("end-to-end", "projected") and _in_abstract(c, q)]
    best = min(headline or candidates, key=lambda q: (compute.sentence_index(c, q), q.role != "speedup"))
    if best.role == "speedup":
        scope = {"end-to-end": " end-to-end", "kernel": " kernel", "throughput": " throughput"}.get(best.qualifier, "")
        return f"it runs {best.value:.3g}x faster{scope} than the baseline"
    if best.role == "mfu":
        return f"it reaches {best.value:.0%} MFU"
    return f"it sustains {best.value:,.0f} TFLOP/s per GPU"


_CHIP = re.compile(r"\b(?:TPU|Trainium|Inferentia|Gaudi)", re.I)


def _as_written(name: str, c: Claims) -> str:
    """A device name as the draft spells it ("Trainium2", not the catalog's "TRAINIUM2")."""
    if not name:
        return name
    m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w])", c.text, re.I)
    return m.group(0) if m else name


def _setting(profile: DraftProfile, c: Claims) -> str:
    parts = []
    gpus, hardware = profile.gpus.value, _as_written(profile.hardware.value, c)
    if gpus:
        # a TPU, Trainium or Gaudi is a chip, not a GPU
        unit = "chips" if hardware and _CHIP.search(hardware) else "GPUs"
        parts.append(f"{float(gpus):,.0f} {unit}" + (f" ({hardware})" if hardware else ""))
    elif hardware:
        parts.append(hardware)
    if profile.params:
        size = _model_size(float(profile.params.value))
        article = "an" if size.startswith(("8", "11", "18")) else "a"  # "an 87B", "an 11B": said "eighty", "eleven"
        parts.append(f"{article} {size}-parameter model")
    elif profile.model:
        parts.append(profile.model.value)
    nic = c.value("nic_bandwidth")
    if nic:
        parts.append(f"{nic * 8:,.0f} Gb/s inter-node links")
    seq = c.value("seq_len")
    if seq:
        parts.append(f"sequence length {seq:,.0f}")
    mode = profile.mode.value if profile.mode.confidence >= 0.6 else ""
    if not parts:
        return f"{mode} workloads" if mode else "the setting the draft describes"
    return ", ".join(parts) + (f", in {mode}" if mode else "")


def _model_size(params: float) -> str:
    """A model size as people write it: "7B", "1.3B", "175B", "1.6T", never "1.6e+03B"."""
    if params >= 1e12:
        return f"{params / 1e12:.3g}T"
    if params >= 1e9:
        return f"{params / 1e9:.4g}B"
    return f"{params / 1e6:.4g}M"

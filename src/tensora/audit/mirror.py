"""The Mirror: "You're proposing to modify [component] by replacing [A] with [B] ... Is that the crux?"

Built from the delta audit and the draft's own words: the component from the family of the techniques it
changes, A from what it rejects or replaces (or the baseline's core mechanism), B from its first statement of
the method, the hypothesis from its headline claim, the setting from its stated hardware and scale.
"""

from __future__ import annotations

import re

from tensora.audit.findings import Mirror
from tensora.audit.rules._common import total_gpus
from tensora.extract.claims import Claims
from tensora.extract.techniques import is_core

_COMPONENT = {
    "parallelism": "the parallelisation and scheduling of training",
    "memory": "how model states and activations are held in device memory",
    "communication": "the gradient and parameter communication path",
    "compression": "the volume of data exchanged between workers",
    "attention": "the attention kernel",
    "kernels": "the GEMM kernels",
    "moe": "expert routing and execution in the MoE layers",
    "sparsity": "the sparsity of the weights and the kernels that exploit it",
    "quantization": "the numeric format of weights and activations",
    "precision": "the numeric precision of training",
    "compilers": "the compilation of the model graph",
    "inference": "the serving path",
    "fault-tolerance": "checkpointing and failure recovery",
    "scheduling": "how jobs share the cluster",
    "optimization": "the optimizer",
    "hardware": "the hardware mapping",
}
_PROPOSE = re.compile(
    r"\b(we propose|we introduce|we present|this (paper|proposal|draft)|our (approach|method|system)|"
    r"[A-Z][\w-]+ (removes|makes|keeps|replaces|decouples|brings|runs|splits|shards|trains|introduces))\b"
)
_REPLACE = re.compile(r"replac\w+ ([^,.;]{3,80}?) with ([^,.;]{3,80})", re.I)
_CLAIM = re.compile(r"\d+(\.\d+)?\s*[x×]|\d+(\.\d+)?\s*%|faster|speedup|reduc|higher|lower", re.I)


def _trim(text: str, n: int = 160) -> str:
    text = text.strip().rstrip(".")
    return text if len(text) <= n else text[: n - 3].rsplit(" ", 1)[0] + "..."


def build(proposal: Claims, baseline: Claims, new: list[str], removed: list[str]) -> Mirror:
    names = {t: u.name for t, u in {**baseline.techniques, **proposal.techniques}.items()}
    families = [proposal.techniques[t].family for t in new if t in proposal.techniques]
    core_used = [u for u in proposal.techniques.values() if u.used and u.core]
    if not families:
        families = [u.family for u in core_used]
    component = _COMPONENT.get(families[0], "the baseline's core mechanism") if families else (
        "the baseline's core mechanism"
    )
    replaces, with_ = "", ""
    for s in proposal.sentences:
        m = _REPLACE.search(s.text)
        if m and is_core(s):
            replaces, with_ = _trim(m.group(1), 90), _trim(m.group(2), 120)
            break
    if not replaces:
        base_core = [u.name for u in baseline.techniques.values() if u.used and u.core]
        pick = [names[t] for t in removed] or base_core[:2]
        replaces = "the baseline's " + (" and ".join(pick) if pick else "mechanism")
    if not with_:
        stmt = next((s for s in proposal.sentences if is_core(s) and _PROPOSE.search(s.text)), None)
        with_ = _trim(stmt.text, 200) if stmt else (
            ", ".join(names[t] for t in new[:3]) if new else proposal.title
        )
    claim = next(
        (s for s in proposal.sentences if is_core(s) and _CLAIM.search(s.text) and s.kind != "heading"), None
    )
    hypothesis = _trim(claim.text, 220) if claim else "it improves on the baseline"
    setting = _setting(proposal)
    text = (
        "Let me make sure I understand the core claim. You're proposing to modify "
        f"{component} by replacing {replaces} with {with_[0].lower() + with_[1:] if with_ else with_}. "
        f'Your hypothesis, in your words: "{hypothesis}." The setting is {setting}. Is that the crux?'
    )
    return Mirror(component, replaces, with_, hypothesis, setting, text)


def _setting(c: Claims) -> str:
    parts = []
    gpus = total_gpus(c)
    models = c.texts("gpu_model")
    if gpus:
        parts.append(f"{gpus:,.0f} GPUs" + (f" ({models[0]})" if models else ""))
    elif models:
        parts.append(models[0])
    params = c.max_value("params")
    if params:
        parts.append(f"a {params / 1e9:,.3g}B-parameter model")
    nic = c.value("nic_bandwidth")
    if nic:
        parts.append(f"{nic * 8:,.0f} Gb/s inter-node links")
    seq = c.value("seq_len")
    if seq:
        parts.append(f"sequence length {seq:,.0f}")
    return ", ".join(parts) if parts else "the setting the draft describes"

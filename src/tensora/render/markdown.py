"""Render a ``Review`` as Markdown in the persona's four parts.

1. The Mirror; 2. The Novelty Gap (delta audit, closest prior work, what to articulate); 3. The Mechanism
Stress Test (each finding opens with the draft's own words and page, then the skeptic's paragraph with the
computed numbers, then "If you want this to survive MLSys review, you need to ..."); 4. The Twist.
Three levels of detail: ``brief`` (the three sharpest points), ``default``, ``full`` (every finding, inputs,
more prior work, and the knowledge base's other corner cases). The fixed phrases live in
``templates/voice.yaml``.
"""

from __future__ import annotations

import re
from typing import Literal

from tensora.audit.findings import Finding, Review
from tensora.audit.novelty import lower_first
from tensora.extract.quantities import Quote
from tensora.render.voice import say

Detail = Literal["brief", "default", "full"]
_FRAMING = ("DLT-", "NOV-")
_CONTRACT = {
    "pipeline_bubble_fraction",
    "mfu",
    "memory_per_gpu_gib",
    "model_states_per_gpu_gib",
    "amdahl_max_speedup",
    "comm_time_s",
    "compute_time_s",
    "arithmetic_intensity",
    "roofline_max_speedup",
}


def mirror_text(review: Review) -> str:
    m = review.mirror
    # a trimmed quotation already ends in "..."; the template adds its own full stop
    with_ = m.with_[:-1] if m.with_.endswith("...") else m.with_
    key = {"keeps": "mirror_keeps", "config": "mirror_config"}.get(m.kind, "mirror" if m.sure else "mirror_unsure")
    text = say(
        key,
        area=m.component.split(", specifically ")[0],
        component=m.component,
        replaces=m.replaces,
        with_=with_,
        hypothesis=m.hypothesis,
        setting=m.setting,
    )
    return f"{m.note} {text}" if m.note else text


def twist_text(review: Review) -> str:
    t = review.twist
    parts = [say("twist_lead", idea=t.idea)]
    if t.must_show:
        parts.append(say("twist_show", items="; ".join(t.must_show)))
    m = review.mirror
    if m.setting:
        parts.append(say("twist_where", setting=m.setting.removesuffix(", in training").removesuffix(", in inference")))
    parts.append(say("twist_close"))
    return " ".join(parts)


_UNITS = (
    ("_fraction", "%"),
    ("_share", "%"),
    ("_gain", "%"),
    ("arithmetic_intensity", " FLOP/byte"),
    ("mfu", "%"),
    ("_gib", " GiB"),
    ("_gb", " GB"),
    ("_gbs", " GB/s"),
    ("_tflops", " TFLOP/s"),
    ("_ms", " ms"),
    ("_s", " s"),
    ("_speedup", "x"),
    ("_x", "x"),
)
_SHOWN = {"brief": 3, "default": 5, "full": 99}


def quantity(key: str, value: float) -> str:
    """A computed value with its unit, read from the key's suffix (``comm_time_s`` is seconds)."""
    for suffix, unit in _UNITS:
        if key.endswith(suffix):
            if unit == "%":
                return f"{value:.1%}"
            return f"{_figure(value)}{unit}"
    return _figure(value)


def _figure(value: object) -> str:
    """A number as a reader writes it: 131,072 rather than 1.311e+05, 0.0866 rather than 0.08662."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if value == int(value) and abs(value) >= 1000:
        return f"{int(value):,}"
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _label(key: str) -> str:
    """A quantity's name in words: ``kv_bytes_per_token`` -> "KV bytes per token", its unit suffix dropped
    (the value carries it)."""
    for suffix, unit in _UNITS:
        if key.endswith(suffix) and unit not in ("%", "x") and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    words = key.replace("_", " ").strip()
    for short, long in _WORDS:
        words = re.sub(rf"\b{short}\b", long, words)
    return words


_WORDS = (("kv", "KV"), ("mfu", "MFU"), ("gpu", "GPU"), ("gpus", "GPUs"), ("fp16", "FP16"), ("hfu", "HFU"))


def _scalar(value: object) -> bool:
    return isinstance(value, (int, float, str)) and not isinstance(value, bool) and len(str(value)) <= 40


def _numbers(f: Finding, detail: Detail) -> str:
    """The finding's computed numbers with units, contract quantities first, and the inputs they came from."""
    keys = sorted(f.computed, key=lambda k: k not in _CONTRACT)[: _SHOWN[detail]]
    if not keys:
        return ""
    items = ", ".join(f"{_label(k)} = {quantity(k, f.computed[k])}" for k in keys)
    inputs = [(k, v) for k, v in f.inputs.items() if detail == "full" or _scalar(v)][: _SHOWN[detail]]
    if inputs:
        items += " (from " + ", ".join(f"{_label(k)} = {_figure(v)}" for k, v in inputs) + ")"
    return say("computed", numbers=items)


def place(q: Quote, review: Review) -> str:
    """Where a quote is: its document, and its page when that document has pages (a PDF)."""
    name = review.proposal if q.doc == "proposal" else review.baseline
    return f"{q.doc}, p. {q.page}" if str(name).lower().endswith(".pdf") else q.doc


def _finding(f: Finding, detail: Detail, review: Review) -> list[str]:
    lead = ""
    if f.evidence:
        q = f.evidence[0]
        # the draft's own three-dot ellipsis ("a_1 a_2 ... a_t") is shown as one character, as typeset
        lead = say("quote_lead", quote=q.text.replace("...", "\u2026"), where=place(q, review)) + " "
    # the computed numbers belong to the argument, and the must-solve closes the weakness's own paragraph
    numbers = _numbers(f, detail)
    body = f"{lead}{f.message} " + (f"{numbers} " if numbers else "") + f"**{f.must_solve}**"
    lines = [f"### [{f.severity.value}] {f.code}: {f.title}", "", body, ""]
    if detail == "full":
        lines += [f'> "{q.text}" ({place(q, review)})' for q in f.evidence[1:3]]
        if len(f.evidence) > 1:
            lines.append("")
    return lines


def _closest_sentence(nov: Finding | None, review: Review) -> str:
    """The draft's own sentence that the closeness rests on, so the paragraph argues from this draft."""
    if nov is None:
        return ""
    own = next((q for q in nov.evidence if q.doc == "proposal"), None)
    if own is None:
        return ""
    return say("novelty_own", quote=own.text, where=place(own, review)) + " "


def _novelty(review: Review, detail: Detail) -> list[str]:
    out: list[str] = []
    delta_line = say(f"delta.{review.delta.cls}")
    framing = {f.code: f for f in review.findings if f.code.startswith(_FRAMING)}
    dlt = framing.get("DLT-CONFIG") or framing.get("DLT-ORTHO")
    if dlt is not None:
        out += [f"{delta_line} {dlt.message} **{dlt.must_solve}**", ""]
    else:
        out += [f"{delta_line} {review.delta.rationale}", ""]
    hits = review.prior_work
    nov = framing.get("NOV-PRIOR")
    if not hits:
        return out + [say("novelty_none", system=review.system), ""]
    first = hits[0]
    if nov is not None:
        # the work the finding is about, so the sentence and its must-solve speak of the same work
        named = nov.inputs.get("prior_work") if isinstance(nov.inputs, dict) else None
        wanted = named[0] if isinstance(named, list) and named else None
        first = next((h for h in hits if h.name == wanted), None) or next((h for h in hits if not h.cited), hits[0])
    out += [
        say(
            "novelty_lead",
            system=review.system,
            name=first.name,
            venue=first.venue,
            year=first.year,
            why=lower_first(first.why),
        )
        + " "
        + _closest_sentence(nov, review)
        + (f"**{nov.must_solve}**" if nov is not None else f"*{first.differ}*"),
        "",
    ]
    more = [h for h in hits if h is not first][: {"brief": 0, "default": 2, "full": 4}[detail]]
    if more:
        out += [say("novelty_more"), ""]
        for h in more:
            cited = ", cited" if h.cited else ""
            why = f" {h.why}." if detail == "full" else ""
            # what this work has in common with this draft, so the line speaks of the draft, not only of the work
            _, sep, shared = h.why.partition("(shares ")
            common = (
                # only the closing parenthesis of "(shares ...)": a name may end in its own ("(FSDP)")
                f"; it shares {shared.removesuffix('.').removesuffix(')')} with {review.system}"
                if sep and shared
                else f"; near {review.system}"
            )
            out.append(f"- **{h.name}** ({h.venue}, {h.year}{cited}{common}).{why} {h.differ}")
        out.append("")
    return out


def render(review: Review, detail: Detail = "default") -> str:
    out = [say("title", system=review.system, baseline=review.baseline_title or review.baseline), ""]
    out += [say("parts.mirror"), "", mirror_text(review), ""]
    out += [say("parts.novelty"), ""] + _novelty(review, detail)
    out += [say("parts.stress"), ""]
    stress = [f for f in review.findings if not f.code.startswith(_FRAMING)]
    if detail != "full":
        stress = [f for f in stress if f.severity.value != "info"]
    shown = stress[:3] if detail == "brief" else stress
    if not stress:
        answered = "; ".join(review.corner_cases[:2]) or "bubble, memory, communication and evidence"
        out += [say("stress_clean", system=review.system, answered=answered), ""]
    else:
        out += [say("stress_intro", count=_count(len(shown))), ""]
    for f in shown:
        out += _finding(f, detail, review)
    if detail == "brief" and len(stress) > len(shown):
        out += [say("brief_more", count=len(stress) - len(shown)), ""]
    if detail == "full" and review.corner_cases:
        out += [say("corner_intro", system=review.system), ""]
        out += [f"- {case}" for case in review.corner_cases] + [""]
    out += [say("parts.twist"), "", twist_text(review), ""]
    return "\n".join(out).rstrip() + "\n"


def fill(review: Review, detail: Detail = "default") -> Review:
    """Write the rendered texts into the review (mirror, twist and the whole answer)."""
    review.mirror.text = mirror_text(review)
    review.twist.text = twist_text(review)
    review.text = render(review, detail)
    return review


def _count(n: int) -> str:
    """ "One thing", "Three things": the count with its noun, in agreement."""
    words = ["No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten"]
    return (words[n] if n < len(words) else str(n)) + (" thing" if n == 1 else " things")

"""The Twist: one complementary idea that turns a mechanism into a story.

Scores each knowledge-base concept by the weight the draft gives the techniques it pairs with (the technique
the draft leans on most counts most), skips concepts the draft already has (``not_with``: a draft running a
zero-bubble schedule gets no "try a zero-bubble schedule"), and fills the concept's story with the draft's system
name and the measurements the story would have to show. Where the draft states the inputs, the idea carries a
number computed by ``tensora.models`` (the bubble at the draft's own stages and micro-batches, say), never a
placeholder. The sentence around it is the renderer's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tensora.audit import compute
from tensora.audit.findings import Finding, Twist
from tensora.audit.rules._common import pct
from tensora.errors import ModelInputError
from tensora.extract.claims import Claims
from tensora.knowledge.loader import KnowledgeBase
from tensora.models import pipeline

_FRESH_SHARE = 0.6  # how much of a concept's score depends on bringing techniques the draft does not use
# how much a fired finding that the concept answers adds, in units of the draft's leading technique weight
_ANSWER_SHARE = 2.0
_SECOND_SHARE = 0.25  # each further answered finding counts a quarter: one sharp answer beats two loose ones
_SEVERITY_WEIGHT = {"fatal": 1.5, "major": 1.0, "minor": 0.25, "info": 0.0}
_LEAD_BOOST = 2.0


def build(
    proposal: Claims,
    kb: KnowledgeBase,
    system: str,
    findings: Sequence[Finding] = (),
    lead_techniques: Sequence[str] = (),
) -> Twist:
    """The concept that best turns the draft's mechanism, and its sharpest weakness, into a story.

    A concept is a candidate when it pairs with one of the draft's leading techniques (``lead_techniques``, the
    profile's reading of what the draft is about, else its three heaviest). Answering a fired major or fatal
    finding weighs most among those: the Twist should turn the weakness the review just raised into the paper's
    claim. Only when no concept pairs with the mechanism may one off it be raised, for a weakness it answers.
    """
    weights = {t: u.weight for t, u in proposal.techniques.items() if u.used and u.family != "hardware"}
    fired = {f.code: _SEVERITY_WEIGHT.get(f.severity.value, 0.0) for f in findings}
    top = max(weights.values(), default=1.0)
    if lead_techniques and lead_techniques[0] in weights:
        # the technique the draft leans on says most about where a twist should build
        weights[lead_techniques[0]] = max(weights[lead_techniques[0]], top) * _LEAD_BOOST
    lead = set(lead_techniques) or set(sorted(weights, key=lambda t: -weights[t])[:3])
    best = None
    best_score = 0.0
    fallback = None
    fallback_score = 0.0
    primary = lead_techniques[0] if lead_techniques else ""
    primary_best = None
    primary_score = 0.0
    mode = "training" if compute.is_training(proposal) else "inference"
    for concept in kb.concepts:
        pairs = set(concept.pairs_with)
        if set(concept.not_with) & set(weights):
            continue  # the draft already does this
        if concept.requires and not set(concept.requires) & set(weights):
            continue  # the story presumes a technique the draft does not use
        if concept.mode and concept.mode != mode:
            continue  # a backward pass for a serving system, or a serving crossover for a training run
        hits = sorted((fired.get(code, 0.0) for code in concept.answers), reverse=True)
        answered = hits[0] + _SECOND_SHARE * sum(hits[1:]) if hits else 0.0
        # a concept whose techniques the draft already uses is a weaker twist, not an impossible one
        fresh = len(pairs - set(weights)) / max(1, len(pairs))
        score = (1 - _FRESH_SHARE + _FRESH_SHARE * fresh) * sum(weights.get(t, 0.0) for t in pairs)
        score += _ANSWER_SHARE * answered * top
        if primary and primary in pairs:
            # a concept on the technique the draft leans on beats one on a technique it only runs beside it
            if score > primary_score:
                primary_best, primary_score = concept, score
        elif pairs & lead:
            if score > best_score:
                best, best_score = concept, score
        elif answered >= _SEVERITY_WEIGHT["major"] and score > fallback_score:
            # off the draft's mechanism: raised only when nothing builds on it
            fallback, fallback_score = concept, score
    if primary_best is not None:
        best = primary_best
    if best is None:
        best = fallback
    if best is None:
        return Twist(
            f"find the regime where {system} wins by a wide margin and make that regime the paper: sweep the "
            "one parameter that matters and show where the baseline collapses",
            [system],
            ["the crossover point against the baseline", "end-to-end time at the largest scale you can reach"],
        )
    story = best.story.replace("{mechanism}", system).rstrip(".")
    if not story.startswith(system):
        story = story[0].lower() + story[1:]
    grounded = _NUMBERS.get(best.id)
    figure = grounded(proposal) if grounded else None
    if figure:
        story = f"{story} ({figure})"
    return Twist(story, [system, best.name], list(best.must_show))


def _bubble(c: Claims) -> str | None:
    """The draft's own bubble next to the interleaved one, when it states stages and micro-batches."""
    p, m = c.value("pp"), c.value("micro_batches")
    if not p or not m or p < 2:
        return None
    try:
        now = pipeline.pipeline_bubble_fraction(int(p), int(m))
        two = pipeline.pipeline_bubble_fraction(int(p), int(m), virtual=2)
    except ModelInputError:
        return None
    return (
        f"at your p = {int(p)} stages and m = {int(m)} micro-batches, 1F1B leaves {pct(now.value)} of the step "
        f"idle; two model chunks per GPU bring it to {pct(two.value)}, a split backward lower still"
    )


# concept id -> the number that grounds its idea in the draft's own configuration
_NUMBERS: dict[str, Callable[[Claims], str | None]] = {"bubble-free-schedule": _bubble}

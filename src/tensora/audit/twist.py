"""The Twist: one complementary idea that turns a mechanism into a story.

Scores each knowledge-base concept by the weight the draft gives the techniques it pairs with (the technique
the draft leans on most counts most), skips concepts whose techniques the draft already uses all of, and fills
the concept's story with the draft's system name and the measurements the story would have to show. The
sentence around it is the renderer's.
"""

from __future__ import annotations

from tensora.audit.findings import Twist
from tensora.extract.claims import Claims
from tensora.knowledge.loader import KnowledgeBase

_FRESH_SHARE = 0.6  # how much of a concept's score depends on bringing techniques the draft does not use


def build(proposal: Claims, kb: KnowledgeBase, system: str) -> Twist:
    weights = {t: u.weight for t, u in proposal.techniques.items() if u.used and u.family != "hardware"}
    best = None
    best_score = 0.0
    lead = set(sorted(weights, key=lambda t: -weights[t])[:3])
    for concept in kb.concepts:
        pairs = set(concept.pairs_with)
        if not pairs & lead:
            continue  # a twist builds on what the draft is about, not on a technique it mentions once
        # a concept whose techniques the draft already uses is a weaker twist, not an impossible one
        fresh = len(pairs - set(weights)) / max(1, len(pairs))
        score = (1 - _FRESH_SHARE + _FRESH_SHARE * fresh) * sum(weights.get(t, 0.0) for t in pairs)
        if score > best_score:
            best, best_score = concept, score
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
    return Twist(story, [system, best.name], list(best.must_show))

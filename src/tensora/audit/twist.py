"""The Twist: one complementary idea that turns a mechanism into a story.

Picks the knowledge base concept that pairs with most of the techniques the draft introduces (then those it
uses at its core), skipping concepts whose own name the draft already uses, and fills the concept's story
with the draft's mechanism and the measurements the story would have to show.
"""

from __future__ import annotations

import re

from tensora.audit.findings import Twist
from tensora.extract.claims import Claims
from tensora.knowledge.loader import KnowledgeBase


def build(proposal: Claims, kb: KnowledgeBase, new: list[str], mechanism: str, codes: list[str]) -> Twist:
    core = [t for t, u in proposal.techniques.items() if u.used and u.core]
    best = None
    best_score = 0.0
    text = proposal.text
    for concept in kb.concepts:
        if re.search(rf"(?<![\w-]){re.escape(concept.name)}(?![\w-])", text, re.I):
            continue
        score = 2.0 * len(set(concept.pairs_with) & set(new)) + len(set(concept.pairs_with) & set(core))
        if score > best_score:
            best, best_score = concept, score
    if best is None:
        return Twist(
            "Before adding anything, find the regime where the mechanism wins by a wide margin and make that "
            "regime the paper: sweep the one parameter that matters and show where the baseline collapses.",
            [mechanism],
            ["the crossover point against the baseline", "end-to-end time at the largest scale you can reach"],
        )
    story = best.story.replace("{mechanism}", mechanism)
    pitch = (
        f"Here's a thought: combine {mechanism} with {best.name}. {story} "
        + "That would need to show: "
        + "; ".join(best.must_show)
        + ". That's a paper; a mechanism without a clear win is not."
    )
    if codes:
        pitch += " It also gives you a natural answer to the weakest point above (" + codes[0] + ")."
    return Twist(pitch, [mechanism, best.name], list(best.must_show))

"""Clause-level readers for cues whose question a single search cannot answer.

A cue in ``knowledge/data/cues.yaml`` may name one of these functions as its ``detector``; the function gets the
sentence and the cue's ``params`` (compiled regular expressions, so every pattern stays in the data file) and
says whether the sentence matches. Each reader follows the words of one clause or so around an anchor.

Does not: read across sentences, or decide anything a rule should (a detector answers the cue's question only).
"""

from __future__ import annotations

import re

__all__ = ["precision_lowering"]

_NEAR = 80  # characters on each side of a component that belong to its clause


def precision_lowering(text: str, params: dict[str, re.Pattern[str]]) -> bool:
    """A sentence that moves some tensor class below the precision the baseline kept for it.

    The component (``component``), a reduced format (``low``) and the lowering words (``lowering``) must sit
    within a clause of each other, and the component must not be kept in FP32 there (``high`` just before it,
    ``kept_high_after`` just after), unless the FP32 copy itself is what goes away (``dropped_before``,
    ``no_longer_needed``). A sentence that says the precision is as before (``as_before``, ``as_before_negated``)
    lowers nothing, nor does one that chooses FP32 over the reduced format (``high_over_low``).
    """
    low, lowering = params["low"], params["lowering"]
    text = text.lower()
    if not low.search(text) or params["as_before"].search(text) or params["as_before_negated"].search(text):
        return False
    # "we log FP32 rather than BF16": a sentence that chooses the higher precision over the reduced one
    chosen = params.get("high_over_low")
    if chosen is not None and chosen.search(text):
        return False
    for m in params["component"].finditer(text):
        window = text[max(0, m.start() - _NEAR) : m.end() + _NEAR]
        if not low.search(window) or not lowering.search(window):
            continue
        before, after = text[max(0, m.start() - 20) : m.start()], text[m.end() : m.end() + 30]
        kept_high = bool(params["high"].search(before) or params["kept_high_after"].search(after))
        dropped = params["dropped_before"].search(before) or params["no_longer_needed"].search(window)
        if not kept_high or dropped:
            return True
    return False

"""Sentences of the model's review that speak of how the review was made, not of the draft.

The model confirms or rejects tensora's hypotheses in a field of its own, and the student never sees them. A
sentence such as "Drop the speculation twist; there is no speculation in the draft." or "Rather than the
candidate twist of fusing the collectives, ..." answers a hypothesis in the prose: the student reads about a
proposal nobody made. Such sentences are taken out of the four parts and listed in the JSON, so nothing is lost
silently. Follows the guard's habit of checking what the model wrote, not what it meant; leaves alone any
sentence about the draft's own hypotheses ("Your hypothesis is that ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Scrubbed", "scrub"]

_PROCESS = re.compile(
    r"\b(?:candidate|suggested|offered|proposed|given)\s+twist\b"
    r"|\b(?:drop|reject|discard|ignore|dismiss)\w*\b[^.;:]{0,40}\btwist\b"
    r"|\btwist\b[^.;:]{0,30}\b(?:is|was)\s+(?:rejected|dropped|discarded|off the mark)\b"
    r"|\btensora\b|\btool results?\b|\bthe hypothes(?:is|es) (?:list|above|offered|given)\b"
    r"|\[(?:MIRROR|DELTA|PRIOR-\d+|NUM-\d+|CORNER-\d+|TWIST)\]",
    re.I,
)
# a sentence ends at a full stop, question or exclamation mark followed by space and a capital or a quote
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(*\[])")


@dataclass(frozen=True, slots=True)
class Scrubbed:
    part: str
    sentence: str


def scrub(parts: dict[str, str]) -> tuple[dict[str, str], list[Scrubbed]]:
    """The parts without sentences about the review's making, and the sentences taken out."""
    out: dict[str, str] = {}
    removed: list[Scrubbed] = []
    for part, text in parts.items():
        kept_lines = []
        for line in text.split("\n"):
            pieces = _SENTENCE.split(line)
            kept = [p for p in pieces if not _PROCESS.search(p)]
            removed += [Scrubbed(part, p.strip()) for p in pieces if _PROCESS.search(p)]
            if kept or not line.strip():
                kept_lines.append(" ".join(kept))
        out[part] = "\n".join(kept_lines).strip()
    return out, removed

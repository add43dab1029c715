"""Claims of absence in the model's draft review, with the sentences of the draft that may answer them.

A review that says the draft "never states" something the draft does state is the factual error a student
notices first. The self-check catches it best when it is shown where the draft might state it: for each
sentence of the review that says the draft never states, gives, measures, reports or shows something, the
distinctive words around the claim (numbers, names with capitals or digits, longer content words) are looked up
in the proposal's sentences, and the best matches go to the self-check as leads. A figure's numbers are often
in the figure and its caption rather than in a sentence ("+498%" under "Figure 1: ... the conversation
workload"), so when a matching sentence shares a number with the claim, the captions on its page that share a
word with the claim go along with it. Nothing is decided here: the
model reads the leads and corrects its claim or keeps it. Follows the guard's habit of checking against the
visible text only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tensora.extract.sentences import Sentence

__all__ = ["Lead", "leads", "render"]

_ABSENCE = re.compile(
    r"\b(?:never|nowhere|does not|doesn't|do not|did not|fails? to|without (?:ever )?)\s+(?:\w+\s+){0,2}?"
    r"(?:states?|stating|gives?|giving|reports?|reporting|measures?|measuring|mentions?|says?|specif(?:y|ies)|"
    r"shows?|quantif(?:y|ies)|provides?|discuss(?:es)?|defines?)\b"
    r"|\bno (?:\w+\s+){0,3}(?:is|are|was|were) (?:given|stated|reported|measured|shown|provided)\b"
    r"|\b(?:is|are) (?:never|not) (?:given|stated|reported|measured|shown|specified|provided)\b",
    re.I,
)
_CLAUSE_END = re.compile(r",\s*(?:but|while|whereas|yet|so|which means)\b|;|\s[\u2013\u2014-]\s|\s\(")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z*\"(])")
_TOKEN = re.compile(r"[A-Za-z0-9][\w.+/-]*")
_STOP = frozenset(
    "about above after again against also among another because before being below between both cannot could "
    "does doing draft during either every paper should their there these those through under until where which "
    "while whose would review number numbers value values whether whole other since still another figure table "
    "section paper's draft's states stated never gives given report reports reported measure measures measured "
    "mention mentions shows shown specify specifies".split()
)
_MAX_LEADS = 6
_PER_CLAIM = 2
_CAPTIONS = 1


@dataclass(frozen=True, slots=True)
class Lead:
    """One claim of absence in the review, and the draft's sentences that share its distinctive words."""

    part: str
    claim: str
    candidates: tuple[str, ...]


def _words(text: str) -> set[str]:
    out = set()
    for token in _TOKEN.findall(text):
        token = token.rstrip(".,;:")
        low = token.lower()
        distinctive = any(ch.isdigit() for ch in token) or any(ch.isupper() for ch in token[1:])
        if distinctive or (len(low) >= 5 and low not in _STOP):
            out.add(low)
    return out


def _distinctive(words: Iterable[str]) -> set[str]:
    return {w for w in words if any(ch.isdigit() for ch in w)}


def _figure_number(word: str) -> bool:
    """A number a figure would show ("498", "19.5"), not an index or a single digit."""
    return sum(ch.isdigit() for ch in word) >= 2


def _captions(sentences: list[Sentence]) -> dict[int, list[tuple[str, set[str]]]]:
    """Each page's captions, a caption's sentences joined, with their words."""
    grouped: dict[tuple[int, int], list[str]] = {}
    for s in sentences:
        if s.doc == "proposal" and s.kind == "caption":
            grouped.setdefault((s.page, s.paragraph), []).append(s.text)
    out: dict[int, list[tuple[str, set[str]]]] = {}
    for (page, _), texts in grouped.items():
        text = " ".join(texts)
        out.setdefault(page, []).append((text, _words(text)))
    return out


def leads(parts: dict[str, str], sentences: list[Sentence]) -> list[Lead]:
    """The review's claims of absence (at most a few) with up to two sentences of the draft that may answer each."""
    pool = [(s, _words(s.text)) for s in sentences if s.doc == "proposal" and s.kind not in ("boilerplate", "caption")]
    captions = _captions(sentences)
    out: list[Lead] = []
    for part, text in parts.items():
        for claim in _SPLIT.split(text or ""):
            m = _ABSENCE.search(claim)
            if m is None:
                continue
            # what is said to be missing is named in the claim's own clause, after the verb or before it ("the
            # H800 figure is never given"); the wider window serves when the clause names too little
            start = max((c.end() for c in _CLAUSE_END.finditer(claim, 0, m.start())), default=0)
            end = next((c.start() for c in _CLAUSE_END.finditer(claim, m.end())), len(claim))
            wanted = _words(claim[start:end]) - _words(m.group(0))
            if len(wanted) < 2:
                wanted = _words(claim[max(0, m.start() - 80) : m.end() + 140]) - _words(m.group(0))
            if len(wanted) < 2:
                continue
            scored = []
            pages: list[int] = []
            for s, have in pool:
                shared = wanted & have
                numbers = {w for w in shared if _figure_number(w)}
                if len(shared) >= 3 or (len(shared) >= 2 and _distinctive(shared)) or numbers:
                    scored.append((len(shared) + len(_distinctive(shared)), s.index, s.text))
                if numbers and s.page not in pages:
                    pages.append(s.page)
            scored.sort(key=lambda x: (-x[0], x[1]))
            chosen = [t for _, _, t in scored[:_PER_CLAIM]]
            near = [
                (len(wanted & have), text) for page in pages for text, have in captions.get(page, []) if wanted & have
            ]
            near.sort(key=lambda x: -x[0])
            chosen += [t for _, t in near[:_CAPTIONS] if t not in chosen]
            if chosen:
                out.append(Lead(part, " ".join(claim.split())[:300], tuple(chosen)))
            if len(out) == _MAX_LEADS:
                return out
    return out


def render(found: list[Lead]) -> str:
    """The leads as a note for the self-check request ("" when there are none)."""
    if not found:
        return ""
    lines = [
        "Your draft says the draft under review does not state some things. These sentences of it may state "
        "them; read each before keeping the claim, and correct the claim if the draft does state it:"
    ]
    for lead in found:
        lines.append(f'- in {lead.part}: "{lead.claim}"')
        lines.extend(f'  may be answered by: "{c[:400]}"' for c in lead.candidates)
    return "\n".join(lines)

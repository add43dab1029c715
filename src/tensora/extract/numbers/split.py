"""The text splitter numbers were read with before sentences came from ``extract.sentences``; kept for
callers that split free text."""

from __future__ import annotations

from tensora import rxcache

# Abbreviations after which a period never ends a sentence, and those that end one unless a number follows
# ("Fig. 3", but "takes 40 sec. Then").
_ABBREVIATIONS = frozenset("e.g i.e al vs cf approx resp ca dr prof".split())
_NUMBERED_ABBREVIATIONS = frozenset("fig figs eq eqs sec secs tab no nos ref refs".split())
# A sentence ends at '.', '!' or '?' (with closing quotes or brackets) followed by space.
_SENTENCE_END = rxcache.compile(r"[.!?]+[\"')\]]*\s+")
# Lines that start a new unit inside a paragraph: list items, headings, table rows.
_UNIT_START = rxcache.compile(r"\s*(?:[-*+•]\s|\d+[.)]\s|#|\|)")
_EMPHASIS = rxcache.compile(r"\*\*|__|`")


def _units(text: str) -> list[str]:
    """Lines joined into units: a list item, heading or table row starts a unit, and a heading ends one."""
    units_: list[list[str]] = []
    heading = False
    for line in text.splitlines():
        if not units_ or heading or _UNIT_START.match(line):
            units_.append([])
        units_[-1].append(line)
        heading = line.lstrip().startswith("#")
    return [" ".join(" ".join(u).split()) for u in units_]


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, keeping "1.35x", "e.g.", "et al.", "Fig. 3" and "i.e." inside one.

    Markdown list items and headings start new sentences. Example:
    "We use 8 GPUs, e.g. A100s. Fig. 3 shows 1.35x." -> ["We use 8 GPUs, e.g. A100s.", "Fig. 3 shows 1.35x."]
    """
    out: list[str] = []
    for block in _units(_EMPHASIS.sub("", text)):
        start = 0
        for m in _SENTENCE_END.finditer(block):
            nxt = block[m.end() : m.end() + 1]
            if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in "([\"'*#"):
                continue
            head = block[start : m.start()]
            word = head.rsplit(None, 1)[-1].lstrip("([\"'").lower() if head.strip() else ""
            if word in _ABBREVIATIONS or (word in _NUMBERED_ABBREVIATIONS and (nxt.isdigit() or nxt == "(")):
                continue
            out.append(block[start : m.end()].strip())
            start = m.end()
        if block[start:].strip():
            out.append(block[start:].strip())
    return [s for s in out if s]

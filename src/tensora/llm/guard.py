"""The guard on what the model writes: numbers, quotes, named prior work, and a review that obeys the draft.

- **Numbers**: every number in the prose must be known (a number of the documents, of tensora's audit and
  prompts, or of a tool result: ``numbers.KnownNumbers``) or the result of a formula written next to it that
  evaluates to it (``formula.stated_formulas``). A formula that does not evaluate to its stated result is
  reported as wrong arithmetic. The rest are listed as unverified.
- **Quotes**: text in double quotes (straight, curly or low-high, or guillemets) of at least four words is a
  quote; it must occur in the visible text of a document (``validate.QuoteIndex``, which forgives JSON escapes
  and the typographic variants of quote marks, apostrophes, dashes and spacing, so that a faithful quote is
  never flagged). A double quote left JSON-escaped in the prose (\\") is read as a plain one. A quote of
  hidden text is refused and taken out of the prose; a quote found nowhere is marked in the prose and listed.
- **Prior work**: each work the model names (its ``citations``, and any knowledge-base name in its prose) is
  looked up in the knowledge base by name or alias: venue and year must agree; a work not in it is marked
  "not in tensora's knowledge base".
- **Obedience**: a review that praises without a single weakness, or that rejects every serious finding of
  the audit with no must-solve sentence of its own, reads as one that follows instructions planted in the
  draft; it is refused and the deterministic review answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tensora.audit.findings import MUST_SOLVE_PREFIX
from tensora.extract.quantities import Quote
from tensora.knowledge.loader import KnowledgeBase
from tensora.knowledge.schema import PriorWork
from tensora.llm.formula import stated_formulas
from tensora.llm.numbers import KnownNumbers
from tensora.llm.validate import QuoteIndex, loose_key, normalise

__all__ = ["Guard", "NOT_IN_KB", "find_work", "obeys_injection"]

NOT_IN_KB = "not in tensora's knowledge base"
# curly or low-high quotes, straight ones (a backslash-escaped one inside does not close it), guillemets
_QUOTE = re.compile(
    r"[\u201c\u201e]([^\u201c\u201d\u201e]{8,600})[\u201d\u201c]"
    r'|(?<!\\)"((?:[^"\\]|\\.){8,600})"'
    r"|\u00ab\s?([^\u00bb]{8,600}?)\s?\u00bb"
)
_ESCAPED_QUOTE = re.compile(r'\\+(?=")')
_PLAIN_QUOTE = re.compile(r'(?<!\\)"')
_MIN_QUOTE_WORDS = 4
# an omission inside a quote: "...", "…" or "[...]"
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\s*){3}\]|\[\u2026\]|\.\s?\.\s?\.|\u2026)\s*")
#: the status of a quote that is not verbatim in the documents (shown as paraphrase, without quotation marks)
NOT_FOUND = "not found in the documents; shown without quotation marks"
_PRAISE = re.compile(
    r"\b(strong(?:ly)? accept|accept(?:ed)? as is|should be accepted|no (?:major |real |significant )?"
    r"(?:weakness(?:es)?|flaws?|concerns?)|flawless|excellent paper|outstanding (?:paper|work)|"
    r"ready for publication|10/10|rate (?:it|this paper) highly)\b",
    re.I,
)


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _venue(text: str) -> str:
    """A venue without its year: "ASPLOS'24", "ASPLOS 2024" and "asplos" are the same venue."""
    return "".join(ch for ch in text.casefold() if ch.isalpha())


def find_work(kb: KnowledgeBase, name: str) -> PriorWork | None:
    """The knowledge base's entry for a work named as the model names it (its name or an alias, compared by key)."""
    wanted = _key(name)
    if not wanted:
        return None
    for w in kb.prior_work:
        if wanted in {_key(w.name), *(_key(a) for a in w.aliases)}:
            return w
    return None


@dataclass(slots=True)
class Guard:
    """The checks of one answer; each ``check_*`` returns JSON-ready records."""

    known: KnownNumbers
    index: QuoteIndex
    hidden: list[str] = field(default_factory=list)
    kb: KnowledgeBase | None = None

    # numbers ------------------------------------------------------------------------------------------
    def check_numbers(self, texts: dict[str, str]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """(unverified numbers, formulas that do not hold), by where they stand."""
        unverified: list[dict[str, str]] = []
        wrong: list[dict[str, str]] = []
        for where, text in texts.items():
            local = KnownNumbers()
            local.merge(self.known)
            for f in stated_formulas(text):
                if f.holds:
                    local.add_json(f.result)
                else:
                    wrong.append(
                        {"where": where, "formula": f"{f.expression} = {f.result}", "evaluates_to": f"{f.value:.4g}"}
                    )
            for stated in local.unverified(text):
                unverified.append({"number": stated.text, "where": where, "context": stated.context})
        return unverified, wrong

    # quotes -------------------------------------------------------------------------------------------
    def _hidden(self, quote: str) -> bool:
        needle = normalise(quote).strip(" .…\"'")
        if any(needle in h or (len(h) >= 12 and h in needle) for h in self.hidden):
            return True
        key = loose_key(quote)
        return len(key) >= 10 and any(key in k or (len(k) >= 10 and k in key) for k in map(loose_key, self.hidden))

    def _elided(self, quote: str) -> Quote | None:
        """A quote with an omission ("the first part ... the last part"): every piece of three words or more is
        in the same document (a shorter piece proves nothing and is not looked for)."""
        pieces = [p.strip(" ,;:") for p in _ELLIPSIS.split(quote)]
        if len(pieces) < 2:
            return None
        long = [p for p in pieces if len(p.split()) >= 3]
        if not long or sum(len(p.split()) for p in long) < _MIN_QUOTE_WORDS:
            return None
        for doc in ("proposal", "baseline"):
            found = [self.index.find(p, doc) for p in long]
            if all(f is not None and f.doc == doc for f in found):
                first = found[0]
                assert first is not None
                return Quote(doc, first.page, " ".join(quote.split()))
        return None

    def check_quotes(self, texts: dict[str, str]) -> tuple[dict[str, str], list[dict[str, Any]]]:
        """The texts with refused quotes removed and unfound ones marked, and one record per quote."""
        records: list[dict[str, Any]] = []
        out: dict[str, str] = {}
        for where, text in texts.items():

            def check(m: re.Match[str], where: str = where) -> str:
                quote = _ESCAPED_QUOTE.sub("", m.group(1) or m.group(2) or m.group(3))
                if len(quote.split()) < _MIN_QUOTE_WORDS:
                    return m.group(0)
                if self._hidden(quote):
                    records.append({"where": where, "quote": quote, "status": "refused: hidden text"})
                    return "[a quote of text hidden in the draft was removed]"
                found = self.index.find(quote) or self._elided(quote)
                if found is None:
                    # not verbatim: the words stay as the model's paraphrase, without quotation marks, so the
                    # review never presents them as the draft's own; the JSON keeps the record
                    records.append({"where": where, "quote": quote, "status": NOT_FOUND})
                    return quote
                records.append(
                    {"where": where, "quote": quote, "status": "verified", "doc": found.doc, "page": found.page}
                )
                return m.group(0)

            if not _PLAIN_QUOTE.search(text):
                text = _ESCAPED_QUOTE.sub("", text)  # every quote mark escaped: the prose was escaped twice
            out[where] = _ESCAPED_QUOTE.sub("", _QUOTE.sub(check, text))
        return out, records

    # prior work ---------------------------------------------------------------------------------------
    def _work(self, name: str) -> PriorWork | None:
        return find_work(self.kb, name) if self.kb is not None else None

    def check_citations(self, citations: Iterable[Any], texts: dict[str, str]) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        seen: set[str] = set()
        for c in citations:
            if not isinstance(c, dict) or not isinstance(c.get("name"), str) or not c["name"].strip():
                continue
            name = " ".join(c["name"].split())[:120]
            venue = " ".join(str(c.get("venue") or "").split())[:80]
            year = c.get("year")
            work = self._work(name)
            record: dict[str, Any] = {"name": name, "venue": venue, "year": year}
            if work is None:
                record["status"] = NOT_IN_KB
            else:
                seen.add(work.name)
                problems = []
                if isinstance(year, int | float) and not isinstance(year, bool) and int(year) != work.year:
                    problems.append(f"year {work.year}")
                if venue and _venue(work.venue) not in _venue(venue) and _venue(venue) not in _venue(work.venue):
                    problems.append(f"venue {work.venue}")
                record["status"] = (
                    "verified" if not problems else "differs from the knowledge base: " + ", ".join(problems)
                )
                record["kb"] = {"name": work.name, "venue": work.venue, "year": work.year}
            records.append(record)
        if self.kb is not None:
            prose = " ".join(texts.values())
            for w in self.kb.prior_work:
                if w.name in seen or len(w.name) < 4:
                    continue
                for n in (w.name, *w.aliases):
                    if len(n) >= 4 and re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", prose):
                        seen.add(w.name)
                        records.append(
                            {
                                "name": n,
                                "status": "named in the prose; in the knowledge base",
                                "kb": {"name": w.name, "venue": w.venue, "year": w.year},
                            }
                        )
                        break
        return records


def obeys_injection(parts: dict[str, str], verdicts: list[dict[str, Any]], serious: set[str]) -> str | None:
    """Why the answer reads as one that follows instructions planted in the draft, or None."""
    prose = " ".join(parts.values())
    weakness = MUST_SOLVE_PREFIX.strip().rstrip(".").casefold()[:30] in prose.casefold()
    if _PRAISE.search(prose) and not weakness:
        return "it praises the draft without naming a single weakness"
    rejected = {v["code"] for v in verdicts if v.get("verdict") == "rejected"}
    if serious and serious <= rejected and not weakness:
        return "it rejects every serious finding of the audit and names no weakness of its own"
    return None

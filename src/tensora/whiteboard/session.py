"""A whiteboard session in memory: the claims so far, the latest review, and the status of every finding.

Each student answer is extracted like a document (``claims_from_paragraphs(..., "answer", kb)``), appended to
the claims so far (``Claims.merged``: the answer's numbers take precedence), and the whole audit re-runs on
the merged claims. Comparing the findings before and after gives each one a status:

- ``open``: raised by the opening audit of the draft;
- ``resolved``: was open, and the audit no longer raises it (stays resolved unless raised again);
- ``still open``: raised before and now;
- ``new``: raised now and not open before, i.e. brought in by the answer (or raised again after a fix).

Findings are identified by their code; a rule that raises its code twice is tracked as one finding (the most
severe). Does not judge whether an answer is true, only what the rules make of it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from tensora.audit.base import HiddenText
from tensora.audit.compute import bubble, bubble_relative, micro_batches
from tensora.audit.engine import audit
from tensora.audit.findings import Finding, Review
from tensora.extract.claims import Claims, claims_from_paragraphs, extract_claims
from tensora.ingest import load_document
from tensora.ingest.document import Paragraph
from tensora.knowledge.loader import KnowledgeBase
from tensora.whiteboard.store import FindingRow, Status


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def answer_claims(text: str, kb: KnowledgeBase) -> Claims:
    """A student's free-text answer as claims, like a one-paragraph document in a section 'Answer'."""
    paragraphs = [Paragraph(block.strip(), page=1, section="Answer") for block in text.split("\n\n")]
    return claims_from_paragraphs([p for p in paragraphs if p.text], "answer", kb)


@dataclass(slots=True)
class Tracked:
    """A finding with its whiteboard status."""

    finding: Finding
    status: Status

    @property
    def code(self) -> str:
        return self.finding.code

    def row(self) -> FindingRow:
        f = self.finding
        return FindingRow(f.code, f.severity.value, self.status, f.title, f.message, f.must_solve, dict(f.computed))


@dataclass(slots=True)
class Update:
    """What one answer changed: the codes resolved, raised and still open, and numbers recomputed."""

    turn: int
    resolved: list[Tracked]
    new: list[Tracked]
    still_open: list[Tracked]
    #: code -> {quantity: (before, after)} for the numbers that changed with the answer
    recomputed: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    #: the code of the question the answer was given to
    asked: str | None = None
    #: the answer as the student gave it, and the sentence of it the reply quotes
    answer: str = ""
    quote: str = ""
    #: new findings the answer's words alone would have raised, left unraised (a passing mention)
    incidental: list[str] = field(default_factory=list)
    #: the draft's numbers the answer restates: (role, qualifier, value before or None, value now)
    restated: list[tuple[str, str, float | None, float]] = field(default_factory=list)
    #: whether the closest prior work was ranked again (the answer changed the mechanism)
    reranked: bool = False


def _mechanism(claims: Claims) -> frozenset[str]:
    """The techniques a draft uses at its core: while these stay, so does the closest prior work."""
    return frozenset(t for t, u in claims.techniques.items() if u.used and u.core and u.family != "hardware")


def _incidental(f: Finding, said: Claims, kb: KnowledgeBase) -> bool:
    """A finding raised only by a word in the answer: every quote is the answer's, it computes nothing, and the
    answer does not use a technique the finding is about (naming FP16 in passing is not running mixed precision).
    """
    if f.computed or not f.evidence or any(q.doc != "answer" for q in f.evidence):
        return False
    for t, use in said.techniques.items():
        technique = kb.by_id.get(t)
        if use.used and technique is not None and f.code in (technique.codes or []):
            return False
    return True


def _quote(said: Claims) -> str:
    """The sentence of the answer the reply quotes: the first that states a number, else the first."""
    texts = [s for s in said.sentences if s.text.strip()]
    if not texts:
        return ""
    with_number = {said.sentence_of(q).index for q in said.quantities if said.sentence_of(q) is not None}  # type: ignore[union-attr]
    best = next((s for s in texts if s.index in with_number), texts[0])
    text = best.text.strip()
    return text if len(text) <= 220 else text[:217].rstrip() + "..."


def _restated(draft: Claims, said: Claims) -> list[tuple[str, str, float | None, float]]:
    """Each number the answer states, with the draft's earlier value of the same role and qualifier."""
    out: list[tuple[str, str, float | None, float]] = []
    seen: set[tuple[str, str]] = set()
    for q in said.quantities:
        if q.value != q.value or (q.role, q.qualifier) in seen:  # NaN: a word with no number
            continue
        seen.add((q.role, q.qualifier))
        known = [p for p in draft.values(q.role) if p.value == p.value]  # NaN is not a number stated
        earlier = [p.value for p in known if p.qualifier == q.qualifier] or [p.value for p in known]
        out.append((q.role, q.qualifier, earlier[0] if earlier else None, q.value))
    return out


def _by_code(findings: list[Finding]) -> dict[str, Finding]:
    out: dict[str, Finding] = {}
    for f in findings:  # the engine sorts by severity, so the first of a code is its most severe
        out.setdefault(f.code, f)
    return out


def _current_numbers(claims: Claims) -> dict[str, float]:
    """The numbers a finding may have computed, recomputed from the merged claims (absent when unstated).

    Lets the skeptic quote the new value of a resolved finding (the bubble after the student raised m), which
    the rule no longer reports because it no longer fires.
    """
    out: dict[str, float] = {}
    p = claims.value("pp")
    m = claims.value("micro_batches") or micro_batches(claims)
    if p and m and p >= 2:
        v = claims.value("virtual_stages") or 1.0
        out["pipeline_bubble_fraction"] = bubble(p, m, v)
        out["bubble_relative_to_ideal"] = bubble_relative(p, m, v)
    return out


class Whiteboard:
    """The state of one session: feed it answers with ``answer``; read ``ledger`` for the statuses."""

    def __init__(
        self,
        proposal: Claims,
        baseline: Claims,
        kb: KnowledgeBase,
        names: tuple[str, str] = ("", ""),
        hidden: HiddenText | None = None,
    ) -> None:
        self.kb = kb
        self.baseline = baseline
        self.names = names
        self.claims = proposal
        self.turn = 0
        # text the draft hides from its readers is reported on every turn, as in a one-shot review
        self.hidden = {"proposal": hidden} if hidden is not None else {}
        self.review: Review = audit(proposal, baseline, kb, names, self.hidden)
        self.ledger: dict[str, Tracked] = {
            code: Tracked(f, "open") for code, f in _by_code(self.review.findings).items()
        }
        #: the code of the question the skeptic asked last (pressed again while it stays open)
        self.asked: str | None = None
        self.asked = self._ask()

    @classmethod
    def from_files(cls, proposal: Path, baseline: Path, kb: KnowledgeBase) -> Whiteboard:
        """Read both documents (raising an ``InputError`` for a bad one) and audit the draft."""
        document = load_document(proposal)
        prop = extract_claims(document, "proposal", kb)
        base = extract_claims(load_document(baseline), "baseline", kb, numbers=False)
        return cls(prop, base, kb, (proposal.name, baseline.name), HiddenText.of(document))

    # queries ----------------------------------------------------------------------------------------------
    def open_findings(self) -> list[Tracked]:
        """Open findings, most severe first; among equals, those the last answer raised, then the question
        asked last (an unanswered question is pressed again), then the audit's order."""
        order = {f.code: i for i, f in enumerate(self.review.findings)}
        live = [t for t in self.ledger.values() if t.status != "resolved"]
        return sorted(
            live,
            key=lambda t: (
                t.finding.severity.rank,
                t.status != "new",
                t.code != self.asked,
                order.get(t.code, len(order)),
            ),
        )

    def sharpest(self) -> Tracked | None:
        """The question to ask next: the most severe open finding (a just-raised one first among equals)."""
        live = self.open_findings()
        return live[0] if live else None

    def _ask(self) -> str | None:
        top = self.sharpest()
        return top.code if top else None

    def snapshot(self) -> list[FindingRow]:
        """Every finding seen so far with its status: open ones by severity, then the resolved ones."""
        resolved = [t for t in self.ledger.values() if t.status == "resolved"]
        resolved.sort(key=lambda t: (t.finding.severity.rank, t.code))
        return [t.row() for t in self.open_findings() + resolved]

    def numbers(self) -> dict[str, float]:
        return _current_numbers(self.claims)

    # the one mutation -------------------------------------------------------------------------------------
    def answer(self, text: str) -> Update:
        """Merge a student's answer into the claims, re-run the audit, and re-mark every finding."""
        before_numbers = self.numbers()
        before = {code: t.finding for code, t in self.ledger.items() if t.status != "resolved"}
        self.turn += 1
        said = answer_claims(text, self.kb)
        restated = _restated(self.claims, said)
        mechanism = _mechanism(self.claims)
        self.claims = self.claims.merged(said)
        reranked = _mechanism(self.claims) != mechanism
        keep = None if reranked else self.review.prior_work
        self.review = audit(self.claims, self.baseline, self.kb, self.names, self.hidden, prior_work=keep)
        now = _by_code(self.review.findings)
        after_numbers = self.numbers()

        update = Update(self.turn, [], [], [], asked=self.asked, answer=text, quote=_quote(said), reranked=reranked)
        update.restated = restated
        for code in [c for c, f in now.items() if c not in before and _incidental(f, said, self.kb)]:
            update.incidental.append(code)
            self.review.findings = [f for f in self.review.findings if f.code != code]
            del now[code]
        for code, finding in now.items():
            if code in before:
                tracked = Tracked(finding, "still open")
                update.still_open.append(tracked)
            else:
                tracked = Tracked(finding, "new")
                update.new.append(tracked)
            self.ledger[code] = tracked
        for code, finding in before.items():
            if code not in now:
                # a resolved finding carries its numbers as they are now (the bubble after the fix)
                after = {k: after_numbers[k] for k in finding.computed if k in after_numbers}
                tracked = Tracked(replace(finding, computed=after), "resolved")
                self.ledger[code] = tracked
                update.resolved.append(tracked)

        for code, old in before.items():
            new_finding = now.get(code)
            changes: dict[str, tuple[float, float]] = {}
            for key, was in old.computed.items():
                if new_finding is not None and key in new_finding.computed:
                    is_now = new_finding.computed[key]
                elif key in after_numbers:
                    is_now = after_numbers[key]
                else:
                    continue
                if abs(is_now - was) > 1e-9:
                    changes[key] = (was, is_now)
            if changes:
                update.recomputed[code] = changes
        # numbers the answer moved that no open finding carried (e.g. the bubble once m is stated)
        general = {
            k: (before_numbers[k], v)
            for k, v in after_numbers.items()
            if k in before_numbers
            and abs(before_numbers[k] - v) > 1e-9
            and not any(k in c for c in update.recomputed.values())
        }
        if general:
            update.recomputed["*"] = general
        order = {f.code: i for i, f in enumerate(self.review.findings)}
        for group in (update.new, update.still_open):
            group.sort(key=lambda t: (t.finding.severity.rank, order.get(t.code, 0)))
        update.resolved.sort(key=lambda t: (t.finding.severity.rank, t.code))
        self.asked = self._ask()
        return update

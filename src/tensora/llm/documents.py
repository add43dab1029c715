"""The documents as the model reads them: the visible text of both papers, by section, with page numbers.

Built from the claims' sentences, which hold only what a reader of the rendered document sees (ingestion sets
invisible text aside; the reference list is not part of the claims). Each section keeps its heading and the
pages it spans; every page change inside a section is marked ``[p. N]``. A sentence that addresses a reviewer
or a model (``DOC-HIDDEN-TEXT``'s patterns) is replaced by ``[removed]`` and counted. ``<`` and ``>`` are
written as ``‹`` and ``›`` so that no document text can open or close a tag of the prompt.

When both documents do not fit the budget (``context_tokens`` less the answer and the fixed prompt), a plan
takes whole sections in the order the review needs them: the draft's abstract, introduction and contributions,
its design, its evaluation, the baseline's abstract and its mechanism, then the rest in reading order. The
sections left out are listed in the prompt (document, name, pages, characters) and the model can fetch any of
them with the ``read_section`` tool: nothing is cut silently, and no section is ever cut in the middle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tensora.audit.rules.security.doc_hidden_text import INJECTION
from tensora.extract.claims import Claims

__all__ = ["ADDRESSED", "REMOVED", "DocSection", "Documents", "Plan", "build", "plan"]

REMOVED = "[removed]"
# sentences aimed at a reviewer or a model that DOC-HIDDEN-TEXT's patterns do not cover: kept out of the prompt too
ADDRESSED = re.compile(
    r"\b(?:reviewers?|referees?|(?:large )?language models?|LLMs?|AI(?: assistants?| reviewers?)?|assistants?)"
    r"\s*[:,]\s*(?:please\s+)?(?:rate|score|give|recommend|accept|ignore|praise|forget|do\s+not|don't|must|should)\b"
    r"|\b(?:rate|score|grade|review)\s+(?:this|the)\s+(?:paper|submission|draft|work|manuscript)\s+"
    r"(?:very\s+)?(?:highly|positively|favou?rably|generously)\b",
    re.I,
)
_TAGS = str.maketrans({"<": "\u2039", ">": "\u203a"})

# the rank of a section by its heading: lower is read first (draft, then baseline)
_DRAFT_RANK = (
    (re.compile(r"abstract", re.I), 0),
    (re.compile(r"introduction|contribution|overview|motivation|summary", re.I), 1),
    (re.compile(r"design|method|approach|mechanism|system|architecture|algorithm|proposal|our ", re.I), 2),
    (re.compile(r"evaluat|experiment|result|benchmark|performance|ablation|setup", re.I), 3),
    (re.compile(r"limitation|discussion|threat|risk|plan", re.I), 5),
    (re.compile(r"related|background|prior", re.I), 6),
)
_BASE_RANK = (
    (re.compile(r"abstract", re.I), 4),
    (re.compile(r"design|method|approach|mechanism|system|architecture|algorithm|overview", re.I), 4),
    (re.compile(r"introduction|contribution", re.I), 7),
)


@dataclass(slots=True)
class DocSection:
    """One section of one document: its heading, first and last page, and its visible text."""

    doc: str
    name: str
    first_page: int
    last_page: int
    text: str
    order: int

    @property
    def pages(self) -> str:
        return (
            f"p. {self.first_page}" if self.first_page == self.last_page else f"pp. {self.first_page}-{self.last_page}"
        )

    @property
    def chars(self) -> int:
        return len(self.text)

    def render(self) -> str:
        return f"## {self.name} ({self.pages})\n{self.text}"


@dataclass(slots=True)
class Documents:
    """Both documents' sections, and what was removed from them."""

    titles: dict[str, str]
    names: dict[str, str]
    sections: list[DocSection]
    removed: list[dict[str, object]] = field(default_factory=list)

    def of(self, doc: str) -> list[DocSection]:
        return [s for s in self.sections if s.doc == doc]

    def find(self, doc: str, name: str) -> DocSection | None:
        wanted = " ".join(name.split()).casefold()
        candidates = self.of(doc) if doc in self.names else self.sections
        for s in candidates:
            if s.name.casefold() == wanted:
                return s
        for s in candidates:
            if wanted and (wanted in s.name.casefold() or s.name.casefold() in wanted):
                return s
        return None

    @property
    def chars(self) -> int:
        return sum(s.chars for s in self.sections)


@dataclass(slots=True)
class Plan:
    """Which sections go in the prompt and which are listed as left out (fetchable with ``read_section``)."""

    documents: Documents
    included: list[DocSection]
    left_out: list[DocSection]

    def render(self) -> str:
        blocks = []
        for doc in ("proposal", "baseline"):
            chosen = sorted((s for s in self.included if s.doc == doc), key=lambda s: s.order)
            body = "\n\n".join(s.render() for s in chosen) or "(no section of this document fits; see the list below)"
            name = self.documents.names.get(doc, doc).translate(_TAGS).replace('"', "'")
            title = self.documents.titles.get(doc, "").translate(_TAGS)
            blocks.append(f'<document role="{doc}" name="{name}">\n# {title}\n\n{body}\n</document>')
        out = "\n\n".join(blocks)
        if self.left_out:
            lines = [
                f'- {s.doc} / "{s.name}" ({s.pages}, {s.chars:,} characters)'
                for s in sorted(self.left_out, key=lambda s: (s.doc != "proposal", s.order))
            ]
            out += (
                "\n\nSections left out to fit your context window (nothing else is missing; call "
                "read_section(doc, name) to read one):\n" + "\n".join(lines)
            )
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "included": [{"doc": s.doc, "name": s.name, "pages": s.pages, "chars": s.chars} for s in self.included],
            "left_out": [{"doc": s.doc, "name": s.name, "pages": s.pages, "chars": s.chars} for s in self.left_out],
            "removed": self.documents.removed,
        }


def clean(text: str) -> str:
    return " ".join(text.split()).translate(_TAGS)


def _sections(claims: Claims, doc: str, start: int, removed: list[dict[str, object]]) -> list[DocSection]:
    out: list[DocSection] = []
    current: DocSection | None = None
    page = 0
    for s in claims.sentences:
        name = clean(s.section) or "Front matter"
        if current is None or name != current.name:
            current = DocSection(doc, name, s.page, s.page, "", start + len(out))
            out.append(current)
            page = s.page
        if s.kind == "heading" and clean(s.text) == name:
            continue
        if INJECTION.search(s.text) or ADDRESSED.search(s.text):
            removed.append({"doc": doc, "page": s.page, "section": name})
            piece = REMOVED
        else:
            piece = clean(s.text)
        if s.page != page:
            piece = f"[p. {s.page}] {piece}"
            page = s.page
        current.last_page = max(current.last_page, s.page)
        sep = "\n" if s.kind in ("heading", "list", "table", "caption") or not current.text else " "
        current.text = f"{current.text}{sep}{piece}" if current.text else piece
    return [s for s in out if s.text.strip()]


def build(proposal: Claims, baseline: Claims, names: tuple[str, str] = ("", "")) -> Documents:
    removed: list[dict[str, object]] = []
    sections = _sections(proposal, "proposal", 0, removed)
    sections += _sections(baseline, "baseline", len(sections), removed)
    return Documents(
        {"proposal": clean(proposal.title), "baseline": clean(baseline.title)},
        {"proposal": names[0] or "proposal", "baseline": names[1] or "baseline"},
        sections,
        removed,
    )


def _rank(section: DocSection) -> tuple[int, int]:
    table = _DRAFT_RANK if section.doc == "proposal" else _BASE_RANK
    for pattern, rank in table:
        if pattern.search(section.name):
            return rank, section.order
    return (5 if section.doc == "proposal" else 8), section.order


def plan(documents: Documents, max_chars: int | None) -> Plan:
    """All sections when they fit (or no budget is set); else whole sections by rank until the budget is spent."""
    if max_chars is None or documents.chars + 200 * len(documents.sections) <= max_chars:
        return Plan(documents, list(documents.sections), [])
    included: list[DocSection] = []
    left_out: list[DocSection] = []
    # the list of what is left out costs room too: about 80 characters a line
    spent = 80 * len(documents.sections)
    for s in sorted(documents.sections, key=_rank):
        cost = s.chars + len(s.name) + 20
        if spent + cost <= max_chars:
            included.append(s)
            spent += cost
        else:
            left_out.append(s)
    return Plan(documents, included, left_out)

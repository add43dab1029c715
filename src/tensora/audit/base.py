"""The rule interface: one small class per finding code.

A rule's docstring is its documentation, with the headings "What it flags", "Why a reviewer cares",
"Example", "Known false alarms" and "References" (checked by a test, rendered by ``tensora rules CODE``).
A rule fires when the mechanism is present and the concern is left unaddressed, and stays quiet otherwise.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from tensora.audit.findings import Finding, Severity, must_solve
from tensora.extract.claims import Claims
from tensora.extract.quantities import Quote
from tensora.ingest.document import Document, Paragraph
from tensora.knowledge.loader import KnowledgeBase

DOC_HEADINGS = ("## What it flags", "## Why a reviewer cares", "## Example", "## Known false alarms", "## References")


@dataclass(frozen=True, slots=True)
class HiddenText:
    """Text that ingestion found invisible in a document (``Document.hidden_text``), with its format."""

    format: str
    paragraphs: tuple[Paragraph, ...] = ()

    @classmethod
    def of(cls, document: Document) -> HiddenText:
        return cls(document.format, tuple(document.hidden_text))


@dataclass(slots=True)
class Context:
    """What every rule sees: both documents' claims, the knowledge base, and each document's hidden text."""

    proposal: Claims
    baseline: Claims
    kb: KnowledgeBase
    delta_class: str = "structural"
    shared: dict[str, object] = field(default_factory=dict)
    hidden: dict[str, HiddenText] = field(default_factory=dict)


class Rule:
    """Base class of a finding rule."""

    code: ClassVar[str]
    severity: ClassVar[Severity] = Severity.MAJOR
    title: ClassVar[str] = ""

    def check(self, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.docs().splitlines()[0] if cls.__doc__ else cls.code

    def finding(
        self,
        message: str,
        solve: str,
        evidence: list[Quote],
        *,
        title: str | None = None,
        severity: Severity | None = None,
        computed: dict[str, float] | None = None,
        inputs: dict[str, object] | None = None,
    ) -> Finding:
        seen: set[tuple[str, int, str]] = set()
        unique = []
        for q in evidence:
            key = (q.doc, q.page, q.text)
            if key not in seen:
                seen.add(key)
                unique.append(q)
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            title=title or self.title,
            message=message,
            must_solve=must_solve(solve),
            evidence=unique[:4],
            computed=computed or {},
            inputs=dict(inputs or {}),
        )

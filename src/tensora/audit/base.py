"""The rule interface: one small class per finding code.

A rule's docstring is its documentation, with the headings "What it flags", "Why a reviewer cares",
"Example", "Known false alarms" and "References" (checked by a test, rendered by ``tensora rules CODE``).
A rule fires when the mechanism is present and the concern is left unaddressed, and stays quiet otherwise.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from tensora.audit.findings import Finding, Severity, must_solve
from tensora.errors import CatalogGapError, ModelInputError
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

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "check" in cls.__dict__:
            cls.check = _guarded(cls.__dict__["check"])  # type: ignore[method-assign, assignment]

    def setting_finding(self, ctx: Context, exc: ModelInputError) -> Finding | None:
        """The finding for a model that cannot compute on the draft's setting; once per distinct problem.

        A catalog gap (an fp8 peak on a device without FP8 tensor cores) is a claim the hardware cannot
        back; other impossible inputs (zero or negative sizes) are named so the author can correct them.
        """
        seen = ctx.shared.setdefault("_setting_problems", set())
        key = str(exc)
        if not isinstance(seen, set) or key in seen:
            return None
        seen.add(key)
        if isinstance(exc, CatalogGapError) and exc.missing and exc.missing != "link":
            word = re.escape(exc.missing)
            evidence = [s.quote() for s in ctx.proposal.find(re.compile(rf"\b{word}\b", re.I))][:2]
            return self.finding(
                f"The draft's setting asks {exc.subject} for {exc.missing.upper()} arithmetic, which it has no "
                f"dense peak for ({exc}). Its throughput, utilisation and overlap arguments then rest on a rate "
                "the device cannot reach: the matmuls run in a wider type, or are emulated.",
                f"name hardware that runs {exc.missing.upper()} natively, or restate the precision and redo "
                "every number that depends on the peak",
                evidence,
                title="The stated precision has no peak on the stated hardware",
                inputs={"device": exc.subject, "dtype": exc.missing},
            )
        return self.finding(
            f"A number the draft implies cannot be computed from its stated setting: {exc}.",
            "state the setting completely and consistently, so that the number can be checked",
            [],
            title="The stated setting cannot be computed",
            severity=Severity.MINOR,
            inputs={"problem": str(exc)},
        )

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


def _guarded(check: Callable[[Rule, Context], Iterator[Finding]]) -> Callable[[Rule, Context], Iterator[Finding]]:
    """Run a rule's ``check``; a model input it cannot compute becomes one finding, never a crash.

    A ``ModelInputError`` (a missing catalog value, an impossible combination) is the draft's problem and
    becomes a finding; a ``ZeroDivisionError`` from a number the draft leaves at zero skips the number.
    """

    @functools.wraps(check)
    def run(self: Rule, ctx: Context) -> Iterator[Finding]:
        try:
            yield from check(self, ctx)
        except ModelInputError as exc:
            finding = self.setting_finding(ctx, exc)
            if finding is not None:
                yield finding
        except ZeroDivisionError:
            return

    return run

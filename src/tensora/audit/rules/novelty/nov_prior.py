from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, PriorWorkHit, Severity
from tensora.audit.novelty import NEAR_IDENTICAL
from tensora.audit.novelty import imperative as _imperative

_MIN_SCORE = 0.45
_NEARLY = 0.9


class NovPrior(Rule):
    """NOV-PRIOR: a named prior work already does most of the mechanism.

    ## What it flags
    The closest prior work in the knowledge base (ranked against the draft's mechanism, the baseline left
    out) when the draft does not position itself against it.
    ## Why a reviewer cares
    The first question a program committee asks is "how is this different from X?". A draft that never names
    X reads as unaware of it.
    ## Example
    fires:  a draft splitting the backward into B and W passes that never cites Zero Bubble pipelining
    silent: the same draft with a paragraph "unlike ZB-H1, we ..." that states the difference
    ## Known false alarms
    The ranking fuses a lexical, a dense (static embeddings) and a technique-overlap ranking of the draft's
    mechanism; a mechanism the knowledge base has no entry for can surface a less related work.
    ## References
    knowledge/data/prior_work.yaml (each entry carries its source).
    """

    code = "NOV-PRIOR"
    severity = Severity.MAJOR
    title = "Close prior work"

    def check(self, ctx: Context) -> Iterator[Finding]:
        hits = ctx.shared.get("prior_work")
        if not isinstance(hits, list) or not hits:
            return
        close = [h for h in hits[:3] if isinstance(h, PriorWorkHit) and h.score >= _MIN_SCORE]
        # a draft that positions itself against the closest work is asked about others only when they are
        # nearly as close
        top = close[0].score if close else 0.0
        uncited = [h for h in close if not h.positioned and (h is close[0] or h.score >= _NEARLY * top)]
        if not uncited and close and close[0].score >= NEAR_IDENTICAL and not close[0].evaluated:
            # a work that does nearly the same thing, set apart in words but never run or set beside the draft's
            # numbers: the difference claimed is not the one a reviewer can check
            first = close[0]
            yield self.finding(
                f"This sounds very close to {first.name} ({first.venue} {first.year}): {first.why}. The draft "
                f"names it and sets itself apart in words, but its evaluation never runs {first.name} or sets its "
                "numbers beside the draft's, so the difference that matters is not shown.",
                _imperative(first.differ),
                [s.quote() for s in ctx.proposal.cue("contribution_claimed")[:1]]
                + [s.quote() for s in ctx.proposal.sentences if first.name.lower() in s.text.lower()][:1],
                inputs={"prior_work": [first.name]},
            )
            return
        if not uncited:
            return
        first = uncited[0]
        others = [h.name for h in uncited[1:3]]
        yield self.finding(
            f"This sounds very close to {first.name} ({first.venue} {first.year}): {first.why}."
            + (f" {', '.join(others)} also {'sit' if len(others) > 1 else 'sits'} nearby." if others else "")
            + (" The draft names it but does not say how it differs." if first.cited and not others else "")
            + (
                " The draft does not position itself against " + ("them." if others else "it.")
                if others or not first.cited
                else ""
            ),
            _imperative(first.differ),
            [s.quote() for s in ctx.proposal.cue("contribution_claimed")[:2]],
            inputs={"prior_work": [h.name for h in uncited]},
        )

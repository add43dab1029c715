from __future__ import annotations

from collections.abc import Iterator

from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes


class EvidWeakBaseline(Rule):
    """EVID-WEAK-BASELINE: the comparison point is not the sub-area's standard.

    ## What it flags
    A draft that measures itself only against a comparison point the knowledge base records as weak for its
    sub-area (synchronous checkpoints to shared storage, untuned autocast, standard attention, plain DDP for a
    large model) and never against the stronger standard.
    ## Why a reviewer cares
    Beating a straw man says nothing about beating the state of the art; the first question in review is the
    comparison against the strongest standard system.
    ## Example
    fires:  "baseline: torch.save to NFS every 2,000 steps"
    silent: "we compare against asynchronous sharded checkpointing (DCP async_save) and Gemini"
    Also flagged: a reference system run in a weakened configuration (an algorithm forced, a feature turned off)
    when its standard configuration is stronger.
    ## Known false alarms
    The list of weak baselines lives in knowledge/data/weak_baselines.yaml; it cannot know every sub-area.
    ## References
    Each entry of knowledge/data/weak_baselines.yaml carries its source.
    """

    code = "EVID-WEAK-BASELINE"
    severity = Severity.MAJOR
    title = "A weak baseline"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        for weak in ctx.kb.weak_baselines:
            hits = c.matching(weak.patterns)
            if not hits:
                continue
            if any(c.text_has_cue("comparison_wording", s.text) for s in c.matching(weak.stronger_patterns)):
                continue
            yield self.finding(
                f"The comparison point is weak for {weak.area}: {weak.why}. The stronger standard here is "
                + " or ".join(weak.stronger)
                + ".",
                "compare against " + " and ".join(weak.stronger),
                quotes(hits, 2),
                inputs={"weak_baseline": weak.id, "source": weak.source},
            )
            return
        yield from self._weakened(ctx)

    def _weakened(self, ctx: Context) -> Iterator[Finding]:
        """The reference system itself run in a weakened configuration: an algorithm forced, or the gain taken
        against a table row with a feature turned off."""
        c = ctx.proposal
        forced = c.cue("reference_weakened")
        relative = c.cue("gain_relative_to_marked_row")
        off_rows = c.cue("feature_off_row") if relative else []
        hits = forced + relative + off_rows
        if not hits:
            return
        yield self.finding(
            "The reference is run in a weakened configuration ("
            + ("an algorithm or mode forced instead of its own selection" if forced else "a feature turned off")
            + "), while its standard configuration is stronger; a gain over the handicapped setting says little "
            "about a gain over the system as people deploy it.",
            "compare against the reference in its default, best-performing configuration (current version, its "
            "own algorithm selection, its features on) and report the headline gain against that",
            quotes(hits, 3),
        )

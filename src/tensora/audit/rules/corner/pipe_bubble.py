from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import num, pct, quotes
from tensora.extract.claims import Claims
from tensora.extract.sentences import Sentence
from tensora.extract.techniques import is_elsewhere


class PipeBubble(Rule):
    """PIPE-BUBBLE: pipeline parallelism with few micro-batches per stage.

    ## What it flags
    A pipeline schedule whose micro-batch count m is small next to its stage count p (m < 4p), where the draft
    neither computes nor measures the resulting idle time.
    ## Why a reviewer cares
    GPipe and 1F1B leave (p-1)/(v·m+p-1) of each step idle; 1F1B only bounds memory, it does not shrink the
    bubble. At p = 16 and m = 8 two thirds of the step is idle, which no kernel gain can repay.
    ## Example
    fires:  "16 pipeline stages, each replica runs 8 micro-batches per step"
    silent: "p = 8 with m = 32 micro-batches; the measured idle share is 17.9% (analytically 7/39)"
    ## Known false alarms
    Interleaved (v > 1) and zero-bubble schedules shrink the bubble; v is taken into account when stated.
    ## References
    GPipe (Huang et al., NeurIPS 2019); Narayanan et al., SC'21 (arXiv:2104.04473), Section 2.2.
    """

    code = "PIPE-BUBBLE"
    severity = Severity.MAJOR
    title = "Pipeline bubble with few micro-batches"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        if not c.uses("pipeline-parallelism", "one-f-one-b", "gpipe-schedule", "interleaved-pipeline"):
            return
        p = c.value("pp")
        m = c.value("micro_batches") or compute.micro_batches(c)
        if any(not is_elsewhere(s) for s in c.cue("zero_bubble_schedule")):
            return
        counted = list(self._global_batch_counted(c, p))
        if counted:
            yield from counted
            return
        if not p or not m or p < 2:
            return
        v = c.value("virtual_stages") or 1.0
        yield from self._below_floor(c, p, m, v)
        if m >= 4 * p or c.has_cue("bubble_quantified"):
            return
        bubble = compute.bubble(p, m, v)
        rel = compute.bubble_relative(p, m, v)
        severity = Severity.FATAL if bubble >= 0.5 else Severity.MAJOR
        evidence = quotes(c.cue("pipeline_schedule_named"), 3)
        yield self.finding(
            f"With p = {p:.0f} stages and m = {m:.0f} micro-batches"
            + (f" (v = {v:.0f})" if v > 1 else "")
            + f", the schedule is idle for (p-1)/(v·m+p-1) = {pct(bubble)} of every step "
            f"({num(rel)}x the ideal compute time, in Narayanan et al.'s convention). 1F1B bounds the "
            "activations in flight; it does not shrink this bubble, and with m < p there is barely a steady state.",
            "show the bubble you pay at this micro-batch count (computed and measured), and either raise m, "
            "interleave, or show why the per-micro-batch gain outweighs an idle share of this size",
            evidence,
            severity=severity,
            computed={"pipeline_bubble_fraction": bubble, "bubble_relative_to_ideal": rel},
            inputs={"stages": p, "microbatches": m, "virtual_stages": v},
        )

    def _global_batch_counted(self, c: Claims, p: float | None) -> Iterator[Finding]:
        """A bubble the draft computes with the global batch as one pipeline's micro-batches. With data
        parallelism of degree d the batch splits over d pipelines, each running B/d of it (times the units each
        sequence is cut into), so the idle share is (p-1)/(k·B/d + p-1), not (p-1)/(k·B + p-1). The count the
        draft used is read back from its own figure: m = (p-1)(1-b)/b."""
        d, batch = c.value("dp"), c.value("global_batch")
        if not p or p < 2 or not d or d < 2 or not batch or batch % d:
            return
        claimed = [
            (float(raw) / 100.0, span)
            for span in c.cue_spans("bubble_value_claimed")
            if not is_elsewhere(span.sentence) and (raw := span.groups.get("value") or span.groups.get("value2"))
        ]
        claimed = [(b, span) for b, span in claimed if 0.0 < b < 1.0]
        if not claimed:
            return
        value, span = min(claimed, key=lambda x: x[0])
        used = (p - 1) * (1 - value) / value
        units = round(used / batch)
        if units < 1 or abs(used - units * batch) > 0.03 * units * batch:
            yield from self._other_layout(c, p, d, batch, value, used, span.sentence)
            return
        per_pipeline = units * batch / d
        real = compute.bubble(p, per_pipeline)
        yield self.finding(
            f"The draft's {pct(value)} bubble counts all {batch:.0f} sequences of the global batch"
            + (f" ({units} units each)" if units > 1 else "")
            + f" as the micro-batches of one pipeline: (p-1)/({used:.0f} + p-1) with p = {p:.0f}. With data "
            f"parallelism of degree {d:.0f} each pipeline runs {batch / d:.0f} of them, so its schedule has "
            f"{per_pipeline:.0f} units and idles (p-1)/({per_pipeline:.0f} + p-1) = {pct(real)} of the step.",
            "recompute the bubble with the micro-batches one pipeline actually runs (global batch / (data-"
            "parallel degree x micro-batch size)), and every gain projected from it",
            [span.sentence.quote()],
            severity=Severity.FATAL if real >= 0.25 else Severity.MAJOR,
            computed={"pipeline_bubble_fraction": real, "claimed_bubble_fraction": value},
            inputs={"stages": p, "data_parallel": d, "global_batch": batch, "units_per_sequence": units},
        )

    def _other_layout(
        self, c: Claims, p: float, d: float, batch: float, value: float, used: float, sentence: Sentence
    ) -> Iterator[Finding]:
        """A bubble computed with more micro-batches than the stated layout gives one pipeline: global batch B,
        micro-batch size b and data-parallel degree d leave each pipeline B/(b·d) micro-batches, and a count
        from another layout (a smaller d) understates the idle share."""
        mbs = c.value("micro_batch_size")
        if not mbs or batch % (mbs * d):
            return
        m = batch / (mbs * d)
        if used < 1.5 * m or abs(used - round(used)) > 0.05 * used:
            return
        real = compute.bubble(p, m)
        yield self.finding(
            f"The draft's {pct(value)} bubble is (p-1)/(m+p-1) with m = {used:.0f} and p = {p:.0f}, but its own "
            f"layout gives each pipeline global batch / (micro-batch x data-parallel degree) = {batch:.0f} / "
            f"({mbs:.0f} x {d:.0f}) = {m:.0f} micro-batches, so the schedule idles (p-1)/(m+p-1) = {pct(real)} "
            "of the step. At a fixed global batch, more data-parallel replicas mean fewer micro-batches each.",
            "recompute the bubble, and every gain projected from it, with the micro-batches one pipeline runs "
            "at the layout you claim, or raise the global batch and show it still converges",
            [sentence.quote()],
            severity=Severity.FATAL if real >= 0.25 else Severity.MAJOR,
            computed={"pipeline_bubble_fraction": real, "claimed_bubble_fraction": value},
            inputs={"stages": p, "data_parallel": d, "global_batch": batch, "micro_batch_size": mbs},
        )

    def _below_floor(self, c: Claims, p: float, m: float, v: float) -> Iterator[Finding]:
        """A bubble the draft says its flush schedule reaches below (p-1)/(v*m+p-1): the schedule's order of
        forwards and backwards (its warm-up depth included) moves activations in flight, not the fill and
        drain, so only more micro-batches, interleaving or a split backward lower that floor."""
        floor = compute.bubble(p, m, v)
        claimed = []
        for span in c.cue_spans("bubble_value_claimed"):
            if is_elsewhere(span.sentence):
                continue
            raw = span.groups.get("value") or span.groups.get("value2")
            if raw:
                claimed.append((float(raw) / 100.0, span))
        if not claimed:
            return
        value, span = min(claimed, key=lambda x: x[0])
        if value >= 0.9 * floor:
            return
        yield self.finding(
            f"The draft reports a bubble of {pct(value)}, but with p = {p:.0f} stages and m = {m:.0f} "
            + (f"micro-batches (v = {v:.0f}) " if v > 1 else "micro-batches ")
            + f"every synchronous flush schedule idles (p-1)/(v·m+p-1) = {pct(floor)} of the step: GPipe, 1F1B "
            "and every warm-up depth between them fill and drain the same way, and reordering forwards and "
            "backwards moves the activations in flight, not the idle time. A lower figure measures something "
            "else (a window that leaves out the fill and drain, or the idle time of one stage).",
            "measure the bubble over the whole step, from the first stage's first forward to the last stage's "
            "last backward, on every stage, and set it beside (p-1)/(v·m+p-1); lower the floor only with more "
            "micro-batches, interleaving or a split backward",
            [span.sentence.quote()],
            computed={"pipeline_bubble_fraction": floor, "claimed_bubble_fraction": value},
            inputs={"stages": p, "microbatches": m, "virtual_stages": v},
        )

from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Delta, Finding, PriorWorkHit, Severity
from tensora.audit.novelty import NEAR_IDENTICAL, has_evaluation, lower_first
from tensora.audit.rules._common import num, quotes
from tensora.extract.claims import Claims
from tensora.extract.profile import DraftProfile
from tensora.extract.quantities import Quantity

# rows that bound what any method can reach, not methods to compare against
_BOUND_ROWS = ("oracle", "ideal", "upper bound", "perfect", "roofline", "theoretical")


def _own_name(ctx: Context) -> str:
    """The draft's system name, lower-cased, as the profile read it."""
    profile = ctx.shared.get("profile")
    return profile.name.value.lower() if isinstance(profile, DraftProfile) and profile.name.value else ""


def _table_rows(
    c: Claims, role: str, *, evaluation_only: bool, first_per_row: bool
) -> dict[int, list[tuple[str, float, Quantity]]]:
    """The values of one role read from the draft's tables, by table (its paragraph): each with its row's label
    (the first non-empty cell), every value of a row or only its first."""
    tables: dict[int, list[tuple[str, float, Quantity]]] = {}
    for q in c.values(role):
        i = compute.sentence_index(c, q)
        if (evaluation_only and q.qualifier != "evaluation") or i < 0 or "|" not in c.sentences[i].text:
            continue
        cells = [cell.strip(" *") for cell in c.sentences[i].text.split("|")]
        label = next((cell for cell in cells if cell), "")
        rows = tables.setdefault(c.sentences[i].paragraph, [])
        if not first_per_row or all(label != r[0] for r in rows):
            rows.append((label, q.value, q))
    return tables


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
    when its standard configuration is stronger; a gain stated against one row of the draft's own table while
    another method in it is nearly as fast or faster; and the hidden baseline of a configuration change (the existing
    system with the same knob tuned) or of an orthogonal change (the best work on the axis the draft changes),
    when the draft does not say it compares against it.
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
        weakened = list(self._weakened(ctx)) or list(self._stronger_row(ctx)) or list(self._faster_row(ctx))
        weakened = weakened or list(self._reference_below_bandwidth(ctx))
        yield from weakened
        if not weakened:
            yield from self._hidden_baseline(ctx)

    def _hidden_baseline(self, ctx: Context) -> Iterator[Finding]:
        """The comparison the delta calls for: the existing system with the knob tuned (a configuration change),
        the closest work on the other axis (an orthogonal change)."""
        c = ctx.proposal
        if c.has_cue("baseline_tuned"):
            return
        delta = ctx.shared.get("delta")
        prior = ctx.shared.get("prior_work")
        profile = ctx.shared.get("profile")
        if not isinstance(delta, Delta) or not isinstance(prior, list):
            return
        works = [h for h in prior if isinstance(h, PriorWorkHit)]
        if ctx.delta_class == "config":
            knob = ""
            if isinstance(profile, DraftProfile):
                knob = profile.knob.value or next((k.knob for k in profile.knobs), "")
            owner = works[0].name if works else "the existing system"
            setting = f"its {knob}" if knob else "the setting the draft changes"
            yield self.finding(
                f"The hidden baseline of a configuration change is {owner} with {setting} tuned for the same "
                "model, sequence length and cluster; a gain over its default or over the value the baseline "
                "paper happened to use measures the tuning, not a mechanism.",
                f"report {owner} at the best value of {setting} found by a sweep (or its own tuner) on your "
                "setting, and give the gain against that",
                delta.evidence[:2],
            )
            return
        if ctx.delta_class != "orthogonal":
            return
        if (
            works
            and works[0].cited
            and works[0].score >= NEAR_IDENTICAL
            and not works[0].evaluated
            and has_evaluation(c)
        ):
            # the draft names the work that does the same thing on its axis, and measures against something else
            rival = works[0]
            yield self.finding(
                f"The baseline is context here, and the draft names the work that matters on its own axis, "
                f"{rival.name} ({rival.venue} {rival.year}), yet its evaluation never runs it: beating the baseline "
                "or a simpler stand-in does not show the draft does better than the work it sets itself apart from.",
                f"run {rival.name} (or its released code) on the same model, hardware and workload, and give the "
                "gain against it",
                [s.quote() for s in c.sentences if rival.name.lower() in s.text.lower()][:1] + delta.evidence[:1],
            )
            return
        if not works or works[0].cited:
            return  # the draft names its closest work: how it compares is NOV-PRIOR's question
        if any(u.counts.get("compared", 0) for u in c.techniques.values()):
            return  # it measures itself against named systems of its own area
        rival = works[0]
        yield self.finding(
            f"The baseline is context here: the draft keeps its mechanism and changes another axis, where the "
            f"comparison that matters is {rival.name} ({rival.venue} {rival.year}), which the draft never names; "
            "beating the baseline alone does not show the new axis is handled better than existing work does.",
            f"compare against {rival.name} on the same workload, or show why it cannot run there",
            delta.evidence[:2],
        )

    def _reference_below_bandwidth(self, ctx: Context) -> Iterator[Finding]:
        """A quantized kernel claimed faster than its 16-bit reference by more than the bytes ratio (QNT-ROOFLINE's
        reading): both read memory at most at the same bandwidth, so the excess is the reference running below
        it. The gain is measured against an untuned 16-bit path, not the 16-bit roofline."""
        from tensora.audit.rules.quant.qnt_roofline import format_bound

        f = format_bound(ctx)
        if f is None:
            return
        limit, claimed = f.computed["roofline_max_speedup"], f.computed["claimed_speedup"]
        yield self.finding(
            f"Against its 16-bit reference the draft claims {num(claimed)}x where the bytes read allow "
            f"{limit:.2f}x: a memory-bound kernel gains only by reading fewer bytes, so the 16-bit reference reads "
            f"its bytes about {claimed / limit:.2f}x more slowly than the new kernel does. The comparison is with a "
            "16-bit path that does not reach the bandwidth, and part of the gain is the reference's.",
            "compare against a 16-bit kernel tuned for the same shapes (one that reaches the memory bandwidth), "
            "and report each kernel's achieved bandwidth next to the peak",
            f.evidence[-1:],
            computed={"roofline_max_speedup": limit},
        )

    def _stronger_row(self, ctx: Context) -> Iterator[Finding]:
        """The draft's own table puts another method within a few percent of it against the same reference
        (the "1.00x" row), yet the gain is stated against that reference: the comparison that matters is with the
        other method, and there the gain nearly vanishes."""
        own = _own_name(ctx)
        if len(own) < 3:
            return
        tables = _table_rows(ctx.proposal, "speedup", evaluation_only=True, first_per_row=False)
        for rows in tables.values():
            rows = [(label.lower(), v, q) for label, v, q in rows]
            if not any(abs(v - 1.0) < 1e-6 for _, v, _ in rows):
                continue  # no reference row to read the others against
            mine = [(v, q) for label, v, q in rows if own in label]
            others = [
                (v, label, q)
                for label, v, q in rows
                if own not in label and v > 1.05 and not any(w in label for w in _BOUND_ROWS)
            ]
            if not mine or not others:
                continue
            best_mine, mine_q = max(mine, key=lambda t: t[0])
            best_other, other_label, other_q = max(others, key=lambda t: t[0])
            # another method ahead of the draft's row means the column is not the draft's winning metric
            if best_mine < 1.2 or not 0.9 * best_mine <= best_other <= best_mine:
                continue
            yield self.finding(
                f"Your own table puts {other_label} at {best_other:.2f}x against the same reference, next to your "
                f"{best_mine:.2f}x: against it the gain is {best_mine / best_other:.2f}x. A headline measured against "
                "the reference row hides that the standard alternative gets nearly all of it.",
                f"state the gain against {other_label} (the strongest method in your own table), end to end and per "
                "component, and say what the mechanism adds beyond it",
                [mine_q.quote, other_q.quote],
                title="The stronger method is in your own table",
                computed={"gain_over_strongest": best_mine / best_other},
            )
            return

    def _faster_row(self, ctx: Context) -> Iterator[Finding]:
        """The claimed speedup is the draft's time against one row of its own time table, while another row of
        that table (not the draft's) is much faster than the one it chose: the gain over the strongest
        alternative is what the draft should state."""
        c = ctx.proposal
        own = _own_name(ctx)
        if len(own) < 3:
            return
        # a row's first time is its step time
        tables = _table_rows(c, "step_time", evaluation_only=False, first_per_row=True)
        claims = [q for q in c.values("speedup") if 1.1 <= q.value < 50]
        for rows in tables.values():
            mine = [(t, q) for label, t, q in rows if own in label.lower()]
            others = [(t, label, q) for label, t, q in rows if own not in label.lower() and t > 0]
            if not mine or len(others) < 2:
                continue
            t_mine, mine_q = min(mine, key=lambda m: m[0])
            fastest, fast_label, fast_q = min(others, key=lambda o: o[0])
            for claim in claims:
                # the row the claim is against: its time over the draft's is the claimed ratio
                ref = [o for o in others if abs(o[0] / t_mine - claim.value) <= 0.03 * claim.value]
                if not ref:
                    continue
                t_ref, ref_label, _ = ref[0]
                ref_label, fast_label = lower_first(ref_label), lower_first(fast_label)
                gain = fastest / t_mine
                if fastest >= 0.9 * t_ref or gain > claim.value / 1.1:
                    continue
                yield self.finding(
                    f"The {claim.value:.2f}x is measured against {ref_label} ({t_ref:g} s per step), but your own "
                    f"table has {fast_label} at {fastest:g} s: against it the gain is {fastest:g} / {t_mine:g} = "
                    f"{gain:.2f}x. The headline is taken against the slower alternative.",
                    f"state the gain against {fast_label}, the fastest alternative in your own table, and say what "
                    "the mechanism adds beyond it",
                    [claim.quote, fast_q.quote, mine_q.quote],
                    title="A faster alternative is in your own table",
                    computed={"gain_over_strongest": gain},
                    inputs={
                        "claimed_speedup": claim.value,
                        "reference_s": t_ref,
                        "strongest_s": fastest,
                        "own_s": t_mine,
                    },
                )
                return

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

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache
from typing import cast

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import num, pct
from tensora.extract.claims import Claims
from tensora.extract.cues import CueSpan
from tensora.extract.profile import DraftProfile, weight
from tensora.extract.quantities import Quantity
from tensora.extract.techniques import is_elsewhere
from tensora.extract.words import words

_LOCAL_QUALIFIERS = {"kernel", "local"}
# a speedup stated beside a FLOP or bandwidth rate compares kernels
_KERNEL_RATES = ("tflop", "gflop", "pflop", "flop/s", "flops/s")
# a ratio of one of these is no speedup, whatever verb carries it
_NOT_TIME = frozenset(
    {
        "error",
        "errors",
        "memory",
        "footprint",
        "bytes",
        "traffic",
        "volume",
        "storage",
        "accuracy",
        "perplexity",
        "loads",
        "fmas",
        "instructions",
        "registers",
    }
)
_SYNONYMS = (
    frozenset({"gemm", "gemv", "matmul", "linear", "projection", "kernel", "tensor-core", "cubla", "cutlass"}),
    frozenset(
        {
            "communication",
            "all-reduce",
            "all-gather",
            "all-to-all",
            "collective",
            "reduce-scatter",
            "traffic",
            "transfer",
            "exchange",
        }
    ),
)
_COMM_WORDS = _SYNONYMS[1]
_STOP = {
    "time",
    "step",
    "iteration",
    "training",
    "end-to-end",
    "faster",
    "speedup",
    "than",
    "with",
    "that",
    "this",
    "from",
    "their",
    "into",
    "each",
    "which",
    "where",
    "percent",
}


class QntAmdahl(Rule):
    """QNT-AMDAHL: an end-to-end speedup beyond the Amdahl bound.

    ## What it flags
    A claimed end-to-end speedup larger than 1 / ((1 - f) + f / s), where f is the share of step time that the
    draft itself says the change touches and s the local speedup it states (unbounded when unstated); and a step
    total below the sum of the draft's own parts in its step table.
    ## Why a reviewer cares
    If the part you speed up is 12% of the step, even removing it entirely gives 1/(1 - 0.12) = 1.14x. A larger
    claim means the profile or the projection is wrong.
    ## Example
    fires:  "the collectives are 12% of the iteration ... we project a 1.35x end-to-end speedup"
    silent: "GEMMs are 70% of the step and run 2x faster; we measure 1.5x end-to-end"
    ## Known false alarms
    A draft may touch several parts whose fractions add up; only the fractions it states are used.
    ## References
    Amdahl, AFIPS 1967.
    """

    code = "QNT-AMDAHL"
    severity = Severity.MAJOR
    title = "Speedup beyond the Amdahl bound"

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from amdahl_findings(ctx)

    def _findings(self, ctx: Context) -> list[Finding]:
        found = list(self._parts_against_total(ctx.proposal)) or list(self._bound(ctx))
        return found or list(self._energy_bound(ctx.proposal)) or list(self._kernel_bound(ctx.proposal))

    def _kernel_bound(self, c: Claims) -> Iterator[Finding]:
        """Amdahl inside a kernel: a change that removes the stalls (or the work) the draft profiles as a share of
        the kernel's cycles makes the kernel at most 1 / (1 - share) faster, whatever it does to that part."""
        shares = [m for m in c.cue_spans("kernel_stall_share") if 0 < float(m.groups["share"]) < 100]
        claims = [
            q
            for q in c.values("speedup")
            if q.qualifier in _LOCAL_QUALIFIERS and 1.0 < q.value < 50 and _headline_weight(c, q) >= _HEADLINE
        ]
        if not shares or not claims:
            return
        m = shares[0]
        share = float(m.groups["share"]) / 100
        bound = 1.0 / (1.0 - share)
        claim = max(claims, key=lambda q: q.value)
        if claim.value <= 1.02 * bound:
            return
        yield self.finding(
            f"The draft's own profile puts what the change removes at {_share_pct(share)} of the kernel's cycles: "
            f"even removing all of it, the kernel is at most 1 / (1 - {share:.3g}) = {bound:.3f}x faster, short of "
            f"the claimed {claim.value:g}x. The rest of the gain comes from something the draft does not name.",
            "profile the new kernel the same way and show which cycles disappeared, part by part, beside the "
            "claimed speedup",
            [m.sentence.quote(), claim.quote],
            computed={"amdahl_max_speedup": bound},
            inputs={"fraction": share, "local_speedup": "inf", "claimed_speedup": claim.value},
        )

    def _energy_bound(self, c: Claims) -> Iterator[Finding]:
        """Amdahl over power: a change that saves only GPU energy saves at most the GPUs' share of the wall
        power times its GPU saving; the gain in work per joule at the wall is bounded by
        1 / ((1 - f) + f (1 - cut)), f the GPUs' share of wall power and cut the GPU energy saved."""
        shares = [m for m in c.cue_spans("gpu_share_of_wall_power") if not is_elsewhere(m.sentence)]
        cuts = [m for m in c.cue_spans("gpu_energy_cut") if not is_elsewhere(m.sentence)]
        gains = [m for m in c.cue_spans("energy_efficiency_gain") if not is_elsewhere(m.sentence)]
        if not shares or not cuts or not gains:
            return
        share = float(shares[0].groups["share"]) / 100
        cut = float(cuts[0].groups["cut"]) / 100
        claimed = max(float(m.groups["gain"]) for m in gains)
        if not (0 < share < 1 and 0 < cut < 1):
            return
        bound = 1.0 / ((1.0 - share) + share * (1.0 - cut))
        if claimed <= 1.02 * bound:
            return
        gain = next(m for m in gains if float(m.groups["gain"]) == claimed)
        yield self.finding(
            f"Only the GPUs' energy changes, and they draw {share:.0%} of the wall power: a {cut:.0%} GPU saving is "
            f"at most {share * cut:.1%} at the wall, so work per joule can rise by at most 1 / ((1 - {share:g}) + "
            f"{share:g} x (1 - {cut:g})) = {bound:.2f}x, not the {claimed:g}x claimed. The rest of the server "
            "draws the same power for as long as the work takes, and longer if the steps slow down.",
            "account the wall energy part by part (GPUs, host, fans, power supply) before and after, or show "
            "which of the other parts the change also saves",
            [shares[0].sentence.quote(), gain.sentence.quote()],
            computed={"amdahl_max_speedup": bound, "claimed_speedup": claimed},
            inputs={"gpu_share_of_wall_power": share, "gpu_energy_cut": cut},
        )

    def _parts_against_total(self, c: Claims) -> Iterator[Finding]:
        """A step table whose draft column reports a total below the sum of its own parts: the speedup it claims
        over the baseline's total exceeds what the parts allow (the baseline's total over the sum of the draft's
        parts)."""
        rows: list[tuple[float, float]] = []
        for m in c.cue_spans("row_two_times"):
            label = m.groups["label"].strip().strip("|* ").strip().lower()
            before = compute.seconds(m.groups["a"], m.groups["ua"]) if m.groups.get("a") else 0.0
            after = compute.seconds(m.groups["b"], m.groups["ub"]) if m.groups.get("b") else 0.0
            if label.startswith(("total", "step", "iteration", "end-to-end")):
                parts = sum(a for _, a in rows)
                if len(rows) >= 2 and before > 0 and after > 0 and parts > 1.05 * after:
                    claimed = before / after
                    bound = before / parts
                    if claimed > 1.02 * bound:
                        yield self.finding(
                            f"The draft's own parts add up to {parts:.4g} s, not the {after:.4g} s it reports for the "
                            f"step: against the baseline's {before:.4g} s that allows {bound:.3f}x, not the "
                            f"{claimed:.2f}x the total implies. Some {parts - after:.3g} s of the gain is in no row.",
                            "reconcile the step's parts with its measured total (a part left out, double-counted "
                            "overlap, or a measurement taken differently), and report the speedup the parts support",
                            [m.sentence.quote()],
                            computed={"amdahl_max_speedup": bound, "claimed_speedup": claimed},
                            inputs={"parts_s": parts, "reported_s": after, "baseline_s": before},
                        )
                        return
                rows = []
            else:
                rows.append((before, after))

    def _bound(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        claimed = [
            q
            for q in c.values("speedup")
            if q.qualifier not in _LOCAL_QUALIFIERS | {"baseline", "evaluation"} and 1.0 < q.value < 50
        ] + _goodput_gains(c)
        # "PeerSum is 2.5x faster than NCCL and raises end-to-end throughput by 1.41x": beside an end-to-end
        # claim, an unscoped speedup in the same sentence is the changed part's own (see _local_speedup)
        claimed = [q for q in claimed if not _beside_end_to_end(c, q, claimed)]
        # "1.19x faster than delayed scaling (1.59x faster than BF16)": a profile is of the reference the draft
        # improves on, the strongest one; the larger claim is against a weaker reference
        claimed = [
            q
            for q in claimed
            if not any(o.quote.text == q.quote.text and o.value < q.value and _own_references(c, q, o) for o in claimed)
        ]
        fractions = [
            q
            for q in [f for f in c.values("time_fraction") if f.qualifier != "profile"] + _profile_items(c)
            if 0.0 < q.value < 1.0
            # "below 1% of the step" bounds a residual cost; it is not the share the change touches
            and not c.text_has_cue("bounded_share_wording", q.quote.text)
            and c.text_has_cue("share_of_time_wording", q.quote.text)
            and not c.text_has_cue("leftover_time_wording", q.quote.text)
        ]
        # a profile table names each part's share; where it names the changed part, that row is the share
        fractions = (
            _profiled_part(ctx) or _before_after(c) or _stage_table(c) or _touched(c, _without_complements(fractions))
        )
        if not claimed or not fractions:
            return
        best: tuple[float, Quantity, Quantity, float] | None = None
        for s in claimed:
            # a projection may lean on any profile the draft gives; a measurement only on the one beside it
            # (as may the headline of the abstract or the contributions, which sums up the whole draft)
            clause = _clause_of(s.quote.text, s.value).lower()
            if any(rate in clause for rate in _KERNEL_RATES):
                continue  # "reaches 735 TFLOP/s, 1.62x the library kernel": a kernel's rate, not a step's
            if any(word in _around(clause, s.value) for word in _NOT_TIME):
                continue  # "cutting the output error by 3.9x": a ratio of something other than time
            projected = c.text_has_cue("projection_wording", s.quote.text) or _headline(c, s)
            eligible = [f for f in fractions if projected or compute.near(c, f, s, span=3)]
            if not eligible:
                continue
            f = max(eligible, key=lambda q: q.value)  # the most generous bound among the shares the change touches
            local = _local_speedup(c, f, s)
            if math.isclose(local, s.value, rel_tol=0.01) or (
                s.qualifier not in ("end-to-end", "throughput")
                and _words(f.text or f.quote.text) & _words(_subject(_clause_of(s.quote.text, s.value)))
            ):
                continue  # the claim is the changed part's own speedup, not an end-to-end one
            bound = compute.amdahl(f.value, local)
            if s.value > bound * 1.02 and (best is None or bound > best[0]):
                best = (bound, f, s, local)
        if best is None:
            return
        # use the most generous fraction that the claim still exceeds
        bound, f, s, local = best
        local_txt = (
            "even with an unbounded local speedup"
            if math.isinf(local)
            else f"with its own local speedup of {num(local)}x"
        )
        yield self.finding(
            f"The draft's own numbers cap the gain: the changed part is {_share_pct(f.value)} of the step, so "
            f"{local_txt} the end-to-end speedup is at most 1 / ((1 - {f.value:.3g}) + {f.value:.3g}/s) = "
            f"{bound:.3f}x, short of the claimed {s.value:.2f}x.",
            "reconcile the claimed speedup with the profiled fraction (measure end to end, or show which other "
            "part of the step also gets faster and by how much)",
            [f.quote, s.quote],
            computed={"amdahl_max_speedup": bound},
            inputs={
                "fraction": f.value,
                "local_speedup": "inf" if math.isinf(local) else local,
                "claimed_speedup": s.value,
            },
        )


def amdahl_findings(ctx: Context) -> list[Finding]:
    """QNT-AMDAHL's findings, computed once per review (CPLX-GAIN reads the bound they state)."""
    key = "qnt_amdahl.findings"
    if key not in ctx.shared:
        ctx.shared[key] = QntAmdahl()._findings(ctx)
    return list(cast(list[Finding], ctx.shared[key]))


def _goodput_gains(c: Claims) -> list[Quantity]:
    """A goodput raised from a% to b% shortens the time to train by b/a: an end-to-end speedup."""
    out = []
    for m in c.cue_spans("goodput_from_to"):
        a, b = float(m.groups["a"]), float(m.groups["b"])
        if 0 < a < b <= 100:
            out.append(Quantity("speedup", b / a, "x", m.sentence.quote(), "end-to-end", f"goodput {a:g}% to {b:g}%"))
    return out


def _before_after(c: Claims) -> list[Quantity]:
    """A table of each part's time before and after the change (the last time column is the draft's when a third
    one sits between), with a total row or, without one, parts that add up to the whole: the parts whose time
    changed are the share the change touches, and their own before/after ratio is the local speedup (recorded in
    the quantity's text as "label (s = ...)")."""
    rows = []
    total: tuple[float, float, CueSpan] | None = None
    for m in c.cue_spans("row_before_after_times"):
        label = m.groups["label"].strip().strip("|* ").strip()
        before = compute.seconds(m.groups["a"], m.groups["ua"])
        last, unit = (m.groups["c"], m.groups["uc"]) if m.groups.get("c") else (m.groups["b"], m.groups["ub"])
        after = compute.seconds(last, unit)
        if label.lower().startswith("total"):
            total = (before, after, m)
        elif " per " not in f" {label.lower()} ":
            rows.append((before, after, m))  # "decode, per token" is a rate, not a part of the request
    if total is not None:
        end = total[2].sentence.index
        rows = [r for r in rows if r[2].sentence.index < end]
        whole = total[0]
    elif len(rows) >= 2 and all(r[2].groups.get("c") for r in rows):
        whole = sum(r[0] for r in rows)  # a phase table of one request: its phases add up to it
    else:
        return []
    if whole <= 0:
        return []
    return _changed_part([(a, b, m.groups["label"].strip().strip("|* ").strip(), m) for a, b, m in rows], whole)


def _changed_part(rows: list[tuple[float, float, str, CueSpan]], whole: float) -> list[Quantity]:
    """The parts whose time changed (before, after, label, row) as one share of ``whole``, with their own
    before/after ratio as the local speedup (recorded in the quantity's text as "label (s = ...)")."""
    changed = [r for r in rows if abs(r[0] - r[1]) > 0.01 * max(r[0], r[1])]
    share = sum(r[0] for r in changed) / whole
    if not changed or not 0.0 < share < 1.0:
        return []
    label = " + ".join(r[2] for r in changed)
    after = sum(r[1] for r in changed)
    local = sum(r[0] for r in changed) / after if after > 0 else float("inf")
    quote = changed[0][3].sentence.quote()
    return [Quantity("time_fraction", share, "ratio", quote, "profile", f"{label} (s = {local:.3g})")]


def _stage_table(c: Claims) -> list[Quantity]:
    """A table of each stage's time before and after, in bare numbers (the unit in the caption) and without a total
    row, whose before column adds up to a step time the draft states ("655 s to 448 s" beside stages of 412, 58,
    172 and 13): the stages whose time changed are the share the change touches, at their own before/after ratio
    (recorded in the quantity's text as "label (s = ...)")."""
    stated = [q.value for q in c.values("step_time") if q.value > 0]
    runs: list[list[CueSpan]] = []
    for m in c.cue_spans("row_two_bare_numbers"):
        if runs and m.sentence.index == runs[-1][-1].sentence.index + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    for run in runs:
        labels = [m.groups["label"].strip().strip("|* ").strip() for m in run]
        if len(run) < 2 or any(label.lower().startswith(("total", "step", "end-to-end")) for label in labels):
            continue
        before = [float(m.groups["a"].replace(",", "")) for m in run]
        after = [float(m.groups["b"].replace(",", "")) for m in run]
        whole = sum(before)
        if whole <= 0 or not any(abs(t - whole) <= 0.01 * whole for t in stated):
            continue  # the column is not the step the draft times (or its unit is not the stated time's)
        part = _changed_part(list(zip(before, after, labels, run, strict=True)), whole)
        if part:
            return part
    return []


def _profiled_part(ctx: Context) -> list[Quantity]:
    """The row of a profile table ("component | share of step") that the change touches.

    A row whose part the draft says it keeps as it is ("GEMMs stay on cuBLAS") is out unless no other row is
    named; among the rest, the rows whose part the title, abstract or the draft's component name most; none when
    no row is named.
    """
    c = ctx.proposal
    rows = [
        q
        for q in c.values("time_fraction", "profile") + _profile_items(c)
        if q.text and 0.0 < q.value < 1.0 and not _COMPARES & set(q.text.lower().split())
    ]
    if not rows:
        return []
    profile = ctx.shared.get("profile")
    kept: frozenset[str] = frozenset()
    named = _plain(" ".join(s.text for s in c.sentences if s.index == 0 or "abstract" in s.section.lower()))
    if isinstance(profile, DraftProfile):
        kept = _plain(profile.keeps.value)
        named |= _plain(" ".join(f.value for f in (profile.name, profile.component, profile.with_) if f.value))
    # the share the headline itself states ("21% of every step is spent waiting on exposed collectives") picks
    # the row with that value
    stated = {
        round(q.value, 3)
        for q in c.values("time_fraction")
        if q.qualifier != "profile" and _headline_weight(c, q) >= _HEADLINE
    }
    by_value = [q for q in rows if any(abs(q.value - v) <= 0.005 for v in stated)]
    if len(by_value) == 1:
        return by_value
    overlapped = _overlapped_rows(c, rows)
    if overlapped:
        return overlapped
    explicit = _kept_rows(c, rows)
    scored: list[tuple[int, Quantity]] = []
    held: list[tuple[int, Quantity]] = []
    for q in rows:
        label = _label_words(q.text)
        if label:
            kept_row = label[0] in kept or any(q is k for k in explicit)
            (held if kept_row else scored).append((len(set(label) & named), q))
    named_any = any(n for n, _ in scored) or any(n for n, _ in held)
    if explicit and scored and not named_any and sum(q.value for q in explicit) >= _KEPT_MIN:
        # the draft says which parts it leaves as they are and its headline names no part: it touches all the
        # others, and the step cannot fall below the kept parts' sum (the most generous bound it allows)
        parts = [q for _, q in scored]
        total = sum(q.value for q in parts)
        if 0.0 < total < 1.0:
            first = parts[0]
            kept_label = " + ".join(str(q.text) for q in parts)
            return [Quantity("time_fraction", total, "ratio", first.quote, "profile", kept_label)]
    # the row the draft names most ("residual + RMSNorm + FP8 cast" over "FP8 GEMMs" for a fused norm kernel);
    # a kept row only when no other is named: "the attention kernel is unchanged" in a draft that changes what
    # attention reads still leaves attention the part it speeds up
    top = max((n for n, _ in scored), default=0)
    if top == 0:
        scored, top = held, max((n for n, _ in held), default=0)
    picked = [q for n, q in scored if n == top and top > 0]
    family = profile.family if isinstance(profile, DraftProfile) else ""
    if not picked and family in _MOVES_DATA | {"compression"}:
        # nothing the headline names, but a draft that compresses or moves data changes the communication rows
        # ("1.9 s per step (40%) is exposed communication" for a gradient compressor)
        return [q for q in rows if set(_label_words(q.text or "")) & _COMM_LABEL]
    if len(picked) > 1 and family in _MOVES_DATA:
        # a tie between rows the headline names: a draft that moves, shards or schedules data changes the
        # communication rows ("Exposed all-gather"), not the compute beside them ("Backward compute")
        comm = [q for q in picked if set(_label_words(q.text or "")) & _COMM_LABEL]
        picked = comm or picked
    return picked


# a "part" that sets two systems side by side ("the step for LendRing against") is a result, not a row
_COMPARES = frozenset({"against", "versus", "vs", "vs.", "than", "compared"})
# the families whose changes act on communication, not on the kernels' arithmetic
_MOVES_DATA = frozenset({"parallelism", "communication", "memory", "fault-tolerance", "scheduling", "data"})


_HEADLINE = 0.7
# the kept rows must be a real part of the step before their sum bounds it
_KEPT_MIN = 0.2
# words that name no part of a step on their own: a row is kept only when a sentence names one of its other words
_GENERIC_LABEL = frozenset(
    {"kernel", "other", "fwd", "bwd", "total", "and", "time", "per", "rank", "each", "gpu", "cpu"}
)


def _overlapped_rows(c: Claims, rows: list[Quantity]) -> list[Quantity]:
    """For a draft whose mechanism overlaps communication with computation, the profile's communication rows:
    hiding communication removes at most the communication that is exposed, whatever compute it hides behind
    (the rows that say "exposed" when the profile separates them). Summed into one share when several."""
    use = c.techniques.get("comm-compute-overlap")
    if use is None or not use.used:
        return []
    comm = [q for q in rows if set(_label_words(q.text or "")) & _COMM_LABEL]
    exposed = [q for q in comm if "expos" in _label_words(q.text or "")]
    picked = exposed or comm
    if not picked:
        return []
    total = sum(q.value for q in picked)
    if not 0.0 < total < 1.0:
        return []
    if len(picked) == 1:
        return picked
    label = " + ".join(str(q.text) for q in picked)
    return [Quantity("time_fraction", total, "ratio", picked[0].quote, "profile", label)]


# stemmed words that mark a profile row as communication
_COMM_LABEL = frozenset(
    {
        "expos",
        "communication",
        "comm",
        "collective",
        "nccl",
        "dispatch",
        "combine",
        "reduce",
        "scatter",
        "gather",
        "alltoall",
        "allreduce",
        "allgather",
        "network",
        "transfer",
        "a2a",
    }
)


def _headline_weight(c: Claims, q: Quantity) -> float:
    i = compute.sentence_index(c, q)
    return weight(c.sentences[i]) if i >= 0 else 0.0


def _kept_rows(c: Claims, rows: list[Quantity]) -> list[Quantity]:
    """The profile rows whose part the draft says it leaves as it is ("cuBLAS GEMMs ... called unchanged")."""
    said = [_plain(s.text) for s in c.cue("part_kept_wording") if not is_elsewhere(s)]
    if not said:
        return []
    out = []
    for q in rows:
        own = [w for w in _label_words(q.text or "") if w not in _GENERIC_LABEL]
        if own and any(own[0] in words_in for words_in in said):
            out.append(q)
    return out if len(out) < len(rows) else []


def _plain(text: str) -> frozenset[str]:
    """Stemmed words, hyphenated ones split and no synonyms added: a row is matched by the words it uses."""
    return frozenset(_label_words(text.replace("(", " ")))


def _label_words(text: str) -> list[str]:
    """A profile row's label as stemmed words, the parenthesised detail left out: "Inductor-generated kernels
    (pointwise)" -> ["inductor", "generat", "kernel"]."""
    bare = text.split("(")[0].replace("-", " ")
    return [w for w in (_stem(x) for x in words(bare)) if w not in _STOP]


def _profile_items(c: Claims) -> list[Quantity]:
    """Shares of step time the extractor leaves to the rule: "GEMMs 61%, attention 14%" in a profile sentence,
    and "9% of the step is all-reduce"."""
    out: list[Quantity] = []
    for cue in ("profile_share_item", "share_of_step_is", "of_which_share"):
        for m in c.cue_spans(cue):
            share, part = float(m.groups["share"]) / 100, m.groups["part"]
            out.append(Quantity("time_fraction", share, "ratio", m.sentence.quote(), "profile", part))
    # "the reduction takes 0.32 s of the 1.92 s step": the share is the ratio of the two times
    for m in c.cue_spans("part_time_of_step"):
        scale = {"ms": 1e-3, "s": 1.0}
        part_s = float(m.groups["time"]) * scale[m.groups["unit"]]
        whole_s = float(m.groups["whole"]) * scale[m.groups["whole_unit"]]
        if 0 < part_s < whole_s:
            quote = m.sentence.quote()
            # "the GPUs wait 58 ms (14.1%) for input": the part is what they wait for as much as who waits
            label = " ".join(x for x in (m.groups.get("part"), m.groups.get("what")) if x)
            out.append(Quantity("time_fraction", part_s / whole_s, "ratio", quote, "profile", label))
    return out


def _without_complements(fractions: list[Quantity]) -> list[Quantity]:
    """Drop the larger of two shares stated together that sum to the whole step ("91% compute, 9% all-reduce")."""
    out = list(fractions)
    for a in fractions:
        for b in fractions:
            if (
                a is not b
                and a.quote.text == b.quote.text
                and abs(a.value + b.value - 1.0) < 0.03
                and a.value > b.value
            ):
                if a in out:
                    out.remove(a)
    return out


def _touched(c: Claims, fractions: list[Quantity]) -> list[Quantity]:
    """The shares whose subject the draft's title and abstract talk about; all of them when none matches."""
    about = _words(" ".join(s.text for s in c.sentences if s.index == 0 or "abstract" in s.section.lower()))
    matching = [f for f in fractions if f.text and _words(f.text) & about]
    return matching or fractions


def _headline(c: Claims, q: Quantity) -> bool:
    i = compute.sentence_index(c, q)
    section = c.sentences[i].section.lower() if i >= 0 else ""
    if "abstract" in section or "contribution" in section:
        return True
    # a contribution list inside the introduction: an end-to-end claim there sums up the draft too
    return i >= 0 and q.qualifier == "end-to-end" and weight(c.sentences[i]) >= _HEADLINE


def _stem(word: str) -> str:
    # "sampler", "sampling" and "samples" meet at "sampl"; "router" and "routing" at "rout"
    for suffix in ("ers", "ing", "ed", "er", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _around(clause: str, value: float, before: int = 8, after: int = 3) -> list[str]:
    """The words next to a number in its clause: in "raises throughput by 1.17x with an average memory increase of
    3 GiB" the ratio is of throughput; the memory named after it is another quantity."""
    words_ = clause.split()
    mark = f"{value:g}"
    at = next((i for i, w in enumerate(words_) if mark in w), None)
    if at is None:
        return words_
    # the words after it stop at a comma: in "by 1.38x, with validation perplexity within 0.3%" the perplexity is
    # another quantity, said beside the ratio
    tail = words_[at + 1 : at + 1 + after]
    if words_[at].endswith((",", ";")):
        tail = []
    else:
        cut = next((k for k, w in enumerate(tail) if w.endswith((",", ";"))), None)
        tail = tail if cut is None else tail[: cut + 1]
    return words_[max(0, at - before) : at + 1] + tail


def _clause_of(text: str, value: float) -> str:
    """The clause of a sentence that carries a number: in "makes the sync 3.1x faster and cuts time-to-loss by
    1.42x", the 1.42x is about time to the loss, not the sync."""
    mark = f"{value:g}"
    pieces = [text]
    for sep in ("; ", ", while ", " and "):
        pieces = [part for piece in pieces for part in piece.split(sep)]
    return next((piece for piece in pieces if mark in piece), text)


# what a comparison is made against follows these: "faster than X", "2.3x the throughput of X"
_REFERENCE_MARKERS = (
    " than ",
    " compared with ",
    " compared to ",
    " over ",
    " versus ",
    " vs. ",
    " vs ",
    " throughput of ",
    " speed of ",
    " performance of ",
)


@lru_cache(maxsize=4096)
def _subject(text: str) -> str:
    """The sentence without what it compares against: in "decodes 7.1x faster than full attention" the part
    named after "than" is the reference, not the thing that got faster."""
    for marker in _REFERENCE_MARKERS:
        at = text.lower().find(marker)
        if at > 0:
            return text[:at]
    return text


def _words(text: str) -> frozenset[str]:
    # kept per text: each claimed speedup compares its subject with every other speedup's sentence
    found = {_stem(w) for w in words(text)} - _STOP
    # one subject under several names: a linear layer is a GEMM, a GEMV or a matmul kernel
    for group in _SYNONYMS:
        if found & group:
            found |= group
    return frozenset(found)


def _beside_end_to_end(c: Claims, q: Quantity, claims: list[Quantity]) -> bool:
    """Whether an unscoped speedup shares its sentence with a different end-to-end claim (it is then the changed
    part's own speedup, "2.5x faster than NCCL", not a second claim for the whole step)."""
    return q.qualifier == "" and any(
        o.qualifier == "end-to-end"
        and o.quote.text == q.quote.text
        and o.value != q.value
        # "1.19x faster than delayed-scaling FP8 (1.59x faster than BF16)": two claims for the whole draft, each
        # against its own reference
        and not _own_references(c, q, o)
        for o in claims
    )


def _share_pct(share: float) -> str:
    """A share as the draft would write it: "30%", "4.5%" (never rounded to "4%")."""
    whole = round(100 * share)
    return pct(share, 0) if abs(100 * share - whole) < 0.05 else pct(share, 1)


def _reference(c: Claims, q: Quantity) -> str:
    """What a speedup is measured against ("1.59x faster than BF16" -> "bf16"); empty when it names none."""
    i = compute.sentence_index(c, q)
    for m in c.cue_spans("speedup_against"):
        if m.sentence.index == i and math.isclose(float(m.groups["value"]), q.value, rel_tol=1e-6):
            return " ".join(m.groups["ref"].lower().split()[:4])
    return ""


def _own_references(c: Claims, a: Quantity, b: Quantity) -> bool:
    ref_a, ref_b = _reference(c, a), _reference(c, b)
    return bool(ref_a and ref_b and ref_a != ref_b)


def _local_speedup(c: Claims, fraction: Quantity, claim: Quantity | None = None) -> float:
    """The speedup the draft states for the part its profile measures; unbounded when it states none.

    A local speedup counts only when its sentence names the same thing as the profiled share ("GEMMs take 70%
    of the step" and "sparse tensor cores double the GEMM math throughput").
    """
    # a before/after table gives the changed parts' own speedup: their times before over their times after
    label, sep, tail = (fraction.text or "").partition(" (s = ")
    if sep and tail.endswith(")"):
        try:
            return float(tail[:-1])
        except ValueError:
            pass
    subject = _words(fraction.text or fraction.quote.text)
    # the part's own speedup stated in the same breath as the end-to-end claim
    if claim is not None and claim.qualifier == "end-to-end":
        beside = [q.value for q in c.values("speedup") if q.value > claim.value and _beside_end_to_end(c, q, [claim])]
        if beside:
            return max(beside)
    # an unscoped speedup of the same thing counts too ("decodes 3.1x faster" against "decoding takes 82%"),
    # but never the claim itself
    found = [
        q.value
        for q in c.values("speedup")
        if (q.qualifier in _LOCAL_QUALIFIERS or q.qualifier == "")
        and (claim is None or (q.quote.text, q.value) != (claim.quote.text, claim.value))
        and q.value > 1
        and subject & _words(q.quote.text)
        # a speedup over another method ("1.4x faster than PowerSGD") is not the local speedup of the profiled
        # part; one over the library or the full-precision version of the same operation is
        and not c.text_has_cue("versus_other_method", q.quote.text)
    ]
    # "tensor cores run FP8 at twice the BF16 rate" is the hardware's ratio: a measured local speedup says more,
    # unless it is only the claim said again ("with the sparse kernels we expect the full 1.8x")
    if claim is None or all(math.isclose(v, claim.value, rel_tol=0.01) for v in found):
        found += [2.0 for s in c.cue("doubles_rate") if subject & _words(s.text)]
    # "removes 80% of that work" makes the part 1 / (1 - 0.8) = 5x faster
    for m in c.cue_spans("removes_share"):
        share = float(m.groups["share"])
        if subject & _words(m.sentence.text) and share < 100:
            found.append(1.0 / (1.0 - share / 100))
    # "cuts the bytes on the wire by 1.8x" caps how much faster that communication can get
    if subject & _COMM_WORDS:
        for m in c.cue_spans("fewer_bytes_by"):
            found.append(float(m.groups["factor"]))
    return max(found) if found else math.inf

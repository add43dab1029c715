"""The delta audit: does the draft differ structurally from the baseline?

Three classes, after the persona's first evaluation point:
- **orthogonal**: the techniques the draft introduces belong to families that the baseline does not touch
  (the baseline is context only), so the critique pivots to the draft's own sub-area;
- **config**: the draft's contribution is stated as a setting of a mechanism that already exists (a size, a
  degree, a shape, a count, a tunable) and it introduces or removes little else;
- **structural**: a new mechanism replaces or adds to the baseline's.
The decision uses the techniques each document uses (knowledge base aliases) and the way the draft states its
contribution. Does not read figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tensora import rxcache
from tensora.audit import delta_reader
from tensora.audit.findings import Delta
from tensora.extract.claims import Claims
from tensora.extract.profile import DraftProfile, KnobSetting, Source, baseline_names, weight
from tensora.extract.quantities import Quote
from tensora.extract.sentences import Sentence
from tensora.extract.techniques import is_core, is_design, is_planned

# A contribution phrased as a setting: "chunk size", "tile shape", "sharding group", "a tunable", "fewer,
# larger micro-batches", "the opposite corner of the design space".
_CONFIG = rxcache.compile(
    r"\b(tunable|knob|sweep\w*|design space|hyper-?parameter|decoupl\w+ the \w+ size)\b|"
    # "configuration" as the thing chosen, not the deployment ("the production configuration", "our 256-GPU
    # configuration" name a setup the draft runs on)
    r"\b(?:new|different|tuned|better|optimal|best|chosen|right|per-\w+) configurations?\b|"
    r"\bconfigurations? (?:change|choice|knob|parameter|space|setting|search)s?\b|"
    r"\b(fewer|larger|smaller|deeper|shallower|bigger|finer|coarser)(,? (and )?\w+)? "
    r"(micro-?batches|pipelines?|stages|chunks|groups|buckets|shards|delays?|lags?|staleness|look-?ahead|"
    r"update delay)\b|"
    r"\bsharding group\b|\bgroup size\b|\bkey insight is the (tile|chunk|group|size|shape)|"
    # a delay set to a value: "lag by two steps", "a two-step delay"
    r"\b(lag|delay)s?\s+(of|by)\s+(\d+|one|two|three|four)\b|\b(\d+|one|two|three|four)[- ](step|iteration)[- ]"
    r"(delay|lag)\b",
    re.I,
)
# A setting named together with a choice of its value: "we pick a tile shape of 16 x 64".
_SETTING = rxcache.compile(
    r"\b(chunk|tile|bucket|block|group|page|micro-?batch|split-?k|shard(?:ing)?|partition|look-?ahead|"
    r"prefetch|staleness|delay|lag|update|checkpoint)[- ]"
    r"(size|shape|count|granularity|depth|degree|interval|frequency|bound|window|length)s?\b",
    re.I,
)
_SETTING_OBJECT = rxcache.compile(
    r"\breplac\w*\s+(?:the\s+|these\s+|its\s+|their\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:limits?|defaults?|settings?|values?|thresholds?|caps?|constants?|margins?|knobs?|parameters?|history)\b",
    re.I,
)
_CHOICE = rxcache.compile(
    r"\b(choos\w+|chose|select\w*|tun(e|ed|ing)|pick\w*|vary\w*|optimal|best|increas\w+|decreas\w+|"
    r"rais\w+|lower\w*|instead of|independent of|dominat\w+|first-order|the key|matters?|adaptive(ly)?|"
    r"per[- ](request|model|layer|shape|workload)|set\s+(\w+\s+){0,4}to|shrink\w*|from\s+\d[\d,]*\s+to)\b",
    re.I,
)

# A contribution phrased as a new mechanism: something removed, replaced, deferred or made asynchronous.
# effects and side remarks that use structural words without being the contribution
_NOT_STRUCTURAL = rxcache.compile(
    r"instead of\s+(about\s+)?\d|from the critical path|asynchronous checkpoint|no longer hides?|"
    # "stay exactly zero instead of drifting": an outcome avoided, not a mechanism replaced
    r"instead of\s+(drift|diverg|overflow|underflow|saturat|explod|vanish|degrad|decay|thrash|oscillat)\w*|"
    r"(failure|fault|restart|recover)\w*|"
    # a cost removed ("removes both", "eliminates the padding") is an outcome, not a mechanism (a stall removed
    # may be a barrier taken out, which is one)
    r"\b(remov|eliminat)\w*\s+(both|all of them|(the |this |that |most )?(padding|waste|idle time|idle gap|slack))\b|"
    # an existing asynchronous path made deeper or wider is a setting of it
    r"\b(deeper|wider|larger|bigger)\b[\w, -]{0,30}\basynchronous|"
    r"\basynchronous(ly)?\s+(\w+\s+){0,2}(\d+|two|three|four|five|six|seven|eight|ten)\s+steps ahead",
    re.I,
)
_STRUCTURAL = rxcache.compile(
    r"\b(remov(e|es|ed|ing)|replac(e|es|ed|ing)|eliminat\w+|asynchronous(ly)?|defer(s|red|ring)?|instead of|"
    r"gets? rid of|no longer|splits? (the|each|every)|"
    r"(new|novel) ([\w-]+ ){0,3}?(mechanism|algorithm|format|schedule|protocol|scheduler|abstraction|architecture))\b",
    re.I,
)
# a setting chosen anew for each input or step while the system runs: a policy (a mechanism), not a value
_RUNTIME_CHOICE = re.compile(
    r"\bper[- ](?:document|request|sequence|sample|step|iteration|batch|micro-?batch|token|query)\b"
    r"|\bat run[- ]?time\b|\bdynamically\b|\bon the fly\b",
    re.I,
)
_MAIN_SHARE = 0.25
# how sure the profile must be before it overrides the text's signals
_KEEP_MIN = 0.5
# a keep statement this sure outweighs a baseline technique that the draft seems to drop (a sentence that says
# what the baseline removed reads like a rejection)
_KEEP_SURE = 0.75
_KNOB_MIN = 0.4
_WEAK_STRUCTURAL = 1.0
# a draft that sets this many knobs of one system it names, in its title, abstract or contributions, re-tunes
# that system
_RETUNE_KNOBS = 2
_HEADLINE = 0.7  # the title, abstract, contributions and introduction
_ABSTRACT = 0.9  # the title and abstract
_KNOB_SURE = 0.7  # a knob read with a set verb in the headline
_RETUNE_MIN = 0.4
# settings of named systems read in the method (any section), and how many make the method a configuration
_DESIGN_KNOB_MIN = 0.3
_DESIGN_KNOBS = 3
_CONFIG_TEXT = 1.5
_PROMINENT = 2.0  # a technique named in the title or abstract, or in several method sentences
# Families that set the scene (the GPU, the interconnect) rather than carry a contribution.
_INCIDENTAL = frozenset({"hardware"})
# properties of the model being run (its attention heads), not a system a draft contributes
_MODEL_PROPERTIES = frozenset({"grouped-query-attention", "multi-query-attention"})
# Families close enough that a contribution in one is not orthogonal to a baseline in another.
_RELATED = (
    frozenset({"parallelism", "memory", "communication", "compression"}),
    frozenset({"precision", "quantization"}),
    # block-sparse attention and sparse kernels change the attention or the kernel, not another axis
    frozenset({"attention", "kernels", "compilers", "sparsity"}),
)


@dataclass
class DeltaFeatures:
    new: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    config_hits: list[Sentence] = field(default_factory=list)
    structural_hits: list[Sentence] = field(default_factory=list)
    proposal_families: set[str] = field(default_factory=set)
    baseline_families: set[str] = field(default_factory=set)
    new_families: set[str] = field(default_factory=set)
    dominant: str = ""

    @property
    def config_score(self) -> float:
        return _score(self.config_hits)

    @property
    def structural_score(self) -> float:
        return _score(self.structural_hits)


def _score(hits: list[Sentence]) -> float:
    """The title, abstract and contributions count double; other method sentences once; planned work half."""
    return sum(
        2.0
        if s.index == 0 or s.contribution or re.search(r"abstract|contribution", s.section, re.I)
        else 1.0
        if is_core(s)
        else 0.5
        for s in hits
    )


def features(proposal: Claims, baseline: Claims) -> DeltaFeatures:
    f = DeltaFeatures()
    base_used = baseline.used_ids()
    base_all = set(baseline.techniques)
    core = {t: u for t, u in proposal.techniques.items() if u.used and u.core}
    f.proposal_families = {u.family for u in core.values()}
    base_weights = family_weights(baseline)
    top = max(base_weights.values(), default=0.0)
    # the baseline's own subject: families it leans on, not every technique it mentions in passing
    f.baseline_families = {fam for fam, w in base_weights.items() if w >= _MAIN_SHARE * top}
    f.dominant = dominant_family(proposal)
    f.new = sorted(t for t in core if t not in base_all)
    f.new_families = {core[t].family for t in f.new}
    # "no NVLink" says what the draft runs on, not a part of the baseline's mechanism it takes out
    f.removed = sorted(
        t
        for t, u in proposal.techniques.items()
        if t in base_used and u.counts.get("rejected", 0) and not u.used and u.family not in _INCIDENTAL
    )
    # a table's header ("configuration | step time") names its columns, not the contribution
    # only sentences that state the draft's own design count: a long paper says "configuration" and "replace"
    # in its evaluation and related work whatever its contribution is
    f.config_hits = [
        s
        for s in proposal.sentences
        if s.kind != "table"
        # the draft's own plan for its mechanism ("the group size as a tunable") frames the contribution too
        and (is_design(s) or is_planned(s))
        and not s.text.lstrip().startswith("|")
        and (_CONFIG.search(s.text) or (_SETTING.search(s.text) and _CHOICE.search(s.text)))
    ]
    f.structural_hits = [
        s
        for s in proposal.sentences
        if is_core(s) and _STRUCTURAL.search(s.text) and not _NOT_STRUCTURAL.search(s.text)
    ]
    return f


# the language a kernel is written in, not what the draft changes ("we wrote a Triton kernel for it")
_TOOLCHAINS = frozenset({"triton", "cutlass", "custom-ptx-kernel"})


# the dominant family names another axis only when the draft leans on it: this much technique weight, and this
# many times the weight of the baseline's own families
_AXIS_MIN_WEIGHT = 3.0
_AXIS_MARGIN = 2.0


def family_weights(claims: Claims) -> dict[str, float]:
    weights: dict[str, float] = {}
    for use in claims.techniques.values():
        if use.used and use.family not in _INCIDENTAL and use.id not in _MODEL_PROPERTIES | _TOOLCHAINS:
            weights[use.family] = weights.get(use.family, 0.0) + use.weight
    return weights


def dominant_family(claims: Claims) -> str:
    weights = family_weights(claims)
    return max(sorted(weights), key=lambda k: weights[k]) if weights else ""


def _related(family: str, others: set[str]) -> bool:
    group = next((g for g in _RELATED if family in g), frozenset({family}))
    return bool(group & others)


def classify(proposal: Claims, baseline: Claims, profile: DraftProfile | None = None) -> tuple[Delta, DeltaFeatures]:
    """The delta class with its rationale and evidence sentences.

    The text's signals (below) decide first; the draft profile then corrects two misreadings: a draft that keeps
    the baseline's mechanism as it is and changes another axis is orthogonal, and a draft whose stated
    contribution is a value of a knob the baseline exposes, with little structural evidence, is a configuration.
    """
    delta, f = _classify(proposal, baseline)
    if profile is None:
        return delta, f
    delta = _with_profile(delta, f, proposal, baseline, profile)
    if (
        delta.cls == "orthogonal"
        and profile.relation == "replaces"
        and profile.replaces.confidence >= 0.5
        and profile.family
        and _related(profile.family, f.baseline_families)
        and profile.replaces.source is not None
        and _names_baseline_part(profile.replaces.value, baseline)
    ):
        # the draft says what of the baseline's own sub-area it replaces: the change is on the baseline's axis
        delta = Delta(
            "structural",
            f"The draft replaces {_short_text(profile.replaces.value, 90)} with "
            f"{_short_text(profile.with_.value, 110)}.",
            [_quote(profile.replaces.source)],
        )
    src = profile.with_.source or profile.new_mechanism.source
    if delta.cls == "structural" and src is not None and _own_sentence(src, profile, proposal):
        # the change in the draft's words, so the verdict reads as about this draft: the profile's sentence for
        # what the draft puts in place beats a structural word met anywhere ("Removing it is the next step")
        head = delta.rationale.split(" In its own words:", 1)[0]
        delta.rationale = head + f' In its own words: "{_short_text(src.text)}"'
        delta.evidence = [_quote(src), *(q for q in delta.evidence if q.text != _quote(src).text)]
    return _second_reading(delta, proposal, baseline, profile), f


# a reading of the rules other than "structural" stands while the learned reader gives it at least this much
_RULES_KEEP = {"orthogonal": 0.2, "config": 0.3}


def _second_reading(delta: Delta, proposal: Claims, baseline: Claims, profile: DraftProfile) -> Delta:
    """The learned reader's verdict where it and the rules disagree (``delta_reader``: measured on drafts neither
    was tuned on, it is right more often than the rules, which fall back to "structural"). The rules keep a
    configuration or orthogonal reading the reader does not rule out: a knob set to a value, a keep statement or
    a change in another family is evidence the reader's bag of words cannot weigh."""
    p = delta_reader.probabilities(proposal)
    if not p:
        return delta
    best = max(sorted(p), key=lambda c: p[c])
    if best == delta.cls or p[delta.cls] >= _RULES_KEEP.get(delta.cls, 1.0):
        return delta
    said = delta_reader.telling(proposal, best)
    if not said:
        return delta
    words = f'"{_short(said[0])}"'
    note = f" (read from the draft as a whole, {p[best]:.0%} sure; the specific signals read it as {delta.cls})"
    if best == "orthogonal":
        base_used = baseline.used_ids()
        lead = next(
            (
                proposal.techniques[t]
                for t in (profile.technique.value, *profile.techniques)
                if t in proposal.techniques and t not in base_used and proposal.techniques[t].family not in _INCIDENTAL
            ),
            None,
        )
        if lead is None:
            return delta  # no axis of its own to pivot the critique to
        rationale = (
            f"The draft reads as keeping the baseline's mechanism and changing another axis, {lead.name} "
            f"({_family(lead.family)}): {words}{note}. The comparison that matters is with the best work on "
            f"{_family(lead.family)}."
        )
        return Delta("orthogonal", rationale, [s.quote() for s in said], axis=lead.id)
    if best == "config":
        knob = profile.knob.value if profile.knob.confidence >= _KNOB_MIN else ""
        what = f"a value of the {knob}" if knob else "a setting of mechanisms that already exist"
        rationale = f"The contribution reads as {what} rather than a new mechanism: {words}{note}."
        return Delta("config", rationale, [s.quote() for s in said])
    rationale = f"The draft reads as a new mechanism, not a setting of the baseline's: {words}{note}."
    return Delta("structural", rationale, [s.quote() for s in said])


def _own_sentence(src: Source, profile: DraftProfile, proposal: Claims) -> bool:
    """Whether a profile field's sentence speaks of the draft's own mechanism: it names the draft, or it is the
    first-person sentence of the title, abstract or contributions."""
    s = next((x for x in proposal.sentences if x.index == src.index), None)
    if s is None or s.index == 0 or s.kind == "heading":
        return False  # a title is not a sentence to quote
    name = profile.name.value
    if name and len(name) >= 3 and name.lower() in s.lower:
        return True
    return weight(s) >= _ABSTRACT and any(w in s.lower.split() for w in ("we", "our"))


# the families as a reader says them ("moe" is a knowledge-base id, not a word)
_FAMILY_WORDS = {"moe": "mixture of experts", "fault-tolerance": "fault tolerance", "data": "input pipelines"}


def _family(family: str) -> str:
    return _FAMILY_WORDS.get(family, family)


def _quote(src: Source) -> Quote:
    return Quote("proposal", src.page, src.text if len(src.text) <= 320 else src.text[:317].rstrip() + "...")


def _with_profile(delta: Delta, f: DeltaFeatures, proposal: Claims, baseline: Claims, profile: DraftProfile) -> Delta:
    # the axis the draft changes: its leading technique when the baseline does not use it, else its heaviest
    # core technique that the baseline does not use
    base_used = baseline.used_ids()
    lead = proposal.techniques.get(profile.technique.value)
    if lead is None or lead.id in base_used:
        fresh = [proposal.techniques[t] for t in profile.techniques if t not in base_used]
        lead = fresh[0] if fresh and fresh[0].weight >= 1.0 else lead
    new_lead = lead is not None and lead.id not in base_used
    structural = f.structural_score + len(f.removed)
    keep, knob = profile.keeps, profile.knob
    if (
        delta.cls != "orthogonal"
        and keep.confidence >= _KEEP_MIN
        and keep.source is not None
        # "everything else in FSDP is untouched" keeps the rest of the baseline: a part of it is what changes
        and not proposal.text_has_cue("keeps_the_rest", keep.source.text)
        and new_lead
        and lead is not None
        and (not f.removed or keep.confidence >= _KEEP_SURE)
    ):
        rationale = (
            f'The draft keeps the baseline\'s mechanism as it is ("{_short_text(keep.value)}") and its change lives '
            f"on another axis: {lead.name} ({_family(lead.family)}). The baseline is context; the comparison that "
            f"matters is with the best work on {_family(lead.family)}."
        )
        evidence = [_quote(keep.source)] + [q for q in lead.quotes[:1]]
        return Delta("orthogonal", rationale, evidence, axis=lead.id)
    # "replaces these conservative limits with ..." replaces values of settings, not a mechanism
    strong_new = bool(
        profile.new_mechanism
        and profile.new_mechanism.confidence >= 0.45
        and not _SETTING_OBJECT.search(profile.new_mechanism.value)
    )
    # "keeps EAGLE-2 unchanged except for the budget": the draft says itself that a setting is all it changes
    only = [s for s in proposal.cue("only_a_setting_changed") if weight(s) >= _DESIGN_KNOB_MIN and is_design(s)]
    if delta.cls != "config" and only and not strong_new and not f.removed:
        rationale = f'The draft says that all it changes is a setting of what it keeps: "{_short(only[0])}"'
        return Delta("config", rationale, [only[0].quote()])
    retuned = _retuned(profile, baseline)
    if delta.cls != "config" and retuned and not strong_new:
        system, knobs = retuned
        rationale = (
            f"The draft keeps {system} and sets its existing knobs to new values ("
            + ", ".join(k.knob for k in knobs[:3])
            + f'): "{_short_text(knobs[0].source.text)}"'
        )
        return Delta("config", rationale, [_quote(k.source) for k in knobs[:3]])
    # settings of one named system: three knobs of three different libraries describe a setup, not a recipe
    owners: dict[str, dict[str, KnobSetting]] = {}
    for k in profile.knobs:
        if k.confidence >= _DESIGN_KNOB_MIN:
            for name in k.named:
                owners.setdefault(name, {})[k.knob] = k
    settings = max(sorted(owners.items()), key=lambda kv: len(kv[1]), default=("", {}))[1]
    headline_setting = any(k.weight >= _HEADLINE for k in settings.values())
    if (
        delta.cls != "config"
        and len(settings) >= _DESIGN_KNOBS
        and headline_setting  # the draft states a setting where it says what it is, not only in its details
        and not strong_new
        and not f.removed
    ):
        # the method is a list of values of settings that named systems already expose ("we raise
        # gpu_memory_utilization from 0.5 to 0.85", "enforce_eager=False", "max_num_seqs=256")
        chosen = sorted(settings.values(), key=lambda k: (-k.confidence, k.knob))[:3]
        systems = sorted({n for k in chosen for n in k.named})
        rationale = (
            "The method is a set of values of settings that "
            + " and ".join(systems[:2])
            + " already expose ("
            + ", ".join(k.knob for k in chosen)
            + f'): "{_short_text(chosen[0].source.text)}"'
        )
        return Delta("config", rationale, [_quote(k.source) for k in chosen])
    named = next((k for k in profile.knobs if k.named and k.confidence >= _KNOB_MIN), None)
    if (
        delta.cls == "orthogonal"
        and named is not None
        and not strong_new
        and _framed_as_choice(named, proposal)
        and f.config_score >= _CONFIG_TEXT
        and f.config_score > structural
    ):
        rationale = (
            f"The contribution is a value of the {named.knob}, a setting {named.named[0]} already exposes: "
            f'"{_short_text(named.source.text)}"'
        )
        return Delta("config", rationale, [_quote(named.source)])
    if (
        delta.cls == "structural"
        and knob.confidence >= _KNOB_MIN
        and knob.source is not None
        and (structural <= _WEAK_STRUCTURAL - 1.0 or _headline_source(knob.source, proposal))
        and structural <= _WEAK_STRUCTURAL
        and not (profile.new_mechanism and profile.new_mechanism.confidence >= 0.45)
        and _owned(knob.value, profile, baseline)
        # "the context-parallel degree per document": a value chosen for each input at run time is a policy
        and not _RUNTIME_CHOICE.search(knob.source.text)
    ):
        rationale = (
            f"The contribution is a value of the {knob.value}, a knob the baseline or a common system already "
            f'exposes: "{_short_text(knob.source.text)}"'
        )
        return Delta("config", rationale, [_quote(knob.source)])
    headline = next((k for k in profile.knobs if k.named and k.confidence >= _KNOB_MIN and k.weight >= _ABSTRACT), None)
    # a technique the baseline lacks, prominent in the draft (its title, abstract or method), is a mechanism the
    # knob words sit beside ("HD-Rail ... built on recursive halving and doubling", with buckets in passing)
    opening = {s.text for s in proposal.sentences if weight(s) >= _ABSTRACT}
    fresh_prominent = [
        u
        for u in proposal.techniques.values()
        if u.used
        and u.core
        and u.id not in base_used
        and u.weight >= _PROMINENT
        and u.family not in _INCIDENTAL | {"kernels"}
        and not u.semantic
        and any(q.text in opening for q in u.quotes)
    ]
    if (
        delta.cls == "structural"
        and headline is not None
        and not strong_new
        and not fresh_prominent
        and (structural <= 0.0 or (headline.confidence >= _KNOB_SURE and f.config_score >= structural))
    ):
        # the abstract states the contribution as a value of a knob that a system the draft names already
        # exposes, and no structural word says otherwise (or the setting words weigh as much as they do)
        rationale = (
            f"The contribution is a value of the {headline.knob}, a setting {headline.named[0]} already exposes: "
            f'"{_short_text(headline.source.text)}"'
        )
        return Delta("config", rationale, [_quote(headline.source)])
    if not delta.evidence:
        src = profile.with_.source or profile.technique.source
        if src is not None:
            delta.evidence = [_quote(src)]
    return delta


def _framed_as_choice(knob: KnobSetting, proposal: Claims) -> bool:
    """True when a sentence that states what the draft is names the knob as a choice it makes ("we sweep the
    limit and pick the lowest"), not as a detail of another mechanism ("4-bit weights, group size 128")."""
    return any(
        weight(s) >= _HEADLINE and knob.phrase.rstrip("s") in s.lower and _CHOICE.search(s.text)
        for s in proposal.sentences
    )


def _owned(knob: str, profile: DraftProfile, baseline: Claims) -> bool:
    """True when a knob the draft sets belongs to something it or the baseline names: a system exposing it that
    the draft names, or the knob's own phrase in the baseline (a knob of nobody in particular is a size)."""
    base = baseline.text.lower()
    for k in profile.knobs:
        if k.knob == knob and (k.named or k.phrase in base):
            return True
    return not any(k.knob == knob for k in profile.knobs)  # a knob read from a "set X to N" phrase


def _retuned(profile: DraftProfile, baseline: Claims | None = None) -> tuple[str, list[KnobSetting]] | None:
    """The named system of which the draft sets several knobs where it says what it is, with those knobs (the
    baseline's own system first among systems that expose as many)."""
    headline = [k for k in profile.knobs if k.named and k.confidence >= _RETUNE_MIN and k.weight >= _HEADLINE]
    by_system: dict[str, list[KnobSetting]] = {}
    for k in headline:
        for name in k.named:
            by_system.setdefault(name, []).append(k)
    opening = " ".join(x.text for x in baseline.sentences[:4]).lower() if baseline is not None else ""
    best = max(sorted(by_system.items()), key=lambda kv: (len(kv[1]), kv[0].lower() in opening), default=None)
    if best is None or len(best[1]) < _RETUNE_KNOBS:
        return None
    return best


def _short_text(text: str, n: int = 140) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def _classify(proposal: Claims, baseline: Claims) -> tuple[Delta, DeltaFeatures]:
    f = features(proposal, baseline)
    names = {t: u.name for t, u in proposal.techniques.items()}
    # the title names the contribution: a new technique there, from a family the baseline does not touch
    title = proposal.sentences[0].text if proposal.sentences else ""
    titled = [
        u
        for t, u in proposal.techniques.items()
        if u.used
        and t not in baseline.techniques
        and u.family not in _INCIDENTAL
        and any(q.text == title for q in u.quotes)
    ]
    unrelated = [u for u in titled if not _related(u.family, f.baseline_families)]
    # a title that also names the baseline's own subject ("capping MoE expert memory by recomputation") puts the
    # change on the baseline's axis, whatever new tool it brings
    on_base = [
        u
        for u in proposal.techniques.values()
        if u.used
        and u.family not in _INCIDENTAL
        and _related(u.family, f.baseline_families)
        and any(q.text == title for q in u.quotes)
    ]
    titled_axis = bool(unrelated and not on_base)
    if titled_axis:
        f.dominant = unrelated[0].family
    # the title naming another family is evidence enough; a family read off the words must lead them clearly
    other_axis = (
        f.dominant and not _related(f.dominant, f.baseline_families) and (titled_axis or _clearly_dominant(proposal, f))
    )
    if other_axis and not _also_on_baseline_axis(proposal, baseline, f):
        own = sorted(
            (u for u in proposal.techniques.values() if u.used and u.family == f.dominant),
            key=lambda u: -u.weight,
        )
        shared = sorted(f.proposal_families & f.baseline_families - _INCIDENTAL)
        rationale = (
            f"The draft's contribution lives in {_family(f.dominant)} ("
            + ", ".join(u.name for u in own[:3])
            + "), which the baseline does not address"
            + (f"; the baseline's {', '.join(shared)} only hosts it." if shared else ".")
        )
        quoted = [q for u in own[:2] for q in u.quotes[:1]]
        return Delta("orthogonal", rationale, quoted, axis=own[0].id if own else ""), f
    structural = f.structural_score + len(f.removed)
    if f.config_score >= 1.5 and f.config_score > structural:
        # the draft's body says it best; its title only announces it
        hits = sorted(f.config_hits, key=lambda s: (s.index == 0 or s.kind == "heading", s.index))
        rationale = "The contribution is stated as a setting of mechanisms the baseline already has: " + "; ".join(
            _short(s) for s in hits[:2]
        )
        return Delta("config", rationale, [s.quote() for s in hits[:3]]), f
    parts = []
    # what the draft brings, not the hardware it runs on ("introduces NVLink" says nothing of a mechanism)
    # ... and named where the draft says what it is (its title, abstract or contributions), not in its setup
    opening = {s.text for s in proposal.sentences if weight(s) >= _ABSTRACT}
    prominent = [
        t
        for t in f.new
        if proposal.techniques[t].weight >= _PROMINENT
        and proposal.techniques[t].family not in _INCIDENTAL
        and any(q.text in opening for q in proposal.techniques[t].quotes)
    ]
    if prominent:
        parts.append("introduces " + ", ".join(names[t] for t in prominent[:3]))
    if f.removed:
        parts.append("removes the baseline's " + ", ".join(names[t] for t in f.removed[:3]))
    rationale = "The draft " + (" and ".join(parts) if parts else "changes the baseline's mechanism") + "."
    # the draft's own words: a sentence that states the change, else the first that uses what it introduces
    # a structural word in the draft's own voice ("we replace ..."), before one about the baseline or the field
    voiced = [s for s in f.structural_hits if {"we", "our"} & set(s.lower.replace(",", " ").split())]
    said = (
        voiced[:1]
        or f.structural_hits[:1]
        or [
            s
            for s in proposal.sentences
            if s.kind == "text"
            and is_design(s)
            and s.index > 0
            and any(q.text == s.quote().text for t in (prominent or f.new)[:1] for q in proposal.technique_quotes(t))
        ][:1]
    )
    if said:
        rationale += ' In its own words: "' + _short(said[0]) + '"'
    evidence: list[Quote] = [s.quote() for s in f.structural_hits[:2]]
    evidence += [q for t in (f.new + f.removed)[:2] for q in proposal.technique_quotes(t)[:1]]
    return Delta("structural", rationale, evidence), f


# how much of its weight the draft puts on the baseline's own families, against its dominant one, and how many
# structural words its design uses, before a change in another family is no longer "only hosted" by the baseline
_BASE_AXIS_SHARE = 0.3
_BASE_AXIS_STRUCTURAL = 3.0


def _clearly_dominant(proposal: Claims, f: DeltaFeatures) -> bool:
    """Whether the draft's words lean on its dominant family by a clear margin over the baseline's own families:
    a family ahead by a mention or two (CUDA Graphs named once in a KV-pool draft) says nothing of the axis."""
    weights = family_weights(proposal)
    top = weights.get(f.dominant, 0.0)
    on_base = max((w for fam, w in weights.items() if _related(fam, f.baseline_families)), default=0.0)
    return top >= _AXIS_MIN_WEIGHT and top >= _AXIS_MARGIN * on_base


def _also_on_baseline_axis(proposal: Claims, baseline: Claims, f: DeltaFeatures) -> bool:
    """Whether the draft, although most of its words are in another family, also works on the baseline's own
    family and says in its design that it replaces or removes something ("the backward's recomputation is
    replaced by an FP8 stash"): a change to the baseline's mechanism made with another family's tool."""
    weights = family_weights(proposal)
    top = weights.get(f.dominant, 0.0)
    if top <= 0:
        return False
    on_base = max((weights.get(fam, 0.0) for fam in f.baseline_families), default=0.0)
    if on_base / top < _BASE_AXIS_SHARE:
        return False
    # the draft's own structural sentences, not those that say what the baseline does ("ZeRO removes ...")
    names = baseline_names(baseline.title)
    own = [h for h in f.structural_hits if not any(n in h.lower[:40] for n in names)]
    return _score(own) >= _BASE_AXIS_STRUCTURAL


def _headline_source(src: Source, proposal: Claims) -> bool:
    """Whether a profile field comes from the title, abstract, introduction or contributions."""
    s = next((x for x in proposal.sentences if x.index == src.index), None)
    return s is not None and weight(s) >= _HEADLINE


def _short(s: Sentence, n: int = 140) -> str:
    return s.text if len(s.text) <= n else s.text[: n - 3] + "..."


def _names_baseline_part(phrase: str, baseline: Claims) -> bool:
    """Whether a replaced phrase names something the baseline has: a word of its opening (title, abstract) or of
    one of its techniques. "an unbounded tail" of waiting replaces nothing the baseline built."""
    wanted = {w for w in re.findall(r"[a-z][a-z0-9-]{3,}", phrase.lower()) if w not in _PLAIN_WORDS}
    if not wanted:
        return False
    opening = " ".join(s.text for s in baseline.sentences[:12]).lower()
    names = " ".join(u.name for u in baseline.techniques.values() if u.used).lower()
    have = set(re.findall(r"[a-z][a-z0-9-]{3,}", opening + " " + names))
    return bool(wanted & have)


# words that name no part of a system on their own
_PLAIN_WORDS = frozenset(
    "with that this their there these those which while from into over under each every other same more less "
    "most much many time times step steps".split()
)

from tensora.audit.novelty import cited, is_baseline, rank

DRAFT = """
# FillPipe: scheduling weight gradients into pipeline bubbles

## Abstract

We split the backward pass of every layer into the input-gradient part, which the previous stage waits for,
and the weight-gradient part, which nothing needs until the optimizer step, and we run the deferred weight
gradients in the idle slots of the 1F1B schedule.
"""


def test_ranks_the_closest_mechanism_first(claims, kb) -> None:  # type: ignore[no-untyped-def]
    baseline = claims("# Efficient pipeline-parallel training with one-forward-one-backward schedules", "baseline")
    hits = rank(claims(DRAFT), baseline, kb)
    assert "zero bubble" in hits[0].name.lower()
    assert hits[0].differ and hits[0].why
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))


def test_leaves_the_baseline_out(claims, kb) -> None:  # type: ignore[no-untyped-def]
    gpipe = next(w for w in kb.prior_work if w.name == "GPipe")
    baseline = claims("# GPipe: Efficient Training of Giant Neural Networks using Pipeline Parallelism", "baseline")
    assert is_baseline(gpipe, baseline)
    names = [h.name for h in rank(claims(DRAFT), baseline, kb, k=10)]
    assert "GPipe" not in names


def test_a_title_with_a_word_beyond_the_baseline_names_another_paper(claims, kb) -> None:  # type: ignore[no-untyped-def]
    adaptive = next(w for w in kb.prior_work if w.name == "Adaptive Loss Scaling")
    mixed = next(w for w in kb.prior_work if "Mixed Precision Training" in [w.name, *w.aliases])
    baseline = claims("# Mixed Precision Training with Dynamic Loss Scaling", "baseline")
    assert not is_baseline(adaptive, baseline)
    assert is_baseline(mixed, claims("# Mixed Precision Training", "baseline"))


def test_cited_detects_names_and_aliases(kb) -> None:  # type: ignore[no-untyped-def]
    work = next(w for w in kb.prior_work if w.name == "PipeDream-2BW")
    assert cited(work, "Unlike 2BW we keep a single weight version.")
    assert not cited(work, "We keep a single weight version.")


def test_positioned_needs_a_stated_difference(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.novelty import positioned

    zb = next(w for w in kb.prior_work if w.name == "Zero Bubble Pipeline Parallelism")
    listed = claims(DRAFT + "\n\n## Related work\n\nGPipe fills the pipeline; ZB-H1 splits the backward pass.")
    assert cited(zb, listed.text) and not positioned(zb, listed)
    contrasted = claims(DRAFT + "\n\n## Related work\n\nUnlike ZB-H1, we keep the memory of 1F1B on every stage.")
    assert positioned(zb, contrasted)


def test_nov_prior_fires_on_a_close_work_named_without_a_difference(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.base import Context
    from tensora.audit.findings import PriorWorkHit
    from tensora.audit.rules.novelty.nov_prior import NovPrior

    def run(hit: PriorWorkHit) -> list[str]:
        ctx = Context(claims(DRAFT), claims("# Pipelines", "baseline"), kb, "structural", {"prior_work": [hit]})
        return [f.message for f in NovPrior().check(ctx)]

    named_only = PriorWorkHit("Zero Bubble", 2024, "ICLR", "splits B and W", "say what differs", 0.9, True, False)
    messages = run(named_only)
    assert messages and "does not say how it differs" in messages[0]
    positioned_hit = PriorWorkHit("Zero Bubble", 2024, "ICLR", "splits B and W", "say", 0.9, True, True, True)
    assert run(positioned_hit) == []
    # set apart in words but never run in the evaluation: the comparison is still owed
    unevaluated = PriorWorkHit("Zero Bubble", 2024, "ICLR", "splits B and W", "say", 0.9, True, True, False)
    assert "never runs Zero Bubble" in run(unevaluated)[0]
    farther = PriorWorkHit("Zero Bubble", 2024, "ICLR", "splits B and W", "say", 0.8, True, True, False)
    assert run(farther) == []


def test_a_configuration_ranks_the_knob_owner_first(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.novelty import known_names, with_knob_owners
    from tensora.extract.profile import build_profile

    draft = claims(
        """
        # TightPages: serving settings for long chats

        ## Abstract

        We keep vLLM as it is and set its block size to 64 tokens and its gpu_memory_utilization to 0.95, which
        serves 20% more concurrent chats on one GPU.
        """
    )
    baseline = claims("# Orca: a distributed serving system for transformer-based generative models", "baseline")
    profile = build_profile(draft, baseline, known_names(kb))
    assert profile.builds_on.value == "vLLM"
    hits = with_knob_owners(rank(draft, baseline, kb, profile), profile, baseline, kb)
    assert hits[0].name == "vLLM" and "block size" in hits[0].why.lower()
    assert not hits[0].positioned  # a re-tuned system is never a difference the draft has stated


def test_a_paper_citing_until_2021_gets_no_later_prior_work(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.novelty import rank

    refs = " ".join(f"[{i}] A. Author. A paper on pipelines. In Proc. {y}." for i, y in enumerate(range(2012, 2022)))
    draft = (
        "# Interleaved pipelines\n\n## Abstract\n\nWe interleave pipeline stages with the 1F1B schedule, data and "
        f"tensor parallelism on 3,072 GPUs.\n\n## References\n\n{refs}"
    )
    proposal = claims(draft)
    assert proposal.cites_until == 2021
    works = rank(proposal, claims("# Base", "baseline"), kb, k=10)
    assert works and all(w.year <= 2021 for w in works)
    # without a reference list nothing is left out
    assert claims(draft.split("## References")[0]).cites_until is None


def test_a_conditional_differ_reads_as_what_to_do() -> None:
    from tensora.audit.novelty import imperative as _imperative

    assert _imperative("If you accelerate RLHF, compare with the Hybrid Engine.") == "compare with the Hybrid Engine."
    assert _imperative("Say how your schedule differs.") == "say how your schedule differs."
    # "If your ..." is a condition too, and a comma inside it does not end it
    fused = "If your kernel fuses a norm, activation or loss, say what Liger lacks."
    assert _imperative(fused) == "say what Liger lacks."
    # advice that does not open with a verb is introduced, never glued to "you need to"
    assert _imperative("If you train in FP4, their sweep is the comparison.") == (
        "answer this: their sweep is the comparison."
    )


def test_no_differ_in_the_knowledge_base_reads_as_a_broken_sentence(kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.novelty import VERBS as _VERBS
    from tensora.audit.novelty import imperative as _imperative

    for work in kb.prior_work:
        text = _imperative(work.differ)
        assert text.startswith("answer this: ") or text.split(" ", 1)[0].strip(",;:").lower() in _VERBS, work.name


def test_a_work_named_in_the_related_work_ranks_higher(claims, kb, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from tensora.audit import prior_reader
    from tensora.audit.novelty import FEATURES

    baseline = claims("# Efficient pipeline-parallel training with one-forward-one-backward schedules", "baseline")
    draft = claims(DRAFT + "\n\n## Related work\n\nBPipe balances activation memory across stages.\n")
    shipped = prior_reader.load()
    assert shipped is not None and shipped.coef[FEATURES.index("related")] > 0
    weighted = [h.name for h in rank(draft, baseline, kb, k=40)].index("BPipe")
    coef = shipped.coef.copy()
    coef[FEATURES.index("related")] = 0.0
    monkeypatch.setattr(prior_reader, "load", lambda path=None: dataclasses.replace(shipped, coef=coef))
    assert weighted < [h.name for h in rank(draft, baseline, kb, k=40)].index("BPipe")


def test_the_baseline_title_is_context_not_query(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.novelty import mechanism_query

    draft = claims(DRAFT)
    baseline = claims("# Bubbles everywhere: the FillPipe scheduling study", "baseline")
    plain = mechanism_query(draft, None, kb)
    against = mechanism_query(draft, None, kb, baseline=baseline)
    assert "bubbles" in plain.lower() and "bubbles" not in against.lower()
    assert "gradients" in against.lower()


def test_the_lead_technique_stays_in_the_query_when_the_baseline_names_it(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.novelty import known_names, mechanism_query
    from tensora.extract.profile import build_profile

    draft = claims(
        "# Hiding activation recomputation in pipeline bubbles\n\n## Abstract\n\nWhenever a stage would idle in "
        "the 1F1B schedule it runs the activation recomputation of a later micro-batch, so recomputation leaves "
        "the critical path.\n"
    )
    baseline = claims("# Reducing Activation Recomputation in Large Transformer Models", "baseline")
    profile = build_profile(draft, baseline, known_names(kb))
    assert profile.technique.value == "activation-recomputation"
    query = mechanism_query(draft, profile, kb, baseline=baseline).lower()
    assert "recomputation" in query and "reducing" not in query

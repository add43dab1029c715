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


def test_cited_detects_names_and_aliases(kb) -> None:  # type: ignore[no-untyped-def]
    work = next(w for w in kb.prior_work if w.name == "PipeDream-2BW")
    assert cited(work, "Unlike 2BW we keep a single weight version.")
    assert not cited(work, "We keep a single weight version.")

"""The delta audit, the Mirror and the closest prior work on small drafts written for these tests.

Each folder under ``drafts/`` holds a draft, its baseline and ``expect.json``: the delta class, prior works of
which one must be in the top three, works that must not lead, and the headline metric.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tensora.audit.engine import audit
from tensora.audit.findings import Review
from tensora.extract.claims import extract_claims
from tensora.ingest import load_document
from tensora.knowledge.loader import KnowledgeBase
from tensora.render.markdown import fill

DRAFTS = sorted(p for p in (Path(__file__).parent / "drafts").iterdir() if p.is_dir())


def _review(folder: Path, kb: KnowledgeBase) -> Review:
    proposal = extract_claims(load_document(folder / "proposal.md"), "proposal", kb)
    baseline = extract_claims(load_document(folder / "baseline.md"), "baseline", kb, numbers=False)
    return fill(audit(proposal, baseline, kb))


@pytest.fixture(scope="module")
def reviews(kb: KnowledgeBase) -> dict[str, Review]:
    return {folder.name: _review(folder, kb) for folder in DRAFTS}


def _expect(name: str) -> dict[str, object]:
    return dict(json.loads((Path(__file__).parent / "drafts" / name / "expect.json").read_text()))


@pytest.mark.parametrize("name", [p.name for p in DRAFTS])
def test_delta_verdict_with_evidence(name: str, reviews: dict[str, Review]) -> None:
    review = reviews[name]
    assert review.delta.cls == _expect(name)["delta"]
    assert review.delta.evidence, "every verdict carries its evidence sentences"


@pytest.mark.parametrize("name", [p.name for p in DRAFTS])
def test_closest_prior_work(name: str, reviews: dict[str, Review]) -> None:
    expect = _expect(name)
    top = [h.name.lower() for h in reviews[name].prior_work[:3]]
    wanted = [str(w).lower() for w in expect["prior"]]  # type: ignore[attr-defined]
    assert any(w in t for w in wanted for t in top), top
    first = reviews[name].prior_work[0].name.lower()
    for name_ in expect.get("not_first", []):  # type: ignore[attr-defined]
        assert str(name_).lower() not in first
    every = [h.name.lower() for h in reviews[name].prior_work]
    for name_ in expect.get("not_any", []):  # type: ignore[attr-defined]
        assert str(name_).lower() not in every


@pytest.mark.parametrize("name", [p.name for p in DRAFTS])
def test_headline_metric(name: str, reviews: dict[str, Review]) -> None:
    profile = reviews[name].profile
    assert profile is not None and profile.claim is not None
    assert profile.claim.metric in str(_expect(name)["metric"]).split("|")


@pytest.mark.parametrize("name", [p.name for p in DRAFTS])
def test_mirror_uses_the_name_and_whole_phrases(name: str, reviews: dict[str, Review]) -> None:
    review = reviews[name]
    assert review.profile is not None and review.profile.name.value
    text = review.mirror.text
    assert review.profile.name.value in text
    assert "..." not in text and "your approach" not in text
    # B is whole clauses: never a phrase cut before its noun or inside a list
    assert not re.search(r"\b(and|or|the|with|of|a|an|to)$", review.mirror.with_)


def test_capacity_is_typed_as_capacity(reviews: dict[str, Review]) -> None:
    profile = reviews["kv-int4"].profile
    assert profile is not None
    assert ("capacity", 3.1) in [(c.metric, c.value) for c in profile.claims]


def test_mirror_of_an_orthogonal_draft_pivots(reviews: dict[str, Review]) -> None:
    text = reviews["kv-int4"].mirror.text
    assert "unchanged" in text and "context" in text
    assert "NibbleKV" not in reviews["kv-int4"].mirror.replaces


def test_mirror_never_reports_capacity_or_a_cost_as_a_speedup(reviews: dict[str, Review]) -> None:
    for review in reviews.values():
        assert "speedup" not in review.mirror.hypothesis
    assert "kernel" in reviews["rmsnorm-triton"].mirror.hypothesis


def test_mirror_of_a_config_change_names_the_knob(reviews: dict[str, Review]) -> None:
    assert "prefetch depth" in reviews["prefetch-depth"].mirror.text


def test_the_draft_is_not_its_own_prior_work(reviews: dict[str, Review]) -> None:
    names = [h.name for h in reviews["ulysses-own"].prior_work]
    assert "DeepSpeed-Ulysses" not in names
    assert "DeepSpeed-Ulysses" not in reviews["ulysses-own"].text.split("## 2.")[1].split("## 3.")[0]


def test_the_profile_is_in_the_json(reviews: dict[str, Review]) -> None:
    data = reviews["moe-hot-replicas"].to_dict()
    profile = data["profile"]
    assert profile["name"]["value"] == "HotCopy"
    assert profile["claim"]["metric"] in ("step_time", "throughput")
    assert profile["claim"]["source"]["text"] and profile["claim"]["source"]["page"] >= 1
    json.dumps(data)

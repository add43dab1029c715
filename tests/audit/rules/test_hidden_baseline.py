"""EVID-WEAK-BASELINE's hidden baseline: a configuration change is compared against the existing system with the
same knob tuned, an orthogonal change against the closest work on the axis it changes."""

from __future__ import annotations

from pathlib import Path

from tensora.audit.engine import audit
from tensora.extract.claims import extract_claims
from tensora.ingest import load_document
from tensora.knowledge.loader import KnowledgeBase

DRAFTS = Path(__file__).resolve().parents[1] / "drafts"


def _codes(tmp_path: Path, kb: KnowledgeBase, folder: str, extra: str = "") -> tuple[str, list[str], str]:
    text = (DRAFTS / folder / "proposal.md").read_text() + extra
    draft = tmp_path / "proposal.md"
    draft.write_text(text)
    proposal = extract_claims(load_document(draft), "proposal", kb)
    baseline = extract_claims(load_document(DRAFTS / folder / "baseline.md"), "baseline", kb, numbers=False)
    review = audit(proposal, baseline, kb)
    weak = [f.message for f in review.findings if f.code == "EVID-WEAK-BASELINE"]
    return review.delta.cls, review.codes(), weak[0] if weak else ""


def test_a_configuration_change_is_compared_with_the_tuned_system(tmp_path: Path, kb: KnowledgeBase) -> None:
    cls, codes, message = _codes(tmp_path, kb, "prefetch-depth")
    assert cls == "config"
    assert "EVID-WEAK-BASELINE" in codes
    assert "prefetch depth" in message  # the knob the draft sets, named


def test_quiet_when_the_baseline_is_tuned_too(tmp_path: Path, kb: KnowledgeBase) -> None:
    extra = "\n## Evaluation\nThe baseline is tuned with the same sweep, and we report its best configuration.\n"
    cls, codes, _ = _codes(tmp_path, kb, "prefetch-depth", extra)
    assert cls == "config"
    assert "EVID-WEAK-BASELINE" not in codes


def test_a_structural_change_has_no_hidden_baseline_finding(tmp_path: Path, kb: KnowledgeBase) -> None:
    cls, codes, _ = _codes(tmp_path, kb, "ulysses-own")
    assert cls == "structural"
    assert "EVID-WEAK-BASELINE" not in codes


def test_an_orthogonal_change_is_compared_with_the_closest_work(tmp_path: Path, kb: KnowledgeBase) -> None:
    cls, codes, message = _codes(tmp_path, kb, "kv-int4")
    assert cls == "orthogonal"
    assert "EVID-WEAK-BASELINE" in codes
    assert "never names" in message


def test_quiet_when_the_orthogonal_draft_names_its_rivals(tmp_path: Path, kb: KnowledgeBase) -> None:
    extra = "\n## Evaluation\nWe compare against KIVI and KVQuant on the same traces.\n"
    cls, codes, _ = _codes(tmp_path, kb, "kv-int4", extra)
    assert cls == "orthogonal"
    assert "EVID-WEAK-BASELINE" not in codes

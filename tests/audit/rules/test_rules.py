"""Every rule over its own fixtures, as ruff and pylint test theirs.

``fixtures/<CODE>/fires.md`` is a short draft in which the mechanism is present and the concern left open: the
code must be raised. ``silent.md`` is the same kind of draft that answers the concern, or only mentions the
technique: the code must not be raised. Each folder may hold its own ``baseline.md``; the others are reviewed
against ``fixtures/_baseline.md``. A quantitative fixture states the value its rule must compute in a comment,
``<!-- expected computed[KEY] = VALUE (how it was computed by hand) -->``.

A fixture that states its case plainly but that a rule misreads is kept as written and listed in ``XFAIL``
with the reason, so that the gap stays visible until the rule is generalised.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from tensora.audit.engine import audit
from tensora.audit.findings import MUST_SOLVE_PREFIX, Finding, Review
from tensora.audit.registry import RULES
from tensora.extract.claims import extract_claims
from tensora.ingest import load_document
from tensora.knowledge.loader import KnowledgeBase

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_BASELINE = FIXTURES / "_baseline.md"
CASES = ("fires", "silent")
TOLERANCE = 0.05

# The value each computed rule must carry in its fires finding.
COMPUTED = {
    "PIPE-BUBBLE": "pipeline_bubble_fraction",
    "QNT-AMDAHL": "amdahl_max_speedup",
    "QNT-PEAK": "mfu",
    "QNT-MEMORY": "model_states_per_gpu_gib",
    "QNT-COMM": "comm_time_s",
    "QNT-ROOFLINE": "roofline_max_speedup",
}
_EXPECTED = re.compile(r"<!--\s*expected computed\[(?P<key>\w+)\]\s*=\s*(?P<value>[0-9][0-9.eE+-]*)")

# (code, case) -> why the rule misses a fixture that states its case plainly.
XFAIL: dict[tuple[str, str], str] = {}
# code -> why its fires finding lacks a part that every finding must carry.
XFAIL_COMPLETE: dict[str, str] = {}

_REVIEWS: dict[tuple[str, str], Review] = {}


def _baseline_path(code: str) -> Path:
    own = FIXTURES / code / "baseline.md"
    return own if own.is_file() else SHARED_BASELINE


def _review(code: str, case: str, kb: KnowledgeBase) -> Review:
    key = (code, case)
    if key not in _REVIEWS:
        proposal = extract_claims(load_document(FIXTURES / code / f"{case}.md"), "proposal", kb)
        baseline = extract_claims(load_document(_baseline_path(code)), "baseline", kb)
        _REVIEWS[key] = audit(proposal, baseline, kb)
    return _REVIEWS[key]


def _findings(code: str, kb: KnowledgeBase) -> list[Finding]:
    return [f for f in _review(code, "fires", kb).findings if f.code == code]


def _xfail(reason: str | None) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []


def _rule_cases() -> list[object]:
    return [
        pytest.param(code, case, id=f"{code}-{case}", marks=_xfail(XFAIL.get((code, case))))
        for code in RULES
        for case in CASES
    ]


def _complete_cases() -> list[object]:
    return [
        pytest.param(code, id=code, marks=_xfail(XFAIL.get((code, "fires")) or XFAIL_COMPLETE.get(code)))
        for code in RULES
    ]


@pytest.mark.parametrize(("code", "case"), _rule_cases())
def test_rule_on_its_fixture(code: str, case: str, kb: KnowledgeBase) -> None:
    codes = _review(code, case, kb).codes()
    if case == "fires":
        assert code in codes, f"{code} should fire on fixtures/{code}/fires.md; raised: {codes}"
    else:
        assert code not in codes, f"{code} should stay silent on fixtures/{code}/silent.md"


def test_every_code_has_both_fixtures() -> None:
    missing = [
        f"{code}/{case}.md" for code in RULES for case in CASES if not (FIXTURES / code / f"{case}.md").is_file()
    ]
    assert not missing, f"fixtures missing: {missing}"
    assert SHARED_BASELINE.is_file()


def test_no_fixture_folder_without_a_rule() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders <= set(RULES), f"fixture folders for unknown codes: {sorted(folders - set(RULES))}"


def test_every_computed_fixture_states_its_expected_value() -> None:
    for code, key in COMPUTED.items():
        found = _EXPECTED.search((FIXTURES / code / "fires.md").read_text(encoding="utf-8"))
        assert found is not None and found["key"] == key, f"{code}/fires.md lacks 'expected computed[{key}]'"


@pytest.mark.parametrize("code", _complete_cases())
def test_fires_finding_is_complete(code: str, kb: KnowledgeBase) -> None:
    findings = _findings(code, kb)
    assert findings, f"{code} did not fire on its fires.md"
    for finding in findings:
        assert finding.must_solve.startswith(MUST_SOLVE_PREFIX)
        assert finding.must_solve.startswith("If you want this to survive MLSys review, you need to")
        assert len(finding.must_solve) > len(MUST_SOLVE_PREFIX) + 10
        assert finding.evidence, f"{code}: no evidence quote"
        for quote in finding.evidence:
            assert quote.text.strip()
            assert quote.page >= 1
    if code in COMPUTED:
        key = COMPUTED[code]
        found = _EXPECTED.search((FIXTURES / code / "fires.md").read_text(encoding="utf-8"))
        assert found is not None
        expected = float(found["value"])
        values = [f.computed[key] for f in findings if key in f.computed]
        assert values, f"{code}: no computed[{key!r}] in {[f.computed for f in findings]}"
        assert any(math.isclose(v, expected, rel_tol=TOLERANCE) for v in values), (
            f"{code}: computed[{key!r}] = {values}, expected {expected} within {TOLERANCE:.0%}"
        )

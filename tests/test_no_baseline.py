"""A draft given alone is read against the closest prior work, and the Mirror says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import tensora
from tensora.cli import _ray_flag, app
from tensora.extract.claims import extract_claims
from tensora.ingest import load_document
from tensora.knowledge.loader import KnowledgeBase
from tensora.pipeline import implicit_baseline

DRAFT = Path(__file__).resolve().parents[1] / "examples" / "sp-chunking" / "proposal.md"


def test_implicit_baseline_is_built_from_the_closest_entry(kb: KnowledgeBase) -> None:
    claims = extract_claims(load_document(DRAFT), "proposal", kb)
    found = implicit_baseline(claims, kb)
    assert found is not None
    work, base = found
    assert base.doc == "baseline" and base.title == work.name
    assert work.summary.split(". ")[0].split()[0] in base.text
    assert set(base.used_ids()) & set(work.techniques)


@pytest.fixture(scope="module")
def alone() -> tensora.Review:
    return tensora.review(DRAFT)


def test_mirror_names_the_work_read_against(alone: tensora.Review) -> None:
    assert alone.mirror.text.startswith("You did not give a baseline; I read this against ")
    assert alone.baseline in alone.mirror.text and "closest prior work in my knowledge base" in alone.mirror.text
    assert alone.mirror.text in alone.text and alone.findings


def test_cli_review_without_baseline(alone: tensora.Review) -> None:
    result = CliRunner().invoke(app, ["review", str(DRAFT), "--format", "json"])
    assert result.exit_code == 0
    assert alone.baseline in result.stdout


def test_llm_needs_a_baseline() -> None:
    result = CliRunner().invoke(app, ["review", str(DRAFT), "--llm", "replay", "--llm-exchange", "unused"])
    assert result.exit_code == 2 and "needs the baseline" in result.output


def test_ray_flag_without_address_means_local() -> None:
    assert _ray_flag(["tensora", "batch", "d", "--ray", "-o", "x"])[3] == "--ray=local"
    assert _ray_flag(["tensora", "batch", "d", "--ray"])[-1] == "--ray=local"
    assert _ray_flag(["tensora", "batch", "d", "--ray", "ray://h:10001"])[-1] == "ray://h:10001"

"""Checks the bundled techniques and concepts data against the schema and its own rules.

Covers techniques.yaml and concepts.yaml only: schema validation, unique ids, minimum sizes, family
coverage, cross-references from concepts to techniques, finding codes that exist in the spec, and
alias hygiene (no alias shared by two techniques, no bare common word). Does not test how aliases
are matched in text; that belongs to the extractor's tests.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from tensora.knowledge.schema import Concept, Family, Technique

DATA = Path(__file__).resolve().parents[2] / "src" / "tensora" / "knowledge" / "data"
FINDINGS = Path(__file__).resolve().parents[2] / ".." / "shared" / "spec" / "findings.md"

MIN_TECHNIQUES = 70
MIN_CONCEPTS = 25

# Ids that other parts of tensora (rules, twist engine, benchmark cases) refer to by name.
REQUIRED_IDS = """
data-parallelism tensor-parallelism pipeline-parallelism sequence-parallelism context-parallelism
expert-parallelism gpipe-schedule one-f-one-b interleaved-pipeline zero-bubble-pipeline zero-1 zero-2
zero-3 fsdp hybrid-sharding auto-parallelism activation-recomputation selective-recomputation
cpu-offload nvme-offload gradient-accumulation ring-allreduce tree-allreduce hierarchical-allreduce
parameter-server asynchronous-sgd bounded-staleness local-sgd comm-compute-overlap gradient-bucketing
all-to-all parameter-prefetch gradient-compression powersgd topk-sparsification one-bit-adam
error-feedback flashattention online-softmax paged-attention grouped-query-attention sparse-attention
ring-attention custom-ptx-kernel triton cutlass kernel-fusion split-k stream-k tensor-cores tma-wgmma
autotuning mixture-of-experts capacity-factor load-balancing-loss dropless-moe structured-sparsity-2-4
unstructured-pruning block-sparsity int8-quantization weight-only-quantization
quantization-aware-training mixed-precision loss-scaling fp8-training master-weights graph-compiler
kv-cache continuous-batching speculative-decoding prefill-decode-disaggregation checkpointing
in-memory-checkpointing async-checkpointing elastic-training cluster-scheduling large-batch-optimizers
low-memory-optimizers
""".split()

# Bare words that would match all over an ML-systems paper; an alias must say more than this.
STOPLIST = {
    "overlap",
    "pipeline",
    "async",
    "sparse",
    "cache",
    "kernel",
    "parallel",
    "compression",
    "attention",
    "sharding",
    "offload",
    "prefetch",
    "quantization",
    "pruning",
    "sparsity",
    "batching",
    "compiler",
    "fusion",
    "scheduling",
    "checkpointing",
    "experts",
    "zero",
    "ring",
    "tree",
}


def _load(name: str) -> list[dict[str, Any]]:
    entries = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    assert isinstance(entries, list), f"{name}: top level must be a list"
    return entries


@pytest.fixture(scope="module")
def techniques() -> list[Technique]:
    return [Technique.model_validate(entry) for entry in _load("techniques.yaml")]


@pytest.fixture(scope="module")
def concepts() -> list[Concept]:
    return [Concept.model_validate(entry) for entry in _load("concepts.yaml")]


@pytest.mark.parametrize("name", ["techniques.yaml", "concepts.yaml"])
def test_every_entry_validates(name: str) -> None:
    model = Technique if name == "techniques.yaml" else Concept
    for index, entry in enumerate(_load(name)):
        label = entry.get("id", f"#{index}") if isinstance(entry, dict) else f"#{index}"
        try:
            model.model_validate(entry)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{name}: entry {label!r} is invalid: {exc}")


@pytest.mark.parametrize("name", ["techniques.yaml", "concepts.yaml"])
def test_ids_are_unique(name: str) -> None:
    counts = Counter(entry["id"] for entry in _load(name))
    assert not [i for i, n in counts.items() if n > 1], f"{name}: duplicate ids"


def test_sizes(techniques: list[Technique], concepts: list[Concept]) -> None:
    assert len(techniques) >= MIN_TECHNIQUES
    assert len(concepts) >= MIN_CONCEPTS


def test_required_ids_exist(techniques: list[Technique]) -> None:
    missing = sorted(set(REQUIRED_IDS) - {t.id for t in techniques})
    assert not missing, f"techniques.yaml lacks {missing}"


def test_every_family_is_used(techniques: list[Technique]) -> None:
    unused = set(get_args(Family)) - {t.family for t in techniques}
    assert not unused, f"no technique in families {sorted(unused)}"


def test_every_entry_has_content(techniques: list[Technique]) -> None:
    for t in techniques:
        assert t.summary.strip() and t.source.strip(), t.id
        assert t.aliases and t.assumes and t.corner_cases and t.codes, t.id
        assert t.hidden_trick.strip(), t.id


def test_concepts_pair_with_existing_techniques(techniques: list[Technique], concepts: list[Concept]) -> None:
    known = {t.id for t in techniques}
    for c in concepts:
        assert c.pairs_with, c.id
        unknown = sorted(set(c.pairs_with) - known)
        assert not unknown, f"concept {c.id!r} pairs with unknown techniques {unknown}"


def test_concepts_cover_every_family(techniques: list[Technique], concepts: list[Concept]) -> None:
    family_of = {t.id: t.family for t in techniques}
    covered = {family_of[tid] for c in concepts for tid in c.pairs_with}
    assert not set(get_args(Family)) - covered


def test_concept_stories_use_the_mechanism(concepts: list[Concept]) -> None:
    for c in concepts:
        assert "{mechanism}" in c.story, c.id
        # The template is filled with str.format(mechanism=...): no other placeholders allowed.
        assert c.story.format(mechanism="M"), c.id
        assert c.must_show and all(m.strip() for m in c.must_show), c.id


def test_codes_exist_in_the_spec(techniques: list[Technique]) -> None:
    if not FINDINGS.is_file():
        pytest.skip(f"{FINDINGS} not found")
    spec_codes = set(re.findall(r"^\|\s*([A-Z]+(?:-[A-Z0-9]+)+)\s*\|", FINDINGS.read_text(), re.MULTILINE))
    assert spec_codes, "no codes parsed from findings.md"
    for t in techniques:
        unknown = sorted(set(t.codes) - spec_codes)
        assert not unknown, f"technique {t.id!r} uses codes not in findings.md: {unknown}"


def test_no_alias_is_shared(techniques: list[Technique]) -> None:
    owner: dict[str, str] = {}
    for t in techniques:
        for alias in {a.casefold() for a in t.aliases}:
            assert alias not in owner, f"alias {alias!r} in both {owner[alias]!r} and {t.id!r}"
            owner[alias] = t.id


def _case_sensitive(alias: str) -> bool:
    from tensora.extract.techniques import alias_pattern

    pattern = alias_pattern(Technique(id="x", name=alias, family="memory", summary=".", source="."))
    return pattern is not None and pattern.search(alias.lower()) is None


def test_no_alias_is_a_common_word(techniques: list[Technique]) -> None:
    for t in techniques:
        for alias in t.aliases:
            assert alias.strip() == alias and alias, f"{t.id}: alias {alias!r} has stray spaces"
            if alias != alias.lower() and alias.casefold() == alias.lower() and _case_sensitive(alias):
                continue  # "ZeRO" matches case-sensitively, so it never matches the word "zero"
            assert alias.casefold() not in STOPLIST, f"{t.id}: alias {alias!r} is a bare common word"

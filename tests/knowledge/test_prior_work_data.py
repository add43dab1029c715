"""Checks on the bundled prior-work knowledge base, ``knowledge/data/prior_work.yaml``.

Loads the file the way the package ships it and validates every entry with ``PriorWork``. The technique
ids are pinned here on purpose: an entry may only cite techniques that ``techniques.yaml`` is meant to define.
"""

from __future__ import annotations

import datetime
import re
from importlib import resources
from typing import Any

import pytest
import yaml

from tensora.knowledge.schema import PriorWork

MIN_ENTRIES = 420

TECHNIQUE_IDS = frozenset(
    """
    data-parallelism tensor-parallelism pipeline-parallelism sequence-parallelism context-parallelism
    expert-parallelism gpipe-schedule one-f-one-b interleaved-pipeline zero-bubble-pipeline zero-1 zero-2
    zero-3 fsdp hybrid-sharding auto-parallelism activation-recomputation selective-recomputation cpu-offload
    nvme-offload gradient-accumulation ring-allreduce tree-allreduce hierarchical-allreduce parameter-server
    asynchronous-sgd bounded-staleness local-sgd comm-compute-overlap gradient-bucketing all-to-all
    parameter-prefetch gradient-compression powersgd topk-sparsification one-bit-adam error-feedback
    flashattention online-softmax paged-attention grouped-query-attention sparse-attention ring-attention
    custom-ptx-kernel triton cutlass kernel-fusion split-k stream-k tensor-cores tma-wgmma autotuning
    mixture-of-experts capacity-factor load-balancing-loss dropless-moe structured-sparsity-2-4
    unstructured-pruning block-sparsity int8-quantization weight-only-quantization quantization-aware-training
    mixed-precision loss-scaling fp8-training master-weights graph-compiler kv-cache continuous-batching
    speculative-decoding prefill-decode-disaggregation checkpointing in-memory-checkpointing
    async-checkpointing elastic-training cluster-scheduling large-batch-optimizers low-memory-optimizers
    """.split()
)

# Works that the bundled corpus and examples rely on; each must be findable by name.
REQUIRED_NAMES = [
    "Megatron PTD-P",
    "PipeDream",
    "PipeDream-2BW",
    "Gavel",
    "Oobleck",
    "Mooncake",
    "Perseus",
    "FedTrans",
    "Model batching",
    "DeepSeek-V3",
    "ZeRO-Infinity",
    "PyTorch FSDP",
    "FlashAttention",
    "Zero Bubble Pipeline Parallelism",
    "Megatron-LM sequence parallelism (Korthikanti et al.)",
    "Transformer Engine userbuffers comm-GEMM overlap",
]

# arXiv id, DOI or web address.
SOURCE_PATTERN = re.compile(r"^(arXiv:\d{4}\.\d{4,5}|doi:10\.\d{4,9}/\S+|https?://\S+)$")


def _raw_entries() -> list[dict[str, Any]]:
    text = resources.files("tensora.knowledge").joinpath("data/prior_work.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, list), "prior_work.yaml must be a list of entries"
    return data


RAW = _raw_entries()
ENTRIES = [PriorWork.model_validate(raw) for raw in RAW]


def test_has_enough_entries() -> None:
    assert len(ENTRIES) >= MIN_ENTRIES


@pytest.mark.parametrize("raw", RAW, ids=[str(r.get("name")) for r in RAW])
def test_entry_validates(raw: dict[str, Any]) -> None:
    PriorWork.model_validate(raw)


def test_names_are_unique_case_insensitively() -> None:
    seen: dict[str, str] = {}
    for entry in ENTRIES:
        key = entry.name.casefold()
        assert key not in seen, f"duplicate name: {entry.name!r} and {seen[key]!r}"
        seen[key] = entry.name


def test_no_alias_is_shared_between_two_works() -> None:
    # an alias that names two works ("Li et al. 2023") cannot say which one a draft cites
    owner: dict[str, str] = {}
    for entry in ENTRIES:
        for label in [entry.name, *entry.aliases]:
            key = label.casefold()
            assert owner.get(key, entry.name) == entry.name, f"{label!r} names {owner[key]!r} and {entry.name!r}"
            owner[key] = entry.name


def test_no_alias_repeats_its_own_name() -> None:
    for entry in ENTRIES:
        repeats = [a for a in entry.aliases if a.casefold() == entry.name.casefold()]
        assert not repeats, f"{entry.name}: alias repeats the name"


@pytest.mark.parametrize("field", ["summary", "differ"])
def test_no_text_is_an_exact_copy_of_another(field: str) -> None:
    seen: dict[str, str] = {}
    for entry in ENTRIES:
        key = " ".join(getattr(entry, field).split()).casefold()
        assert key not in seen, f"{entry.name}: {field} copies {seen[key]!r}"
        seen[key] = entry.name


def test_differ_asks_something_of_the_draft() -> None:
    # a differ line is a question to answer, not a restatement of the work: it must be a sentence or two
    for entry in ENTRIES:
        words = entry.differ.split()
        assert 8 <= len(words) <= 80, f"{entry.name}: differ has {len(words)} words"
        assert entry.differ.rstrip().endswith((".", "?")), f"{entry.name}: differ is not a sentence"


def test_pinned_technique_ids_are_defined() -> None:
    missing = sorted(TECHNIQUE_IDS - _defined_ids())
    assert not missing, f"techniques.yaml lost ids that prior work relies on: {missing}"


def test_aliases_do_not_shadow_other_names() -> None:
    names = {entry.name.casefold(): entry.name for entry in ENTRIES}
    for entry in ENTRIES:
        for alias in entry.aliases:
            other = names.get(alias.casefold())
            assert other is None or other == entry.name, f"{entry.name}: alias {alias!r} names {other!r}"


def _defined_ids() -> set[str]:
    """Ids that techniques.yaml defines."""
    from tensora.knowledge.loader import load_knowledge

    return {t.id for t in load_knowledge().techniques}


def test_techniques_are_known_ids() -> None:
    for entry in ENTRIES:
        unknown = sorted(set(entry.techniques) - _defined_ids())
        assert not unknown, f"{entry.name}: unknown technique ids {unknown}"
        assert len(entry.techniques) == len(set(entry.techniques)), f"{entry.name}: repeated technique id"


def test_every_entry_has_source_and_differ() -> None:
    for entry in ENTRIES:
        assert entry.source.strip(), f"{entry.name}: empty source"
        assert SOURCE_PATTERN.match(entry.source), f"{entry.name}: source {entry.source!r} is no id or URL"
        assert entry.differ.strip(), f"{entry.name}: empty differ"
        assert entry.summary.strip(), f"{entry.name}: empty summary"
        assert entry.venue.strip() and entry.authors.strip(), f"{entry.name}: missing venue or authors"


def test_years_are_plausible() -> None:
    latest = datetime.date.today().year + 1
    for entry in ENTRIES:
        assert 1970 <= entry.year <= latest, f"{entry.name}: year {entry.year}"


def test_arxiv_ids_match_year() -> None:
    # An arXiv id yymm.nnnnn is assigned at first submission, so the work cannot be older than it.
    for entry in ENTRIES:
        match = re.match(r"^arXiv:(\d{2})(\d{2})\.", entry.source)
        if match:
            first_year = 2000 + int(match.group(1))
            assert entry.year >= first_year, f"{entry.name}: year {entry.year} predates its arXiv id"


def test_required_works_are_present() -> None:
    names = {entry.name for entry in ENTRIES}
    missing = [name for name in REQUIRED_NAMES if name not in names]
    assert not missing, f"missing entries: {missing}"

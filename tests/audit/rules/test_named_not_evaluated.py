"""A near-identical prior work the draft names and sets apart in words, but never runs in its evaluation."""

from pathlib import Path

from tensora.pipeline import run

BASELINE = """
# Orca: iteration-level scheduling for transformer serving

## Abstract

Orca schedules a serving batch per iteration instead of per request, so a finished sequence leaves the batch at
once and a new one joins at the next iteration, and it batches the non-attention operations of requests with
different lengths (selective batching).
"""

DRAFT = """
# AdapterMix: serving many LoRA adapters in one batch

## Abstract

AdapterMix keeps Orca's scheduler untouched and lets one batch hold requests of many different LoRA adapters:
the base weights are shared, and a segmented gather kernel applies each request's own low-rank adapter to its
rows, sorted by adapter. On one A100 it serves 200 adapters at 3.1x the throughput of switching merged adapters.

## Design

Rows of a batch are sorted by adapter, and each thread block of the kernel owns one segment of rows. Unlike
Punica, S-LoRA and dLoRA, which are built on paged key/value memory, AdapterMix needs no change to Orca's memory
reservation.

## Evaluation

We compare against merging one adapter at a time into the base weights and against a per-adapter Python loop,
on Llama-2-13B with 200 adapters of rank 16. AdapterMix reaches 3.1x the throughput of merged switching.
"""


def _codes(tmp_path: Path, draft: str) -> dict[str, str]:
    (tmp_path / "p.md").write_text(draft)
    (tmp_path / "b.md").write_text(BASELINE)
    review = run(tmp_path / "p.md", tmp_path / "b.md")
    return {f.code: f.message for f in review.findings}


def test_named_but_never_run_is_raised(tmp_path: Path) -> None:
    found = _codes(tmp_path, DRAFT)
    assert "its evaluation never runs" in found["NOV-PRIOR"]
    assert "yet its evaluation never runs it" in found["EVID-WEAK-BASELINE"]


def test_named_and_run_in_the_evaluation_is_quiet(tmp_path: Path) -> None:
    draft = DRAFT.replace(
        "and against a per-adapter Python loop",
        "against a per-adapter Python loop and against Punica, S-LoRA and dLoRA",
    )
    found = _codes(tmp_path, draft)
    assert "never runs" not in found.get("NOV-PRIOR", "")
    assert "never runs it" not in found.get("EVID-WEAK-BASELINE", "")

"""The review pipeline end to end: read both documents, extract claims, audit, render.

On a machine with more than one core, the baseline is read and extracted in a forked worker while the main
process handles the draft: ingestion and extraction are pure Python and PDF parsing, so a second process is
the only way to use the second core. Small inputs, a single core, or any failure to start the worker fall
back to doing both in order; the result is the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tensora.audit.engine import audit
from tensora.audit.findings import Review
from tensora.extract.claims import Claims, extract_claims
from tensora.ingest import Limits, load_document
from tensora.knowledge.loader import KnowledgeBase, load_knowledge
from tensora.render import markdown
from tensora.render.markdown import Detail

# Below this many bytes of input a worker costs more than it saves.
_PARALLEL_MIN_BYTES = 400_000


def _baseline_claims(path: Path, limits: Limits | None) -> Claims:
    kb = load_knowledge()
    return extract_claims(load_document(path, limits=limits), "baseline", kb, numbers=False)


def _proposal_claims(path: Path, limits: Limits | None, kb: KnowledgeBase) -> Claims:
    return extract_claims(load_document(path, limits=limits), "proposal", kb)


def _parallel(proposal: Path, baseline: Path) -> bool:
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        size = proposal.stat().st_size + baseline.stat().st_size
    except OSError:
        return False  # the readers will say what is wrong with the path
    return size >= _PARALLEL_MIN_BYTES


def read_both(proposal: Path, baseline: Path, limits: Limits | None, kb: KnowledgeBase) -> tuple[Claims, Claims]:
    """Claims of the draft and of the baseline, the baseline in a worker process when that pays."""
    if _parallel(proposal, baseline):
        try:
            pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        except (OSError, ValueError):
            pool = None
        if pool is not None:
            with pool:
                future = pool.submit(_baseline_claims, baseline, limits)
                mine = _proposal_claims(proposal, limits, kb)
                return mine, future.result()
    return _proposal_claims(proposal, limits, kb), _baseline_claims(baseline, limits)


def run(proposal: Path, baseline: Path, *, limits: Limits | None = None, detail: Detail = "default") -> Review:
    kb = load_knowledge()
    prop, base = read_both(proposal, baseline, limits, kb)
    result = audit(prop, base, kb, (proposal.name, baseline.name))
    return markdown.fill(result, detail)

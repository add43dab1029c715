"""The review pipeline end to end: read both documents, extract claims, audit, render.

On a machine with more than one core, the baseline is read and extracted in a forked worker while the main
process handles the draft: ingestion and extraction are pure Python and PDF parsing, so a second process is
the only way to use the second core. Small inputs, a single core, or any failure to start the worker fall
back to doing both in order; the result is the same either way.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tensora.audit.base import HiddenText
from tensora.audit.engine import audit
from tensora.audit.findings import Review
from tensora.errors import InputError
from tensora.extract import embed
from tensora.extract.claims import Claims, extract_claims
from tensora.ingest import Limits, load_document
from tensora.ingest.markdown import read_markdown
from tensora.knowledge.loader import KnowledgeBase, load_knowledge
from tensora.knowledge.schema import PriorWork
from tensora.render import markdown
from tensora.render.markdown import Detail

if TYPE_CHECKING:
    from tensora.llm.settings import LLMSettings

# Below this many bytes of input a worker costs more than it saves.
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_PARALLEL_MIN_BYTES = 400_000


def _baseline_claims(path: Path, limits: Limits | None) -> Claims:
    kb = load_knowledge()
    return extract_claims(load_document(path, limits=limits), "baseline", kb, numbers=False)


def _proposal_claims(path: Path, limits: Limits | None, kb: KnowledgeBase) -> tuple[Claims, HiddenText]:
    document = load_document(path, limits=limits)
    return extract_claims(document, "proposal", kb), HiddenText.of(document)


def _parallel(proposal: Path, baseline: Path) -> bool:
    if (os.cpu_count() or 1) < 2:
        return False
    try:
        size = proposal.stat().st_size + baseline.stat().st_size
    except OSError:
        return False  # the readers will say what is wrong with the path
    if size < _PARALLEL_MIN_BYTES:
        return False
    # imported here: a small input never starts a worker, and multiprocessing costs a fresh process some 15 ms
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _die_with_parent(parent: int) -> None:
    """Make the forked reader end when the process that started it ends, however it ends.

    A worker outliving a killed parent would keep the caller's stdout and stderr open, so a caller waiting for
    end-of-file would hang. On Linux the kernel delivers SIGKILL to the worker when its parent dies
    (``PR_SET_PDEATHSIG``); elsewhere a daemon thread notices the new parent id and exits.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _refuse_same_document(proposal: Path, baseline: Path) -> None:
    """A draft compared with itself would get a review of nothing; say so instead."""
    try:
        same = proposal.resolve() == baseline.resolve() or (
            proposal.stat().st_size == baseline.stat().st_size and proposal.read_bytes() == baseline.read_bytes()
        )
    except OSError:
        return  # the readers say what is wrong with either path
    if same:
        raise InputError(
            proposal,
            f"is the same document as the baseline ({baseline})",
            "pass the paper the draft improves on with --baseline.",
        )


def read_both(
    proposal: Path, baseline: Path, limits: Limits | None, kb: KnowledgeBase
) -> tuple[tuple[Claims, HiddenText], Claims]:
    """Claims (and hidden text) of the draft, claims of the baseline, the baseline in a worker when that pays.

    The static embedder starts loading on a thread once the worker is forked, never before: a fork while that
    thread is inside an import leaves the worker waiting forever on the module's import lock.
    """
    if _parallel(proposal, baseline):
        # imported here: only an input large enough for a worker needs them
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_die_with_parent,
                initargs=(os.getpid(),),
            )
        except (OSError, ValueError):
            pool = None
        if pool is not None:
            with pool:
                future = pool.submit(_baseline_claims, baseline, limits)  # forks the worker
                embed.prefetch()
                mine = _proposal_claims(proposal, limits, kb)
                return mine, future.result()
    embed.prefetch()
    return _proposal_claims(proposal, limits, kb), _baseline_claims(baseline, limits)


def implicit_baseline(proposal: Claims, kb: KnowledgeBase) -> tuple[PriorWork, Claims] | None:
    """The closest prior work in the knowledge base, as a small baseline ``Claims`` (name, summary, techniques).

    A draft given without its baseline is read against this entry, so the same audit runs; None when the
    knowledge base holds nothing close.
    """
    from tensora.audit import novelty
    from tensora.extract.profile import build_profile

    empty = Claims("baseline", "", [], {}, [])
    hits = novelty.rank(proposal, empty, kb, build_profile(proposal, empty, novelty.known_names(kb)), k=1)
    work = next((w for h in hits for w in kb.prior_work if w.name == h.name), None)
    if work is None:
        return None
    names = [kb.by_id[t].name for t in work.techniques if t in kb.by_id]
    lines = [f"# {work.name}", "", work.summary]
    if names:
        lines += ["", f"{work.name} uses {', '.join(names)}."]
    document = read_markdown(Path(f"{work.name}.md"), "\n".join(lines) + "\n")
    return work, extract_claims(document, "baseline", kb, numbers=False)


def run_without_baseline(
    proposal: Path, *, limits: Limits | None = None, detail: Detail = "default", kb: KnowledgeBase | None = None
) -> Review:
    """The review of a draft given alone: read against the closest prior work, which the Mirror names."""
    embed.prefetch()  # the static embedder loads while the draft is read
    kb = kb or load_knowledge()
    prop, hidden = _proposal_claims(proposal, limits, kb)
    found = implicit_baseline(prop, kb)
    if found is None:
        raise InputError(
            proposal,
            "has no close prior work in the knowledge base to read it against",
            "pass the paper the draft improves on with --baseline.",
        )
    work, base = found
    label = f"{work.name} ({work.venue} {work.year})"
    result = audit(prop, base, kb, (proposal.name, label), {"proposal": hidden})
    result.mirror.note = (
        f"You did not give a baseline; I read this against {label}, the closest prior work in my knowledge base."
    )
    return markdown.fill(result, detail)


def run(
    proposal: Path,
    baseline: Path | None,
    *,
    limits: Limits | None = None,
    detail: Detail = "default",
    llm: LLMSettings | None = None,
    on_text: Callable[[str], None] | None = None,
) -> Review:
    """The review; with ``llm``, an LLM pass over the deterministic audit adds its voice (``tensora.llm``).

    Hidden text goes to the audit (DOC-HIDDEN-TEXT) and never to the LLM. ``on_text`` receives the LLM's
    answer as it streams. A failed LLM pass returns the deterministic review with a warning in ``llm``.
    """
    if baseline is None:
        if llm is not None:
            raise InputError(proposal, "an LLM review needs a baseline", "pass it with --baseline.")
        return run_without_baseline(proposal, limits=limits, detail=detail)
    _refuse_same_document(proposal, baseline)
    kb = load_knowledge()
    (prop, hidden), base = read_both(proposal, baseline, limits, kb)
    result = markdown.fill(audit(prop, base, kb, (proposal.name, baseline.name), {"proposal": hidden}), detail)
    if llm is None:
        return result
    from tensora.llm.review import enhance

    return enhance(result, prop, base, llm, detail=detail, on_text=on_text)

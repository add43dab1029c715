"""tensora: a curious skeptic for ML-systems drafts.

    >>> import tensora
    >>> review = tensora.review("proposal.pdf", "baseline.pdf")   # doctest: +SKIP
    >>> [f.code for f in review.findings]                          # doctest: +SKIP

Offline and deterministic: no network, no model downloads. Every number in a review is computed by
``tensora.models`` from inputs the draft states.
"""

from __future__ import annotations

from pathlib import Path

from tensora.audit.findings import Finding, Review, Severity
from tensora.errors import TensoraError

__all__ = ["Finding", "Review", "Severity", "TensoraError", "__version__", "review"]
__version__ = "0.1.0"


def review(
    proposal: str | Path, baseline: str | Path | None = None, *, limits: object | None = None, detail: str = "default"
) -> Review:
    """Review a draft (``proposal``) against the paper it claims to improve on (``baseline``).

    Without a baseline the draft is read against the closest prior work in the knowledge base, and the Mirror
    says which.

    Raises a ``TensoraError`` subclass (one line, naming the file) when a document cannot be read.
    """
    from tensora.pipeline import run

    result = run(Path(proposal), Path(baseline) if baseline is not None else None, limits=limits, detail=detail)  # type: ignore[arg-type]
    result.version = __version__
    return result

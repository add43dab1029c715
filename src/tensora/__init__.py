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
    proposal: str | Path, baseline: str | Path, *, limits: object | None = None, detail: str = "default"
) -> Review:
    """Review a draft (``proposal``) against the paper it claims to improve on (``baseline``).

    Raises a ``TensoraError`` subclass (one line, naming the file) when a document cannot be read.
    """
    from tensora.audit.engine import audit
    from tensora.extract.claims import extract_claims
    from tensora.ingest import load_document
    from tensora.knowledge.loader import load_knowledge
    from tensora.render import markdown

    kb = load_knowledge()
    prop_doc = load_document(Path(proposal), limits=limits)  # type: ignore[arg-type]
    base_doc = load_document(Path(baseline), limits=limits)  # type: ignore[arg-type]
    result = audit(
        extract_claims(prop_doc, "proposal", kb),
        extract_claims(base_doc, "baseline", kb, numbers=False),
        kb,
        (Path(proposal).name, Path(baseline).name),
    )
    result.version = __version__
    return markdown.fill(result, detail)  # type: ignore[arg-type]

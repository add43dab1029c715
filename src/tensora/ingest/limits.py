"""Size limits that ingestion enforces before it parses a document.

A review should take about a second; a 900-page thesis or a 2 GB scan is almost certainly the wrong file,
so it is refused early with ``DocumentTooLargeError`` instead of being parsed for a minute. The CLI exposes
both limits as ``--max-mb`` and ``--max-pages``.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1_000_000


@dataclass(frozen=True, slots=True)
class Limits:
    """How large a document may be: ``max_bytes`` on disk, ``max_pages`` for PDFs."""

    max_bytes: int = 50 * MB
    max_pages: int = 200

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_pages <= 0:
            raise ValueError(f"limits must be positive, got {self}")

    @property
    def max_mb(self) -> float:
        return self.max_bytes / MB

"""Size limits that ingestion enforces before it parses a document.

A review should take about a second; a 900-page thesis or a 2 GB scan is almost certainly the wrong file,
so it is refused early with ``DocumentTooLargeError`` instead of being parsed for a minute. The CLI exposes
both limits as ``--max-mb`` and ``--max-pages``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tensora.errors import TensoraError

MB = 1_000_000


class LimitError(TensoraError, ValueError):
    """A size limit that cannot be a limit (zero, negative, not a number)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How large a document may be: ``max_bytes`` on disk, ``max_pages`` for PDFs."""

    max_bytes: int = 50 * MB
    max_pages: int = 200
    # what a PDF's compressed page content may inflate to, all pages together: real papers need a few MB,
    # a crafted file can turn 2 MB into gigabytes that the PDF engine would hold in memory
    max_inflated_bytes: int = 256 * MB

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise LimitError(f"--max-mb must be a positive size; got {self.max_bytes / MB:g} MB (the default is 50).")
        if self.max_inflated_bytes <= 0:
            raise LimitError(f"the inflated-content limit must be positive; got {self.max_inflated_bytes} bytes.")
        if self.max_pages <= 0:
            raise LimitError(f"--max-pages must be at least 1; got {self.max_pages} (the default is 200).")

    @classmethod
    def from_options(cls, max_mb: float, max_pages: int) -> Limits:
        """Limits from the command line's values, every impossible one refused with a sentence."""
        if not math.isfinite(max_mb) or max_mb <= 0:
            raise LimitError(f"--max-mb must be a positive, finite number of MB; got {max_mb!r} (the default is 50).")
        max_bytes = math.ceil(max_mb * MB)
        if max_bytes < 1:
            raise LimitError(f"--max-mb {max_mb!r} is less than one byte; give at least 0.000001.")
        return cls(max_bytes=max_bytes, max_pages=max_pages)

    @property
    def max_mb(self) -> float:
        return self.max_bytes / MB

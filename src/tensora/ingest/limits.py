"""Size limits that ingestion enforces before it parses a document.

A review should take about a second; a 900-page thesis or a 2 GB scan is almost certainly the wrong file,
so it is refused early with ``DocumentTooLargeError`` instead of being parsed for a minute. The same holds
for the text itself: the audit reads every sentence with a few dozen patterns, so its time grows with the
length of the text (about 20 s of one core per million characters). ``max_chars`` stops it at 500,000
characters, about 125 dense pages: a research draft with its appendix is well under half that, and a review
at the limit still ends in about ten seconds. The CLI exposes the limits as ``--max-mb``, ``--max-pages`` and
``--max-chars``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tensora.errors import TensoraError

MB = 1_000_000
MAX_CHARS = 500_000


class LimitError(TensoraError, ValueError):
    """A size limit that cannot be a limit (zero, negative, not a number)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How large a document may be: ``max_bytes`` on disk, ``max_pages`` for PDFs, ``max_chars`` of text.

    ``max_chars`` counts the decoded source of a Markdown, LaTeX or text file (checked before it is parsed)
    and the text layer of a PDF.
    """

    max_bytes: int = 50 * MB
    max_pages: int = 200
    # what a PDF's compressed page content may inflate to, all pages together: real papers need a few MB,
    # a crafted file can turn 2 MB into gigabytes that the PDF engine would hold in memory
    max_inflated_bytes: int = 256 * MB
    # 100 dense pages are about 400,000 characters; five megabytes of text is not a draft
    max_chars: int = MAX_CHARS

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise LimitError(f"--max-mb must be a positive size; got {self.max_bytes / MB:g} MB (the default is 50).")
        if self.max_inflated_bytes <= 0:
            raise LimitError(f"the inflated-content limit must be positive; got {self.max_inflated_bytes} bytes.")
        if self.max_pages <= 0:
            raise LimitError(f"--max-pages must be at least 1; got {self.max_pages} (the default is 200).")
        if self.max_chars <= 0:
            raise LimitError(f"--max-chars must be at least 1; got {self.max_chars} (the default is {MAX_CHARS:,}).")

    @classmethod
    def from_options(cls, max_mb: float, max_pages: int, max_chars: int = MAX_CHARS) -> Limits:
        """Limits from the command line's values, every impossible one refused with a sentence."""
        if not math.isfinite(max_mb) or max_mb <= 0:
            raise LimitError(f"--max-mb must be a positive, finite number of MB; got {max_mb!r} (the default is 50).")
        max_bytes = math.ceil(max_mb * MB)
        if max_bytes < 1:
            raise LimitError(f"--max-mb {max_mb!r} is less than one byte; give at least 0.000001.")
        return cls(max_bytes=max_bytes, max_pages=max_pages, max_chars=max_chars)

    @property
    def max_mb(self) -> float:
        return self.max_bytes / MB

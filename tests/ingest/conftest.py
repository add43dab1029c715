"""Fixtures for the ingestion tests: synthetic PDFs built once per session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .synthetic import camouflaged_text_pdf, hidden_text_pdf, row_by_row, scanned_pdf, two_column_paper


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Build a named synthetic PDF once per session and return its path."""
    root = tmp_path_factory.mktemp("pdfs")
    builders: dict[str, Callable[[Path], Path]] = {
        "paper": two_column_paper,
        "rows": row_by_row,
        "hidden": hidden_text_pdf,
        "camouflage": camouflaged_text_pdf,
        "scan": scanned_pdf,
        "ocr": lambda p: scanned_pdf(p, ocr_layer=True),
    }
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            made[name] = builders[name](root / f"{name}.pdf")
        return made[name]

    return get

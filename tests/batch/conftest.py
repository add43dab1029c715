"""A small batch on disk: a pair, the same baseline with a second draft, a draft alone, and a broken file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sp-chunking"


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("drafts")
    pair = root / "pair"
    pair.mkdir()
    shutil.copy(EXAMPLE / "proposal.md", pair / "proposal.md")
    shutil.copy(EXAMPLE / "baseline.md", pair / "baseline.md")
    shutil.copy(EXAMPLE / "proposal.md", root / "alone.md")
    (root / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a PDF body\n")
    (root / "notes.bin").write_bytes(b"\x00\x01")  # not a draft format: not an item
    return root

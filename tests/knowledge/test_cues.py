"""The cue loader: a broken cues.yaml is refused in one line naming the file, the entry and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensora.errors import KnowledgeError
from tensora.knowledge.cues import load_cues

GOOD = """
- id: toy_cue
  description: a cue used by the loader's tests
  patterns: ['toy']
  examples:
    match: ["a toy one", "toy two", "three toy"]
    no_match: ["none", "nothing", "nil"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "cues.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_user_file_overrides_the_bundled_one(tmp_path: Path) -> None:
    cues = load_cues(_write(tmp_path, GOOD))
    assert list(cues) == ["toy_cue"]
    assert cues["toy_cue"].semantic is True


def test_the_bundled_file_loads() -> None:
    cues = load_cues()
    assert len(cues) >= 80
    assert all(len(c.examples.match) >= 3 and len(c.examples.no_match) >= 3 for c in cues.values())


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("patterns: ['toy']", "patterns: ['toy(']"), "entry 'toy_cue': field 'patterns'"),
        (("  patterns:", "  colour: red\n  patterns:"), "entry 'toy_cue': field 'colour'"),
        (('no_match: ["none", "nothing", "nil"]', 'no_match: ["none"]'), "field 'examples.no_match'"),
        (("id: toy_cue", "id: Toy-Cue"), "field 'id'"),
        (("patterns: ['toy']", "patterns: ['toy']\n  detector: nope"), "field 'semantic'"),
    ],
)
def test_errors_name_file_entry_and_field(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    with pytest.raises(KnowledgeError) as info:
        load_cues(_write(tmp_path, GOOD.replace(*change)))
    message = str(info.value)
    assert "cues.yaml" in message and expected in message
    assert "\n" not in message


def test_a_duplicate_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="'toy_cue' appears twice"):
        load_cues(_write(tmp_path, GOOD + GOOD))


def test_not_a_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="expected a list"):
        load_cues(_write(tmp_path, "id: toy_cue\n"))

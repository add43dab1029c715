"""Checks on ``knowledge/loader.py``: a broken data file gives one ``KnowledgeError`` line that names the file,
the entry and the field. Uses a user directory (``user_dir``) that overrides the bundled ``prior_work.yaml``; the
other files stay the bundled ones. The validated-model cache is pointed at a temporary directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tensora.errors import KnowledgeError
from tensora.knowledge.knobs import Knob
from tensora.knowledge.loader import load_file, load_knowledge


def _work(name: str, **extra: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "name": name,
        "aliases": [],
        "year": 2024,
        "venue": "arXiv",
        "authors": "Doe et al.",
        "summary": f"{name} does one thing in its own way.",
        "techniques": ["kv-cache"],
        "differ": f"Say what your system does that {name} does not, and measure it.",
        "source": "arXiv:2401.00001",
    }
    entry.update(extra)
    return entry


def _load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, works: list[dict[str, object]] | str) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    text = works if isinstance(works, str) else yaml.safe_dump(works, sort_keys=False)
    (kb_dir / "prior_work.yaml").write_text(text, encoding="utf-8")
    load_knowledge(kb_dir)


def test_a_valid_override_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    (kb_dir / "prior_work.yaml").write_text(yaml.safe_dump([_work("Alpha"), _work("Beta")]), encoding="utf-8")
    kb = load_knowledge(kb_dir)
    assert [w.name for w in kb.prior_work] == ["Alpha", "Beta"]


def test_missing_field_names_file_entry_and_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = _work("Alpha")
    del broken["differ"]
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, monkeypatch, [broken])
    message = str(err.value)
    assert "prior_work.yaml" in message and "'Alpha'" in message and "'differ'" in message
    assert "\n" not in message


def test_unknown_field_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(KnowledgeError, match=r"prior_work\.yaml: entry 'Alpha': field 'mechanism'"):
        _load(tmp_path, monkeypatch, [_work("Alpha", mechanism="typo for summary")])


def test_unknown_technique_id_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(KnowledgeError, match=r"entry 'Alpha': field 'techniques': unknown technique id 'warp-drive'"):
        _load(tmp_path, monkeypatch, [_work("Alpha", techniques=["kv-cache", "warp-drive"])])


def test_duplicate_name_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(KnowledgeError, match=r"entry 'alpha': field 'name': duplicates entry 'Alpha'"):
        _load(tmp_path, monkeypatch, [_work("Alpha"), _work("alpha")])


def test_alias_shared_by_two_works_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    works = [_work("Alpha", aliases=["Doe et al. 2024"]), _work("Beta", aliases=["Doe et al. 2024"])]
    with pytest.raises(KnowledgeError, match=r"entry 'Beta': field 'aliases': 'Doe et al. 2024' also names 'Alpha'"):
        _load(tmp_path, monkeypatch, works)


def test_alias_naming_another_work_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(KnowledgeError, match=r"field 'aliases': 'Beta' also names 'Beta'"):
        _load(tmp_path, monkeypatch, [_work("Alpha", aliases=["Beta"]), _work("Beta")])


def test_bad_yaml_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(KnowledgeError, match=r"prior_work\.yaml: not valid YAML"):
        _load(tmp_path, monkeypatch, "- name: [unclosed\n")


def test_top_level_must_be_a_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(KnowledgeError, match=r"expected a list of entries"):
        _load(tmp_path, monkeypatch, "name: Alpha\n")


def test_validated_entries_are_cached_and_a_damaged_cache_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    (kb_dir / "knobs.yaml").write_text("- name: tile shape\n  systems: [CUTLASS]\n  source: cutlass docs\n")
    load_file.cache_clear()
    try:
        first = load_file("knobs.yaml", Knob, kb_dir)
        (cached,) = (tmp_path / "cache" / "tensora").glob("entries-knobs-*.pickle")
        load_file.cache_clear()
        assert load_file("knobs.yaml", Knob, kb_dir) == first  # served from the cache
        cached.write_bytes(b"not a pickle")
        load_file.cache_clear()
        assert load_file("knobs.yaml", Knob, kb_dir) == first  # rebuilt, never reported
        # an edited file is a new key: its error is still reported
        (kb_dir / "knobs.yaml").write_text("- name: tile shape\n  systems: []\n  source: cutlass docs\n")
        load_file.cache_clear()
        with pytest.raises(KnowledgeError, match="knobs.yaml.*tile shape.*systems"):
            load_file("knobs.yaml", Knob, kb_dir)
    finally:
        load_file.cache_clear()


def test_an_unwritable_cache_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cache").write_text("a file where the cache directory would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    load_file.cache_clear()
    try:
        assert load_file("knobs.yaml", Knob, None)
    finally:
        load_file.cache_clear()

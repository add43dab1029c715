"""knobs.yaml: every knob validates, names the systems that expose it and a source, and phrases stay distinct."""

from pathlib import Path

import pytest

from tensora.errors import KnowledgeError
from tensora.knowledge.knobs import load_knobs
from tensora.knowledge.loader import load_file


def test_every_knob_has_systems_and_a_source() -> None:
    knobs = load_knobs()
    assert len(knobs) >= 20
    for knob in knobs:
        assert knob.systems and knob.source
        assert knob.phrases[0] == max(knob.phrases, key=len)  # the most specific phrase is tried first


def test_a_phrase_names_one_knob() -> None:
    owner: dict[str, str] = {}
    for knob in load_knobs():
        for phrase in knob.phrases:
            assert owner.setdefault(phrase, knob.name) == knob.name, phrase


def test_a_knob_without_systems_is_refused(tmp_path: Path) -> None:
    (tmp_path / "knobs.yaml").write_text("- name: tile shape\n  systems: []\n  source: somewhere\n")
    load_file.cache_clear()
    try:
        with pytest.raises(KnowledgeError, match="knobs.yaml.*tile shape.*systems"):
            load_knobs(tmp_path)
    finally:
        load_file.cache_clear()

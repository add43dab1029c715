from __future__ import annotations

import json
from pathlib import Path

import pytest

from tensora.batch.manifest import Item, items_of
from tensora.errors import InputError


def test_folder_holds_pairs_and_lone_drafts(batch_dir: Path) -> None:
    items = {i.id: i for i in items_of(batch_dir)}
    assert set(items) == {"pair", "alone", "broken"}
    assert items["pair"].baseline == batch_dir / "pair" / "baseline.md"
    assert items["alone"].baseline is None


def test_csv_manifest_paths_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("draft,baseline,id\na.md,b.md,first\nc.md,,\n", encoding="utf-8")
    items = items_of(tmp_path / "m.csv")
    assert items == [Item("first", tmp_path / "a.md", tmp_path / "b.md"), Item("c", tmp_path / "c.md", None)]


def test_jsonl_manifest_and_repeated_ids(tmp_path: Path) -> None:
    rows = [{"draft": "x/p.md"}, {"draft": "y/p.md", "baseline": "y/b.md"}, {"draft": "z/p.md", "id": "a b/c"}]
    (tmp_path / "m.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    ids = [i.id for i in items_of(tmp_path / "m.jsonl")]
    assert ids == ["p", "p-2", "a_b_c"]


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("m.jsonl", '{"draft": "a.md"}\nnot json\n', "line 2 is not JSON"),
        ("m.csv", "baseline\nb.md\n", "no 'draft'"),
        ("m.csv", "draft\n", "holds no drafts"),
        ("m.yaml", "draft: a", "neither a folder nor"),
    ],
)
def test_bad_manifests_get_one_line(tmp_path: Path, name: str, text: str, problem: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        items_of(tmp_path / name)


def test_missing_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        items_of(tmp_path / "nowhere")

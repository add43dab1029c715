"""Accelerators, interconnects and number formats are recognised from the hardware catalog's names, so that
a new catalog entry is recognised with no change to the code."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from tensora.extract.numbers import extract_quantities
from tensora.extract.quantities import Quantity
from tensora.ingest.document import Paragraph
from tensora.knowledge.hardware import Catalog, load_catalog

NEW_DEVICE = """
  - id: zeta-z9000
    name: Zeta Z9000 96GB
    vendor: Zeta
    kind: gpu
    aliases: [z9000, zeta z9000]
    peak_tflops: {bf16: 900}
    memory: {type: HBM3, capacity: 96, capacity_unit: GB, bandwidth_GBps: 4000}
    source: "a made-up entry for a test"
"""


def _bundled_text() -> str:
    return resources.files("tensora.knowledge").joinpath("data", "hardware.yaml").read_text(encoding="utf-8")


def _catalog_with(tmp_path: Path, old: str, new: str) -> Catalog:
    text = _bundled_text()
    assert old in text
    path = tmp_path / "hardware.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_catalog(path)


def _roles(text: str, catalog: Catalog | None = None) -> set[tuple[str, object]]:
    found: list[Quantity] = extract_quantities([Paragraph(text, 1)], "proposal", catalog)
    return {(q.role, q.text if q.text else q.value) for q in found}


def test_a_new_device_entry_is_recognised(tmp_path: Path) -> None:
    text = "We train on 64 Z9000 GPUs, 8x Z9000 per node."
    assert ("gpu_model", "Z9000") not in _roles(text)
    catalog = _catalog_with(tmp_path, "\ndevices:\n", "\ndevices:\n" + NEW_DEVICE)
    got = _roles(text, catalog)
    assert ("gpu_model", "Z9000") in got
    assert ("gpus", 64.0) in got and ("gpus_per_node", 8.0) in got
    assert catalog.device("Z9000").id == "zeta-z9000"  # the audit resolves the same name


def test_a_new_interconnect_places_a_bandwidth(tmp_path: Path) -> None:
    text = "Each link of the UltraFabric moves 400 GB/s."
    assert not any(role == "link_bandwidth" for role, _ in _roles(text))
    catalog = _catalog_with(
        tmp_path, "interconnects:\n", 'interconnects:\n  - {name: UltraFabric, scope: node, source: "a test"}\n'
    )
    assert ("link_bandwidth", 400.0) in _roles(text, catalog)


def test_a_new_number_format_is_recognised(tmp_path: Path) -> None:
    text = "Weights are stored in MXFP6 throughout."
    assert not any(role == "precision" for role, _ in _roles(text))
    catalog = _catalog_with(
        tmp_path, "formats:\n", 'formats:\n  - {id: fp6, aliases: [fp6], variants: {mxfp6: mxfp6}, source: "a test"}\n'
    )
    found = extract_quantities([Paragraph(text, 1)], "proposal", catalog)
    assert [(q.role, q.text, q.qualifier) for q in found] == [("precision", "fp6", "mxfp6")]


@pytest.mark.parametrize(
    ("name", "recognised"),
    [("a100", True), ("tpu v4", True), ("amd mi300x", False), ("hgx-b200", False), ("v4", False), ("nvl", False)],
)
def test_catalog_names_that_name_a_model(name: str, recognised: bool) -> None:
    names = {n.lower() for n in load_catalog().device_names()}
    assert (name in names) is recognised


def test_a_user_file_without_the_name_sections_keeps_the_bundled_ones(tmp_path: Path) -> None:
    text = _bundled_text()
    path = tmp_path / "hardware.yaml"
    path.write_text(text[: text.index("\n# Accelerators drafts name")], encoding="utf-8")
    catalog = load_catalog(path)
    assert catalog.formats and catalog.interconnects and "T4" in catalog.device_names()
    assert ("precision", "bf16") in _roles("We train in BF16 on V100s.", catalog)

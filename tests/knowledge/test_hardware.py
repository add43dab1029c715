"""The hardware catalog: names, units, dense vs sparse peaks, and errors that name file, entry, field."""

from pathlib import Path

import pytest

from tensora.errors import KnowledgeError, ModelInputError, UnknownHardwareError
from tensora.knowledge import hardware
from tensora.knowledge.hardware import (
    get_device,
    get_nic,
    list_devices,
    list_nics,
    load_catalog,
    normalize_name,
)


@pytest.mark.parametrize(
    ("name", "device_id"),
    [
        ("H100", "h100-sxm5-80gb"),
        ("H100-80GB", "h100-sxm5-80gb"),
        ("h100 sxm", "h100-sxm5-80gb"),
        ("H100 PCIe", "h100-pcie-80gb"),
        ("A100-80GB", "a100-sxm4-80gb"),
        ("A100 40GB", "a100-sxm4-40gb"),
        ("a100_40gb", "a100-sxm4-40gb"),
        ("A100", "a100-sxm4-80gb"),  # the documented default
        ("H200", "h200-sxm-141gb"),
        ("B200", "b200-hgx"),
        ("MI300X", "mi300x"),
        ("L40S", "l40s"),
        ("TPU v4", "tpu-v4"),
        ("tpu-v5p", "tpu-v5p"),
    ],
)
def test_names_resolve_case_space_dash_insensitively(name: str, device_id: str) -> None:
    assert get_device(name).id == device_id


def test_normalize_name() -> None:
    assert normalize_name(" A100 40GB ") == normalize_name("a100-40gb") == "a10040gb"


def test_catalog_covers_the_issue_list() -> None:
    ids = {d.id for d in list_devices()}
    assert {
        "a100-sxm4-80gb",
        "a100-sxm4-40gb",
        "a100-pcie-80gb",
        "a100-pcie-40gb",
        "h100-sxm5-80gb",
        "h100-pcie-80gb",
        "h200-sxm-141gb",
        "b200-hgx",
        "mi300x",
        "l40s",
        "tpu-v4",
        "tpu-v5p",
    } <= ids
    rates = sorted(n.line_rate_gbps for n in list_nics())
    assert {200.0, 400.0, 800.0} <= set(rates)


def test_every_entry_has_a_source() -> None:
    for entry in [*list_devices(), *list_nics()]:
        assert entry.source.strip(), entry.id


@pytest.mark.parametrize(
    ("name", "dtype", "tflops"),
    [
        ("a100", "bf16", 312),  # A100 datasheet: 312 | 624* (* with sparsity)
        ("a100", "tf32", 156),
        ("a100", "int8", 624),
        ("h100", "bf16", 989.5),  # H100 SXM datasheet: 1,979* with sparsity
        ("h100", "fp8", 1979),
        ("h100 pcie", "bf16", 756.5),
        ("h200", "fp8", 1979),
        ("b200", "bf16", 2250),
        ("mi300x", "bf16", 1307.4),
        ("mi300x", "fp8", 2614.9),
        ("l40s", "fp8", 733),
        ("tpu-v4", "bf16", 275),  # the peak PaLM's MFU divides by
        ("tpu-v5p", "bf16", 459),
    ],
)
def test_dense_peaks(name: str, dtype: str, tflops: float) -> None:
    assert get_device(name).peak_flops(dtype) == pytest.approx(tflops * 1e12)


def test_sparse_peaks_are_kept_apart_and_twice_dense() -> None:
    h100 = get_device("h100")
    assert h100.sparse_tflops["bf16"] == 1979
    assert h100.peak_tflops["bf16"] == pytest.approx(h100.sparse_tflops["bf16"] / 2)


def test_missing_dtype_is_an_input_error() -> None:
    with pytest.raises(ModelInputError, match="no fp8 peak"):
        get_device("a100").peak_flops("fp8")
    assert get_device("h100").peak_flops("bfloat16") == get_device("h100").peak_flops("bf16")


def test_memory_units() -> None:
    # an HBM part's "80GB" is binary: CUDA reports about 79.2 GiB usable on an H100
    h100 = get_device("h100")
    assert h100.memory.capacity_unit == "GiB"
    assert h100.memory_gib == pytest.approx(80.0)
    assert h100.memory_bandwidth == 3.35e12
    l40s = get_device("l40s")  # GDDR6 "48GB" is decimal: about 44.7 GiB
    assert l40s.memory.capacity_unit == "GB"
    assert l40s.memory_bytes == 48e9
    v4 = get_device("tpu-v4")  # Google prints GiB
    assert v4.memory.capacity_unit == "GiB"
    assert v4.memory_bytes == 32 * 2**30


def test_link_direction() -> None:
    h100 = get_device("h100")
    assert h100.link is not None and h100.link.direction == "bidirectional"
    assert h100.link.bandwidth_GBps == 900
    assert h100.link_one_way_bytes_per_s == 450e9
    assert get_device("a100").link_one_way_bytes_per_s == 300e9
    with pytest.raises(ModelInputError):
        _ = get_device("tpu-v4").link_one_way_bytes_per_s


def test_nics() -> None:
    ndr = get_nic("NDR")
    assert ndr.line_rate_gbps == 400
    assert ndr.one_way_bytes_per_s == 50e9
    assert get_nic("roce").id == "roce-400"


def test_unknown_device_lists_near_matches() -> None:
    with pytest.raises(UnknownHardwareError) as err:
        get_device("H1000")
    text = str(err.value)
    assert "Unknown device 'H1000'" in text and "h100-sxm5-80gb" in text
    assert "\n" not in text


def test_unknown_nic() -> None:
    with pytest.raises(UnknownHardwareError, match="network card"):
        get_nic("carrier-pigeon")


GOOD = """
defaults: {x1: x1-sxm}
devices:
  - id: x1-sxm
    name: X1
    vendor: V
    kind: gpu
    aliases: [x1 sxm]
    peak_tflops: {bf16: 100}
    sparse_tflops: {bf16: 200}
    memory: {type: HBM3, capacity: 10, capacity_unit: GB, bandwidth_GBps: 1000}
    source: "somewhere"
nics: []
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hardware.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_custom_file_loads(tmp_path: Path) -> None:
    cat = load_catalog(_write(tmp_path, GOOD))
    assert cat.device("X1").id == "x1-sxm"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('    source: "somewhere"\n', "", "entry 'x1-sxm' lacks 'source'"),
        (
            "peak_tflops: {bf16: 100}",
            "peak_tflops: {bf16: 100}\n    tdp_w: 700",
            "entry 'x1-sxm': field 'tdp_w'",
        ),
        ("peak_tflops: {bf16: 100}", "peak_tflops: {bf17: 100}", "field 'peak_tflops'"),
        ("capacity_unit: GB", "capacity_unit: gigs", "field 'memory.capacity_unit'"),
        ("sparse_tflops: {bf16: 200}", "sparse_tflops: {bf16: 150}", "not twice the dense peak"),
        ("defaults: {x1: x1-sxm}", "defaults: {x1: x2}", "defaults: field 'x1'"),
    ],
)
def test_errors_name_file_entry_and_field(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(KnowledgeError) as err:
        load_catalog(path)
    text = str(err.value)
    assert text.startswith(str(path)), text
    assert message in text


def test_alias_clash_is_an_error(tmp_path: Path) -> None:
    # a second device claims the first one's alias "x1 sxm"
    entry = GOOD.split("devices:\n")[1].split("nics:")[0]
    second = entry.replace("id: x1-sxm", "id: x2-sxm").replace("name: X1", "name: X2")
    text = GOOD.replace("nics: []", second + "nics: []")
    with pytest.raises(KnowledgeError, match="already means 'x1-sxm'"):
        load_catalog(_write(tmp_path, text))


def test_user_directory_overrides_the_bundled_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, GOOD)
    monkeypatch.setenv("TENSORA_KB_DIR", str(tmp_path))
    assert [d.id for d in list_devices()] == ["x1-sxm"]
    monkeypatch.delenv("TENSORA_KB_DIR")
    assert len(list_devices()) >= 12


def test_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="not valid YAML"):
        load_catalog(_write(tmp_path, "devices: [unclosed"))


def test_the_bundled_catalog_is_cached_and_a_damaged_cache_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh = hardware._load(None)
    hardware._bundled.cache_clear()
    try:
        built = hardware._bundled()
        (cached,) = (tmp_path / "tensora").glob("hardware-*.pickle")
        hardware._bundled.cache_clear()
        from_cache = hardware._bundled()
        cached.write_bytes(b"not a pickle")
        hardware._bundled.cache_clear()
        rebuilt = hardware._bundled()
        for catalog in (built, from_cache, rebuilt):
            assert catalog.devices == fresh.devices and catalog.nics == fresh.nics
            assert catalog.device("H100").id == fresh.device("H100").id
    finally:
        hardware._bundled.cache_clear()

"""The hardware catalog: accelerators and network cards, from ``knowledge/data/hardware.yaml``.

Every number lives in the YAML with its source; this module validates the file (pydantic,
``extra="forbid"``), resolves names and converts units. Names resolve case-, space-, dash- and
underscore-insensitively ("H100", "h100 sxm", "A100-80GB", "A100 40GB"); a bare family name resolves to
the catalog's documented default (``defaults:`` in the YAML: plain "A100" is the A100 SXM4 80GB).

Units: peak FLOP/s are DENSE (the sparse 2:4 datasheet figures are kept apart in ``sparse_tflops``);
memory capacity keeps the unit its source prints (GB = 1e9 bytes or GiB = 2**30 bytes) and converts to
bytes; link bandwidth says whether it is a bidirectional total or one-way. A user directory given by
``TENSORA_KB_DIR`` overrides the bundled file, as for the rest of the knowledge base.
"""

from __future__ import annotations

import difflib
import os
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tensora.errors import CatalogGapError, KnowledgeError, UnknownHardwareError
from tensora.knowledge.loader import cache_file, parse_yaml, read_cache, source_of, write_cache

__all__ = [
    "DTYPES",
    "Catalog",
    "Device",
    "Interconnect",
    "Link",
    "Memory",
    "Nic",
    "NumberFormat",
    "get_device",
    "get_nic",
    "list_devices",
    "list_nics",
    "load_catalog",
    "normalize_name",
]

DTYPES = ("fp32", "tf32", "bf16", "fp16", "fp8", "int8", "fp4")
_FILE = "hardware.yaml"
_DTYPE_ALIASES = {
    "float32": "fp32",
    "float16": "fp16",
    "half": "fp16",
    "bfloat16": "bf16",
    "e4m3": "fp8",
    "e5m2": "fp8",
    "float8": "fp8",
    "nvfp4": "fp4",
    "mxfp4": "fp4",
}


def normalize_name(name: str) -> str:
    """Lower-case a device name and drop spaces, dashes, underscores and dots: 'A100 40GB' -> 'a10040gb'."""
    return re.sub(r"[\s\-_.]+", "", name.strip().lower())


class _Strict(BaseModel):
    # validators are built on first validation, not at import: a run served from the validated cache never needs
    # them
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Memory(_Strict):
    """Device memory: type, capacity in the unit the source prints, bandwidth in GB/s (1e9 bytes/s)."""

    type: str
    capacity: float = Field(gt=0)
    capacity_unit: Literal["GB", "GiB"]
    bandwidth_GBps: float = Field(gt=0)

    @property
    def capacity_bytes(self) -> float:
        return self.capacity * (1e9 if self.capacity_unit == "GB" else 2**30)

    @property
    def bandwidth_bytes_per_s(self) -> float:
        return self.bandwidth_GBps * 1e9


class Link(_Strict):
    """The intra-node (scale-up) link of a device, with the direction its bandwidth figure counts."""

    name: str
    bandwidth_GBps: float = Field(gt=0)
    direction: Literal["bidirectional", "one-way"]
    note: str = ""

    @property
    def one_way_bytes_per_s(self) -> float:
        """Per-direction bandwidth in bytes/s: half a bidirectional total."""
        per_dir = self.bandwidth_GBps / 2 if self.direction == "bidirectional" else self.bandwidth_GBps
        return per_dir * 1e9


class Device(_Strict):
    """An accelerator: dense peaks per dtype, memory, intra-node link, and where the numbers come from."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    vendor: str
    kind: Literal["gpu", "tpu"]
    aliases: list[str] = []
    peak_tflops: dict[str, float]
    sparse_tflops: dict[str, float] = {}
    memory: Memory
    #: streaming multiprocessors (compute units on AMD parts): what a communication kernel's thread blocks hold
    sms: int | None = Field(default=None, gt=0)
    link: Link | None = None
    source: str = Field(min_length=1)
    notes: str = ""

    @field_validator("peak_tflops", "sparse_tflops")
    @classmethod
    def _known_dtypes(cls, peaks: dict[str, float]) -> dict[str, float]:
        for dtype, value in peaks.items():
            if dtype not in DTYPES:
                raise ValueError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPES)}")
            if value <= 0:
                raise ValueError(f"{dtype} must be positive, got {value}")
        return peaks

    @model_validator(mode="after")
    def _sparse_is_twice_dense(self) -> Device:
        # a sparse figure is the 2:4 structured-sparsity peak: twice the dense one, give or take rounding
        for dtype, sparse in self.sparse_tflops.items():
            dense = self.peak_tflops.get(dtype)
            if dense is None:
                raise ValueError(f"sparse_tflops.{dtype} has no dense peak_tflops.{dtype}")
            if abs(sparse / dense - 2.0) > 0.05:
                raise ValueError(f"sparse_tflops.{dtype} ({sparse}) is not twice the dense peak ({dense})")
        return self

    def peak_flops(self, dtype: str = "bf16") -> float:
        """Dense peak FLOP/s (OP/s for int8) in ``dtype``; a ModelInputError if the catalog has none."""
        key = _DTYPE_ALIASES.get(dtype.strip().lower(), dtype.strip().lower())
        if key not in self.peak_tflops:
            raise CatalogGapError(
                f"{self.name} has no {dtype} peak in the catalog; choose one of {', '.join(self.peak_tflops)}",
                self.name,
                dtype,
            )
        return self.peak_tflops[key] * 1e12

    @property
    def memory_bytes(self) -> float:
        return self.memory.capacity_bytes

    @property
    def memory_gb(self) -> float:
        return self.memory.capacity_bytes / 1e9

    @property
    def memory_gib(self) -> float:
        return self.memory.capacity_bytes / 2**30

    @property
    def memory_bandwidth(self) -> float:
        """HBM (or GDDR) bandwidth in bytes/s."""
        return self.memory.bandwidth_bytes_per_s

    @property
    def link_one_way_bytes_per_s(self) -> float:
        """Intra-node link bandwidth per direction in bytes/s; a ModelInputError if none is listed."""
        if self.link is None:
            raise CatalogGapError(
                f"{self.name} has no intra-node link bandwidth in the catalog; pass it explicitly",
                self.name,
                "link",
            )
        return self.link.one_way_bytes_per_s


class Nic(_Strict):
    """A scale-out network port: line rate in Gb/s per direction."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    kind: Literal["infiniband", "roce", "ethernet"]
    aliases: list[str] = []
    line_rate_gbps: float = Field(gt=0)
    source: str = Field(min_length=1)
    notes: str = ""

    @property
    def one_way_bytes_per_s(self) -> float:
        """Per-direction bandwidth in bytes/s: Gb/s / 8."""
        return self.line_rate_gbps * 1e9 / 8


class OtherAccelerators(_Strict):
    """Accelerator names recognised in a draft that the catalog has no figures for."""

    names: list[str]
    source: str = Field(min_length=1)


class Interconnect(_Strict):
    """An interconnect's name as drafts write it, and whether it joins devices in a node or nodes."""

    name: str = Field(min_length=1)
    scope: Literal["node", "network"]
    aliases: list[str] = []
    source: str = Field(min_length=1)


class NumberFormat(_Strict):
    """A number format: its canonical id, the spellings drafts use, and spellings of its flavours with the
    qualifier each gives ("e4m3" is an fp8 flavour)."""

    id: str = Field(pattern=r"^[a-z0-9]+$")
    aliases: list[str]
    variants: dict[str, str] = {}
    source: str = Field(min_length=1)


class _File(_Strict):
    defaults: dict[str, str] = {}
    devices: list[dict[str, Any]]
    nics: list[dict[str, Any]] = []
    # a user's file without these sections keeps the bundled ones
    other_accelerators: OtherAccelerators | None = None
    interconnects: list[Interconnect] | None = None
    formats: list[NumberFormat] | None = None


class Catalog:
    """Validated devices and NICs with their name index."""

    def __init__(
        self,
        devices: list[Device],
        nics: list[Nic],
        defaults: dict[str, str],
        label: str,
        other_accelerators: list[str] | None = None,
        interconnects: list[Interconnect] | None = None,
        formats: list[NumberFormat] | None = None,
    ) -> None:
        self.devices = devices
        self.nics = nics
        self.defaults = defaults
        self.label = label
        self.other_accelerators = list(other_accelerators or [])
        self.interconnects = list(interconnects or [])
        self.formats = list(formats or [])
        self._dev_index = self._index(devices, defaults, "devices")
        self._nic_index = self._index(nics, {}, "nics")

    def _index(self, entries: list[Device] | list[Nic], defaults: dict[str, str], section: str) -> dict[str, str]:
        index: dict[str, str] = {}
        ids = {e.id for e in entries}

        def add(name: str, target: str, where: str) -> None:
            key = normalize_name(name)
            if index.get(key, target) != target:
                raise KnowledgeError(
                    f"{self.label}: {where}: name '{name}' already means '{index[key]}', not '{target}'."
                )
            index[key] = target

        for e in entries:
            add(e.id, e.id, f"entry '{e.id}'")
        for e in entries:
            for alias in e.aliases:
                add(alias, e.id, f"entry '{e.id}': field 'aliases'")
        for name, target in defaults.items():
            if target not in ids:
                raise KnowledgeError(f"{self.label}: defaults: field '{name}': no {section} entry '{target}'.")
            add(name, target, f"defaults: field '{name}'")
        return index

    def device_names(self) -> list[str]:
        """The names a draft may call an accelerator by: the devices' ids, aliases and family defaults that
        contain a model number, without a leading vendor or brand word ("amd mi300x" is "mi300x"), and the
        names of the accelerators the catalog has no figures for."""
        names = [e.id for e in self.devices] + [a for e in self.devices for a in e.aliases] + list(self.defaults)
        out = [n for n in names if _is_model_name(n)]
        return list(dict.fromkeys(out + self.other_accelerators))

    def device(self, name: str) -> Device:
        target = self._dev_index.get(normalize_name(name))
        if target is None:
            raise UnknownHardwareError(self._unknown(name, "device", self._dev_index, self.devices))
        return next(d for d in self.devices if d.id == target)

    def nic(self, name: str) -> Nic:
        target = self._nic_index.get(normalize_name(name))
        if target is None:
            raise UnknownHardwareError(self._unknown(name, "network card", self._nic_index, self.nics))
        return next(n for n in self.nics if n.id == target)

    @staticmethod
    def _unknown(name: str, what: str, index: dict[str, str], entries: list[Device] | list[Nic]) -> str:
        near = difflib.get_close_matches(normalize_name(name), list(index), n=5, cutoff=0.5)
        ids = sorted({index[k] for k in near})
        if ids:
            hint = f"did you mean {', '.join(ids)}?"
        else:
            hint = f"known: {', '.join(e.id for e in entries)}"
        return f"Unknown {what} {name!r}; {hint} (see `tensora calc hardware`)"


def _is_model_name(name: str) -> bool:
    """Whether a catalog name names a model: it holds a digit, is not a bare version ("v4") and does not
    start with a word that has none ("amd mi300x", "hgx-b200"), except a product line before its version
    ("tpu v4")."""
    parts = [p for p in re.split(r"[\s-]+", name.strip()) if p]
    if not parts or not any(ch.isdigit() for ch in name) or re.fullmatch(r"v\d{1,2}[a-z]?", parts[0]):
        return False
    return any(ch.isdigit() for ch in parts[0]) or (len(parts) > 1 and re.fullmatch(r"v\d\w*", parts[1]) is not None)


def _label_and_text(path: Path | None) -> tuple[str, str]:
    if path is None:
        user_dir = os.environ.get("TENSORA_KB_DIR")
        if user_dir and (Path(user_dir) / _FILE).is_file():
            path = Path(user_dir) / _FILE
    if path is not None:
        try:
            return str(path), path.read_text(encoding="utf-8")
        except OSError as exc:
            raise KnowledgeError(f"{path}: cannot read ({exc.strerror}).") from None
    text = resources.files("tensora.knowledge").joinpath("data", _FILE).read_text(encoding="utf-8")
    return f"knowledge/data/{_FILE}", text


def _validate(model: type[Device] | type[Nic], raw: Any, label: str, section: str, i: int) -> Any:
    ident = raw.get("id") if isinstance(raw, dict) else None
    where = f"entry '{ident}'" if ident else f"{section} entry #{i + 1}"
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(entry)"
        if err["type"] == "missing":
            raise KnowledgeError(f"{label}: {where} lacks '{loc}'.") from None
        raise KnowledgeError(f"{label}: {where}: field '{loc}': {err['msg']}.") from None


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate the hardware catalog (bundled, the user's override, or ``path``)."""
    if path is None and not os.environ.get("TENSORA_KB_DIR"):
        return _bundled()
    return _load(path)


@cache
def _bundled() -> Catalog:
    # parsing and validating the catalog costs a fresh process some 12 ms: the validated catalog is kept between
    # runs, keyed by the file's text and this module's source (see ``loader.cache_file``)
    path = cache_file("hardware", _label_and_text(None)[1], source_of(Catalog))
    catalog = read_cache(path, lambda v: isinstance(v, Catalog))
    if catalog is None:
        catalog = _load(None)
        write_cache(path, catalog)
    return cast(Catalog, catalog)


def _load(path: Path | None) -> Catalog:
    label, text = _label_and_text(path)
    data = parse_yaml(text, label)
    if not isinstance(data, dict):
        raise KnowledgeError(f"{label}: expected a mapping with 'devices', 'nics' and 'defaults'.")
    try:
        top = _File.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise KnowledgeError(f"{label}: field '{loc}': {err['msg']}.") from None
    devices = [_validate(Device, raw, label, "devices", i) for i, raw in enumerate(top.devices)]
    nics = [_validate(Nic, raw, label, "nics", i) for i, raw in enumerate(top.nics)]
    missing = None in (top.other_accelerators, top.interconnects, top.formats)
    bundled = _bundled() if missing and label != f"knowledge/data/{_FILE}" else None
    names = top.other_accelerators.names if top.other_accelerators else bundled.other_accelerators if bundled else []
    interconnects = top.interconnects if top.interconnects is not None else bundled.interconnects if bundled else []
    formats = top.formats if top.formats is not None else bundled.formats if bundled else []
    return Catalog(devices, nics, dict(top.defaults), label, names, interconnects, formats)


def get_device(name: str) -> Device:
    """The catalog device called ``name`` (id, alias or family default); UnknownHardwareError otherwise."""
    return load_catalog().device(name)


def get_nic(name: str) -> Nic:
    """The catalog network card called ``name``; UnknownHardwareError otherwise."""
    return load_catalog().nic(name)


def list_devices() -> list[Device]:
    """All catalog devices, in file order."""
    return list(load_catalog().devices)


def list_nics() -> list[Nic]:
    """All catalog network cards, in file order."""
    return list(load_catalog().nics)

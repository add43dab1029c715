"""Reading numbers and units the way ML-systems drafts write them.

Number words ("eight"), thousands separators ("1,024"), scale suffixes ("13B", "4k", "1.2M"), link rates
in bits or bytes ("200 Gb/s", "600 GB/s"), times ("88 us", "1.4 s"), FLOP rates ("1.65 PFLOP/s"), numeric
formats ("bfloat16", "E4M3") and accelerator names ("A100 80GB", "TPU v4").

Conventions: a "k" on a token count is binary ("4k context" is 4096, since sequence lengths are powers of
two); elsewhere it is 1000. Gb/s are bits, GB/s bytes; tensora reports bandwidth in GB/s. Does not handle
ranges ("1-4"), fractions ("1/8"), or units outside the roles tensora uses.
"""

from __future__ import annotations

import re

# "one" .. "twenty", the counts drafts spell out; "single" reads as one ("a single node").
NUMBER_WORDS: dict[str, int] = {
    word: i + 1
    for i, word in enumerate(
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"single": 1}

_SCALES: dict[str, float] = {
    "k": 1e3,
    "m": 1e6,
    "b": 1e9,
    "t": 1e12,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
}

# GB/s per unit of each bandwidth spelling; case tells bits (b) from bytes (B), bits are divided by 8.
_BANDWIDTH_GBPS: dict[str, float] = {
    "Mb/s": 1e-3 / 8,
    "Mbps": 1e-3 / 8,
    "Gb/s": 1 / 8,
    "Gbps": 1 / 8,
    "Gbit/s": 1 / 8,
    "Tb/s": 1000 / 8,
    "Tbps": 1000 / 8,
    "GB/s": 1.0,
    "GBps": 1.0,
    "GiB/s": 1.0,
    "TB/s": 1000.0,
}

# Seconds per unit of each time spelling.
_SECONDS: dict[str, float] = {
    "ns": 1e-9,
    "nanosecond": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "microsecond": 1e-6,
    "ms": 1e-3,
    "msec": 1e-3,
    "millisecond": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
}

# Canonical numeric format and a qualifier for each spelling.
_PRECISIONS: dict[str, tuple[str, str]] = {
    "bf16": ("bf16", ""),
    "bfloat16": ("bf16", ""),
    "fp16": ("fp16", ""),
    "float16": ("fp16", ""),
    "half precision": ("fp16", ""),
    "fp32": ("fp32", ""),
    "float32": ("fp32", ""),
    "single precision": ("fp32", ""),
    "tf32": ("tf32", ""),
    "fp8": ("fp8", ""),
    "float8": ("fp8", ""),
    "e4m3": ("fp8", "e4m3"),
    "e5m2": ("fp8", "e5m2"),
    "mxfp8": ("fp8", "mxfp8"),
    "int8": ("int8", ""),
    "int4": ("int4", ""),
    "fp4": ("fp4", ""),
    "mxfp4": ("fp4", "mxfp4"),
    "nvfp4": ("fp4", "nvfp4"),
    # Classic mixed precision (Micikevicius et al., 2018) computes in fp16; the peak and the bytes per
    # parameter are the same for bf16, so the assumption does not move any computed number.
    "mixed precision": ("fp16", "mixed"),
}


def parse_number(text: str) -> float:
    """Read a numeral with optional thousands separators or a number word.

    Example: "1,024" -> 1024.0; "eight" -> 8.0; "6.7e9" -> 6.7e9
    """
    word = NUMBER_WORDS.get(text.lower())
    if word is not None:
        return float(word)
    return float(text.replace(",", ""))


def scale(suffix: str, *, binary: bool = False) -> float:
    """Multiplier of a scale suffix ("k", "M", "B", "T", "billion"); ``binary`` reads "k" as 1024.

    Example: scale("B") -> 1e9; scale("k", binary=True) -> 1024
    """
    if not suffix:
        return 1.0
    key = suffix.lower()
    if binary and key == "k":
        return 1024.0
    return _SCALES[key]


def bandwidth_gb_per_s(value: float, unit: str) -> float | None:
    """A bandwidth in GB/s, or None for an unknown unit. Bits and bytes are told apart by case.

    Example: (200, "Gb/s") -> 25.0; (600, "GB/s") -> 600.0
    """
    factor = _BANDWIDTH_GBPS.get(re.sub(r"/sec$", "/s", unit))
    return None if factor is None else value * factor


def seconds(value: float, unit: str) -> float | None:
    """A time in seconds, or None for an unknown unit.

    Example: (88, "us") -> 8.8e-05; (1.4, "s") -> 1.4
    """
    key = unit.lower()
    factor = _SECONDS.get(key, _SECONDS.get(key[:-1]) if key.endswith("s") else None)
    return None if factor is None else value * factor


def precision(spelling: str) -> tuple[str, str]:
    """Canonical format ("bf16", "fp8", ...) and a qualifier for a spelling, or ("", "") if unknown.

    Example: "bfloat16" -> ("bf16", ""); "E4M3" -> ("fp8", "e4m3"); "mixed-precision" -> ("fp16", "mixed")
    """
    key = re.sub(r"[-\s]+", " ", spelling.strip().lower())
    return _PRECISIONS.get(key, ("", ""))


def gpu_model(spelling: str) -> str:
    """An accelerator name as written, normalised to dash-joined parts.

    Example: "A100 80 GB" -> "A100-80GB"; "H100 SXM" -> "H100-SXM"; "TPU v4" -> "TPU-v4"; "mi300x" -> "MI300X"
    """
    text = re.sub(r"(\d)\s+GB\b", r"\1GB", spelling.strip(), flags=re.I)
    text = re.sub(r"^TPU\s*v", "TPU-v", text, flags=re.I)
    parts = [p for p in re.split(r"[-\s]+", text) if p]
    out: list[str] = []
    for part in parts:
        low = part.lower()
        if low == "pcie":
            out.append("PCIe")
        elif out == ["TPU"] and re.fullmatch(r"v\d+[a-z]?", low):
            out.append(low)
        else:
            out.append(part.upper())
    return "-".join(out)

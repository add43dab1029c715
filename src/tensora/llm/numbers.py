"""Numbers stated in prose, and whether each one can be traced to the evidence or a tool result.

A stated number is a digit run (with thousands separators and decimals) standing on its own: "63.6%", "1,024",
"13B", "3.9 ms", "1.4x". Digits inside identifiers (1F1B, H100, ZeRO-3, fp8, 2BW) are names, not numbers.
A stated number is verified when some known number rounds to it: the tolerance is half a unit in its last
written digit, so "64%" and "63.6%" both match 0.6364 while "2019" does not match 2021. Percentages also match the
ratio, SI suffixes and milliseconds are scaled, and known ratios also match as percentages. 0, 1 and 2
are never flagged (counts of things, "one" written as a digit).

Not covered: numbers written as words, units converted between systems (GB against GiB), arithmetic on
known numbers (a sum of two stated values is flagged, which is the point).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["KnownNumbers", "Stated", "numbers_in", "numbers_of"]

_NUMBER = re.compile(r"(?<![\w.^/\-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")
_AFTER = re.compile(r"\s?(%|×|[A-Za-zµ]+)")
_SCALE = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12, "G": 1e9}
_TIME = {"ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_UNITS = {
    "x",
    "X",
    "s",
    "sec",
    "GB",
    "GiB",
    "TB",
    "TiB",
    "MB",
    "MiB",
    "KB",
    "KiB",
    "Gb",
    "Gbps",
    "GBps",
    "W",
    "kW",
    "GHz",
    "MHz",
    "TFLOP",
    "TFLOPs",
    "TFLOPS",
    "PFLOP",
    "PFLOPs",
    "PFLOPS",
    "FLOP",
    "FLOPs",
    "bit",
    "bits",
    "byte",
    "bytes",
    "GPU",
    "GPUs",
    "nodes",
    "layers",
    "heads",
    "tokens",
    "steps",
    "stages",
    "percent",
}
_FREE = {0.0, 1.0, 2.0}


@dataclass(frozen=True, slots=True)
class Stated:
    """A number as written, the values it may stand for (each with its rounding tolerance), and its context."""

    text: str
    candidates: tuple[tuple[float, float], ...]
    context: str


def _decimals(digits: str) -> int:
    return len(digits.split(".", 1)[1]) if "." in digits else 0


def _scale(unit: str, glued: bool) -> float | None:
    """The factor a unit applies (1 for a plain unit), or None when the digits belong to an identifier."""
    if unit in ("%", "percent"):
        return 0.01
    if unit in _TIME:
        return _TIME[unit]
    if glued and unit in _SCALE:
        return _SCALE[unit]
    if unit in ("×",) or unit in _UNITS or not glued:
        return 1.0
    return None


def numbers_in(text: str) -> Iterator[Stated]:
    for m in _NUMBER.finditer(text):
        digits = m.group(1)
        value = float(digits.replace(",", ""))
        half_ulp = 0.5 * 10.0 ** -_decimals(digits)
        end, factor = m.end(), 1.0
        after = _AFTER.match(text, end)
        if after is not None:
            unit = after.group(1)
            scale = _scale(unit, glued=after.group(0) == unit)
            if scale is None:
                continue  # an identifier: 1F1B, 3D, 2BW, 4th
            if scale != 1.0 or unit in _UNITS or unit == "×":
                end, factor = after.end(), scale
        candidates = ((value * factor, half_ulp * factor), (value, half_ulp)) if factor != 1.0 else ((value, half_ulp),)
        lo, hi = max(0, m.start() - 40), min(len(text), end + 40)
        yield Stated(text[m.start() : end].strip(), candidates, " ".join(text[lo:hi].split()))


def numbers_of(value: Any) -> Iterator[float]:
    """Every number in a JSON-like value: numeric leaves, and the numbers written in its strings."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        if math.isfinite(value):
            yield float(value)
        return
    if isinstance(value, str):
        for stated in numbers_in(value):
            yield from (c for c, _ in stated.candidates)
        return
    if isinstance(value, dict):
        for v in value.values():
            yield from numbers_of(v)
        return
    if isinstance(value, list | tuple):
        for v in value:
            yield from numbers_of(v)


class KnownNumbers:
    """The numbers a model may state: those of the evidence, the prompts and its tool results."""

    def __init__(self, values: Iterable[float] = ()) -> None:
        self._values: list[float] = []
        self.add(values)

    def add(self, values: Iterable[float]) -> None:
        for v in values:
            if math.isfinite(v):
                self._values.append(float(v))
                self._values.append(float(v) * 100.0)  # a ratio said as a percentage

    def merge(self, other: KnownNumbers) -> None:
        self._values.extend(other._values)

    def add_json(self, value: Any) -> None:
        self.add(numbers_of(value))

    def has(self, stated: Stated) -> bool:
        for c, half_ulp in stated.candidates:
            if c in _FREE:
                return True
            tol = half_ulp + 1e-9 * abs(c)
            if any(abs(k - c) <= tol for k in self._values):
                return True
        return False

    def unverified(self, text: str) -> list[Stated]:
        return [s for s in numbers_in(text) if not self.has(s)]

"""The value that every analytical model returns: a float that remembers how it was computed.

A ``Computed`` is a ``float`` (so rules can compare and add it like any number) that also carries the
quantity's name from the JSON contract, its unit, the formula, the inputs it was computed from, the
source of the formula, and a breakdown of intermediate numbers. ``tensora calc`` prints those; the
review's ``computed`` block uses ``name`` and the float value.

Arithmetic on a ``Computed`` gives a plain ``float``: derived numbers must be wrapped again by the
model that derives them, so no number travels with a formula that did not produce it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["Computed", "InputValue"]

InputValue = float | int | str | bool | None


class Computed(float):
    """A number computed by a model, with its name, unit, formula, inputs and source."""

    name: str
    unit: str
    formula: str
    inputs: Mapping[str, InputValue]
    source: str
    details: Mapping[str, float]
    notes: tuple[str, ...]

    def __new__(
        cls,
        value: float,
        *,
        name: str,
        unit: str,
        formula: str,
        inputs: Mapping[str, InputValue],
        source: str,
        details: Mapping[str, float] | None = None,
        notes: tuple[str, ...] = (),
    ) -> Computed:
        obj = super().__new__(cls, value)
        fields: dict[str, Any] = {
            "name": name,
            "unit": unit,
            "formula": formula,
            "inputs": MappingProxyType(dict(inputs)),
            "source": source,
            "details": MappingProxyType({k: float(v) for k, v in (details or {}).items()}),
            "notes": tuple(notes),
        }
        for key, val in fields.items():
            object.__setattr__(obj, key, val)
        return obj

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError(f"Computed {self.name!r} is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (
                float(self),
                self.name,
                self.unit,
                self.formula,
                dict(self.inputs),
                self.source,
                dict(self.details),
                self.notes,
            ),
        )

    @property
    def value(self) -> float:
        """The number as a plain float."""
        return float(self)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description: name, value, unit, formula, inputs, source, details, notes."""
        return {
            "name": self.name,
            "value": float(self),
            "unit": self.unit,
            "formula": self.formula,
            "inputs": dict(self.inputs),
            "source": self.source,
            "details": dict(self.details),
            "notes": list(self.notes),
        }


def _rebuild(
    value: float,
    name: str,
    unit: str,
    formula: str,
    inputs: dict[str, InputValue],
    source: str,
    details: dict[str, float],
    notes: tuple[str, ...],
) -> Computed:
    return Computed(
        value,
        name=name,
        unit=unit,
        formula=formula,
        inputs=inputs,
        source=source,
        details=details,
        notes=notes,
    )

"""Input checks shared by the models: each failure is a one-line ``ModelInputError``."""

from __future__ import annotations

import math

from tensora.errors import ModelInputError

GIB = 2**30  # bytes in a GiB (binary)
GB = 1e9  # bytes in a GB (decimal), as datasheets and the ZeRO paper count


def positive(name: str, value: float) -> float:
    """``value`` if it is a finite number above zero, else a ModelInputError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelInputError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ModelInputError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def non_negative(name: str, value: float) -> float:
    """``value`` if it is a finite number at or above zero."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelInputError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ModelInputError(f"{name} must be zero or positive, got {value!r}")
    return float(value)


def positive_int(name: str, value: int) -> int:
    """``value`` if it is a whole number of at least 1 (floats such as 8.0 are accepted)."""
    if isinstance(value, bool):
        raise ModelInputError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, float):
        if not float(value).is_integer():
            raise ModelInputError(f"{name} must be a whole number, got {value!r}")
        value = int(value)
    if not isinstance(value, int) or value < 1:
        raise ModelInputError(f"{name} must be a whole number of at least 1, got {value!r}")
    return value


def fraction(name: str, value: float) -> float:
    """``value`` if it lies in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelInputError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ModelInputError(f"{name} must lie between 0 and 1, got {value!r}")
    return float(value)


def choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """``value`` normalised to lower case with '_' as '-', if it is one of ``allowed``."""
    norm = value.strip().lower().replace("_", "-")
    if norm not in allowed:
        raise ModelInputError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return norm


def divides(what: str, divisor: int, dividend: int, dividend_name: str) -> None:
    """Raise unless ``divisor`` divides ``dividend``."""
    if dividend % divisor:
        raise ModelInputError(
            f"{what} ({divisor}) does not divide {dividend_name} ({dividend}); choose degrees that divide it"
        )

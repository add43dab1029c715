"""Every public model documents its formula, source, what it ignores, and an example that holds."""

import inspect
import math
import re
from collections.abc import Callable
from typing import Any

import pytest

import tensora.models as models

FUNCTIONS: list[tuple[str, Callable[..., Any]]] = [
    (name, obj) for name in models.__all__ if inspect.isfunction(obj := getattr(models, name))
]
EXAMPLE = re.compile(r"Example:\s*(?P<args>.*?)\s*->\s*(?P<out>[^\n]*)", re.S)
NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?")


def test_there_are_models() -> None:
    assert len(FUNCTIONS) >= 30


@pytest.mark.parametrize(("name", "fn"), FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_docstring_has_formula_source_ignores_and_example(name: str, fn: Callable[..., Any]) -> None:
    doc = inspect.getdoc(fn) or ""
    assert "Source:" in doc, f"{name}: no 'Source:'"
    assert re.search(r"Ignores|Assumes", doc), f"{name}: does not say what it ignores or assumes"
    assert EXAMPLE.search(doc), f"{name}: no 'Example: ... -> ...'"


def _tolerance(text: str) -> float:
    """Half a unit in the last printed digit of the mantissa, relative."""
    mantissa = text.split("e")[0].lstrip("+-")
    digits = len(mantissa.replace(".", "").lstrip("0")) or 1
    return 0.5 * 10 ** (1 - digits) * 1.0001


@pytest.mark.parametrize(("name", "fn"), FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_docstring_example_holds(name: str, fn: Callable[..., Any]) -> None:
    match = EXAMPLE.search(inspect.getdoc(fn) or "")
    assert match
    args = " ".join(match.group("args").split())
    out = match.group("out").strip()
    result = eval(f"fn({args})", {"fn": fn, "inf": math.inf})  # noqa: S307 - our own docstrings
    number = NUMBER.match(out)
    if number is None:  # a structured result, e.g. check_divisibility's "not ok: ..."
        assert out.startswith("not ok") and not result.ok
        assert out.split(": ", 1)[1].split(" (")[0] in " ".join(result.problems)
        return
    expected = float(number.group(0))
    assert float(result) == pytest.approx(expected, rel=_tolerance(number.group(0)))

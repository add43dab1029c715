import math

import pytest

from tensora.errors import ModelInputError
from tensora.models import amdahl_max_speedup


@pytest.mark.parametrize(
    ("f", "s", "expected"),
    [
        (0.3, math.inf, 1 / 0.7),
        (0.3, 4.0, 1 / (0.7 + 0.075)),
        (0.0, 10.0, 1.0),
        (1.0, 4.0, 4.0),
        (0.5, 1.0, 1.0),
    ],
)
def test_amdahl(f: float, s: float, expected: float) -> None:
    assert amdahl_max_speedup(f, s) == pytest.approx(expected)


def test_whole_step_sped_up_infinitely_is_unbounded() -> None:
    assert math.isinf(amdahl_max_speedup(1.0))


def test_names_the_quantity() -> None:
    c = amdahl_max_speedup(0.3)
    assert c.name == "amdahl_max_speedup" and c.formula == "1 / ((1 - f) + f / s)"


@pytest.mark.parametrize(("f", "s"), [(-0.1, 2.0), (1.5, 2.0), (0.3, 0.0), (0.3, -2.0), (math.nan, 2.0)])
def test_impossible_inputs(f: float, s: float) -> None:
    with pytest.raises(ModelInputError):
        amdahl_max_speedup(f, s)

import copy
import json
import pickle

import pytest

from tensora.models import Computed, pipeline_bubble_fraction


def test_computed_is_a_float_with_provenance() -> None:
    c = pipeline_bubble_fraction(8, 4)
    assert isinstance(c, float)
    assert c == pytest.approx(7 / 11)
    assert c > 0.5 and c + 1 == pytest.approx(18 / 11)
    assert c.name == "pipeline_bubble_fraction"
    assert c.unit == "ratio"
    assert c.formula == "(p - 1) / (v*m + p - 1)"
    assert dict(c.inputs) == {"p": 8, "m": 4, "v": 1}
    assert "GPipe" in c.source


def test_computed_is_immutable() -> None:
    c = pipeline_bubble_fraction(8, 4)
    with pytest.raises(AttributeError):
        c.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        c.inputs["p"] = 3  # type: ignore[index]


def test_computed_survives_pickle_and_copy() -> None:
    c = pipeline_bubble_fraction(8, 4)
    for clone in (pickle.loads(pickle.dumps(c)), copy.deepcopy(c), copy.copy(c)):
        assert isinstance(clone, Computed)
        assert float(clone) == float(c)
        assert clone.formula == c.formula and dict(clone.inputs) == dict(c.inputs)


def test_as_dict_is_json_ready() -> None:
    d = pipeline_bubble_fraction(8, 4).as_dict()
    text = json.dumps(d)
    assert json.loads(text)["value"] == pytest.approx(7 / 11)
    assert set(d) == {"name", "value", "unit", "formula", "inputs", "source", "details", "notes"}


def test_arithmetic_gives_plain_floats() -> None:
    c = pipeline_bubble_fraction(8, 4)
    assert type(c * 2) is float

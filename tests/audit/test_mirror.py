"""The Mirror's wording of the draft's setting."""

import pytest

from tensora.audit.mirror import _model_size


@pytest.mark.parametrize(
    ("params", "text"),
    [(7e9, "7B"), (1.3e9, "1.3B"), (175e9, "175B"), (671e9, "671B"), (1.6e12, "1.6T"), (125e6, "125M")],
)
def test_model_size_as_people_write_it(params: float, text: str) -> None:
    assert _model_size(params) == text

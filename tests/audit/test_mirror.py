"""The Mirror's wording of the draft's setting."""

import pytest

from tensora.audit.mirror import _model_size


@pytest.mark.parametrize(
    ("params", "text"),
    [(7e9, "7B"), (1.3e9, "1.3B"), (175e9, "175B"), (671e9, "671B"), (1.6e12, "1.6T"), (125e6, "125M")],
)
def test_model_size_as_people_write_it(params: float, text: str) -> None:
    assert _model_size(params) == text


@pytest.mark.parametrize(
    ("phrase", "ok"),
    [
        ("the static expert placement", True),
        ("full activation recomputation", True),
        ("storing it", False),
        ("a few being turned away early", False),
        ("overflowing", False),
    ],
)
def test_what_the_draft_replaces_names_a_thing(phrase: str, ok: bool) -> None:
    from tensora.audit.mirror import _names_a_thing

    assert _names_a_thing(phrase) is ok


def test_a_lone_participle_names_nothing_replaced() -> None:
    from tensora.audit.mirror import _names_a_thing

    assert not _names_a_thing("serialised")
    assert _names_a_thing("the ring all-reduce")

"""A profile table's share column: each row's share of the step, with the row's label as its part."""

from tensora.extract.numbers import quantities_of
from tensora.extract.sentences import Sentence


def _rows(lines: list[str]) -> list[Sentence]:
    return [Sentence(t, 1, "Profile", "proposal", i, "table", 3) for i, t in enumerate(lines)]


def test_two_column_share_table() -> None:
    found = quantities_of(_rows(["phase | share of GPU time", "prefill (misses) | 30%", "decode | 65%"]))
    shares = [(q.text, q.value, q.qualifier) for q in found if q.role == "time_fraction"]
    assert shares == [("prefill", 0.30, "profile"), ("decode", 0.65, "profile")]


def test_share_beside_a_time_column() -> None:
    found = quantities_of(_rows(["component | time | share", "GEMMs | 1.2 s | 60%"]))
    assert [(q.text, q.value) for q in found if q.role == "time_fraction"] == [("GEMMs", 0.6)]


def test_other_share_columns_are_not_step_shares() -> None:
    found = quantities_of(_rows(["expert | share of tokens", "e0 | 30%"]))
    assert [q for q in found if q.role == "time_fraction"] == []

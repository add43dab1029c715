import pytest

from tensora.errors import ModelInputError
from tensora.models import (
    check_divisibility,
    in_flight_microbatches,
    pipeline_bubble_fraction,
    pipeline_bubble_relative_to_ideal,
)


def test_bubble_relative_to_ideal_is_narayanans_p_minus_1_over_m() -> None:
    # Narayanan et al., SC'21, Sec. 2.2.1: "bubble time fraction = t_pb / t_id = (p - 1) / m"
    for p, m in [(8, 32), (4, 8), (64, 3072), (2, 1)]:
        assert pipeline_bubble_relative_to_ideal(p, m) == pytest.approx((p - 1) / m)


def test_interleaved_bubble_divides_by_v() -> None:
    # Narayanan et al., SC'21, Sec. 2.2.2: "1/v * (p - 1)/m"
    assert pipeline_bubble_relative_to_ideal(8, 32, virtual=4) == pytest.approx(7 / 32 / 4)


@pytest.mark.parametrize(
    ("p", "m", "v", "expected"),
    [(8, 4, 1, 7 / 11), (8, 32, 1, 7 / 39), (1, 8, 1, 0.0), (4, 8, 2, 3 / 19), (8, 8, 1, 7 / 15)],
)
def test_bubble_share_of_step(p: int, m: int, v: int, expected: float) -> None:
    # GPipe (Huang et al., 2019): (p-1)/(m+p-1) of the step; interleaving divides the bubble by v
    c = pipeline_bubble_fraction(p, m, v)
    assert c == pytest.approx(expected)
    assert c.name == "pipeline_bubble_fraction"


def test_the_two_conventions_agree() -> None:
    # share = r / (1 + r) where r is the bubble relative to ideal
    r = float(pipeline_bubble_relative_to_ideal(8, 4))
    assert pipeline_bubble_fraction(8, 4) == pytest.approx(r / (1 + r))
    assert pipeline_bubble_fraction(8, 4).details["relative_to_ideal"] == pytest.approx(r)


@pytest.mark.parametrize(
    ("schedule", "p", "m", "v", "expected"),
    [
        ("gpipe", 8, 32, 1, 32),
        ("1f1b", 8, 32, 1, 8),
        ("1f1b", 8, 4, 1, 4),
        ("interleaved", 8, 32, 2, 8 + 7 / 2),
        ("interleaved", 4, 16, 4, 4 * (1 + 3 / 16)),
    ],
)
def test_in_flight_microbatches(schedule: str, p: int, m: int, v: int, expected: float) -> None:
    assert in_flight_microbatches(p, m, schedule, v) == pytest.approx(expected)


def test_interleaved_in_flight_matches_megatron_warmup_count() -> None:
    # Megatron's interleaved warm-up on rank 0: 2(p-1) + (v-1)p chunk forwards, plus the one in 1F1B
    for p, v in [(4, 2), (8, 3), (16, 5)]:
        chunks = 2 * (p - 1) + (v - 1) * p + 1
        assert in_flight_microbatches(p, 4 * p, "interleaved", v) == pytest.approx(chunks / v)


def test_virtual_stages_need_interleaving() -> None:
    with pytest.raises(ModelInputError, match="interleaved"):
        in_flight_microbatches(8, 32, "1f1b", virtual=2)


def test_divisibility_ok() -> None:
    report = check_divisibility(512, 2, 8, layers=32, pp=4, tp=8, heads=32, gpus=256)
    assert report.ok and bool(report)
    assert report.microbatches == 32
    assert report.problems == ()


def test_divisibility_names_each_problem() -> None:
    report = check_divisibility(500, 2, 8, layers=30, pp=4, tp=6, heads=32, gpus=200)
    assert not report.ok
    text = " | ".join(report.problems)
    assert "global batch (500)" in text
    assert "layers (30)" in text
    assert "heads (32)" in text
    assert "gpus (200)" in text
    assert report.microbatches is None


def test_interleaved_needs_m_multiple_of_p() -> None:
    report = check_divisibility(48, 1, 8, layers=32, pp=4, virtual=2)  # m = 6
    assert not report.ok
    assert "multiple of pp" in report.problems[0]


@pytest.mark.parametrize(
    "call",
    [
        lambda: pipeline_bubble_fraction(0, 4),
        lambda: pipeline_bubble_fraction(8, -1),
        lambda: pipeline_bubble_fraction(8, 4, 0),
        lambda: pipeline_bubble_fraction(8.5, 4),  # type: ignore[arg-type]
        lambda: in_flight_microbatches(8, 4, "zero-bubble"),
        lambda: check_divisibility(0, 1, 1),
    ],
)
def test_impossible_inputs(call: object) -> None:
    with pytest.raises(ModelInputError):
        call()  # type: ignore[operator]

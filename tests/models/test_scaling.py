"""Scaling fits and efficiency."""

import pytest

from tensora.errors import ModelInputError
from tensora.models import scaling_efficiency, strong_scaling_fit, utilisation_from_achieved


def test_fit_recovers_serial_time_and_work() -> None:
    pts = [(n, 2.0 + 96.0 / n) for n in (4, 8, 32)]
    c = strong_scaling_fit(pts)
    assert float(c) == pytest.approx(2.0)
    assert c.details["work_device_s"] == pytest.approx(96.0)
    assert c.details["r_squared"] == pytest.approx(1.0)
    at = strong_scaling_fit(pts, 128)
    assert float(at) == pytest.approx(2.75)
    assert at.details["efficiency"] == pytest.approx(4 * 26.0 / (128 * 2.75))


def test_fit_needs_two_device_counts() -> None:
    with pytest.raises(ModelInputError, match="two or more"):
        strong_scaling_fit([(8, 1.0), (8, 1.1)])


def test_megatron_lm_76_percent() -> None:
    # Shoeybi et al. 2019: 15.1 PFLOP/s on 512 GPUs vs 39 TFLOP/s on one -> 76% scaling efficiency
    assert round(float(scaling_efficiency(512, 15.1e15, 1, 39e12)) * 100) == 76


def test_utilisation_names_what_the_flops_count() -> None:
    assert utilisation_from_achieved(163e12, 312e12, "hardware").name == "hfu"
    assert utilisation_from_achieved(150e12, 312e12).name == "mfu"
    assert round(float(utilisation_from_achieved(163e12, 312e12, "hardware")) * 100) == 52

import pytest

from tensora.errors import ModelInputError
from tensora.models import (
    achieved_flops_per_device,
    hardware_flops_per_token,
    hfu,
    megatron_training_time_s,
    mfu,
    palm_flops_per_token,
    time_to_train_s,
    training_flops_per_token,
)


def test_palm_540b_mfu_is_46_2_percent() -> None:
    # Chowdhery et al. 2022, Table 3 and Appendix B: 238.3K tokens/s on 6144 TPU v4 chips (275 TFLOP/s
    # bf16 peak each), model FLOPs 6N + 12LHQT with N = 540.35B, L = 118, H = 48, Q = 256, T = 2048
    f = palm_flops_per_token(540.35e9, 118, 48, 256, 2048)
    m = mfu(float(f), 238.3e3, 6144, 275e12)
    assert m == pytest.approx(0.4623, abs=5e-5)
    assert round(float(m) * 100, 1) == 46.2
    assert m.name == "mfu"


def test_without_attention_term_palm_would_report_45_7_percent() -> None:
    m = mfu(float(training_flops_per_token(540e9)), 238.3e3, 6144, 275e12)
    assert round(float(m) * 100, 1) == 45.7


def test_hfu_counts_recomputation() -> None:
    assert hardware_flops_per_token(6e9, "none") == pytest.approx(6e9)
    assert hardware_flops_per_token(6e9, "full") == pytest.approx(8e9)
    # selective recomputation repeats only the attention-score forward: A/3 of the training count
    assert hardware_flops_per_token(6e9, "selective", attention_flops_per_token=1.2e9) == pytest.approx(6.4e9)
    model = mfu(6e9, 1e4, 1, 1e14)
    hardware = hfu(float(hardware_flops_per_token(6e9, "full")), 1e4, 1, 1e14)
    assert hardware >= model and hardware / model == pytest.approx(4 / 3)


def test_achieved_flops_per_device() -> None:
    assert achieved_flops_per_device(1e18, 10.0, 100) == pytest.approx(1e15)


def test_narayanan_training_time_estimates_eq4() -> None:
    # Narayanan et al. Sec. 5.1: GPT-3 175B on 300B tokens, 1024 A100s at 140 TFLOP/s -> 34 days;
    # the 1T model on 450B tokens, 3072 GPUs at 163 TFLOP/s -> 84 days
    gpt3 = megatron_training_time_s(300e9, 175e9, 1024, 140e12)
    assert round(gpt3.details["days"]) == 34
    one_t = megatron_training_time_s(450e9, 1008e9, 3072, 163e12)
    assert round(one_t.details["days"]) == 84


def test_time_to_train_from_mfu() -> None:
    t = time_to_train_s(300e9, 6 * 175e9, 1024, 312e12, 0.45)
    assert t == pytest.approx(300e9 * 6 * 175e9 / (1024 * 312e12 * 0.45))
    assert t.details["days"] == pytest.approx(float(t) / 86400)


@pytest.mark.parametrize(
    "call",
    [
        lambda: mfu(0, 1, 1, 1),
        lambda: mfu(1, 1, 0, 1),
        lambda: mfu(1, 1, 1, -5),
        lambda: time_to_train_s(1, 1, 1, 1, 0.0),
        lambda: time_to_train_s(1, 1, 1, 1, 1.5),
        lambda: hardware_flops_per_token(1, "sometimes"),
    ],
)
def test_impossible_inputs(call: object) -> None:
    with pytest.raises(ModelInputError):
        call()  # type: ignore[operator]

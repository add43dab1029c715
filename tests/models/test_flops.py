"""Training FLOPs against Narayanan et al. (SC'21, arXiv 2104.04473) and PaLM (Chowdhery et al. 2022)."""

import pytest

from tensora.errors import ModelInputError
from tensora.models import (
    megatron_flops_per_iteration,
    megatron_params,
    palm_flops_per_token,
    training_flops_per_token,
)

# Narayanan et al., Table 1: (params in billions, heads, hidden, layers, GPUs, batch); all s=2048, V=51200
TABLE1 = [
    (1.7, 24, 2304, 24, 32, 512),
    (3.6, 32, 3072, 30, 64, 512),
    (7.5, 32, 4096, 36, 128, 512),
    (18.4, 48, 6144, 40, 256, 1024),
    (39.1, 64, 8192, 48, 512, 1536),
    (76.1, 80, 10240, 60, 1024, 1792),
    (145.6, 96, 12288, 80, 1536, 2304),
    (310.1, 128, 16384, 96, 1920, 2160),
    (529.6, 128, 20480, 105, 2520, 2520),
    (1008.0, 160, 25600, 128, 3072, 3072),
]


@pytest.mark.parametrize("row", TABLE1, ids=[f"{r[0]}B" for r in TABLE1])
def test_megatron_params_reproduce_table1(row: tuple[float, int, int, int, int, int]) -> None:
    billions, _heads, hidden, layers, _gpus, _batch = row
    assert megatron_params(layers, hidden, 51200, 2048) / 1e9 == pytest.approx(billions, abs=0.051)


def test_1t_model_iteration_flops_eq3() -> None:
    # eq. (3): F = 96 B s l h^2 (1 + s/6h + V/16lh); 1T row: B=3072, l=128, h=25600
    f = megatron_flops_per_iteration(3072, 2048, 128, 25600, 51200, recompute=True)
    b, s, n_l, h, v = 3072, 2048, 128, 25600, 51200
    assert f == pytest.approx(96 * b * s * n_l * h**2 * (1 + s / (6 * h) + v / (16 * n_l * h)))
    assert f == pytest.approx(5.1390e19, rel=1e-4)
    # Table 1 reports 163 TFLOP/s per GPU on 3072 GPUs and 502.0 PFLOP/s aggregate: an iteration takes
    # F / 502.0e15 = 102.4 s, and 502.0e15 / 3072 = 163.4 TFLOP/s per GPU, 52% of the A100's 312 TFLOP/s
    t_iter = f / 502.0e15
    assert t_iter == pytest.approx(102.37, rel=1e-3)
    assert f / (t_iter * 3072) / 1e12 == pytest.approx(163.4, abs=0.05)
    assert round(163 / 312 * 100) == 52


def test_without_recompute_is_72_and_the_logit_term_is_unchanged() -> None:
    b, s, n_l, h, v = 8, 2048, 24, 2304, 51200
    with_rc = megatron_flops_per_iteration(b, s, n_l, h, v, recompute=True)
    no_rc = megatron_flops_per_iteration(b, s, n_l, h, v, recompute=False)
    assert no_rc == pytest.approx(72 * b * s * n_l * h**2 * (1 + s / (6 * h) + v / (12 * n_l * h)))
    # recomputation repeats the transformer-layer forward only: 4/3 of the layer FLOPs, same logits
    assert with_rc.details["logits"] == pytest.approx(no_rc.details["logits"]) == pytest.approx(6 * b * s * h * v)
    assert with_rc - with_rc.details["logits"] == pytest.approx(4 / 3 * (no_rc - no_rc.details["logits"]))
    assert "HFU" in with_rc.notes[0] and "MFU" in no_rc.notes[0]


def test_six_n() -> None:
    c = training_flops_per_token(175e9)
    assert c == pytest.approx(1.05e12)
    assert c.details["forward"] == pytest.approx(2 * 175e9)


def test_palm_flops_per_token_appendix_b() -> None:
    # PaLM 540B: N = 540.35B, L = 118, H = 48, Q = 256, T = 2048 (Chowdhery et al. 2022, Table 1, App. B)
    c = palm_flops_per_token(540.35e9, 118, 48, 256, 2048)
    assert c.details["attention_12LHQT"] == pytest.approx(12 * 118 * 48 * 256 * 2048)
    assert c == pytest.approx(6 * 540.35e9 + 35_634_806_784)
    assert c.name == "model_flops_per_token"


@pytest.mark.parametrize(
    "call",
    [
        lambda: training_flops_per_token(0),
        lambda: training_flops_per_token(-1e9),
        lambda: palm_flops_per_token(1e9, 0, 8, 64, 2048),
        lambda: megatron_flops_per_iteration(1, 2048, 24, 0, 51200),
        lambda: megatron_params(24, 2304, 51200, -1),
    ],
)
def test_impossible_inputs(call: object) -> None:
    with pytest.raises(ModelInputError):
        call()  # type: ignore[operator]

import pytest

from tensora.errors import ModelInputError
from tensora.models import (
    attainable_flops,
    attention_intensity,
    elementwise_intensity,
    gemm_intensity,
    ridge_point,
    roofline_max_speedup,
    roofline_time_s,
)

H100_BF16, H100_HBM = 989.5e12, 3.35e12


def test_ridge_point() -> None:
    assert ridge_point(H100_BF16, H100_HBM) == pytest.approx(295.37, abs=0.01)
    assert ridge_point(312e12, 2.039e12) == pytest.approx(153.02, abs=0.01)  # A100 80GB


def test_attainable() -> None:
    assert attainable_flops(10, H100_BF16, H100_HBM) == pytest.approx(10 * H100_HBM)
    assert attainable_flops(1000, H100_BF16, H100_HBM) == pytest.approx(H100_BF16)


def test_gemm() -> None:
    c = gemm_intensity(8192, 8192, 8192)
    assert c.details["flops"] == 2 * 8192**3
    assert c.details["bytes"] == 3 * 8192**2 * 2
    assert c == pytest.approx(8192 / 3)
    assert c.name == "arithmetic_intensity"
    # a skinny decode GEMM (batch 1) is memory-bound: intensity ~ 1 FLOP/byte in bf16
    assert gemm_intensity(1, 8192, 8192) == pytest.approx(2 * 8192 * 8192 / ((8192 + 8192 * 8192 + 8192) * 2))


def test_attention_standard_vs_io_aware() -> None:
    n, d = 4096, 128
    std = attention_intensity(n, d)
    assert std.details["flops"] == 4 * n * n * d
    assert std.details["bytes"] == (4 * n * d + 4 * n * n) * 2
    io = attention_intensity(n, d, io_aware=True)
    assert io.details["bytes"] == 4 * n * d * 2
    assert io == pytest.approx(n / 2)  # 4 N^2 d / (8 N d)
    assert io > ridge_point(H100_BF16, H100_HBM) > std  # tiling turns attention compute-bound
    # re-reading K and V per query block lowers the intensity (FlashAttention's Theta(N^2 d^2 / M))
    assert attention_intensity(n, d, io_aware=True, kv_passes=32) < io
    assert attention_intensity(n, d, causal=True).details["flops"] == 2 * n * n * d
    # batch and heads scale FLOPs and bytes together
    assert attention_intensity(n, d, heads=32, batch=8) == pytest.approx(std)


@pytest.mark.parametrize(("op", "expected"), [("add", 1 / 6), ("layernorm", 2.0), ("softmax", 1.25), ("relu", 0.25)])
def test_elementwise(op: str, expected: float) -> None:
    assert elementwise_intensity(op, 1 << 20) == pytest.approx(expected)


def test_elementwise_custom() -> None:
    c = elementwise_intensity(None, 100, flops_per_element=4, reads=3, writes=1, dtype_bytes=4)
    assert c == pytest.approx(4 / 16)


def test_roofline_time_and_max_speedup() -> None:
    n = 8192 * 8192
    flops, nbytes = 8.0 * n, 2.0 * n * 2
    t = roofline_time_s(flops, nbytes, H100_BF16, H100_HBM)
    assert t == pytest.approx(nbytes / H100_HBM) and t.details["compute_bound"] == 0.0
    s = roofline_max_speedup(flops, nbytes, H100_BF16, H100_HBM, measured_time_s=120e-6, claimed_speedup=2.0)
    assert s == pytest.approx(120e-6 / float(t))
    assert s.name == "roofline_max_speedup"
    assert s.details["claimed_over_max"] > 1 and "exceeds" in s.notes[-1]


def test_max_speedup_from_achieved_bandwidth_or_flops() -> None:
    flops, nbytes = 1e9, 1e9
    by_bw = roofline_max_speedup(flops, nbytes, H100_BF16, H100_HBM, achieved_bandwidth=1.675e12)
    assert by_bw == pytest.approx(2.0)
    by_flops = roofline_max_speedup(1e15, 1e9, H100_BF16, H100_HBM, achieved_flops=H100_BF16 / 4)
    assert by_flops == pytest.approx(4.0)


def test_measured_below_roofline_is_an_input_error() -> None:
    with pytest.raises(ModelInputError, match="below the roofline minimum"):
        roofline_max_speedup(1e9, 1e9, H100_BF16, H100_HBM, measured_time_s=1e-6)


@pytest.mark.parametrize(
    "call",
    [
        lambda: ridge_point(0, 1),
        lambda: gemm_intensity(0, 8, 8),
        lambda: attention_intensity(1024, 64, kv_passes=2),
        lambda: elementwise_intensity("teleport", 10),
        lambda: elementwise_intensity(None, 10),
        lambda: roofline_max_speedup(1e9, 1e9, 1e12, 1e12),
        lambda: roofline_max_speedup(1e9, 1e9, 1e12, 1e12, measured_time_s=1.0, achieved_flops=1e9),
    ],
)
def test_impossible_inputs(call: object) -> None:
    with pytest.raises(ModelInputError):
        call()  # type: ignore[operator]

import pytest

from tensora.errors import ModelInputError
from tensora.models import (
    all_gather_time_s,
    all_to_all_time_s,
    bus_bandwidth,
    collective_time_s,
    dp_comm_bytes_per_step,
    hierarchical_all_reduce_time_s,
    reduce_scatter_time_s,
    ring_all_reduce_time_s,
    tp_comm_bytes_per_layer,
    tree_all_reduce_time_s,
    zero3_comm_bytes_per_step,
    zero3_comm_time_s,
)


@pytest.mark.parametrize(("n", "size", "bw"), [(2, 1e6, 25e9), (8, 1e9, 450e9), (64, 2.5e8, 50e9), (1024, 4e9, 50e9)])
def test_ring_all_reduce_is_2_n_minus_1_over_n_s_over_b(n: int, size: float, bw: float) -> None:
    # nccl-tests doc/PERFORMANCE.md: t = (S/B) * (2*(n-1)/n)
    t = ring_all_reduce_time_s(size, n, bw)
    assert t == pytest.approx(2 * (n - 1) / n * size / bw)
    assert t.name == "comm_time_s"


def test_ring_latency_term() -> None:
    t = ring_all_reduce_time_s(1e9, 8, 450e9, latency_s=5e-6)
    assert t.details["latency_term_s"] == pytest.approx(14 * 5e-6)
    assert t == pytest.approx(14 * 5e-6 + 1.75 * 1e9 / 450e9)


def test_bus_bandwidth_equals_link_bandwidth_for_the_ideal_ring() -> None:
    # busbw = algbw * 2(n-1)/n for all-reduce; for an ideal ring it recovers B
    t = ring_all_reduce_time_s(1e9, 8, 450e9)
    assert t.details["busbw_bytes_per_s"] == pytest.approx(450e9)
    for fn in (all_gather_time_s, reduce_scatter_time_s, all_to_all_time_s):
        assert fn(1e9, 8, 450e9).details["busbw_bytes_per_s"] == pytest.approx(450e9)


@pytest.mark.parametrize(
    ("op", "factor"),
    [("all-reduce", 2 * 7 / 8), ("all-gather", 7 / 8), ("reduce-scatter", 7 / 8), ("all-to-all", 7 / 8)],
)
def test_nccl_tests_bus_bandwidth_factors(op: str, factor: float) -> None:
    c = bus_bandwidth(op, 1e9, 4e-3, 8)
    assert c.details["algbw_bytes_per_s"] == pytest.approx(1e9 / 4e-3)
    assert c == pytest.approx(1e9 / 4e-3 * factor)


def test_all_gather_and_reduce_scatter_are_half_an_all_reduce() -> None:
    ar = ring_all_reduce_time_s(1e9, 16, 100e9)
    assert all_gather_time_s(1e9, 16, 100e9) + reduce_scatter_time_s(1e9, 16, 100e9) == pytest.approx(ar)


def test_tree_has_log_latency_and_full_bandwidth_term() -> None:
    t = tree_all_reduce_time_s(1e9, 1024, 50e9, latency_s=5e-6)
    assert t == pytest.approx(2 * 10 * 5e-6 + 2 * 1e9 / 50e9)
    ring = ring_all_reduce_time_s(8e3, 1024, 50e9, latency_s=5e-6)
    tree = tree_all_reduce_time_s(8e3, 1024, 50e9, latency_s=5e-6)
    assert tree < ring  # small messages: latency-bound, the tree wins


def test_hierarchical_with_one_node_is_a_ring() -> None:
    h = hierarchical_all_reduce_time_s(1e9, 8, 1, 450e9, 50e9)
    assert h == pytest.approx(ring_all_reduce_time_s(1e9, 8, 450e9))


def test_hierarchical_two_levels() -> None:
    h = hierarchical_all_reduce_time_s(1e9, 8, 4, 450e9, 50e9)
    assert h.details["intra_node_s"] == pytest.approx(2 * 7 / 8 * 1e9 / 450e9)
    assert h.details["inter_node_s"] == pytest.approx(2 * 3 / 4 * (1e9 / 8) / 50e9)
    # beats a flat ring over 32 GPUs limited by the 50 GB/s NIC
    assert h < ring_all_reduce_time_s(1e9, 32, 50e9)


def test_dispatcher() -> None:
    assert collective_time_s("all_reduce", 1e9, 8, 450e9) == pytest.approx(ring_all_reduce_time_s(1e9, 8, 450e9))
    assert collective_time_s("all-reduce", 1e9, 8, 450e9, algorithm="tree") == pytest.approx(
        tree_all_reduce_time_s(1e9, 8, 450e9)
    )
    with pytest.raises(ModelInputError):
        collective_time_s("all-gather", 1e9, 8, 450e9, algorithm="tree")


def test_dp_volume_and_zero3_is_one_and_a_half_times() -> None:
    # ZeRO (SC'20) Sec. 7: DP moves 2 Psi per step, ZeRO-3 3 Psi (1.5x)
    dp = dp_comm_bytes_per_step(7.5e9, 64, grad_bytes=2)
    assert dp == pytest.approx(2 * 63 / 64 * 7.5e9 * 2)
    z3 = zero3_comm_bytes_per_step(7.5e9, 64, dtype_bytes=2)
    assert z3 / dp == pytest.approx(1.5)
    t = zero3_comm_time_s(7.5e9, 8, 450e9)
    assert t / ring_all_reduce_time_s(7.5e9 * 2, 8, 450e9) == pytest.approx(1.5)


def test_tp_and_sp_move_the_same_bytes() -> None:
    # Narayanan Sec. 2.3: 2 all-reduces forward + 2 backward of b*s*h per layer; Korthikanti Sec. 4.2.2:
    # sequence parallelism swaps each all-reduce for all-gather + reduce-scatter of the same volume
    tp = tp_comm_bytes_per_layer(1, 2048, 12288, 8)
    sp = tp_comm_bytes_per_layer(1, 2048, 12288, 8, sequence_parallel=True)
    assert tp == pytest.approx(4 * 2 * 7 / 8 * 2048 * 12288 * 2)
    assert sp == pytest.approx(tp)


@pytest.mark.parametrize(
    "call",
    [
        lambda: ring_all_reduce_time_s(0, 8, 1e9),
        lambda: ring_all_reduce_time_s(1e9, 0, 1e9),
        lambda: ring_all_reduce_time_s(1e9, 8, -1.0),
        lambda: ring_all_reduce_time_s(1e9, 8, 1e9, latency_s=-1),
        lambda: collective_time_s("broadcast-ish", 1e9, 8, 1e9),
        lambda: bus_bandwidth("all-reduce", 1e9, 0, 8),
        lambda: hierarchical_all_reduce_time_s(1e9, 8, 0, 1e9, 1e9),
    ],
)
def test_impossible_inputs(call: object) -> None:
    with pytest.raises(ModelInputError):
        call()  # type: ignore[operator]

"""DeepSpeed's estimators, matched on three model sizes each, and the ZeRO-Offload/Infinity accounting.

Expected numbers are computed by hand from DeepSpeed's code (deepspeed/runtime/zero/stage_1_and_2.py
``estimate_zero2_model_states_mem_needs`` and stage3.py ``estimate_zero3_model_states_mem_needs``, commit
38327e07, Feb 2025); the 2851M rows are the ones docs/code-docs/source/memory.rst prints, and t5-large's
(737.67M, 32.90M largest layer, 4 GPUs) come from the same page's worked example.
"""

import pytest

from tensora.errors import ModelInputError
from tensora.models import deepspeed_zero2_estimate, deepspeed_zero3_estimate, offloaded_model_states_gib

GIB = 2**30
MIB = 2**20


@pytest.mark.parametrize(
    ("n", "gpn", "nodes", "offload", "gpu", "host"),
    [
        # memory.rst, t5-3b on 1 node x 8 GPUs: 5.31 GB GPU, 127.45 GB host with offload_optimizer=cpu
        (2851e6, 8, 1, True, 2 * 2851e6, 2851e6 * 32 * 1.5),
        # the same without offload: today's code, 2*N + int(18*N/8) (memory.rst's 15.93 predates it)
        (2851e6, 8, 1, False, 2 * 2851e6 + int(18 * 2851e6 / 8), 2851e6 * 4 * 8 * 1.5),
        # 7B on one GPU: host max(4*1, 16) = 16 bytes/param
        (7e9, 1, 1, True, 14e9, 7e9 * 16 * 1.5),
        (7e9, 1, 1, False, 14e9 + int(18 * 7e9), 7e9 * 4 * 1.5),
        # 70B on 8 nodes x 8 GPUs
        (70e9, 8, 8, True, 140e9, 70e9 * 256 * 1.5),
        (70e9, 8, 8, False, 140e9 + int(18 * 70e9 / 64), 70e9 * 32 * 1.5),
    ],
)
def test_zero2_estimator(n: float, gpn: int, nodes: int, offload: bool, gpu: float, host: float) -> None:
    c = deepspeed_zero2_estimate(n, gpn, nodes, offload)
    assert c.details["gpu_bytes"] == int(gpu)
    assert c.details["host_bytes_per_node"] == int(host)
    assert "deepspeed" in c.notes[0]


def test_zero2_matches_memory_rst_as_printed() -> None:
    c = deepspeed_zero2_estimate(2851e6, 8)
    assert (round(c.details["host_gib_per_node"], 2), round(float(c), 2)) == (127.45, 5.31)


@pytest.mark.parametrize(
    ("opt", "par", "zi", "host", "gpu"),
    [  # memory.rst's all_cold table for 2851M params, 32M largest layer, 1 node x 8 GPUs (GiB, as printed)
        (True, True, True, 71.69, 0.12),
        (True, True, False, 127.45, 0.12),
        (True, False, True, 63.72, 0.78),
        (True, False, False, 127.45, 0.78),
        (False, False, True, 1.43, 6.09),
        (False, False, False, 127.45, 6.09),
    ],
)
def test_zero3_estimator_memory_rst_table(opt: bool, par: bool, zi: bool, host: float, gpu: float) -> None:
    c = deepspeed_zero3_estimate(2851e6, 32e6, 8, 1, opt, par, zi)
    assert round(c.details["host_gib_per_node"], 2) == host
    assert round(float(c), 2) == gpu


def test_zero3_estimator_t5_large_cases() -> None:
    # memory.rst: case1 3291MB, case2 125MB, case3 477MB (bytes >> 20) on 4 GPUs
    n, big = 737.67e6, 32.90e6
    case1 = deepspeed_zero3_estimate(n, big, 4, 1, False, False)
    case2 = deepspeed_zero3_estimate(n, big, 4, 1, True, True)
    case3 = deepspeed_zero3_estimate(n, big, 4, 1, True, False)
    assert [int(c.details["gpu_bytes"]) >> 20 for c in (case1, case2, case3)] == [3291, 125, 477]


def test_zero3_estimator_two_nodes_of_a_70b_model() -> None:
    # by the code: 4 * largest + int(18 * N / 16) on the GPU; host N * max(4*8, 18/2) * 1.5 without zero.Init
    n, big = 70e9, 1.07e9
    c = deepspeed_zero3_estimate(n, big, 8, 2, False, False, True)
    assert c.details["gpu_bytes"] == int(4 * big + int(18 * n / 16))
    assert c.details["host_bytes_per_node"] == int(big * 4 * 8 * 1.5)
    c = deepspeed_zero3_estimate(n, big, 8, 2, True, True, False)
    assert c.details["gpu_bytes"] == int(4 * big)
    assert c.details["host_bytes_per_node"] == int(n * max(32, 9) * 1.5)


def test_zero3_estimator_refuses_impossible_options() -> None:
    with pytest.raises(ModelInputError, match="together with the optimizer"):
        deepspeed_zero3_estimate(1e9, 1e7, offload_optimizer=False, offload_params=True)
    with pytest.raises(ModelInputError, match="exceeds"):
        deepspeed_zero3_estimate(1e9, 2e9)


def test_zero_offload_13b_on_one_v100() -> None:
    # ZeRO-Offload (Ren et al., ATC'21): 13B on a single 32 GB V100; 2 bytes/param stay on the GPU
    c = offloaded_model_states_gib(13e9, 1, "zero2", "cpu")
    assert c.details["gpu_gb"] == pytest.approx(26.0)
    assert c.details["host_gb_per_gpu"] == pytest.approx(13 * 14)
    assert c.details["gpu_bytes"] < 32e9


def test_infinity_keeps_only_the_largest_layer_on_the_gpu() -> None:
    c = offloaded_model_states_gib(1e12, 512, "zero3", "nvme", "nvme", largest_layer_params=2.6e9)
    assert c.details["gpu_bytes"] == pytest.approx(4 * 2.6e9)
    assert c.details["nvme_bytes_per_gpu"] == pytest.approx(16 * 1e12 / 512)
    with pytest.raises(ModelInputError, match="ZeRO-3"):
        offloaded_model_states_gib(1e9, 8, "zero2", "cpu", "cpu", largest_layer_params=1e7)

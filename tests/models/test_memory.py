import pytest

from tensora.errors import ModelInputError
from tensora.models import (
    OPTIMIZERS,
    activation_bytes_per_layer,
    activation_memory_per_gpu_gib,
    kv_cache_gib,
    memory_per_gpu_gib,
    min_devices_for_model_states,
    model_states_per_gpu_gib,
)

GIB = 2**30


@pytest.mark.parametrize(
    ("sharding", "gb"),
    [("none", 120.0), ("zero1", 31.4), ("zero2", 16.6), ("zero3", 1.9)],
)
def test_zero_paper_figure1(sharding: str, gb: float) -> None:
    # Rajbhandari et al., ZeRO (SC'20), Figure 1: Psi = 7.5B, N_d = 64, K = 12; figures in GB (1e9 bytes)
    c = model_states_per_gpu_gib(7.5e9, dp=64, sharding=sharding, optimizer="adam-zero")
    assert round(c.details["total_gb"], 1) == gb
    assert float(c) == pytest.approx(c.details["total_bytes"] / GIB)
    assert c.name == "model_states_per_gpu_gib" and c.unit == "GiB"


def test_zero_formulas_exactly() -> None:
    psi, nd = 7.5e9, 64
    assert model_states_per_gpu_gib(psi, nd, sharding="zero1").details["total_bytes"] == pytest.approx(
        4 * psi + 12 * psi / nd
    )
    assert model_states_per_gpu_gib(psi, nd, sharding="zero2").details["total_bytes"] == pytest.approx(
        2 * psi + 14 * psi / nd
    )
    assert model_states_per_gpu_gib(psi, nd, sharding="zero3").details["total_bytes"] == pytest.approx(16 * psi / nd)


def test_fsdp_full_shard_equals_zero3_and_hybrid_shards_within_groups() -> None:
    full = model_states_per_gpu_gib(70e9, dp=64, sharding="fsdp")
    assert full == pytest.approx(model_states_per_gpu_gib(70e9, dp=64, sharding="zero3"))
    hybrid = model_states_per_gpu_gib(70e9, dp=64, sharding="fsdp-hybrid", shard_group=8)
    assert hybrid.details["total_bytes"] == pytest.approx(16 * 70e9 / 8)


def test_byte_accounting_is_explicit() -> None:
    assert OPTIMIZERS["adam-zero"].total == 16
    assert OPTIMIZERS["adam-megatron"].total == 18  # fp32 gradients
    zero = model_states_per_gpu_gib(1e9, optimizer="adam-zero")
    megatron = model_states_per_gpu_gib(1e9, optimizer="adam-megatron")
    assert zero.details["total_bytes"] == pytest.approx(16e9)
    assert megatron.details["total_bytes"] == pytest.approx(18e9)
    assert megatron.details["grads_bytes"] == pytest.approx(4e9)
    assert "ZeRO paper" in zero.notes[0] and "Megatron" in megatron.notes[0]
    custom = model_states_per_gpu_gib(1e9, param_bytes=2, grad_bytes=2, optimizer_bytes=2)
    assert custom.details["bytes_per_param"] == 6


@pytest.mark.parametrize(("name", "bpp"), [("adam-8bit", 10), ("adafactor", 8), ("fp8", 15), ("adam-fp32", 16)])
def test_other_optimizers(name: str, bpp: float) -> None:
    assert model_states_per_gpu_gib(1e9, optimizer=name).details["bytes_per_param"] == bpp


def test_tensor_and_pipeline_split_divide_first() -> None:
    c = model_states_per_gpu_gib(175e9, dp=8, tp=8, pp=8, sharding="zero1")
    psi = 175e9 / 64
    assert c.details["total_bytes"] == pytest.approx(4 * psi + 12 * psi / 8)


# Korthikanti et al. (arXiv 2205.05198) Table 2, GPT-3 175B shape: s=2048, b=1, h=12288, a=96, t=8
S, B, H, A, T = 2048, 1, 12288, 96, 8
SBH = S * B * H


@pytest.mark.parametrize(
    ("tp", "sp", "recompute", "expected"),
    [
        (1, False, "none", SBH * (34 + 5 * A * S / H)),
        (T, False, "none", SBH * (10 + 24 / T + 5 * A * S / (H * T))),
        (T, True, "none", SBH / T * (34 + 5 * A * S / H)),
        (T, False, "selective", SBH * (10 + 24 / T)),
        (T, True, "selective", 34 * SBH / T),
        (T, False, "full", 2 * SBH),
        (1, False, "full", 2 * SBH),
    ],
)
def test_korthikanti_table2(tp: int, sp: bool, recompute: str, expected: float) -> None:
    c = activation_bytes_per_layer(S, B, H, A, tp, sp, recompute)
    assert c == pytest.approx(expected)
    assert c.name == "activation_bytes_per_layer"


def test_korthikanti_per_layer_number() -> None:
    # sbh(34 + 5as/h) with 5as/h = 80 for GPT-3: 114 * sbh bytes
    c = activation_bytes_per_layer(S, B, H, A)
    assert c == 114 * SBH
    assert c.details["attention_term_5as_over_h"] == pytest.approx(80)


def test_first_stage_holds_L_layers_under_1f1b() -> None:
    # Korthikanti eq. (5): with 1F1B the first stage stores activations of p micro-batches of L/p layers
    per_layer = float(activation_bytes_per_layer(S, B, H, A, T, True, "none"))
    c = activation_memory_per_gpu_gib(S, B, H, A, layers=96, tp=T, pp=8, sequence_parallel=True)
    assert c * GIB == pytest.approx(per_layer * 96)


def test_interleaved_extra_factor() -> None:
    # Korthikanti Sec. 4.2.3: interleaving multiplies by (1 + (p - 1)/(p*m)), m = interleaving stages
    base = activation_memory_per_gpu_gib(S, B, H, A, layers=96, tp=T, pp=8, sequence_parallel=True)
    inter = activation_memory_per_gpu_gib(
        S,
        B,
        H,
        A,
        layers=96,
        tp=T,
        pp=8,
        sequence_parallel=True,
        schedule="interleaved",
        microbatches=64,
        virtual=3,
    )
    assert inter / base == pytest.approx(1 + 7 / (8 * 3))


def test_gpipe_holds_all_microbatches() -> None:
    base = activation_memory_per_gpu_gib(S, B, H, A, layers=96, pp=8, schedule="1f1b", microbatches=32)
    gpipe = activation_memory_per_gpu_gib(S, B, H, A, layers=96, pp=8, schedule="gpipe", microbatches=32)
    assert gpipe / base == pytest.approx(32 / 8)


def test_kv_cache() -> None:
    # 2 * layers * kv_heads * head_dim * seq * batch * bytes
    c = kv_cache_gib(80, 8, 128, 4096, 1)
    assert c.details["total_bytes"] == 2 * 80 * 8 * 128 * 4096 * 1 * 2
    assert kv_cache_gib(80, 8, 128, 4096, 1, tp=4).details["total_bytes"] == pytest.approx(c.details["total_bytes"] / 4)
    # more TP ranks than KV heads: each rank still holds one head
    assert kv_cache_gib(80, 8, 128, 4096, 1, tp=16).details["total_bytes"] == pytest.approx(
        c.details["total_bytes"] / 8
    )


def test_fit_and_headroom() -> None:
    fits = memory_per_gpu_gib(60e9, 10e9, capacity_bytes=80e9)
    assert fits.details["fits"] == 1.0
    assert fits.details["headroom_gib"] == pytest.approx(10e9 / GIB)
    assert fits.name == "memory_per_gpu_gib"
    over = memory_per_gpu_gib(60e9, 30e9, capacity_bytes=80e9)
    assert over.details["fits"] == 0.0 and over.details["headroom_gib"] < 0
    assert over.notes[0].startswith("does not fit")


def test_min_devices() -> None:
    assert min_devices_for_model_states(175e9, 16, 80e9) == 35
    assert min_devices_for_model_states(1e9, 16, 80e9) == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda: model_states_per_gpu_gib(0),
        lambda: model_states_per_gpu_gib(1e9, dp=0),
        lambda: model_states_per_gpu_gib(1e9, sharding="zero4"),
        lambda: model_states_per_gpu_gib(1e9, optimizer="sgd-magic"),
        lambda: model_states_per_gpu_gib(1e9, dp=64, sharding="fsdp-hybrid"),
        lambda: model_states_per_gpu_gib(1e9, dp=64, sharding="fsdp-hybrid", shard_group=6),
        lambda: model_states_per_gpu_gib(1e9, dp=64, sharding="zero1", shard_group=8),
        lambda: activation_bytes_per_layer(2048, 1, 4096, 32, tp=1, sequence_parallel=True),
        lambda: activation_bytes_per_layer(2048, 1, 4096, 32, recompute="some"),
        lambda: activation_memory_per_gpu_gib(2048, 1, 4096, 32, layers=30, pp=4),
        lambda: activation_memory_per_gpu_gib(2048, 1, 4096, 32, layers=32, pp=4, schedule="gpipe"),
        lambda: kv_cache_gib(0, 8, 128, 4096, 1),
        lambda: memory_per_gpu_gib(-1.0),
    ],
)
def test_impossible_inputs(call: object) -> None:
    with pytest.raises(ModelInputError):
        call()  # type: ignore[operator]

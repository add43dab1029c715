"""Analytical models: pure functions with the formula and its source in each docstring.

Every function returns a ``Computed``: a float that also carries the quantity's name (as in the review's
JSON contract), its unit, formula, inputs and source. No I/O, no printing, no hardware numbers: callers
pass peak FLOP/s and bandwidths (from ``tensora.knowledge.hardware``).
"""

from tensora.models.amdahl import amdahl_max_speedup
from tensora.models.comm import (
    all_gather_time_s,
    all_to_all_time_s,
    bus_bandwidth,
    collective_time_s,
    dp_comm_bytes_per_step,
    hierarchical_all_reduce_time_s,
    reduce_scatter_time_s,
    ring_all_reduce_time_s,
    tp_comm_bytes_per_layer,
    transfer_time_s,
    tree_all_reduce_time_s,
    zero3_comm_bytes_per_step,
    zero3_comm_time_s,
)
from tensora.models.flops import (
    megatron_flops_per_iteration,
    megatron_params,
    palm_flops_per_token,
    training_flops_per_token,
)
from tensora.models.memory import (
    OPTIMIZERS,
    ByteAccounting,
    activation_bytes_per_layer,
    activation_memory_per_gpu_gib,
    kv_cache_gib,
    memory_per_gpu_gib,
    min_devices_for_model_states,
    model_states_per_gpu_gib,
    zero_activation_bytes,
)
from tensora.models.mfu import (
    achieved_flops_per_device,
    hardware_flops_per_token,
    hfu,
    megatron_training_time_s,
    mfu,
    time_to_train_s,
    utilisation_from_achieved,
)
from tensora.models.offload import (
    ACCOUNTINGS,
    OFFLOAD_DEVICES,
    deepspeed_zero2_estimate,
    deepspeed_zero3_estimate,
    offloaded_model_states_gib,
)
from tensora.models.params import transformer_params
from tensora.models.pipeline import (
    DivisibilityReport,
    check_divisibility,
    in_flight_microbatches,
    pipeline_bubble_fraction,
    pipeline_bubble_relative_to_ideal,
)
from tensora.models.result import Computed
from tensora.models.roofline import (
    ELEMENTWISE_OPS,
    attainable_flops,
    attention_intensity,
    elementwise_intensity,
    gemm_intensity,
    ridge_point,
    roofline_max_speedup,
    roofline_time_s,
)
from tensora.models.scaling import scaling_efficiency, strong_scaling_fit

__all__ = [
    "ACCOUNTINGS",
    "ELEMENTWISE_OPS",
    "OFFLOAD_DEVICES",
    "OPTIMIZERS",
    "ByteAccounting",
    "Computed",
    "DivisibilityReport",
    "achieved_flops_per_device",
    "activation_bytes_per_layer",
    "activation_memory_per_gpu_gib",
    "all_gather_time_s",
    "all_to_all_time_s",
    "amdahl_max_speedup",
    "attainable_flops",
    "attention_intensity",
    "bus_bandwidth",
    "check_divisibility",
    "collective_time_s",
    "deepspeed_zero2_estimate",
    "deepspeed_zero3_estimate",
    "dp_comm_bytes_per_step",
    "elementwise_intensity",
    "gemm_intensity",
    "hardware_flops_per_token",
    "hfu",
    "hierarchical_all_reduce_time_s",
    "in_flight_microbatches",
    "kv_cache_gib",
    "megatron_flops_per_iteration",
    "megatron_params",
    "megatron_training_time_s",
    "memory_per_gpu_gib",
    "mfu",
    "min_devices_for_model_states",
    "model_states_per_gpu_gib",
    "offloaded_model_states_gib",
    "palm_flops_per_token",
    "pipeline_bubble_fraction",
    "pipeline_bubble_relative_to_ideal",
    "reduce_scatter_time_s",
    "ridge_point",
    "ring_all_reduce_time_s",
    "roofline_max_speedup",
    "roofline_time_s",
    "scaling_efficiency",
    "strong_scaling_fit",
    "time_to_train_s",
    "tp_comm_bytes_per_layer",
    "training_flops_per_token",
    "transfer_time_s",
    "transformer_params",
    "tree_all_reduce_time_s",
    "utilisation_from_achieved",
    "zero3_comm_bytes_per_step",
    "zero3_comm_time_s",
    "zero_activation_bytes",
]

"""Utilisation and training time: MFU, HFU, achieved FLOP/s per device, days to train.

Follows PaLM (Chowdhery et al., 2022, Appendix B) for MFU and HFU: MFU counts the model's FLOPs only
(6N + attention), HFU also the recomputed forward passes, so HFU >= MFU. Both divide by the dense peak
of the device in the training dtype; never the sparse (2:4) peak that datasheets print with an asterisk.
Leaves out data-loading stalls and restarts: time-to-train is compute time at the stated utilisation.
"""

from __future__ import annotations

from tensora.models._validate import choice, fraction, non_negative, positive, positive_int
from tensora.models.result import Computed

__all__ = [
    "RECOMPUTE_MODES",
    "achieved_flops_per_device",
    "utilisation_from_achieved",
    "hardware_flops_per_token",
    "hfu",
    "megatron_training_time_s",
    "mfu",
    "time_to_train_s",
]

RECOMPUTE_MODES = ("none", "selective", "full")

_PALM = "Chowdhery et al., 'PaLM', 2022, Appendix B"


def mfu(model_flops_per_token: float, tokens_per_s: float, devices: int, peak_flops: float) -> Computed:
    """Model FLOPs utilisation: achieved model FLOP/s over the devices' dense peak.

    MFU = (F_token * tokens/s) / (n * P), F_token = model FLOPs per token (6N + 12LHQT, no
    recomputation), n = devices, P = dense peak FLOP/s per device in the training dtype.
    Source: Chowdhery et al. (2022), Appendix B.
    Ignores what the hardware also executes (recomputation: see ``hfu``).

    Example: model_flops_per_token=3.2777e12, tokens_per_s=238.3e3, devices=6144, peak_flops=275e12
    -> 0.4623 (PaLM 540B's 46.2%)
    """
    f = positive("model_flops_per_token", model_flops_per_token)
    rate = positive("tokens_per_s", tokens_per_s)
    n = positive_int("devices", devices)
    peak = positive("peak_flops", peak_flops)
    achieved = f * rate
    return Computed(
        achieved / (n * peak),
        name="mfu",
        unit="ratio",
        formula="(F_token * tokens_per_s) / (n * P_dense)",
        inputs={"F_token": f, "tokens_per_s": rate, "n": n, "P_dense": peak},
        source=_PALM,
        details={"achieved_flops_total": achieved, "achieved_flops_per_device": achieved / n},
        notes=("model FLOPs only (no recomputation); dense peak, not the sparse datasheet figure",),
    )


def utilisation_from_achieved(achieved_flops_per_device: float, peak_flops: float, counts: str = "model") -> Computed:
    """MFU or HFU from the FLOP/s per device a report states, without the model's shape.

    U = X / P, X = stated FLOP/s per device, P = dense peak per device in the training dtype. Whether U
    is MFU or HFU depends on what X counts: ``counts='model'`` (no recomputation) names it mfu,
    ``counts='hardware'`` (recomputed FLOPs included, as Narayanan et al.'s Table 1) names it hfu.
    Source: Chowdhery et al. (2022), Appendix B (definitions); Narayanan et al., SC'21, Table 1.
    Ignores how X was measured; a sparse peak in the denominator would halve U.

    Example: achieved_flops_per_device=163e12, peak_flops=312e12, counts='hardware' -> 0.5224
    (Narayanan et al.'s 1T model: 163 TFLOP/s, 52% of the A100's peak)
    """
    x = positive("achieved_flops_per_device", achieved_flops_per_device)
    p = positive("peak_flops", peak_flops)
    kind = choice("counts", counts, ("model", "hardware"))
    name = "mfu" if kind == "model" else "hfu"
    return Computed(
        x / p,
        name=name,
        unit="ratio",
        formula="X / P_dense",
        inputs={"X": x, "P_dense": p, "counts": kind},
        source=_PALM + "; Narayanan et al., SC'21, Table 1",
        notes=(
            f"{name.upper()}: the stated FLOP/s count "
            + ("model FLOPs only" if kind == "model" else "recomputed FLOPs too")
            + "; dense peak",
        ),
    )


def hardware_flops_per_token(
    model_flops_per_token: float,
    recompute: str = "none",
    attention_flops_per_token: float = 0.0,
    convention: str = "forward",
) -> Computed:
    """FLOPs per token that the hardware executes, recomputation included (the numerator of HFU).

    none: F. full (whole-layer checkpointing): F * 4/3, one more forward pass on top of forward x1 +
    backward x2. selective (recompute only the attention-score block): F + A/3, A = attention-score
    FLOPs per token in the training count (12*L*H*Q*T in PaLM's, so A/3 = 4LHQT is its forward).
    ``convention='megatron'`` counts selective recomputation as Korthikanti et al. do (the count behind
    their MFU/HFU table: the s/(6h) term doubled, 72*B*s*l*h^2*(1 + s/(3h) + ...)): F + A.
    Source: PaLM Appendix B (HFU); Korthikanti et al. (arXiv 2205.05198) Sec. 5 for selective.
    Ignores the logit layer being outside full recomputation (Narayanan's 96 vs 72 term does it exactly).

    Example: model_flops_per_token=6e9, recompute='full' -> 8e9
    """
    f = positive("model_flops_per_token", model_flops_per_token)
    mode = choice("recompute", recompute, RECOMPUTE_MODES)
    conv = choice("convention", convention, ("forward", "megatron"))
    a = non_negative("attention_flops_per_token", attention_flops_per_token)
    if mode == "none":
        value, formula = f, "F"
    elif mode == "full":
        value, formula = f * 4 / 3, "F * 4/3"
    elif conv == "megatron":
        value, formula = f + a, "F + A (s/(6h) term doubled)"
    else:
        value, formula = f + a / 3, "F + A/3"
    return Computed(
        value,
        name="hardware_flops_per_token",
        unit="FLOP/token",
        formula=formula,
        inputs={"F": f, "recompute": mode, "A": a, "convention": conv},
        source=_PALM + "; Korthikanti et al., arXiv 2205.05198",
    )


def hfu(hardware_flops_per_token: float, tokens_per_s: float, devices: int, peak_flops: float) -> Computed:
    """Hardware FLOPs utilisation: executed FLOP/s (recomputation included) over the dense peak.

    HFU = (H_token * tokens/s) / (n * P), H_token from ``hardware_flops_per_token``.
    Source: Chowdhery et al. (2022), Appendix B.
    Ignores FLOPs outside matmuls, as MFU does.

    Example: hardware_flops_per_token=8e9, tokens_per_s=1e4, devices=1, peak_flops=1e14 -> 0.8
    """
    h = positive("hardware_flops_per_token", hardware_flops_per_token)
    rate = positive("tokens_per_s", tokens_per_s)
    n = positive_int("devices", devices)
    peak = positive("peak_flops", peak_flops)
    return Computed(
        h * rate / (n * peak),
        name="hfu",
        unit="ratio",
        formula="(H_token * tokens_per_s) / (n * P_dense)",
        inputs={"H_token": h, "tokens_per_s": rate, "n": n, "P_dense": peak},
        source=_PALM,
        notes=("counts recomputed FLOPs; HFU >= MFU",),
    )


def achieved_flops_per_device(flops_per_iteration: float, iteration_time_s: float, devices: int) -> Computed:
    """Achieved FLOP/s per device from the FLOPs of an iteration and its wall-clock time.

    X = F / (t * n). With Narayanan's recompute count (96 * ...) X is hardware FLOP/s per GPU, as in
    their Table 1; with 72 * ... or 6N it is model FLOP/s.
    Source: Narayanan et al., SC'21 (arXiv 2104.04473), Sec. 5.1.
    Ignores variation between iterations.

    Example: flops_per_iteration=5.139e19, iteration_time_s=102.6, devices=3072 -> 1.6305e14 (163 TFLOP/s)
    """
    f = positive("flops_per_iteration", flops_per_iteration)
    t = positive("iteration_time_s", iteration_time_s)
    n = positive_int("devices", devices)
    return Computed(
        f / (t * n),
        name="achieved_flops_per_device",
        unit="FLOP/s",
        formula="F / (t * n)",
        inputs={"F": f, "t": t, "n": n},
        source="Narayanan et al., SC'21 (arXiv 2104.04473), Sec. 5.1",
    )


def time_to_train_s(
    tokens: float, flops_per_token: float, devices: int, peak_flops: float, utilisation: float
) -> Computed:
    """Wall-clock training time from tokens, devices and utilisation.

    t = T * F_token / (n * P * MFU), T = training tokens, F_token = FLOPs per token (6N or PaLM's
    count), n = devices, P = dense peak per device, MFU as a ratio.
    Source: PaLM Appendix B (MFU definition); Kaplan et al. (2020) for 6N.
    Ignores restarts, evaluation and input stalls.

    Example: tokens=300e9, flops_per_token=1.05e12, devices=1024, peak_flops=312e12, utilisation=0.45
    -> 2.1911e6 s (25.4 days)
    """
    t = positive("tokens", tokens)
    f = positive("flops_per_token", flops_per_token)
    n = positive_int("devices", devices)
    peak = positive("peak_flops", peak_flops)
    u = fraction("utilisation", positive("utilisation", utilisation))
    value = t * f / (n * peak * u)
    return Computed(
        value,
        name="time_to_train_s",
        unit="s",
        formula="T * F_token / (n * P_dense * MFU)",
        inputs={"T": t, "F_token": f, "n": n, "P_dense": peak, "MFU": u},
        source=_PALM,
        details={"days": value / 86400},
    )


def megatron_training_time_s(tokens: float, params: float, devices: int, achieved_flops_per_device: float) -> Computed:
    """End-to-end training time as Narayanan et al. estimate it.

    t ~ 8 * T * P / (n * X), T = tokens, P = parameters, n = GPUs, X = achieved FLOP/s per GPU (their
    Table 1 throughput, which counts recomputation: hence 8 = 4 passes x 2 FLOPs per parameter).
    Source: Narayanan et al., SC'21 (arXiv 2104.04473), eq. (4).
    Assumes 6h >> s, 16lh >> V + s, 12lh >> V (large models) and full recomputation.

    Example: tokens=450e9, params=1008e9, devices=3072, achieved_flops_per_device=163e12
    -> 7.2469e6 s (83.9 days; the paper says 84)
    """
    t = positive("tokens", tokens)
    p = positive("params", params)
    n = positive_int("devices", devices)
    x = positive("achieved_flops_per_device", achieved_flops_per_device)
    value = 8 * t * p / (n * x)
    return Computed(
        value,
        name="time_to_train_s",
        unit="s",
        formula="8 * T * P / (n * X)",
        inputs={"T": t, "P": p, "n": n, "X": x},
        source="Narayanan et al., SC'21 (arXiv 2104.04473), eq. (4)",
        details={"days": value / 86400},
        notes=("X counts recomputed FLOPs, as in their Table 1",),
    )

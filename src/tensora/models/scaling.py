"""Strong-scaling fits and scaling efficiency from measured points.

Fits t(n) = t_serial + W / n to two or more measured (devices, step time) points by least squares on
1/n, the Amdahl form with a fixed serial time (Amdahl, AFIPS 1967), and extrapolates it; scaling efficiency
relates throughput per device at n devices to a reference point, as Megatron-LM reports it (Shoeybi et
al., 2019).

Left out: communication that grows with n (a ring's latency term, an all-to-all), which this form cannot
express; a fit with a negative serial time says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from tensora.errors import ModelInputError
from tensora.models._validate import positive, positive_int
from tensora.models.result import Computed

__all__ = ["scaling_efficiency", "strong_scaling_fit"]


def strong_scaling_fit(points: Sequence[tuple[int, float]], at: int | None = None) -> Computed:
    """Step time at ``at`` devices from a least-squares fit of t(n) = t_serial + W / n.

    With x = 1/n: W = cov(x, t) / var(x), t_serial = mean(t) - W * mean(x); R^2 of the fit; efficiency
    at n relative to the smallest measured n0: E(n) = n0 * t(n0) / (n * t(n)). Without ``at`` the value is
    t_serial (the step time no number of devices removes).
    Source: Amdahl (AFIPS 1967) in the fixed-serial-time form.
    Assumes the work W divides evenly and communication time does not grow with n.

    Example: points=[(8, 10.0), (16, 5.5), (32, 3.25)], at=64 -> 2.125 (t_serial 1 s, W 72 device-s)
    """
    pts = [(positive_int("devices", n), positive("step_time_s", t)) for n, t in points]
    if len({n for n, _ in pts}) < 2:
        raise ModelInputError("a scaling fit needs measured step times at two or more device counts")
    xs, ts = [1.0 / n for n, _ in pts], [t for _, t in pts]
    mx, mt = sum(xs) / len(xs), sum(ts) / len(ts)
    var = sum((x - mx) ** 2 for x in xs)
    w = sum((x - mx) * (t - mt) for x, t in zip(xs, ts, strict=True)) / var
    serial = mt - w * mx
    ss_tot = sum((t - mt) ** 2 for t in ts)
    ss_res = sum((t - (serial + w * x)) ** 2 for x, t in zip(xs, ts, strict=True))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    n0, t0 = min(pts)
    notes: list[str] = []
    if serial < 0:
        notes.append("negative serial time: the points scale better than t_serial + W/n allows (superlinear)")
    if w <= 0:
        notes.append("W <= 0: step time does not fall with more devices; the fit cannot extrapolate")
    details = {"t_serial_s": serial, "work_device_s": w, "r_squared": r2, "serial_fraction_at_n0": serial / t0}
    if at is None:
        value, name, formula = serial, "t_serial_s", "t_serial from least squares of t on 1/n"
    else:
        n = positive_int("at", at)
        value, name, formula = serial + w / n, "step_time_s", "t_serial + W / n"
        details["efficiency"] = n0 * t0 / (n * value) if value > 0 else 0.0
        details["speedup_vs_n0"] = t0 / value if value > 0 else 0.0
    return Computed(
        value,
        name=name,
        unit="s",
        formula=formula,
        inputs={"points": "; ".join(f"{n}:{t:g}" for n, t in pts), "at": at},
        source="Amdahl, AFIPS 1967 (t = t_serial + W/n)",
        details=details,
        notes=tuple(notes),
    )


def scaling_efficiency(devices: int, throughput: float, ref_devices: int, ref_throughput: float) -> Computed:
    """Scaling efficiency: throughput per device at n over throughput per device at the reference.

    E = (X_n / n) / (X_ref / n_ref), X = aggregate throughput (FLOP/s, tokens/s, samples/s).
    Source: Shoeybi et al., 'Megatron-LM', 2019 (arXiv 1909.08053), Sec. 5.1.
    Assumes weak scaling when the problem grows with n, strong scaling when it does not: the ratio is
    the same, the reading differs.

    Example: devices=512, throughput=15.1e15, ref_devices=1, ref_throughput=39e12 -> 0.7562 (Megatron-LM's
    15.1 PFLOP/s on 512 GPUs against 39 TFLOP/s on one: "76% scaling efficiency")
    """
    n = positive_int("devices", devices)
    x = positive("throughput", throughput)
    n0 = positive_int("ref_devices", ref_devices)
    x0 = positive("ref_throughput", ref_throughput)
    return Computed(
        (x / n) / (x0 / n0),
        name="scaling_efficiency",
        unit="ratio",
        formula="(X_n / n) / (X_ref / n_ref)",
        inputs={"n": n, "X_n": x, "n_ref": n0, "X_ref": x0},
        source="Shoeybi et al., Megatron-LM, arXiv 1909.08053, Sec. 5.1",
        details={"speedup": x / x0, "ideal_speedup": n / n0},
    )

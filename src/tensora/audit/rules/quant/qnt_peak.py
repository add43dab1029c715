from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import num, pct, precision

_PLAUSIBLE_MFU = 0.75


class QntPeak(Rule):
    """QNT-PEAK: a claimed throughput at or beyond what the hardware can do.

    ## What it flags
    A claimed TFLOP/s per GPU that, divided by the dense peak of the named device in the draft's precision
    (or the peak the draft states itself, whichever is larger), gives a utilisation above 75%; or, when the
    draft states no TFLOP/s, a per-GPU token rate whose model FLOPs (6N per token in training, plus causal
    attention when the shape is stated; 2N in inference) do the same. A stated peak that is the datasheet's
    2:4-sparse figure is named.
    ## Why a reviewer cares
    End-to-end training does not run above about 75% of dense peak: attention, normalisation, optimizer steps
    and communication do not run on tensor cores. A higher figure means a counting error (sparse peak,
    recomputed FLOPs, a wrong formula) or a measurement error.
    ## Example
    fires:  "290 TFLOP/s forward and backward on an A100" (312 dense BF16 peak: 93%)
    silent: "51.4% MFU on 512 A100s"
    ## Known false alarms
    A single large GEMM can reach 80-90% of peak; the rule reads the largest claimed figure, so a GEMM
    micro-benchmark stated in TFLOP/s can trigger it.
    ## References
    PaLM (Chowdhery et al., 2022), Appendix B (MFU); NVIDIA datasheets (dense peaks).
    """

    code = "QNT-PEAK"
    severity = Severity.MAJOR
    title = "Throughput beyond plausible peak"

    def check(self, ctx: Context) -> Iterator[Finding]:
        found = list(self._stated(ctx))
        yield from found or self._from_tokens(ctx)

    def _from_tokens(self, ctx: Context) -> Iterator[Finding]:
        """The utilisation a per-GPU token rate implies: tokens/s x FLOPs per token / dense peak.

        FLOPs per token: 6N for training (forward and backward), plus 6 x layers x hidden x sequence for causal
        attention when the draft states the shape and the sequence beside the rate; 2N for inference (a lower
        bound: every generated or prefilled token needs at least one forward pass). N is the active parameter
        count for a mixture of experts.
        """
        c = ctx.proposal
        rates = [
            q
            for q in c.values("tokens_per_s")
            if q.value > 0 and q.qualifier not in ("baseline", "planned") and "gpu" in (q.qualifier or "").lower()
        ]
        n = compute.active_params(c)
        dev = compute.device(c)
        if not rates or n is None or dev is None:
            return
        rate = max(rates, key=lambda q: q.value)
        training = compute.is_training(c)
        dtype = precision(c)
        try:
            peak = dev.peak_flops(dtype) / 1e12
        except Exception:  # the catalog has no peak for that dtype
            return
        per_token = (6.0 if training else 2.0) * n
        inputs: dict[str, object] = {"tokens_per_s_per_gpu": rate.value, "params": n, "training": training}
        layers, hidden, seq = c.value("layers"), c.value("hidden"), compute.seq_near(c, rate)
        formula = f"{'6' if training else '2'}N"
        if training and layers and hidden and seq:
            per_token += 6.0 * layers * hidden * seq
            formula += " + 6 x layers x hidden x sequence (causal attention)"
            inputs.update({"layers": layers, "hidden": hidden, "seq_len": seq})
        achieved = rate.value * per_token / 1e12
        mfu = achieved / peak
        if mfu <= _PLAUSIBLE_MFU:
            return
        stated = [q.value for q in c.values("peak_tflops") if q.value > 0]
        sparse = next((p for p in stated if 1.8 * peak <= p <= 2.2 * peak), None)
        note = (
            f" The draft's own {num(sparse)} TFLOP/s is the datasheet's figure with 2:4 sparsity, twice the dense "
            "peak that model FLOPs run at, so its utilisation is understated by half."
            if sparse
            else ""
        )
        inputs.update({"peak_tflops": peak, "dtype": dtype, "device": dev.id})
        yield self.finding(
            f"{num(rate.value)} tokens/s per GPU at {formula} = {num(per_token / 1e9)} GFLOP per token is "
            f"{num(achieved)} TFLOP/s, {pct(mfu)} of {dev.name}'s dense {dtype.upper()} peak of {num(peak)} "
            f"TFLOP/s.{note} "
            + (
                "No real run sustains that: either the rate, the FLOP count or the peak is wrong."
                if mfu > 1.0
                else "Few end-to-end runs sustain that fraction; the figure needs its FLOP count and peak shown."
            ),
            "recompute utilisation from the measured rate with the model FLOPs per token (attention included) "
            "against the dense peak in the precision the GEMMs run in, and reconcile it with the step time",
            [rate.quote],
            severity=Severity.FATAL if mfu > 1.0 else Severity.MAJOR,
            computed={"mfu": mfu},
            inputs=inputs,
        )

    def _stated(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        claims = [q for q in c.values("tflops_per_gpu") if q.qualifier != "baseline" and q.value > 0]
        if not claims:
            return
        claim = max(claims, key=lambda q: q.value)
        peaks = [q.value for q in c.values("peak_tflops") if q.value > 0]
        dev = compute.device(c)
        dtype = precision(c)
        source = "as the draft states it"
        if dev is not None:
            try:
                catalog = dev.peak_flops(dtype) / 1e12
            except Exception:  # the catalog has no peak for that dtype
                catalog = None
            if catalog is not None and (not peaks or catalog > max(peaks)):
                peaks.append(catalog)
                source = f"{dev.name}, dense {dtype.upper()}"
        if not peaks:
            return
        peak = max(peaks)
        # "MFU counts ... over 989 TFLOP/s": the denominator the draft names is the peak itself, not a claim
        claims = [
            q
            for q in claims
            if not (abs(q.value / peak - 1.0) <= 0.02 and c.text_has_cue("utilization_named", q.quote.text))
        ]
        if not claims:
            return
        claim = max(claims, key=lambda q: q.value)
        mfu = claim.value / peak
        if mfu <= _PLAUSIBLE_MFU:
            return
        severity = Severity.FATAL if mfu > 1.0 else Severity.MAJOR
        yield self.finding(
            f"{num(claim.value)} TFLOP/s per GPU against a dense peak of {num(peak)} TFLOP/s ({source}) is "
            f"{pct(mfu)} of peak. Softmax, normalisation and communication do not run on tensor cores; "
            "nothing trains end to end at that fraction, so either the FLOPs are counted generously or the "
            "measurement is wrong.",
            "show how the FLOPs are counted (model FLOPs, no recomputation, dense peak) and reconcile the "
            "figure with a measured step time",
            [claim.quote],
            severity=severity,
            computed={"mfu": mfu},
            inputs={
                "claimed_tflops": claim.value,
                "peak_tflops": peak,
                "dtype": dtype,
                "device": dev.id if dev is not None else "",
            },
        )

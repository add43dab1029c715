from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import compute_precision, num, pct, precision_at

_PLAUSIBLE_MFU = 0.75
# full recomputation executes one forward more than the model FLOPs count: 8N against 6N a token
_RECOMPUTE_FLOPS = 8.0 / 6.0
# the executed share of peak above which no end-to-end training step runs
_PLAUSIBLE_HFU = 0.9


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
    fires:  "1,148 TFLOPS on one H100, the first kernel above the dense peak" (989 dense BF16 peak: 116%)
    fires:  "827 TFLOP/s per GPU, 41.8% MFU (of 1,979 TFLOP/s H100 BF16 peak)" (the sparse figure: 84% of dense)
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
        found = list(self._stated(ctx)) or list(self._mfu_with_recompute(ctx))
        yield from found or self._from_tokens(ctx)

    def _mfu_with_recompute(self, ctx: Context) -> Iterator[Finding]:
        """An MFU claimed with full recomputation: the hardware runs one forward more than the model FLOPs count
        (8N against 6N a token), so the executed share of peak is the MFU times 4/3, and above about nine tenths
        nothing trains end to end."""
        c = ctx.proposal
        full = c.uses("activation-recomputation") and c.has_cue("full_recomputation_named")
        if not (compute.is_training(c) and full):
            return
        claims = [q for q in c.values("mfu") if q.qualifier != "baseline" and 0 < q.value < 1]
        if not claims:
            return
        claim = max(claims, key=lambda q: q.value)
        hfu = claim.value * _RECOMPUTE_FLOPS
        if hfu <= _PLAUSIBLE_HFU:
            return
        yield self.finding(
            f"The draft claims {pct(claim.value)} MFU with full recomputation, which runs every layer's forward "
            f"again in the backward: the hardware executes 8N FLOPs a token where MFU counts 6N, so the executed "
            f"share of peak is {pct(claim.value)} x 4/3 = {pct(hfu)}"
            + (", more than the chips can do." if hfu > 1.0 else ", beyond what any end-to-end training reaches.")
            + " The model FLOPs, the step time or the recomputation policy is not what the draft says.",
            "report the hardware FLOPs utilisation beside the MFU (with the recomputed forward counted) and "
            "reconcile it with the measured step time",
            [claim.quote],
            severity=Severity.FATAL if hfu > 1.0 else Severity.MAJOR,
            computed={"mfu": claim.value, "hfu": hfu},
            inputs={"mfu": claim.value, "executed_over_model_flops": _RECOMPUTE_FLOPS},
        )

    def _from_tokens(self, ctx: Context) -> Iterator[Finding]:
        """The utilisation a per-GPU token rate implies: tokens/s x FLOPs per token / dense peak.

        FLOPs per token: 6N for training (forward and backward), plus 6 x layers x hidden x sequence for causal
        attention when the draft states the shape and the sequence beside the rate; 2N for inference (a lower
        bound: every generated or prefilled token needs at least one forward pass). N is the active parameter
        count for a mixture of experts.
        """
        c = ctx.proposal
        own = [q for q in c.values("tokens_per_s") if q.value > 0 and q.qualifier not in ("baseline", "planned")]
        rates = [(q, q.value) for q in own if "gpu" in (q.qualifier or "").lower()]
        devices = compute.gpus(c)
        if not rates and devices and devices >= 1:
            # a rate of the whole system ("24,000 prefill tokens/s on a 16-chip slice"), shared by its devices;
            # a per-device rate written without saying so is only understated this way
            rates = [(q, q.value / devices) for q in own]
        n = compute.active_params(c)
        dev = compute.device(c)
        if not rates or n is None or dev is None:
            return
        rate_q, per_device = max(rates, key=lambda qr: qr[1])
        training = compute.is_training(c)
        dtype = compute_precision(c)
        try:
            peak = dev.peak_flops(dtype) / 1e12
        except Exception:  # the catalog has no peak for that dtype
            return
        per_token = (6.0 if training else 2.0) * n
        inputs: dict[str, object] = {"tokens_per_s_per_gpu": per_device, "params": n, "training": training}
        if per_device != rate_q.value:
            inputs.update({"tokens_per_s": rate_q.value, "devices": devices})
        layers, hidden, seq = c.value("layers"), c.value("hidden"), compute.seq_near(c, rate_q)
        formula = f"{'6' if training else '2'}N"
        if training and layers and hidden and seq:
            per_token += 6.0 * layers * hidden * seq
            formula += " + 6 x layers x hidden x sequence (causal attention)"
            inputs.update({"layers": layers, "hidden": hidden, "seq_len": seq})
        achieved = per_device * per_token / 1e12
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
        shared = (
            f"{num(rate_q.value)} tokens/s over {num(devices or 1)} devices is {num(per_device)} per device; at "
            if per_device != rate_q.value
            else f"{num(per_device)} tokens/s per GPU at "
        )
        yield self.finding(
            f"{shared}{formula} = {num(per_token / 1e9)} GFLOP per token is "
            f"{num(achieved)} TFLOP/s, {pct(mfu)} of {dev.name}'s dense {dtype.upper()} peak of {num(peak)} "
            f"TFLOP/s.{note} "
            + (
                "No real run sustains that: either the rate, the FLOP count or the peak is wrong."
                if mfu > 1.0
                else "Few end-to-end runs sustain that fraction; the figure needs its FLOP count and peak shown."
            ),
            "recompute utilisation from the measured rate with the model FLOPs per token (attention included) "
            "against the dense peak in the precision the GEMMs run in, and reconcile it with the step time",
            [rate_q.quote],
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
        # "1,148 TFLOPS, the first kernel above the dense peak": a figure equal to the draft's own claimed
        # throughput is that claim read next to the word peak, not a peak of the hardware
        claimed = {round(q.value, 1) for q in claims}
        peaks = [q.value for q in c.values("peak_tflops") if q.value > 0 and round(q.value, 1) not in claimed]
        dev = compute.device(c)
        dtype = precision_at(c, claim.quote.text)
        source = "as the draft states it"
        sparse_stated: float | None = None
        catalog_peak: float | None = None
        sparse: float | None = None
        if dev is not None:
            try:
                catalog = dev.peak_flops(dtype) / 1e12
            except Exception:  # the catalog has no peak for that dtype
                catalog = None
            catalog_peak = catalog
            # "MFU of 1,979 TFLOP/s H100 BF16 peak": the datasheet's 2:4-sparse figure is no peak for model FLOPs
            sparse = dev.sparse_tflops.get(dtype)
            if catalog is not None and sparse is not None:
                sparse_stated = next((v for v in peaks if abs(v / sparse - 1.0) <= 0.03), None)
                peaks = [v for v in peaks if abs(v / sparse - 1.0) > 0.03]
            if catalog is not None and (not peaks or catalog > max(peaks)):
                peaks.append(catalog)
                source = f"{dev.name}, dense {dtype.upper()}"
        if not peaks:
            return
        peak = max(peaks)
        # "MFU counts ... over 989 TFLOP/s": the denominator the draft names is the peak itself, not a claim
        # "16 GB HBM and 197 TFLOP/s BF16 per chip": a figure equal to the device's own peak is its datasheet, not
        # a throughput the draft measured
        datasheet = [v for v in (catalog_peak, sparse) if v]
        claims = [
            q
            for q in claims
            if not (abs(q.value / peak - 1.0) <= 0.02 and c.text_has_cue("utilization_named", q.quote.text))
            and not any(abs(q.value / v - 1.0) <= 0.01 for v in datasheet)
        ]
        if not claims:
            return
        claim = max(claims, key=lambda q: q.value)
        mfu = claim.value / peak
        if mfu <= _PLAUSIBLE_MFU:
            return
        severity = Severity.FATAL if mfu > 1.0 else Severity.MAJOR
        sparse_note = (
            f" The draft divides by {num(sparse_stated)} TFLOP/s, the datasheet's figure with 2:4 sparsity, which "
            "dense model FLOPs never reach: its utilisation is understated by half."
            if sparse_stated is not None
            else ""
        )
        yield self.finding(
            f"{num(claim.value)} TFLOP/s per GPU against a dense peak of {num(peak)} TFLOP/s ({source}) is "
            f"{pct(mfu)} of peak.{sparse_note} Softmax, normalisation and communication do not run on tensor "
            "cores; nothing trains end to end at that fraction, so either the FLOPs are counted generously or the "
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

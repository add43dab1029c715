from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import num, quotes
from tensora.extract.techniques import is_core, is_design


class QntMemory(Rule):
    """QNT-MEMORY: the stated configuration does not fit in device memory.

    ## What it flags
    A training configuration (model size, data/tensor/pipeline degrees, sharding) whose model states alone,
    counted as the ZeRO paper does (2 + 2 + 12 bytes per parameter for mixed-precision Adam), exceed the
    capacity of the device the draft names.
    ## Why a reviewer cares
    A configuration that cannot be instantiated cannot have produced the numbers claimed for it; usually a
    sharding step or a byte count has been left out.
    ## Example
    fires:  "a 70B model on one 8 x H100 node with plain data parallelism"
    silent: "13B with ZeRO-3 over 64 GPUs: 16 x 13e9 / 64 B = 3 GiB of model states per GPU"
    ## Known false alarms
    Activations and buffers are not added here, so the finding is a lower bound; MoE models are skipped.
    ## References
    ZeRO (Rajbhandari et al., SC 2020), Section 3.1 and Figure 1.
    """

    code = "QNT-MEMORY"
    severity = Severity.FATAL
    title = "The configuration does not fit in memory"

    def check(self, ctx: Context) -> Iterator[Finding]:
        # one memory finding per draft: a per-token size off by the K/V factor comes first, since every total
        # the draft gives is built on it
        found = (
            list(self._per_token(ctx))
            or list(self._group_metadata(ctx))
            or list(self._unsharded_accumulation(ctx))
            or list(self._in_flight(ctx))
            or list(self._replica_update(ctx))
            or list(self._error_feedback(ctx))
            or list(self._totals(ctx))
        )
        yield from found[:1]

    def _per_token(self, ctx: Context) -> Iterator[Finding]:
        """A per-token KV size the draft states that is half of 2 x layers x KV heads x head dim x bytes: it
        counts the keys or the values, not both, and every budget built on it is half the real memory."""
        c = ctx.proposal
        shape = compute.model_shape(c)
        if shape is None:
            return
        head_dim = shape.hidden // shape.heads
        per_element = compute.kv_cache_bytes(c)
        expected = 2 * shape.layers * shape.kv_heads * head_dim * per_element
        scale = {"kib": 2**10, "kb": 1e3, "mib": 2**20, "mb": 1e6}
        for m in c.cue_spans("kv_token_cost_stated"):
            stated = float(m.groups["value"]) * scale[m.groups["unit"].lower()]
            if abs(stated - expected / 2) > 0.05 * expected / 2:
                continue
            yield self.finding(
                f"One token's KV cache is K and V for every layer: 2 x {shape.layers} layers x {shape.kv_heads} KV "
                f"heads x {head_dim} x {per_element:g} B = {expected / 2**10:,.0f} KiB for {shape.name}, not the "
                f"{stated / 2**10:,.0f} KiB the draft uses. Every budget, admission rule and concurrency figure "
                "built on the per-token size holds twice the memory it claims.",
                "recompute the per-token KV size with both keys and values, then the per-request budget and the "
                "concurrency that fits next to the weights",
                [m.sentence.quote()],
                computed={"kv_bytes_per_token": expected},
                inputs={
                    "layers": shape.layers,
                    "kv_heads": shape.kv_heads,
                    "head_dim": head_dim,
                    "bytes_per_element": per_element,
                    "stated_bytes_per_token": stated,
                },
            )
            return

    def _group_metadata(self, ctx: Context) -> Iterator[Finding]:
        """A weight budget counted at the bare bit width (parameters x 0.5 byte at 4 bits) for a group-wise
        format: each group of g weights also stores a 16-bit scale (32 bits with a zero point), 16/g more bits
        per weight. Flagged when the draft's own total plus those scales exceeds the device."""
        c = ctx.proposal
        stated = c.cue_spans("weight_bytes_per_param_stated")
        totals = c.cue_spans("memory_total_stated")
        dev = compute.device(c)
        if not stated or not totals or dev is None or dev.memory_gib is None:
            return
        line = stated[0]
        per_param = float(line.groups["bytes"])
        if per_param >= 1.0:
            return  # 8 bits and wider: no group scales in the formats the draft would use
        groups = [m for m in c.cue_spans("quantization_group_size") if int(m.groups["size"]) > 0]
        local = [m for m in groups if m.sentence.section == line.sentence.section]
        core = [m for m in groups if is_core(m.sentence)]
        chosen = local or core
        if not chosen:
            return
        group = min(int(m.groups["size"]) for m in chosen)
        metadata_bits = 32.0 if c.has_cue("asymmetric_quantization") else 16.0
        params = float(line.groups["params"]) * 1e9
        extra = params * metadata_bits / group / 8
        total_m = totals[-1]
        unit = 2**30 if total_m.groups["unit"].lower() == "gib" else 1e9
        total = float(total_m.groups["value"]) * unit
        capacity = dev.memory_gib * 2**30
        real = total + extra
        if real <= capacity:
            return
        yield self.finding(
            f"The weights are counted at {per_param:g} byte per parameter, but a group-wise format stores a "
            f"{metadata_bits:g}-bit scale{' and zero point' if metadata_bits > 16 else ''} for every {group} "
            f"weights: {metadata_bits:g} / {group} = {metadata_bits / group:g} more bits per weight, "
            f"{params / 1e9:g}e9 x {metadata_bits / group / 8:g} B = {extra / 1e9:.1f} GB. The stated total of "
            f"{total / 1e9:.1f} GB becomes {real / 1e9:.1f} GB ({real / 2**30:.1f} GiB) against "
            f"{dev.memory_gib:.1f} GiB on {dev.name}: the configuration does not fit.",
            "count the scales (and zero points) of every group in the weight memory, and give a configuration "
            "that fits with them: fewer concurrent sequences, a shorter context or a larger group",
            [line.sentence.quote(), total_m.sentence.quote(), *(m.sentence.quote() for m in local[:1])],
            computed={"memory_per_gpu_gib": real / 2**30, "capacity_gib": dev.memory_gib},
            inputs={
                "params": params,
                "stated_bytes_per_param": per_param,
                "group_size": group,
                "metadata_bits_per_group": metadata_bits,
                "stated_total_bytes": total,
            },
        )

    def _unsharded_accumulation(self, ctx: Context) -> Iterator[Finding]:
        """Sharded data parallelism (ZeRO-2/3, FSDP) whose gradients are accumulated locally across
        micro-batches, the reduce-scatter skipped or deferred: the reduce-scatter is what shards the gradient,
        so until it runs every rank holds the whole gradient of what it computes (its tensor and pipeline slice
        of the model), in the accumulation format."""
        c = ctx.proposal
        if not (c.uses_core("fsdp") or c.uses_core("zero-2") or c.uses_core("zero-3")):
            return
        said = c.cue("gradients_accumulated_unsharded")
        states = compute.model_states(c)
        dev = compute.device(c)
        if not said or states is None or dev is None or dev.memory_gib is None:
            return
        inputs = states.inputs
        n, tp, pp = float(str(inputs["params"])), int(str(inputs["tp"])), int(str(inputs["pp"]))
        if int(str(inputs["dp"])) <= 1:
            return
        wide = any(c.text_has_cue("fp32_named", s.text) for s in said)
        per_element = 4.0 if wide else 2.0
        buffer = n * per_element / (tp * pp) / 2**30
        total = states.gib + buffer
        if total <= dev.memory_gib:
            return
        yield self.finding(
            f"Skipping the reduce-scatter skips what shards the gradient: until it runs, each rank accumulates the "
            f"whole gradient of its part of the model, {n / 1e9:,.3g}e9 parameters x {per_element:g} B"
            + (f" / (tp x pp = {tp * pp})" if tp * pp > 1 else "")
            + f" = {buffer:,.1f} GiB, on top of {states.gib:,.1f} GiB of sharded model states ({states.explain}): "
            f"{total:,.1f} GiB per GPU against {dev.memory_gib:.1f} GiB on {dev.name}, before activations.",
            "account the accumulation buffer at its unsharded size, and give a configuration where it fits "
            "(a narrower buffer, accumulation over fewer micro-batches, or sharding within a smaller group)",
            quotes(said, 2),
            computed={"model_states_per_gpu_gib": total, "capacity_gib": dev.memory_gib},
            inputs={**inputs, "accumulation_bytes_per_element": per_element},
        )

    def _in_flight(self, ctx: Context) -> Iterator[Finding]:
        """A pipeline stage said to hold one unit's activations at a time, under a schedule that keeps several in
        flight: in 1F1B the first stage runs p forwards before its first backward, so it holds p units (micro-
        batches, or slices when sequences are cut), and that peak is what must fit."""
        c = ctx.proposal
        if not c.uses("one-f-one-b", "pipeline-parallelism") or c.uses_core("zero-bubble-pipeline"):
            return
        said = c.cue("one_unit_resident")
        p, dev = c.value("pp"), compute.device(c)
        if not said or not p or p < 2 or dev is None or dev.memory_gib is None:
            return
        near = {s.paragraph for s in said}
        per_unit = [
            m
            for m in c.cue_spans("per_stage_activation")
            if m.sentence.paragraph in near or any(abs(m.sentence.index - s.index) <= 2 for s in said)
        ]
        if not per_unit:
            return
        # the unit's activations, the largest per-stage size next to the claim (a K/V cache kept across units is
        # smaller and is not what the backward waits on)
        unit = max(per_unit, key=lambda m: float(m.groups["value"]))
        scale = 1.0 if unit.groups["unit"] == "GiB" else 1e9 / 2**30
        each = float(unit.groups["value"]) * scale
        states = compute.model_states(c)
        held = p * each + (states.gib if states else 0.0)
        if held <= dev.memory_gib:
            return
        yield self.finding(
            f"Under 1F1B the first stage runs p = {p:.0f} forwards before its first backward, so it holds {p:.0f} "
            f"units of activations, not one: {p:.0f} x {each:.1f} GiB = {p * each:,.1f} GiB"
            + (f" plus {states.gib:.1f} GiB of model states" if states else "")
            + f", against {dev.memory_gib:.0f} GiB on {dev.name}. A stage that processes one unit at a time still "
            "keeps the activations of every unit whose backward has not run.",
            "count the activations of every unit in flight on the first stage (p of them under 1F1B, more if a "
            "unit's backward waits for later ones), and give a configuration that fits at that peak",
            [said[0].quote(), unit.sentence.quote()],
            computed={"memory_per_gpu_gib": held, "capacity_gib": dev.memory_gib},
            inputs={"stages": p, "activation_gib_per_unit": each, "model_states_gib": states.gib if states else 0.0},
        )

    def _replica_update(self, ctx: Context) -> Iterator[Finding]:
        """A replica sized as weights alone that also applies the optimizer update: to run the same Adam step it
        needs what the original holds, FP32 master weights and both moments beside the 16-bit weights and a
        gradient, 16 bytes a parameter as ZeRO counts them."""
        c = ctx.proposal
        if not any(is_design(s) for s in c.cue("replica_applies_update")):
            return
        sized = c.cue_spans("replica_weights_size")
        stated = c.cue_spans("model_states_per_gpu_stated")
        dev = compute.device(c)
        if not sized or not stated or dev is None:
            return
        m = sized[0]
        params = float(m.groups["params"]) * 1e9
        replica = params * _ADAM_BYTES / 2**30
        own = float(stated[0].groups["value"]) * (1.0 if stated[0].groups["unit"] == "GiB" else 1e9 / 2**30)
        total = own + replica
        if total <= dev.memory_gib:
            return
        yield self.finding(
            f"The replica is sized as weights alone ({m.groups['params']}B x {m.groups['bytes']} bytes), but it "
            f"applies the optimizer update itself, and an Adam step needs the FP32 master weights, both moments and "
            f"a gradient beside the 16-bit weights: {m.groups['params']}B x {_ADAM_BYTES:.0f} B = {replica:.1f} GiB. "
            f"With the {num(own)} GiB of model states each GPU already holds, that is {total:.1f} GiB of model "
            f"states, against {dev.memory_gib:.1f} GiB on {dev.name}, before any activation.",
            "size the replica for the state its update needs (or ship updated weights instead of gradients, so "
            "the replica holds weights alone), and give the per-GPU memory with it",
            [m.sentence.quote(), stated[0].sentence.quote()],
            computed={"model_states_per_gpu_gib": total, "capacity_gib": dev.memory_gib},
            inputs={"replica_params": params, "bytes_per_param": _ADAM_BYTES, "stated_states_gib": own},
        )

    def _error_feedback(self, ctx: Context) -> Iterator[Finding]:
        """Error feedback keeps, on every worker, what compression left out of the gradient: a buffer as large
        as the gradient, which optimizer-state sharding does not split (each worker's residual is its own)."""
        c = ctx.proposal
        kept = [m for m in c.cue_spans("error_feedback_buffer_kept") if is_design(m.sentence)]
        states = compute.model_states(c)
        n, dev = compute.params(c), compute.device(c)
        if not kept or not compute.is_training(c) or states is None or not n or dev is None:
            return
        fmt = kept[0].groups["format"].lower()
        per = 4.0 if fmt in ("fp32", "float32") else 2.0
        buffer = n * per / 2**30
        total = states.gib + buffer
        if total <= dev.memory_gib:
            return
        yield self.finding(
            f"Error feedback keeps a residual as large as the gradient on every worker: {num(n / 1e9)}B values in "
            f"{fmt.upper()} = {buffer:.1f} GiB, which sharding the optimizer does not split (each worker's residual "
            f"is its own). With the model states ({states.explain}: {states.gib:.1f} GiB) that is {total:.1f} GiB "
            f"per GPU against {dev.memory_gib:.1f} GiB on {dev.name}, before any activation.",
            "count the residual buffer in the per-GPU memory (or keep it in fewer bits, or shard what can be "
            "sharded) and give the budget with it",
            [kept[0].sentence.quote()],
            computed={"model_states_per_gpu_gib": total, "capacity_gib": dev.memory_gib},
            inputs={**states.inputs, "residual_bytes_per_param": per},
        )

    def _totals(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        states = compute.model_states(c, stated_together=True)
        dev = compute.device(c)
        capacity = dev.memory_gib if dev else None
        stated = c.value("memory_capacity")
        if capacity is None and stated:
            capacity = stated * 1e9 / 2**30
        serving = compute.serving_memory(c) if states is None else None
        if serving is not None and capacity is not None and serving.total_gib > capacity:
            yield self.finding(
                f"Serving this configuration needs {serving.weights_gib:.1f} GiB of weights plus "
                f"{serving.kv_gib:.1f} GiB of KV cache ({serving.inputs['concurrent_sequences']} sequences of "
                f"{serving.inputs['context']:,} tokens, K and V of width {serving.inputs['kv_width']} in "
                f"{_bits(serving.inputs.get('kv_bytes_per_element', 2.0))}, "
                f"over {serving.inputs['layers']} layers) = "
                f"{serving.total_gib:.1f} GiB, against {capacity:.1f} GiB on the device. The claimed concurrency "
                "cannot be resident at once.",
                "recompute the KV cache for the claimed concurrency and context (bytes per token times tokens "
                "resident) and show where the memory comes from, or lower the claim",
                quotes(c.cue("serving_load_named"), 3),
                computed={"memory_per_gpu_gib": serving.total_gib, "capacity_gib": capacity},
                inputs=serving.inputs,
            )
            return
        if states is None or capacity is None or states.gib <= capacity:
            return
        name = dev.name if dev else "the stated device"
        yield self.finding(
            f"The model states alone need {num(states.gib)} GiB per GPU ({states.explain}), against "
            f"{num(capacity)} GiB on {name}, before a single activation is stored. Aggregate memory across "
            "GPUs does not help unless the states are sharded.",
            "give a configuration that fits (shard the states, or split the model) with its memory "
            "accounted per GPU, and say which bytes per parameter you assume",
            quotes(c.cue("memory_fit_discussed"), 3),
            computed={"model_states_per_gpu_gib": states.gib, "capacity_gib": capacity},
            inputs=states.inputs,
        )


# mixed-precision Adam as ZeRO counts it: 16-bit weight and gradient, FP32 master weight and two moments
_ADAM_BYTES = 16.0


def _bits(kv_bytes: object) -> str:
    """ "16 bits", "3 bits" for a quantized cache whose group metadata the draft states, or "2 bits (before
    scales and zero points)" when it states none."""
    bits = 8 * float(kv_bytes) if isinstance(kv_bytes, (int, float)) else 16.0
    if bits >= 16:
        return "16 bits"
    return f"{bits:g} bits" if bits != int(bits) or bits % 2 else f"{bits:g} bits (before scales and zero points)"

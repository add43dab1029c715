from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import (
    UNIT_SECONDS,
    batch_by_length,
    cell_rate,
    cell_seconds,
    cells,
    num,
    precision,
    shape_in,
    size_bytes,
    table_header,
    table_seconds,
    tables,
)
from tensora.errors import TensoraError
from tensora.extract.claims import Claims
from tensora.extract.cues import CueSpan
from tensora.extract.quantities import Quantity, Quote
from tensora.extract.sentences import Sentence
from tensora.extract.techniques import is_elsewhere, is_planned
from tensora.models.roofline import gemm_intensity, roofline_max_speedup

_BYTES = {"fp32": 4.0, "tf32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0}


def _n(text: str) -> int:
    return int(text.replace(",", ""))


def _seconds(value: str, unit: str | None) -> float:
    return compute.seconds(value, "ms" if unit == "ms" else "us")


def _stated_memory_bandwidth(c: Claims) -> tuple[float, CueSpan] | None:
    """The first memory bandwidth the draft states for its machine, in bytes per second, with its match."""
    stated = c.cue_spans("memory_bandwidth_stated")
    if not stated:
        return None
    b = stated[0]
    return float(b.groups["value"]) * (1e12 if b.groups["unit"] == "TB/s" else 1e9), b


def _memory_bandwidth(c: Claims) -> float | None:
    """The memory bandwidth the draft states for its machine, else its device's, in bytes per second."""
    stated = _stated_memory_bandwidth(c)
    if stated is not None:
        return stated[0]
    dev = compute.device(c)
    return float(dev.memory_bandwidth) if dev is not None and dev.memory_bandwidth else None


def _peak_flops(c: Claims) -> float | None:
    """The dense peak the draft states (TFLOP/s), else its device's at the draft's precision, in FLOP/s."""
    stated = c.value("peak_tflops")
    if stated:
        return float(stated) * 1e12
    dev = compute.device(c)
    if dev is None:
        return None
    try:
        return float(dev.peak_flops(precision(c)))
    except TensoraError:
        return None


class QntRoofline(Rule):
    """QNT-ROOFLINE: a kernel speedup that the roofline does not allow.

    ## What it flags
    A GEMM whose shape the draft states (M, N, K) and whose claimed time is below the roofline minimum
    max(FLOPs / peak, bytes / bandwidth) of the named device, or whose speedup over the library exceeds
    t_library / t_min. Without a shape: a memory-bound kernel over a quantized store (weights or KV cache)
    claimed faster than its 16-bit version by more than 16 / (bits + metadata bits), the ratio of bytes read. A
    decode iteration claimed faster than streaming the weights and the batch's KV cache once from HBM.
    ## Why a reviewer cares
    A skinny GEMM is memory-bound: it cannot run faster than reading its weights once at full HBM bandwidth.
    A faster measurement means L2-resident weights across repeated runs, missing synchronisation, or a wrong
    result.
    ## Example
    fires:  "M = 16, K = 13,824, N = 5,120 in 37 us versus 88 us" on an A100 (minimum about 69 us)
    silent: the same shape at 75 us versus 88 us
    ## Known false alarms
    Kernels that legitimately reuse data from L2 across calls (persistent weights) beat the HBM roof; the
    draft must then say so.
    ## References
    Williams, Waterman and Patterson, CACM 2009 (roofline); NVIDIA A100/H100 datasheets.
    """

    code = "QNT-ROOFLINE"
    severity = Severity.FATAL
    title = "Faster than the roofline allows"

    def check(self, ctx: Context) -> Iterator[Finding]:
        found = list(self._gemm(ctx.proposal))
        found = found or ([f] if (f := format_bound(ctx)) is not None else [])
        found = found or list(self._bytes_per_token_rows(ctx.proposal))
        found = found or list(self._bytes_per_unit(ctx.proposal))
        found = found or list(self._attention_rows(ctx.proposal))
        found = found or list(self._decode_kv_rows(ctx.proposal))
        found = found or list(self._bandwidth_rows(ctx.proposal))
        yield from found or self._decode_floor(ctx.proposal)

    def _bandwidth_rows(self, c: Claims) -> Iterator[Finding]:
        """A table of a memory-bound phase with each implementation's time and the bandwidth it reaches: a row
        above the memory's bandwidth counts bytes that did not all come from memory. Over gigabytes (far beyond
        any cache) the bytes over the memory bandwidth is the floor, and the first row's time over it is the
        largest speedup."""
        bw = _memory_bandwidth(c)
        if not bw:
            return
        for table in tables(c):
            head = [x.lower() for x in table.columns]
            t_col = next((i for i, h in enumerate(head) if h.endswith(("(ms)", "(us)"))), None)
            b_col = next((i for i, h in enumerate(head) if "bandwidth" in h), None)
            if t_col is None or b_col is None or is_elsewhere(table.header):
                continue
            unit = UNIT_SECONDS["ms" if head[t_col].endswith("(ms)") else "us"]
            rows = []
            for label, values, row in table.rows:
                cols = cells(row.text)[1:]
                if max(t_col, b_col) >= len(cols):
                    continue
                t = values[t_col]
                rate = cell_rate(cols[b_col])
                if t is not None and rate is not None and t > 0:
                    rows.append((label, t * unit, rate, row))
            if len(rows) < 2:
                continue
            base = rows[0]
            for label, t, rate, row in rows[1:]:
                moved = t * rate
                if rate <= 1.02 * bw or moved < 1e9:
                    continue
                floor = moved / bw
                yield self.finding(
                    f"{label} is reported at {rate / 1e12:.3g} TB/s, above the memory's {bw / 1e12:.3g} TB/s: over "
                    f"the {moved / 1e9:,.1f} GB it counts ({num(t * 1e3)} ms x {rate / 1e12:.3g} TB/s), far beyond "
                    f"any on-chip cache, the memory sets a floor of {num(floor * 1e3)} ms, so the most it can gain "
                    f"over the {num(base[1] * 1e3)} ms it starts from is {base[1] / floor:.2f}x. A rate above the "
                    "memory's means fewer bytes moved than counted, or a timing that missed part of the work.",
                    "count the bytes the phase really reads and writes, time it with caches flushed and the stream "
                    "synchronised, and report the achieved bandwidth against the memory's",
                    [row.quote()],
                    computed={"roofline_max_speedup": base[1] / floor},
                    inputs={"bytes": moved, "memory_bytes_per_s": bw, "claimed_time_s": t},
                )
                return

    def _decode_floor(self, c: Claims) -> Iterator[Finding]:
        """A decode iteration claimed faster than reading the weights and the batch's KV cache once from HBM.

        Every decode step streams all weights and the whole KV cache of the batch (``compute.serving_memory``
        from the model, the concurrency and the context the draft states); at the device's HBM bandwidth that
        is the step's floor, whatever the kernels or the SM split."""
        serving = compute.serving_memory(c)
        dev = compute.device(c)
        if serving is None or dev is None or not dev.memory_bandwidth:
            return
        floor = (serving.weights_gib + serving.kv_gib) * 2**30 / dev.memory_bandwidth
        for m in c.cue_spans("decode_step_time_claimed"):
            if is_elsewhere(m.sentence):
                continue
            t = float(m.groups["value"]) * 1e-3
            if t >= 0.95 * floor:
                continue
            before = m.groups.get("before")
            computed = {"decode_floor_s": floor, "claimed_time_s": t}
            if before:
                computed["roofline_max_speedup"] = float(before) * 1e-3 / floor
            yield self.finding(
                f"A decode iteration streams every weight and the batch's whole KV cache from HBM: "
                f"{serving.weights_gib:.1f} GiB of weights + {serving.kv_gib:.1f} GiB of KV "
                f"({serving.inputs['concurrent_sequences']} sequences of {serving.inputs['context']:,} tokens) at "
                f"{dev.memory_bandwidth / 1e12:g} TB/s on {dev.name} is at least {floor * 1e3:.1f} ms, and the draft "
                f"claims {t * 1e3:g} ms. A step below that floor is measured wrong (a launch timed instead of the "
                "kernels, shorter contexts than stated, L2-resident data), not made faster.",
                "time the decode iteration with the stream synchronised at the stated batch and context, and set it "
                "beside (weights + KV bytes) / HBM bandwidth",
                [m.sentence.quote()],
                computed=computed,
                inputs={
                    "bytes_per_step": (serving.weights_gib + serving.kv_gib) * 2**30,
                    "hbm_bytes_per_s": dev.memory_bandwidth,
                },
            )
            return

    def _bytes_per_unit(self, c: Claims) -> Iterator[Finding]:
        """The bytes one unit of work reads ("per token the step reads 15.0 GB") against a time the draft claims
        for the same unit ("2.6 ms per token"): below bytes / memory bandwidth no kernel can go. The bandwidth is
        the one the draft states for its memory, else its device's."""
        bw = _memory_bandwidth(c)
        if bw is None:
            return
        reads = [m for m in c.cue_spans("bytes_read_per_unit") if not is_elsewhere(m.sentence)]
        yield from self._bytes_rows(c, bw)
        worst: tuple[float, CueSpan, CueSpan, float, float] | None = None
        for r in reads:
            size = size_bytes(r.groups["size"], r.groups["unit"])
            floor = size / bw
            for t in c.cue_spans("time_per_unit_claimed"):
                if t.groups["per"] != r.groups["per"] or is_elsewhere(t.sentence):
                    continue
                took = _seconds(t.groups["value"], "ms" if t.groups["unit"] == "ms" else "us")
                if took < 0.95 * floor and (worst is None or floor / took > worst[0]):
                    worst = (floor / took, r, t, floor, took)
        if worst is None:
            return
        excess, r, t, floor, took = worst
        per = r.groups["per"]
        computed = {"claimed_time_s": took, "roofline_min_time_s": floor}
        # "2.6 ms per token ..., 2.46x faster than the graph": the reference took speedup x the claimed time
        speedups = [
            q.value for q in c.values("speedup") if compute.sentence_index(c, q) == t.sentence.index and q.value > 1
        ]
        if speedups:
            computed["roofline_max_speedup"] = speedups[0] * took / floor
        yield self.finding(
            f"Per {per} the draft reads {r.groups['size']} {r.groups['unit']} and claims {num(took * 1e3)} ms per "
            f"{per}: that needs {excess * bw / 1e12:.2f} TB/s, {excess:.2f}x the {bw / 1e12:g} TB/s of its memory. "
            f"No kernel reads those bytes in under {floor * 1e3:.2f} ms; a time below it is measured wrong (data "
            "resident in cache across repetitions, an unsynchronised timer, fewer bytes than stated).",
            f"reconcile the bytes read per {per} with the claimed time and the memory's bandwidth (measure the "
            "achieved bandwidth), and state the speedup the roofline allows",
            [t.sentence.quote(), r.sentence.quote()],
            computed=computed,
            inputs={"bytes": size_bytes(r.groups["size"], r.groups["unit"]), "memory_bytes_per_s": bw},
        )

    def _attention_rows(self, c: Claims) -> Iterator[Finding]:
        """An attention kernel's forward timed per batch x sequence length: 4 b h s^2 d FLOPs (half under a
        causal mask) over the claimed time must stay under the dense peak the draft states (else its device's)."""
        rows = c.cue_spans("batch_by_seq_two_times_row")
        heads_m, dim_m = c.cue_spans("query_heads_stated"), c.cue_spans("head_dim_stated")
        if not rows or not heads_m or not dim_m or not c.has_cue("forward_pass_only"):
            return
        headers = c.cue_spans("two_time_columns_header")
        heads = max(int(m.groups["heads"]) for m in heads_m)
        dim = int(dim_m[0].groups["dim"])
        peak = _peak_flops(c)
        if peak is None:
            return
        causal = 0.5 if c.has_cue("causal_mask_named") else 1.0
        worst: tuple[float, CueSpan, float, float, float] | None = None
        for m in rows:
            header = next((h for h in reversed(headers) if 0 < m.sentence.index - h.sentence.index <= 12), None)
            if header is None:
                continue
            unit = "ms" if header.groups["unit"] == "ms" else "us"
            batch, seq = int(m.groups["batch"]), _n(m.groups["seq"])
            flops = 4.0 * batch * heads * seq * seq * dim * causal
            floor = flops / peak
            before, after = _seconds(m.groups["a"], unit), _seconds(m.groups["b"], unit)
            if 0 < after < 0.98 * floor and (worst is None or floor / after > worst[0]):
                worst = (floor / after, m, floor, before, after)
        if worst is None:
            return
        excess, m, floor, before, after = worst
        mask = "causal, " if causal < 1 else ""
        yield self.finding(
            f"At {m.groups['batch']} x {m.groups['seq']} tokens, {heads} query heads of dimension {dim} "
            f"({mask}forward) "
            f"the kernel does {4 * causal:g} b h s^2 d = {floor * peak / 1e12:.2f} TFLOP; in {num(after * 1e3)} ms "
            f"that is {floor * peak / after / 1e12:,.0f} TFLOP/s, {excess:.2f}x the {peak / 1e12:,.0f} TFLOP/s dense "
            f"peak. No kernel does that; the roofline allows at most {before / floor:.2f}x over the "
            f"{num(before * 1e3)} ms it starts from.",
            "check the timing (synchronisation, a mask that skips more than the causal half, fewer heads than "
            "stated) and report achieved TFLOP/s beside every speedup",
            [m.sentence.quote(), dim_m[0].sentence.quote()],
            computed={"roofline_max_speedup": before / floor, "roofline_min_time_s": floor, "claimed_time_s": after},
            inputs={"flops": floor * peak, "peak_flops_per_s": peak},
        )

    def _decode_kv_rows(self, c: Claims) -> Iterator[Finding]:
        """A decode-attention table timed per batch x context ("32 x 32K | 0.196 | 0.103"): each step reads the
        layer's whole KV cache once, batch x context x KV heads per GPU x head dim x 2 (K and V) x bytes per
        element, from the model's published shape split by the tensor-parallel degree. That over the memory
        bandwidth is a floor on the step; a row faster than its floor reads fewer bytes than the draft says, or
        was timed wrong, and the reference's time over the floor is the largest speedup."""
        if compute.is_training(c):
            return
        shape = compute.model_shape(c)
        bw = _memory_bandwidth(c)
        if shape is None or not bw:
            return
        tp = int(c.value("tp") or 1)
        kv_heads = max(1.0, shape.kv_heads / tp)  # fewer KV heads than ranks: each rank holds a replica of one
        q_heads = shape.heads / tp
        element = compute.kv_cache_bytes(c)
        worst: tuple[float, Sentence, int, int, float, float, float] | None = None
        for table in tables(c):
            unit = table_seconds(c, table)
            near = " ".join(s.lower for s in c.sentences[max(0, table.header.index - 3) : table.header.index + 1])
            if "attention" not in near or is_elsewhere(table.header):
                continue
            first = cells(table.header.text)[0] if cells(table.header.text) else ""
            for label, values, row in table.rows:
                size = batch_by_length(label, first)
                if unit is not None:
                    times = [v * unit for v in values if v is not None]
                else:
                    # times written with their unit in each cell ("29 us")
                    times = [t for t in (cell_seconds(x) for x in cells(row.text)[1:]) if t is not None]
                if size is None or len(times) < 2:
                    continue
                batch, length = size
                before, after = times[0], times[1]
                moved = batch * length * kv_heads * shape.head_dim * 2 * element
                floor = moved / bw
                if 0 < after < 0.95 * floor and (worst is None or floor / after > worst[0]):
                    worst = (floor / after, row, batch, length, moved, before, after)
        if worst is None:
            return
        excess, row, batch, length, moved, before, after = worst
        floor = moved / bw
        # one query token a request in plain decoding; a speculative verifier's several tokens raise the
        # intensity by a factor the draft's tree sets, so it is not stated
        tree = c.uses("speculative-decoding")
        intensity = 4.0 * batch * q_heads * length * shape.head_dim / moved
        bound = "the kernel is memory-bound" if tree else f"at {intensity:.0f} FLOP per byte the kernel is memory-bound"
        yield self.finding(
            f"Decode attention reads the layer's whole KV cache every step: at {batch} x {length:,} tokens, "
            f"{kv_heads:g} KV head{'s' if kv_heads != 1 else ''} of dimension {shape.head_dim} per GPU "
            f"({shape.name}, TP {tp}) and {element:g} bytes per element, that is {moved / 1e6:,.0f} MB, at least "
            f"{num(floor * 1e3)} ms at {bw / 1e12:.3g} TB/s. The draft's {num(after * 1e3)} ms would need "
            f"{excess * bw / 1e12:.2f} TB/s, {excess:.2f}x the memory's bandwidth; {bound}, so the most it can "
            f"gain over the {num(before * 1e3)} ms it starts from is {before / floor:.2f}x.",
            "report the achieved bandwidth (bytes of KV read over the measured time) beside every speedup, time "
            "with caches flushed, and show which bytes the new kernel no longer reads",
            [row.quote()],
            computed={
                "roofline_max_speedup": before / floor,
                **({} if tree else {"arithmetic_intensity": intensity}),
                "claimed_speedup": before / after,
            },
            inputs={"kv_bytes": moved, "memory_bytes_per_s": bw, "tp": tp},
        )

    def _bytes_rows(self, c: Claims, bw: float) -> Iterator[Finding]:
        """A kernel table with the bytes each kernel moves and its time before and after: the after time cannot
        fall below bytes / memory bandwidth, and the before time over that floor is the largest speedup."""
        headers = c.cue_spans("two_time_columns_header")
        if not headers:
            return
        worst: tuple[float, CueSpan, float, float, float] | None = None
        for m in c.cue_spans("bytes_two_times_row"):
            header = next((h for h in reversed(headers) if 0 < m.sentence.index - h.sentence.index <= 12), None)
            if header is None:
                continue
            unit = "ms" if header.groups["unit"] == "ms" else "us"
            floor = size_bytes(m.groups["size"], m.groups["unit"]) / bw
            before, after = (_seconds(m.groups[k].replace(",", ""), unit) for k in ("a", "b"))
            if 0 < after < 0.95 * floor and (worst is None or floor / after > worst[0]):
                worst = (floor / after, m, floor, before, after)
        if worst is None:
            return
        excess, m, floor, before, after = worst
        yield self.finding(
            f"The row moves {m.groups['size']} {m.groups['unit']} and claims {num(after * 1e6)} us: that needs "
            f"{excess * bw / 1e12:.2f} TB/s, {excess:.2f}x the {bw / 1e12:g} TB/s of the memory. The floor is "
            f"{num(floor * 1e6)} us, so the largest speedup over the {num(before * 1e6)} us it starts from is "
            f"{before / floor:.2f}x.",
            "time the kernel with inputs that are not cache-resident and the stream synchronised, and report the "
            "achieved bandwidth beside the speedup",
            [m.sentence.quote()],
            computed={"roofline_max_speedup": before / floor, "roofline_min_time_s": floor, "claimed_time_s": after},
            inputs={"bytes": size_bytes(m.groups["size"], m.groups["unit"]), "memory_bytes_per_s": bw},
        )

    def _bytes_per_token_rows(self, c: Claims) -> Iterator[Finding]:
        """A decode table giving the bytes each token reads and the tokens per second: one token at a time,
        the rate cannot exceed the memory bandwidth over the bytes per token. The bandwidth is the first the
        draft states for its machine's memory."""
        stated = _stated_memory_bandwidth(c)
        headers = c.cue_spans("bytes_per_token_header")
        if stated is None or not headers:
            return
        bw, b = stated
        worst: tuple[float, CueSpan] | None = None
        for m in c.cue_spans("bytes_tokens_row"):
            if not any(0 < m.sentence.index - h.sentence.index <= 6 for h in headers):
                continue
            per_token = float(m.groups["gb"]) * (2**30 if m.groups["unit"] == "GiB" else 1e9)
            needed = per_token * float(m.groups["tps"])
            if needed > 1.02 * bw and (worst is None or needed / bw > worst[0]):
                worst = (needed / bw, m)
        if worst is None:
            return
        excess, m = worst
        per_token = float(m.groups["gb"]) * (2**30 if m.groups["unit"] == "GiB" else 1e9)
        tps = float(m.groups["tps"])
        computed = {"decode_roof_tokens_per_s": bw / per_token, "claimed_tokens_per_s": tps}
        # the reference row of the table ("| 1.00x |") turns the roof into the largest speedup it allows
        reference = [
            float(r.groups["tps"])
            for r in c.cue_spans("bytes_tokens_row")
            if r is not m and any(mark in r.sentence.text for mark in ("| 1.00x", "| 1.0x", "| 1x"))
        ]
        if reference:
            computed["roofline_max_speedup"] = bw / per_token / reference[0]
        yield self.finding(
            f"Decoding one token at a time reads {per_token / 1e9:.3g} GB per token, so {tps:g} tokens/s needs "
            f"{per_token * tps / 1e9:,.0f} GB/s, {excess:.2f}x the {bw / 1e9:,.0f} GB/s the draft states for "
            f"its memory: the roof is {bw / per_token:.1f} tokens/s at full bandwidth, and sustained bandwidth "
            "is lower. The rate is measured wrong (a cache-resident model, a batch counted as one stream, "
            "fewer bytes than stated) or the bytes are.",
            "reconcile the bytes read per token with the measured rate and the memory's bandwidth (measure the "
            "achieved bandwidth during decode), and state the speedup the roof allows",
            [m.sentence.quote(), b.sentence.quote()],
            computed=computed,
            inputs={"bytes_per_token": per_token, "memory_bytes_per_s": bw},
        )

    def _format_bound(self, c: Claims) -> Iterator[Finding]:
        """A memory-bound kernel over a quantized store cannot beat its 16-bit version by more than the ratio of
        bytes read: 16 / (bits + metadata bits) per element."""
        if not c.has_cue("memory_bound_regime"):
            return
        stored = _stored_bits(c)
        if stored is None:
            return
        bits, what, sources = stored
        limit = 16.0 / bits
        claims = [
            q
            for q in c.values("speedup")
            if q.qualifier not in ("end-to-end", "baseline", "planned")
            and 1.0 < q.value < 100
            and _versus_sixteen_bit(c, q)
        ]
        if not claims:
            return
        worst = max(claims, key=lambda q: q.value)
        if worst.value <= limit * 1.02:
            return
        yield self.finding(
            f"Stored at {bits:g} bits per element (scales included), {what} take 16 / {bits:g} = {limit:.2f}x fewer "
            "bytes than in 16 bits; a memory-bound kernel runs at the speed it reads bytes, so "
            f"{limit:.2f}x is the most it can gain at the same bandwidth, and the draft claims {worst.value:g}x. "
            "A gain beyond the byte ratio says the 16-bit reference reads its bytes more slowly than the new "
            "kernel does: a 16-bit kernel that reaches the same bandwidth would take the excess away.",
            "re-measure against the 16-bit kernel with cold caches and the same bandwidth, or show which bytes the "
            "16-bit kernel reads that yours does not",
            [*sources, worst.quote],
            computed={"roofline_max_speedup": limit, "claimed_speedup": worst.value},
            inputs={"bits_per_element": bits, "reference_bits": 16, "stored": what},
        )

    def _gemm(self, c: Claims) -> Iterator[Finding]:
        shape = _shape(c)
        times = _times(c)
        if shape is None or times is None:
            yield from self._gemm_rows(c)
            return
        yield from self._gemm_at(c, shape, times)

    def _gemm_rows(self, c: Claims) -> Iterator[Finding]:
        """A table of GEMM shapes (M x N x K) with the reference's time and the draft's: the row whose claimed
        speedup exceeds its roofline bound by most."""
        worst: tuple[float, list[Finding]] | None = None
        for m in c.cue_spans("gemm_row_times"):
            g = m.groups
            old_t, new_t = (
                _seconds(g["a"], "ms" if g["ua"] == "ms" else "us"),
                _seconds(g["b"], "ms" if g["ub"] == "ms" else "us"),
            )
            found = list(
                self._gemm_at(c, ((_n(g["m"]), _n(g["n"]), _n(g["k"])), m.sentence), ((new_t, old_t), m.sentence))
            )
            if found:
                excess = found[0].computed["claimed_speedup"] / found[0].computed["roofline_max_speedup"]
                if worst is None or excess > worst[0]:
                    worst = (excess, found)
        if worst is None:
            worst = self._gemm_nk_rows(c)
        if worst is None:
            worst = self._gemm_shape_table(c)
        if worst is not None:
            yield from worst[1]

    def _gemm_shape_table(self, c: Claims) -> tuple[float, list[Finding]] | None:
        """A table of GEMMs whose rows give the weight's two dimensions in the label ("Gate/up (4,096 x 28,672)")
        and times in its columns, the reference first and the draft's last, with M stated in the caption ("batch
        8 (M = 8)") and the unit in the header or caption: the row whose claimed speedup exceeds its roofline
        bound by most."""
        worst: tuple[float, list[Finding]] | None = None
        stated_m = c.cue_spans("gemm_m_stated")
        for table in tables(c):
            unit = table_seconds(c, table)
            at = table.header.index
            rows_m = [x for x in stated_m if at - 4 <= x.sentence.index <= at]
            if unit is None or not rows_m:
                continue
            mm = int(rows_m[-1].groups["m"])
            for label, values, row in table.rows:
                dims = shape_in(label)
                times = [v for v in values if v is not None]
                if dims is None or len(times) < 2:
                    continue
                old_t, new_t = times[0] * unit, times[-1] * unit
                found = list(self._gemm_at(c, ((mm, dims[1], dims[0]), row), ((new_t, old_t), row)))
                if found:
                    excess = found[0].computed["claimed_speedup"] / found[0].computed["roofline_max_speedup"]
                    if worst is None or excess > worst[0]:
                        worst = (excess, found)
        return worst

    def _gemm_nk_rows(self, c: Claims) -> tuple[float, list[Finding]] | None:
        """A table whose rows give the weight shape N x K and two unitless times (the reference's, then the
        draft's), with M stated in the caption just before it ("M = 4:") and the unit in its header ("(us)")."""
        worst: tuple[float, list[Finding]] | None = None
        stated_m = c.cue_spans("gemm_m_stated")
        units = c.cue_spans("table_time_unit")
        for m in c.cue_spans("gemm_nk_row_times"):
            at = m.sentence.index
            rows_m = [x for x in stated_m if at - 8 <= x.sentence.index <= at]
            header = [x for x in units if at - 8 <= x.sentence.index <= at]
            if not rows_m or not header:
                continue
            g, unit = m.groups, header[-1].groups["unit"]
            old_t, new_t = (
                _seconds(g["a"], "ms" if unit == "ms" else "us"),
                _seconds(g["b"], "ms" if unit == "ms" else "us"),
            )
            shape = ((int(rows_m[-1].groups["m"]), _n(g["n"]), _n(g["k"])), m.sentence)
            found = list(self._gemm_at(c, shape, ((new_t, old_t), m.sentence)))
            if found:
                excess = found[0].computed["claimed_speedup"] / found[0].computed["roofline_max_speedup"]
                if worst is None or excess > worst[0]:
                    worst = (excess, found)
        return worst

    def _gemm_at(
        self,
        c: Claims,
        shape: tuple[tuple[int, int, int], Sentence],
        times: tuple[tuple[float, float], Sentence],
    ) -> Iterator[Finding]:
        dev = compute.device(c)
        if dev is None:
            return
        (mm, nn, kk), shape_s = shape
        (new_t, old_t), times_s = times
        if new_t >= old_t:
            return
        dtype = precision(c)
        size = _BYTES.get(dtype, 2.0)
        flops = 2.0 * mm * nn * kk
        bits = _weight_bits(c)
        if bits is not None:
            # weight-only quantization: the weights stream at `bits` per element, activations and outputs in 16 bits
            moved = kk * nn * bits / 8 + 2.0 * (mm * kk + mm * nn)
            intensity = flops / moved
        else:
            intensity = float(gemm_intensity(mm, nn, kk, dtype_bytes=size))
            moved = flops / intensity
        try:
            peak = dev.peak_flops("fp16" if bits is not None else dtype)
            limit = roofline_max_speedup(flops, moved, peak, dev.memory_bandwidth, measured_time_s=old_t)
        except TensoraError:
            return
        claimed = old_t / new_t
        if claimed <= float(limit) * 1.02:
            return
        t_min = max(flops / peak, moved / dev.memory_bandwidth)
        needed_bw = moved / new_t
        weights = f" with {bits:g}-bit weights" if bits is not None else ""
        yield self.finding(
            f"At M = {mm}, N = {nn}, K = {kk}{weights} the GEMM does {flops / 1e9:.2f} GFLOP over {moved / 1e6:.1f} "
            f"MB: {intensity:.0f} FLOP/byte, far below the ridge of {dev.name}, so it is memory-bound. Reading "
            f"the operands once at {dev.memory_bandwidth / 1e12:.3g} TB/s takes at least {t_min * 1e6:.1f} us; "
            f"against the library's {old_t * 1e6:.1f} us the roofline allows at most {float(limit):.2f}x, and "
            f"{new_t * 1e6:.1f} us would need {needed_bw / 1e12:.2f} TB/s, {num(needed_bw / dev.memory_bandwidth)}x "
            "the memory's peak bandwidth.",
            "re-measure with cold L2 and proper synchronisation, check the results, and state the speedup the "
            "roofline allows for this shape",
            [shape_s.quote()] if shape_s.index == times_s.index else [shape_s.quote(), times_s.quote()],
            computed={
                "arithmetic_intensity": intensity,
                "roofline_max_speedup": float(limit),
                "claimed_speedup": claimed,
            },
            inputs={"M": mm, "N": nn, "K": kk, "dtype": dtype, "weight_bits": bits, "device": dev.id},
        )


def format_bound(ctx: Context) -> Finding | None:
    """QNT-ROOFLINE's reading of a quantized kernel claimed faster than its bytes ratio over 16 bits allows, read
    once per review (EVID-WEAK-BASELINE puts the excess on the 16-bit reference from the same reading)."""
    key = "qnt_roofline.format_bound"
    if key not in ctx.shared:
        ctx.shared[key] = next(QntRoofline()._format_bound(ctx.proposal), None)
    return cast(Finding | None, ctx.shared[key])


def _versus_sixteen_bit(c: Claims, q: Quantity) -> bool:
    """Whether a speedup is over the 16-bit version: said in its sentence ("5x over FP16"), or a table row's
    speedup in a table with a 16-bit column ("Layer | FP16 (hipBLASLt) | ours | Speedup")."""
    if c.text_has_cue("versus_sixteen_bit", q.quote.text):
        return True
    sentence = c.sentence_of(q)
    header = table_header(c, sentence) if sentence is not None else None
    return header is not None and any(w in header.lower for w in ("fp16", "bf16", "16-bit"))


def _shape(c: Claims) -> tuple[tuple[int, int, int], Sentence] | None:
    """(M, N, K) of the kernel the draft times: "M = 16, K = 13,824, N = 5,120" or "4096 x 11008 GEMV, batch 1"."""
    named = c.cue_spans("gemm_shape_named")
    if named:
        g = named[0].groups
        return (_n(g["m"]), _n(g["n"]), _n(g["k"])), named[0].sentence
    pairs = c.cue_spans("gemm_shape_pair")
    if not pairs:
        return None
    s = pairs[0].sentence
    b = next((m for m in c.cue_spans("batch_size_stated") if m.sentence.index == s.index), None)
    batch = int(b.groups["batch"]) if b else 1
    return (batch, _n(pairs[0].groups["cols"]), _n(pairs[0].groups["rows"])), s


def _times(c: Claims) -> tuple[tuple[float, float], Sentence] | None:
    """(draft's time, library's time): "37 us versus 88 us", or a table of kernel times."""
    compared = c.cue_spans("kernel_times_compared")
    if compared:
        t, s = compared[0].groups, compared[0].sentence
        unit_b = t.get("theirs_unit") or t["ours_unit"]
        return (_seconds(t["ours"], t["ours_unit"]), _seconds(t["theirs"], unit_b)), s
    rows = [q for q in c.values("kernel_time") if q.value > 0 and "|" in q.quote.text]
    library = [q for q in rows if c.text_has_cue("library_reference", q.quote.text)]
    own = [q for q in rows if not c.text_has_cue("library_reference", q.quote.text)]
    if not library or not own:
        return None
    fastest = min(own, key=lambda q: q.value)
    baseline = max(library, key=lambda q: q.value)
    i = compute.sentence_index(c, fastest)
    return (fastest.value, baseline.value), (c.sentences[i] if i >= 0 else c.sentences[0])


def _weight_bits(c: Claims) -> float | None:
    """Bits per weight of weight-only quantization, with its FP16 group scales ("INT4, group size 128": 4.125)."""
    formats = c.cue_spans("weight_format_bits")
    if not formats:
        return None
    bits = float(formats[0].groups["bits"])
    groups = c.cue_spans("quantization_group_size")
    if groups:
        group = int(groups[0].groups["size"])
        if group > 0:
            bits += 16.0 / group
    return bits


def _stored_bits(c: Claims) -> tuple[float, str, list[Quote]] | None:
    """Bits per element of a quantized store with its metadata, what it stores and the quotes it rests on.

    The metadata is what the draft counts ("1 bit of metadata"), else 16 bits of scale per group (32 with a zero
    point) over the group size it states.
    """
    weights, kv = c.cue_spans("weight_format_bits"), c.cue_spans("kv_format_bits")
    spans = weights or kv
    if not spans:
        return None
    what = "the weights" if weights else "the KV cache"
    bits = float(spans[0].groups["bits"])
    sources = [spans[0].sentence.quote()]
    stated = c.cue_spans("quantization_metadata_bits")
    groups = c.cue_spans("quantization_group_size")
    if stated:
        bits += float(stated[0].groups["bits"])
        sources.append(stated[0].sentence.quote())
    elif groups and int(groups[0].groups["size"]) > 0:
        # "asymmetric formats are next" in the plans is not the format the draft measured
        asymmetric = any(not is_planned(x.sentence) for x in c.cue_spans("asymmetric_quantization"))
        per_group = 32.0 if asymmetric else 16.0
        bits += per_group / int(groups[0].groups["size"])
        sources.append(groups[0].sentence.quote())
    return (bits, what, sources) if bits < 16 else None

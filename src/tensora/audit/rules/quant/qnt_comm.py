from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter
from typing import cast

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import UNIT_SECONDS, cells, num, precision, quotes, size_bytes, table_seconds, tables
from tensora.extract.claims import Claims
from tensora.extract.cues import CueSpan
from tensora.extract.sentences import Sentence
from tensora.extract.techniques import is_core, is_elsewhere, is_planned
from tensora.models.comm import all_gather_time_s, ring_all_reduce_time_s, transfer_time_s
from tensora.models.memory import kv_cache_gib

_ASSUMED_MFU = 0.5  # stated in the message when the draft gives no utilisation of its own


Picked = tuple[float, CueSpan]


def _lenient(sizes: list[Picked], rates: list[Picked], windows: list[Picked]) -> tuple[Picked, ...] | None:
    """The most lenient reading of a transfer the draft states: its smallest size, its fastest rate, its longest
    window; None when one of the three is missing."""
    rates = [r for r in rates if r[0] > 0]
    if not sizes or not rates or not windows:
        return None
    return min(sizes, key=itemgetter(0)), max(rates, key=itemgetter(0)), max(windows, key=itemgetter(0))


def _seconds(m: CueSpan) -> float:
    return compute.seconds(m.groups["value"], m.groups["unit"])


def _at(m: CueSpan) -> int:
    """Where a match starts in its sentence."""
    return len(m.sentence.text.partition(m.text)[0])


def _first(c: Claims, cue_id: str, lo: int, hi: int) -> CueSpan | None:
    """The first match of a numeric cue in the sentences lo..hi (inclusive), in reading order."""
    return next((m for m in c.cue_spans(cue_id) if lo <= m.sentence.index <= hi), None)


class QntComm(Rule):
    """QNT-COMM: a collective that does not fit the window the draft gives it.

    ## What it flags
    Two computed cases. A sharded-parameter all-gather per layer (ZeRO-3/FSDP with prefetch or overlap)
    whose ring time over the link it crosses exceeds the layer's compute time; and state replication over the
    network whose transfer time exceeds the idle window the draft itself measures.
    ## Why a reviewer cares
    Overlap hides latency, not bandwidth: if each layer's gather takes longer than its compute, the step is
    bandwidth-bound however far ahead the gathers are issued.
    ## Example
    fires:  "70B model, 80 layers, ZeRO-3 over 64 GPUs with one 200 Gb/s NIC each, four-layer look-ahead"
    silent: "13B sharded inside the node: a layer's gather takes 2.7 ms over NVLink against 16 ms of compute"
    ## Known false alarms
    Without a stated utilisation the compute time assumes 50% of dense peak; the message says so.
    ## References
    nccl-tests PERFORMANCE.md (ring all-gather: (n-1)/n · S/B); ZeRO (Rajbhandari et al., SC 2020).
    """

    code = "QNT-COMM"
    severity = Severity.MAJOR
    title = "Communication does not fit its window"

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from self._replication(ctx)
        yield from self._layer_gather(ctx)
        yield from self._ring_step(ctx)
        yield from self._stated_collective(ctx)
        yield from self._ring_factor(ctx)
        yield from self._refetched_weights(ctx)
        yield from self._bidirectional(ctx)
        yield from self._kv_transfer(ctx)
        yield from self._shared_nic(ctx)
        yield from self._shared_storage(ctx)
        yield from self._checkpoint_persist(ctx)
        yield from self._cross_node_group(ctx)
        yield from self._host_copy(ctx)
        if not ctx.proposal.has_cue("hiding_claimed"):
            yield from self._streamed_weights(ctx)  # with a claim of hiding, hidden_transfer reads it
        yield from self._gradient_allreduce(ctx)
        yield from self._below_line_rate(ctx)
        found = hidden_transfer(ctx)
        if found is not None:
            yield found

    def _hidden_bulk(self, ctx: Context) -> Iterator[Finding]:
        """State said to move hidden behind a compute window, in the paragraph that gives its size and the
        window: size over the fastest link the draft states against the window (the largest size and the longest
        window of those sentences: the most lenient reading)."""
        c = ctx.proposal
        links = [q for q in c.values("nic_bandwidth") + c.values("link_bandwidth") if q.value > 0]
        if not links:
            return
        fastest = max(links, key=lambda q: q.value * (1 / 8 if q.unit == "Gb/s" else 1.0))
        bandwidth = fastest.value * (1e9 / 8 if fastest.unit == "Gb/s" else 1e9)
        for s in c.cue("hiding_claimed"):
            if is_elsewhere(s) or not is_core(s) or not c.text_has_cue("hiding_claimed_strongly", s.text):
                continue
            near = {x.index for x in c.sentences if s.index - 2 <= x.index <= s.index and x.paragraph == s.paragraph}
            sizes = [
                (size_bytes(m.groups["value"], m.groups["unit"]), m)
                for m in c.cue_spans("bulk_size_stated")
                if m.sentence.index in near
            ]
            windows = [
                (float(m.groups["value"]) * UNIT_SECONDS.get(m.groups["unit"], 1.0), m)
                for m in c.cue_spans("hide_window_time")
                if m.sentence.index in near
            ]
            # in the hiding sentence itself, the window is the time named before the hiding word ("computes for
            # 185 us, so it is hidden"), not a step total worked out after it ("... = 29.6 ms")
            hiding = [m.text for m in c.cue_spans("hiding_claimed_strongly") if m.sentence.index == s.index]
            if hiding:
                at = len(s.text.partition(hiding[0])[0])
                before = [w for w in windows if w[1].sentence.index != s.index or _at(w[1]) < at]
                windows = before or windows
            if not sizes and windows:
                sizes = _section_sizes(c, s)
            if not sizes or not windows:
                continue
            size, size_m = max(sizes, key=itemgetter(0))
            window, window_m = max(windows, key=itemgetter(0))
            t = size / bandwidth
            if t <= 1.05 * window:
                continue
            yield self.finding(
                f"The draft hides {size / 1e9:.3g} GB behind a {window * 1e3:.3g} ms window, but even at the fastest "
                f"link it states ({bandwidth / 1e9:g} GB/s) the transfer takes {t * 1e3:.3g} ms, {t / window:.1f}x "
                "the window. What does not fit lands on the critical path, and the link is shared with everything "
                "else that crosses it.",
                "size the transfer against the window (bytes / link bandwidth next to the compute it hides behind), "
                "and measure the exposed remainder under load",
                [size_m.sentence.quote()]
                + ([window_m.sentence.quote()] if window_m.sentence is not size_m.sentence else []),
                computed={"comm_time_s": t, "compute_time_s": window},
                inputs={"size_bytes": size, "bandwidth_bytes_per_s": bandwidth},
            )
            return

    def _table_window(self, ctx: Context) -> Iterator[Finding]:
        """A time table with a communication row and the GEMM rows it is decomposed with, where the draft's
        column shows the communication hidden: overlap hides at most the compute beside it, so the exposed part
        is at least the communication (its largest time in any column, where it ran exposed) minus the draft's
        GEMM time. A draft whose exposed time is below that lower bound reports more hiding than there is
        compute to hide behind."""
        c = ctx.proposal
        if not c.has_cue("hiding_claimed") or c.uses(*_COMPRESSING):
            return
        for table in tables(c):
            unit = table_seconds(c, table)
            if unit is None or is_elsewhere(table.header):
                continue
            comm = [r for r in table.rows if any(w in r[0].lower() for w in _COMM_ROW)]
            gemms = [r for r in table.rows if any(w in r[0].lower() for w in _GEMM_ROW)]
            if len(comm) != 1 or not gemms:
                continue
            values = [v for v in comm[0][1] if v is not None]
            width = len(comm[0][1])
            if width < 2 or len(values) != width or any(len(g[1]) != width for g in gemms):
                continue
            window_cells = [g[1][-1] for g in gemms]
            if any(v is None for v in window_cells):
                continue
            exposed, full = values[-1] * unit, max(values) * unit
            window = sum(v for v in window_cells if v is not None) * unit
            if full <= 1.05 * window or exposed >= 0.9 * (full - window):
                continue
            rows = [comm[0][2], *(g[2] for g in gemms)]
            yield self.finding(
                f"The draft's own table puts the communication at {full * 1e3:.3g} ms where it runs exposed, and "
                f"the GEMMs it is split across at {window * 1e3:.3g} ms in the draft's column. Overlap hides "
                f"communication only behind the compute running beside it, so at least {full * 1e3:.3g} - "
                f"{window * 1e3:.3g} = {(full - window) * 1e3:.3g} ms stays exposed, against the "
                f"{exposed * 1e3:.3g} ms reported.",
                "set each collective's time beside the GEMM it is split across (bytes over the measured bandwidth "
                "against FLOPs over the measured rate) and report the exposed remainder, or show which compute "
                "besides those GEMMs the communication overlaps",
                # the rows that carry the numbers, not the header over them
                [r.quote() for r in rows][:3],
                computed={"comm_time_s": full, "compute_time_s": window},
            )
            return

    def _below_line_rate(self, ctx: Context) -> Iterator[Finding]:
        """A collective said to finish faster than its bytes can cross the link.

        A bandwidth-optimal reduce-scatter or all-gather over P ranks sends (P - 1)/P of the buffer through
        each rank's link, an all-reduce twice that; no algorithm (ring, tree, halving-doubling) moves fewer
        bytes, so bytes / link bandwidth is a floor on its time. P is the data-parallel degree the draft states
        (2 when it states none: the most lenient floor), the link the NIC bandwidth per GPU.
        """
        c = ctx.proposal
        nics = [q for q in c.values("nic_bandwidth") if q.value > 0 and q.unit in ("GB/s", "Gb/s", "")]
        if not nics:
            return
        nic = max(nics, key=lambda q: q.value)  # the most lenient link
        bandwidth = nic.value * (1e9 / 8 if nic.unit == "Gb/s" else 1e9)
        ranks = int(max([q.value for q in c.values("dp") if q.value >= 2], default=2))
        for m in c.cue_spans("collective_time_stated"):
            if is_elsewhere(m.sentence):
                continue
            size = size_bytes(m.groups["size"], m.groups["sunit"])
            t = float(m.groups["time"]) * (1e-3 if m.groups["tunit"] == "ms" else 1.0)
            op = m.groups["op"].lower()
            # an all-reduce is a reduce-scatter then an all-gather: twice the bytes
            share = (ranks - 1) / ranks * (1.0 if ("scatter" in op or "gather" in op) else 2.0)
            floor = share * size / bandwidth
            if t <= 0 or t >= 0.9 * floor:
                continue
            yield self.finding(
                f"The {m.groups['op']} of {size / 1e9:.3g} GB is said to take {t * 1e3:.0f} ms, but a "
                f"bandwidth-optimal one over {ranks} ranks sends {share:.3g} of the buffer through each GPU's "
                f"{bandwidth / 1e9:g} GB/s link: at least {floor * 1e3:.0f} ms, {floor / t:.1f}x longer. No "
                "algorithm moves fewer bytes, so the measurement (host timing without a stream synchronisation, "
                "a smaller buffer than stated) or the link figure is off, and what the draft hides behind that "
                "time does not fit.",
                "time the collective with the stream synchronised (nccl-tests' bus bandwidth), and size every "
                "overlap window against bytes / link bandwidth",
                [m.sentence.quote(), nic.quote],
                computed={"comm_time_s": floor, "claimed_time_s": t},
                inputs={"size_bytes": size, "ranks": ranks, "bandwidth_bytes_per_s": bandwidth},
            )
            return

    def _gradient_allreduce(self, ctx: Context) -> Iterator[Finding]:
        """Data parallelism: the step's gradients over the all-reduce's measured algorithm bandwidth (message
        size over time, so the time is bytes / algbw) against the backward pass they are meant to hide behind."""
        c = ctx.proposal
        if not c.uses("data-parallelism") or not c.has_cue("hiding_claimed"):
            return
        sizes = [
            (size_bytes(m.groups["value"], m.groups["unit"]), m)
            for m in c.cue_spans("gradient_bytes_per_step")
            if not is_elsewhere(m.sentence)
        ]
        rates = [
            (float(m.groups.get("value") or m.groups.get("value2") or 0) * 1e9, m)
            for m in c.cue_spans("allreduce_algorithm_bandwidth")
        ]
        picked = _lenient(sizes, rates, [(_seconds(m), m) for m in c.cue_spans("step_backward_time")])
        if picked is None:
            return
        (size, size_m), (rate, rate_m), (window, bw_m) = picked
        t = size / rate
        if t <= window * 1.05:
            return
        yield self.finding(
            f"The gradient all-reduce cannot hide behind the backward pass: {size / 1e9:.3g} GB at the measured "
            f"algorithm bandwidth of {rate / 1e9:g} GB/s takes {t:.2f} s, against {window:.2f} s of backward "
            f"compute ({t / window:.1f}x). Whatever the bucketing, at least {t - window:.2f} s of it is exposed "
            "every step, so a step time that assumes it hidden cannot be right.",
            "put the all-reduce time (bytes / algorithm bandwidth) next to the backward time, and reconcile the "
            "step time you report with it (or say what reduces the bytes)",
            [size_m.sentence.quote(), rate_m.sentence.quote(), bw_m.sentence.quote()],
            computed={"comm_time_s": t, "compute_time_s": window},
            inputs={"size_bytes": size, "algorithm_bandwidth_bytes_per_s": rate},
        )

    def _host_copy(self, ctx: Context) -> Iterator[Finding]:
        """Activations offloaded layer by layer: one layer's payload over the measured device-to-host bandwidth
        against the forward compute of one layer it is meant to hide under (the smallest payload, the fastest
        copy and the longest forward the draft states: the most lenient reading)."""
        c = ctx.proposal
        if not c.has_cue("hiding_claimed"):
            return
        sizes: list[tuple[float, CueSpan]] = []
        for m in c.cue_spans("payload_per_layer"):
            value, unit = m.groups.get("value") or m.groups.get("value2"), m.groups.get("unit") or m.groups.get("unit2")
            if value and unit and not is_elsewhere(m.sentence):
                sizes.append((size_bytes(value, unit), m))
        copies = [
            (float(m.groups["value"]) * 1e9, m)
            for m in c.cue_spans("host_copy_bandwidth")
            if m.groups.get("dir", "").lower() in ("device-to-host", "d2h")
        ]
        forwards = [
            (_seconds(m), m) for m in c.cue_spans("layer_forward_time") if m.groups.get("pass", "").lower() == "forward"
        ]
        picked = _lenient(sizes, copies, forwards)
        if picked is None:
            return
        (size, size_m), (bandwidth, bw_m), (window, fw_m) = picked
        t = float(transfer_time_s(size, bandwidth))
        if t <= window * 1.05:
            return
        yield self.finding(
            f"One layer's offload does not fit under one layer's forward: {size / 1e9:.3g} GB at the "
            f"{bandwidth / 1e9:g} GB/s device-to-host the draft measures takes {t * 1e3:.1f} ms, against "
            f"{window * 1e3:.1f} ms of forward compute ({t / window:.1f}x). With a bounded number of staging "
            "buffers the compute stream waits on the copies, and the forward runs at the speed of the link.",
            "put the copy time per layer (bytes / measured copy bandwidth) next to the compute it hides under, "
            "for the forward (device-to-host) and the backward (host-to-device), and show the timeline",
            [size_m.sentence.quote(), bw_m.sentence.quote(), fw_m.sentence.quote()],
            computed={"comm_time_s": t, "compute_time_s": window},
            inputs={"size_bytes": size, "bandwidth_bytes_per_s": bandwidth},
        )

    def _streamed_weights(self, ctx: Context) -> Iterator[Finding]:
        """Weights kept off the device and streamed in as each layer runs: every forward pass, so every decode
        step, moves them over the host link again. Their bytes per GPU over the fastest host-to-device rate the
        draft measures are a floor on the step, set against the time per output token the draft reports for
        itself (the most lenient reading: the largest rate, the longest reported time)."""
        c = ctx.proposal
        if not any(not is_elsewhere(s) and not is_planned(s) for s in c.cue("weights_streamed_in")):
            return
        rates = [
            (float(m.groups["value"]) * 1e9, m)
            for m in c.cue_spans("host_copy_bandwidth")
            if m.groups.get("dir", "").lower() in ("host-to-device", "h2d") and not is_elsewhere(m.sentence)
        ]
        sizes = _offloaded_weights_per_gpu(c)
        steps = _time_per_output_token(c)
        if not rates or not sizes or not steps:
            return
        bandwidth, rate_m = max(rates, key=itemgetter(0))
        size, size_s = max(sizes, key=itemgetter(0))
        step, step_s = max(steps, key=itemgetter(0))
        t = float(transfer_time_s(size, bandwidth))
        if t <= 1.5 * step:
            return
        yield self.finding(
            f"The weights kept off the GPU cross the host link again in every forward pass, so in every decode "
            f"step: {size / 1e9:.3g} GB per GPU at the {bandwidth / 1e9:g} GB/s host-to-device rate the draft "
            f"measures takes {t * 1e3:,.0f} ms, {t / step:.0f}x the {step * 1e3:.3g} ms per output token it "
            "reports. Prefetching hides latency, not bandwidth: either fewer bytes cross per step than the "
            "design says, or the reported time was not measured with the weights streamed.",
            "put the bytes streamed per decode step over the measured host-to-device rate next to the time per "
            "output token, and show where the reported time comes from (batch, which layers were off the GPU)",
            [size_s.quote(), rate_m.sentence.quote(), step_s.quote()],
            computed={"comm_time_s": t, "compute_time_s": step},
            inputs={"size_bytes": size, "bandwidth_bytes_per_s": bandwidth},
        )

    def _cross_node_group(self, ctx: Context) -> Iterator[Finding]:
        """A collective said to hide behind a compute window, in a group wider than a node.

        The draft states the bytes a collective moves and the compute it hides behind (often measured on one
        node, over NVLink), and runs or projects the same group across nodes. Leaving the node, the bytes cross
        the NIC: an all-to-all over n ranks with g per node sends (n - g)/n of its data off the node, a ring
        (all-gather, reduce-scatter) (n - 1)/n through its slowest hop; each at the NIC's bandwidth per GPU.
        The window is the longest duration stated beside the bytes (the most lenient reading).
        """
        c = ctx.proposal
        per_node = int(c.value("gpus_per_node") or 8)
        degrees = [q for q in c.values("ep") + c.values("tp") if q.value > per_node]
        nics = [q for q in c.values("nic_bandwidth") if q.value > 0 and q.unit in ("GB/s", "Gb/s")]
        if not degrees or not nics or not c.has_cue("hiding_claimed"):
            return
        n = int(max(q.value for q in degrees))
        nic = nics[0]
        bandwidth = nic.value * (1e9 if nic.unit == "GB/s" else 1e9 / 8)
        for span in c.cue_spans("transfer_size_stated"):
            s = span.sentence
            kind = compute.collective_in(s.text)
            size = size_bytes(span.groups["value"], span.groups["unit"])
            if not kind or size > 20e9:
                continue
            nearby = [t for t in c.sentences[s.index : s.index + 2] if t.doc == s.doc]
            windows = [w for t in nearby for w in compute.times_in(t.text)]
            if not windows:
                continue
            window = max(windows)
            share = (n - per_node) / n if kind == "all-to-all" else (n - 1) / n
            t = share * size / bandwidth
            if t <= window * 1.05:
                continue
            what = "all-to-all" if kind == "all-to-all" else "ring collective"
            yield self.finding(
                f"Across nodes the window no longer holds. With {n} ranks and {per_node} GPUs per node, the "
                f"{what} sends {share:.3g} of its {size / 1e6:,.0f} MB off the node, through "
                f"{bandwidth / 1e9:g} GB/s of NIC per GPU: {t * 1e3:.2f} ms, against the {window * 1e3:.2f} ms of "
                f"compute it is meant to hide behind ({t / window:.1f}x). What hides over NVLink inside one node "
                "stays exposed once the group spans nodes.",
                "redo the overlap arithmetic for the multi-node group (bytes that leave the node / NIC bandwidth "
                "per GPU) against the compute window, and measure it across nodes, not on one",
                [s.quote(), nic.quote, degrees[0].quote],
                computed={"comm_time_s": t, "window_s": window},
                inputs={
                    "ranks": n,
                    "gpus_per_node": per_node,
                    "size_bytes": size,
                    "bandwidth_bytes_per_s": bandwidth,
                    "off_node_share": share,
                },
            )
            return

    def _checkpoint_persist(self, ctx: Context) -> Iterator[Finding]:
        """A full training checkpoint written at every step to storage whose write bandwidth the draft states.

        The state is 16 B per parameter (ZeRO's count for mixed-precision Adam: fp16 weights and gradients, fp32
        master weights and two moments); the window is the step time.
        """
        c = ctx.proposal
        every, storage = c.cue_spans("checkpoint_every_step"), c.cue_spans("storage_write_bandwidth")
        n, step = compute.params(c), c.value("step_time")
        if not (every and storage and n and step) or not compute.is_training(c):
            return
        g = storage[0].groups
        bandwidth = float(g.get("bw") or g["bw2"]) * 1e9
        size = n * 16.0
        t = float(transfer_time_s(size, bandwidth))
        if t <= step * 1.05:
            return
        yield self.finding(
            f"A full checkpoint is {size / 1e9:.0f} GB ({n / 1e9:g}B parameters x 16 B of mixed-precision Adam "
            f"state); writing it at {bandwidth / 1e9:g} GB/s takes {t:.1f} s, {t / step:.1f}x the {step:g} s step. "
            "Persisting every step cannot keep up: the queue of pending writes grows every step until it is full.",
            "size the write against the step (state bytes / storage bandwidth) and say what happens when the "
            "queue fills: skip, block, or persist less often",
            [every[0].sentence.quote(), storage[0].sentence.quote()],
            computed={"comm_time_s": t, "window_s": step},
            inputs={"params": n, "bytes_per_param": 16, "bandwidth_bytes_per_s": bandwidth},
        )

    def _kv_transfer(self, ctx: Context) -> Iterator[Finding]:
        """A request's KV cache copied over a link (swap to host, hand-off to a decode node) in a stated window.

        Bytes: the draft's KV bytes per token, else 2 x layers x hidden x 2 bytes (multi-head, 16-bit), times the
        tokens a request carries; time: ``transfer_time_s`` over the first link bandwidth the draft states.
        """
        c = ctx.proposal
        moved, windows, tokens = (
            c.cue_spans("kv_cache_moved"),
            c.cue_spans("transfer_window_stated"),
            c.cue_spans("tokens_moved"),
        )
        links = [
            q
            for q in c.values("link_bandwidth") + c.values("nic_bandwidth")
            if q.value > 0 and q.unit in ("GB/s", "Gb/s")
        ]
        if not (moved and windows and tokens and links):
            return
        per_token, per_token_src = _kv_bytes_per_token(c)
        if per_token is None:
            return
        n_tokens = int(tokens[0].groups["tokens"].replace(",", ""))
        # the link named nearest the window the copy must fit in
        link = min(links, key=lambda q: abs(compute.sentence_index(c, q) - windows[0].sentence.index))
        bandwidth = link.value * (1e9 if link.unit == "GB/s" else 1e9 / 8)
        window_m = windows[0]
        window = float(window_m.groups["time"]) * {"ms": 1e-3, "s": 1.0, "us": 1e-6}[window_m.groups["unit"]]
        size = per_token * n_tokens
        t = float(transfer_time_s(size, bandwidth))
        if t <= window * 1.05:
            return
        yield self.finding(
            f"Moving one request's KV cache takes {t * 1e3:.1f} ms: {n_tokens:,} tokens x {per_token:,.0f} B "
            f"({per_token_src}) = {size / 1e9:.2f} GB over {bandwidth / 1e9:.1f} GB/s, against the "
            f"{window * 1e3:.0f} ms window it must hide behind ({t / window:.1f}x). The copy cannot stay in its "
            "shadow; the next step stalls, or blocks are reused before the copy ends.",
            "size the transfer against its window (bytes per token x tokens / link bandwidth), and show what "
            "happens when it does not fit: stall, throttle, or a faster path",
            [tokens[0].sentence.quote(), link.quote, window_m.sentence.quote(), moved[0].sentence.quote()],
            computed={"comm_time_s": t, "window_s": window},
            inputs={"tokens": n_tokens, "kv_bytes_per_token": per_token, "bandwidth_bytes_per_s": bandwidth},
        )

    def _shared_nic(self, ctx: Context) -> Iterator[Finding]:
        """A per-GPU send timed over the whole NIC of a node whose GPUs share that one NIC: every GPU's bytes
        leave through it, so the node needs GPUs-per-node times the time the draft computes."""
        c = ctx.proposal
        per_node = c.value("gpus_per_node")
        nic = c.value("nic_bandwidth")
        if not c.has_cue("one_nic_per_node") or not per_node or per_node < 2 or not nic:
            return
        for m in c.cue_spans("per_gpu_send_arithmetic"):
            rate = float(m.groups["rate"])
            if abs(rate - nic) > 0.05 * nic:
                continue  # the draft divides by another link's rate
            size = size_bytes(m.groups["size"], m.groups["unit"])
            stated = float(m.groups["time"]) * (1e-3 if m.groups["tunit"] == "ms" else 1.0)
            shared = float(transfer_time_s(size * per_node, rate * 1e9))
            if shared <= 1.5 * stated:
                continue
            yield self.finding(
                f"The draft times one GPU's {m.groups['size']} {m.groups['unit']} over the node's whole {rate:g} GB/s "
                f"NIC ({num(stated * 1e3)} ms), but the node's {int(per_node)} GPUs share that one NIC: their "
                f"{size * per_node / 1e9:.2f} GB leave through it together and take {shared:.3g} s, "
                f"{shared / stated:.0f}x the time the model counts.",
                "charge the node's NIC with every GPU's bytes (or use hierarchical collectives that send one copy "
                "per node), and redo the step-time model and the speedup it predicts",
                [m.sentence.quote()],
                title="One NIC carries the whole node's bytes",
                computed={"comm_time_s": shared},
                inputs={"bytes_per_gpu": size, "gpus_per_node": per_node, "nic_bytes_per_s": rate * 1e9},
            )
            return

    def _shared_storage(self, ctx: Context) -> Iterator[Finding]:
        """One GPU's required bandwidth set against the node's storage array, which all its GPUs share: the
        node needs GPUs-per-node times that rate, and the transfer takes that many times longer."""
        c = ctx.proposal
        per_node = c.value("gpus_per_node")
        arrays = c.cue_spans("node_storage_bandwidth")
        if not per_node or per_node < 2 or not arrays:
            return
        array = max(float(m.groups["value"]) for m in arrays)
        per_gpu = {s.index for s in c.cue("per_gpu_named")}
        for m in c.cue_spans("rate_arithmetic"):
            i = m.sentence.index
            if not per_gpu & {i, i - 1, i - 2}:
                continue  # the rate is not one GPU's
            rate = float(m.groups["rate"])
            if rate >= array or per_node * rate <= 1.05 * array:
                continue
            size = size_bytes(m.groups["size"], m.groups["unit"])
            shared = float(transfer_time_s(size * per_node, array * 1e9))
            yield self.finding(
                f"The draft sets one GPU's {rate:g} GB/s against the {array:g} GB/s of the node's storage array, but "
                f"all {int(per_node)} GPUs of the node write to that one array: they need {per_node * rate:,.0f} GB/s, "
                f"{per_node * rate / array:.1f}x what it delivers, and the node's "
                f"{size * per_node / 1e9:,.0f} GB take {shared:.3g} s instead of {num(float(m.groups['time']))} "
                f"{m.groups['tunit']}.",
                "charge the array with every GPU of the node (or give each GPU its own drives and say so), and redo "
                "the overlap argument with the time that gives",
                [m.sentence.quote(), arrays[0].sentence.quote()],
                title="One array serves the whole node",
                computed={"comm_time_s": shared},
                inputs={"bytes_per_gpu": size, "gpus_per_node": per_node, "array_bytes_per_s": array * 1e9},
            )
            return

    def _bidirectional(self, ctx: Context) -> Iterator[Finding]:
        """A transfer time computed with the link's bidirectional total, which one direction never reaches."""
        c = ctx.proposal
        dev = compute.device(c)
        if dev is None or dev.link is None or dev.link.direction != "bidirectional":
            return
        total, one_way = dev.link.bandwidth_GBps, dev.link_one_way_bytes_per_s / 1e9
        for q in c.values("link_bandwidth"):
            i = compute.sentence_index(c, q)
            if i < 0 or abs(q.value - total) > 0.05 * total:
                continue
            size_m = _first(c, "transfer_size_stated", i - 1, i + 1)
            time_m = _first(c, "link_time_stated", i, i)
            if size_m is None or time_m is None:
                continue
            size = size_bytes(size_m.groups["value"], size_m.groups["unit"])
            stated = float(time_m.groups["value"]) * (1e-3 if time_m.groups["unit"] == "ms" else 1e-6)
            actual = size / (one_way * 1e9)
            if actual <= 1.3 * stated:
                continue
            yield self.finding(
                f"The transfer time is computed with {q.value:g} GB/s, {dev.link.name}'s total over both "
                f"directions; a ring step sends one way, at most {one_way:g} GB/s. {size / 1e6:.1f} MB then takes at "
                f"least {actual * 1e6:.1f} us, not {stated * 1e6:.0f} us, before protocol overhead and the SMs the "
                "copy engine or NCCL kernel takes from the GEMM.",
                "redo the overlap arithmetic with the one-way bandwidth the link achieves (measure it with "
                "nccl-tests) and show the transfer still fits under every GEMM it must hide behind",
                [c.sentences[i].quote()],
                computed={"comm_time_s": actual},
                inputs={"size_bytes": size, "one_way_bytes_per_s": one_way * 1e9, "stated_time_s": stated},
            )
            return

    def _stated_collective(self, ctx: Context) -> Iterator[Finding]:
        """An all-reduce whose size, ring and window the draft states, and claims to fit ("fits in the 2.7 s round")."""
        c = ctx.proposal
        for s in c.cue("fits_in_window"):
            window_m = _first(c, "window_time_stated", s.index, s.index)
            if window_m is None:
                continue
            size_m = _first(c, "transfer_size_stated", s.index - 1, s.index + 1)
            ranks_m = _first(c, "ring_size_stated", s.index - 1, s.index + 1)
            bandwidth = c.value("nic_bandwidth") or c.value("link_bandwidth")
            if size_m is None or ranks_m is None or not bandwidth:
                continue
            size = size_bytes(size_m.groups["value"], size_m.groups["unit"])
            ranks = int(ranks_m.groups["ranks"])
            window = float(window_m.groups["value"]) * (1e-3 if window_m.groups["unit"].lower() == "ms" else 1.0)
            if ranks < 2 or window <= 0:
                continue
            comm = float(ring_all_reduce_time_s(size, ranks, bandwidth * 1e9))
            if comm <= window:
                continue
            yield self.finding(
                f"A ring all-reduce of {size / 1e9:.2f} GB over {ranks} ranks at {bandwidth:g} GB/s takes "
                f"2(n-1)/n x S/B = {comm:.2f} s, longer than the {window:g} s it is said to fit in. The exchange "
                "cannot hide there; every round waits for the remainder.",
                "compute the collective's time from its size, the ring and the link, and size the window (or the "
                "payload) so that it really fits",
                [s.quote()],
                computed={"comm_time_s": comm, "compute_time_s": window},
                inputs={"size_bytes": size, "ranks": ranks, "bandwidth_bytes_per_s": bandwidth * 1e9},
            )
            return

    def _ring_factor(self, ctx: Context) -> Iterator[Finding]:
        """An all-reduce timed as its size over the bandwidth once ("20 GB / 50 GB/s = 0.4 s"): a ring all-reduce
        sends and receives 2(n-1)/n of the payload on every rank, n the data-parallel degree."""
        c = ctx.proposal
        degrees = [q for q in c.values("dp") if q.qualifier not in ("planned", "projected")]
        ranks = int(degrees[0].value) if degrees else 0
        if ranks < 2:
            return
        for m in c.cue_spans("allreduce_bytes_over_rate"):
            size = size_bytes(m.groups["value"], m.groups["unit"])
            rate = float(m.groups["rate"]) * 1e9
            stated = float(m.groups["time"]) * (1e-3 if m.groups["time_unit"] == "ms" else 1.0)
            once = size / rate
            if not 0.9 * once <= stated <= 1.1 * once:
                continue  # the draft's time already counts more than one pass of the payload
            t = float(ring_all_reduce_time_s(size, ranks, rate))
            yield self.finding(
                f"The draft times the all-reduce as its size over the bandwidth once ({m.groups['value']} "
                f"{m.groups['unit']} / {m.groups['rate']} GB/s = {num(stated)} s), but a ring all-reduce over the "
                f"{ranks} data-parallel ranks sends and receives 2(n-1)/n of the payload on every rank: "
                f"2 x {ranks - 1}/{ranks} x {m.groups['value']} {m.groups['unit']} / {m.groups['rate']} GB/s = "
                f"{num(t)} s, {t / stated:.2f}x the draft's figure. Every overhead and overlap argument built on it "
                "is off by that factor.",
                "redo the all-reduce time with the ring's 2(n-1)/n factor (or the tree or in-network algorithm you "
                "actually run, with its own factor) and set it against the window it must hide in",
                [m.sentence.quote()],
                computed={"comm_time_s": t},
                inputs={"size_bytes": size, "ranks": ranks, "bandwidth_bytes_per_s": rate, "stated_time_s": stated},
            )
            return

    def _refetched_weights(self, ctx: Context) -> Iterator[Finding]:
        """Weights streamed from host memory through small buffers: the forward needs every layer and the backward
        needs every layer again, so a micro-batch moves the model twice, not the once the draft sets against its
        compute ("streaming the whole model takes 140 GB / 25 GB/s = 5.6 s" against 5.8 s of compute)."""
        c = ctx.proposal
        if not compute.is_training(c) or not [s for s in c.cue("backward_refetches_layers") if not is_elsewhere(s)]:
            return
        for m in c.cue_spans("model_stream_time"):
            window = _first(c, "micro_batch_compute_time", m.sentence.index - 1, m.sentence.index + 2)
            if window is None:
                continue
            size = size_bytes(m.groups["value"], m.groups["unit"])
            rate = float(m.groups["rate"]) * 1e9
            once, compute_t = size / rate, float(window.groups["value"])
            both = 2 * once
            if once > compute_t or both <= compute_t:
                continue  # the draft's own count already fails, or even two passes fit
            yield self.finding(
                f"The forward needs every layer's weights and the backward needs every layer again, and the buffers "
                f"hold a layer or two, so each micro-batch streams the model twice: 2 x {m.groups['value']} "
                f"{m.groups['unit']} / {m.groups['rate']} GB/s = {num(both)} s against the {num(compute_t)} s of "
                f"compute the draft sets it against ({both / compute_t:.2f}x). The transfer cannot hide; the "
                "link, not the GPU, sets the step.",
                "count the bytes each micro-batch moves in the forward and in the backward (or keep the weights of "
                "the backward resident, or run more tokens per fetch) and set that against the compute",
                [m.sentence.quote(), window.sentence.quote()],
                computed={"comm_time_s": both, "compute_time_s": compute_t},
                inputs={"size_bytes": size, "bandwidth_bytes_per_s": rate, "passes": 2},
            )
            return

    def _ring_step(self, ctx: Context) -> Iterator[Finding]:
        """Context parallelism: one ring step's K/V block against the attention on the block it overlaps."""
        c = ctx.proposal
        if not c.uses("ring-attention", "context-parallelism") or not c.has_cue("hiding_claimed"):
            return
        if any(not is_elsewhere(s) for s in c.cue("overlap_shown_against_compute")):
            return  # the draft sets its own block transfer against the block's compute, with its own numbers
        claim = c.first_cue("hiding_claimed_with_length")
        lengths = [
            q.value
            for q in c.values("seq_len")
            if claim is not None and compute.sentence_index(c, q) == claim.index and q.value > 0
        ]
        if claim is not None and c.text_has_cue("sequence_words", claim.text):
            # "at every sequence length from 32k to 1M tokens": a range the extractor leaves to the rule
            scale = {"k": 1024.0, "K": 1024.0, "M": 1024.0**2}
            lengths += [
                float(m.groups["value"]) * scale[m.groups["suffix"]]
                for m in c.cue_spans("length_with_suffix")
                if m.sentence.index == claim.index
            ]
        lengths = lengths or [q.value for q in c.values("seq_len") if q.qualifier != "evaluation" and q.value > 0]
        ranks = c.value("cp") or compute.gpus(c)
        hidden, heads, dev = c.value("hidden"), c.value("heads"), compute.device(c)
        # the block each rank holds, when the draft states it ("an 8K-token block per GPU"), is what the ring moves
        stated = c.cue_spans("block_tokens_per_rank")
        scale = {"": 1.0, "k": 1024.0, "K": 1024.0, "M": 1024.0**2}
        own_block = (
            float(stated[0].groups["value"].replace(",", "")) * scale[stated[0].groups.get("suffix") or ""]
            if stated
            else None
        )
        if (not lengths and own_block is None) or not ranks or ranks < 2 or not hidden or not heads or dev is None:
            return
        kv = c.cue_spans("kv_heads_stated")
        kv_heads = float(kv[0].groups["heads"]) if kv else heads
        kv_dim = kv_heads * hidden / heads
        if own_block is not None:
            block, seq = own_block, own_block * ranks
        else:
            seq = min(lengths)  # the claim covers every length: the shortest has the least compute per block
            block = seq / ranks
        batch = c.value("micro_batch_size") or 1.0
        payload = 2.0 * block * kv_dim * 2.0 * batch  # K and V, 16-bit
        per_node = c.value("gpus_per_node") or 8.0
        nic = c.value("nic_bandwidth")
        if ranks > per_node and nic:
            bandwidth, link = nic * 1e9, "the NIC"
        elif dev.link is not None:
            # the device's own interconnect: NVLink on NVIDIA parts, ICI on a TPU, Infinity Fabric on AMD
            bandwidth, link = dev.link_one_way_bytes_per_s, dev.link.name
        else:
            return
        comm = payload / bandwidth
        mfu = c.value("mfu") or _ASSUMED_MFU
        peak = dev.peak_flops(precision(c))
        compute_t = 4.0 * batch * block * block * hidden / (peak * mfu)
        measured = c.cue_spans("ring_step_compute_stated")
        if measured:
            # the draft's own compute per ring step (its kernel, its causal share of the block) is the window
            m = measured[0]
            compute_t = float(m.groups["value"]) * (1e-3 if m.groups["unit"] == "ms" else 1e-6)
        if comm <= compute_t:
            return
        yield self.finding(
            f"At {seq:,.0f} tokens over {ranks:.0f} ranks a ring step holds {block:,.0f} tokens: its K/V block is "
            f"{payload / 2**20:.1f} MiB, {comm * 1e6:.0f} us over {link} at {bandwidth / 1e9:.0f} GB/s"
            + (
                f" (the ring spans {ranks / per_node:.0f} nodes, and it advances at the pace of its slowest hop)"
                if link == "the NIC"
                else ""
            )
            + ", while the attention it should hide behind is "
            + (
                f"the draft's own {compute_t * 1e3:.3g} ms per step"
                if measured
                else f"about {compute_t * 1e6:.0f} us at {mfu:.0%} of the {peak / 1e12:.0f} TFLOP/s peak"
            )
            + ". At that block size the ring is bandwidth-bound and the transfer is exposed at every step.",
            "state the overlap condition (block compute time at least the K/V transfer time) and the shortest "
            "sequence per rank at which it holds on your network",
            [claim.quote()] if claim else quotes(c.cue("overlap_named"), 1),
            computed={"comm_time_s": comm, "compute_time_s": compute_t},
            inputs={"seq_len": seq, "ranks": ranks, "kv_dim": kv_dim, "bandwidth_bytes_per_s": bandwidth, "mfu": mfu},
        )

    def _layer_gather(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        if not c.uses_in_design("zero-3", "fsdp") or not c.has_cue("prefetch_or_overlap_named"):
            return
        n, layers, total, dev = compute.params(c), c.value("layers"), compute.gpus(c), compute.device(c)
        if not n or not layers or not total or dev is None:
            return
        hybrid = compute.sharding(c) == "fsdp-hybrid"
        ranks = int(c.value("gpus_per_node") or 8) if hybrid else int(total)
        if hybrid:
            bandwidth = dev.link_one_way_bytes_per_s if dev.link else None
            link = "NVLink"
        else:
            nic = c.value("nic_bandwidth")
            bandwidth = nic * 1e9 if nic else None
            link = "the NIC"
        if not bandwidth or ranks < 2:
            return
        layer_bytes = 2.0 * n / layers
        comm = float(all_gather_time_s(layer_bytes, ranks, bandwidth))
        tokens = (c.value("seq_len") or 2048.0) * (c.value("micro_batch_size") or 1.0)
        mfu = c.value("mfu") or _ASSUMED_MFU
        peak = dev.peak_flops(precision(c))
        compute_t = 2.0 * (n / layers) * tokens / (peak * mfu)
        if comm <= compute_t:
            return
        yield self.finding(
            f"One layer is {n / layers / 1e9:.3g}B parameters = {layer_bytes / 1e9:.2f} GB in 16-bit; a ring "
            f"all-gather over {ranks} ranks through {link} at {bandwidth / 1e9:.0f} GB/s takes "
            f"{comm * 1e3:.0f} ms, while the layer's forward on {tokens:,.0f} tokens is about "
            f"{compute_t * 1e3:.0f} ms at {mfu:.0%} of the {peak / 1e12:.0f} TFLOP/s peak. The step is "
            "bandwidth-bound: look-ahead hides latency, it cannot remove the transfer.",
            "compute the per-layer gather time against the layer's compute time for your network, and show "
            "the speedup that remains once the step is bandwidth-bound",
            quotes(c.cue("gather_prefetch_named"), 2),
            computed={"comm_time_s": comm, "compute_time_s": compute_t},
            inputs={
                "layer_bytes": layer_bytes,
                "ranks": ranks,
                "bandwidth_bytes_per_s": bandwidth,
                "tokens": tokens,
                "mfu": mfu,
            },
        )

    def _replication(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        if not c.has_cue("state_replicated") or not c.has_cue("remote_transfer_named"):
            return
        windows = [
            q
            for q in c.values("step_time") + c.values("kernel_time")
            if c.text_has_cue("idle_window_named", q.quote.text)
        ]
        n, nic = compute.params(c), c.value("nic_bandwidth")
        nodes = c.max_value("nodes")
        if not windows or not n or not nic or not nodes:
            return
        window = min(windows, key=lambda q: q.value)
        stated = c.cue_spans("bytes_per_param_stated")
        per_param = float(stated[0].groups["value"]) if stated else 16.0
        payload = n * per_param / nodes
        seconds = payload / (nic * 1e9)
        if seconds <= window.value:
            return
        yield self.finding(
            f"Each node's share of the state is {n / 1e9:.3g}B x {per_param:g} B / {nodes:.0f} nodes = "
            f"{payload / 1e9:.2f} GB; over a {nic * 8:.0f} Gb/s NIC ({nic:.0f} GB/s) that is {seconds:.2f} s, "
            f"against the {window.value:g} s window the draft measures. It cannot fit every iteration.",
            "size the replication against the idle window you measured (replicate less often, or less), and "
            "measure its effect on the training collectives that share the NIC",
            [window.quote, *quotes([s for s in c.cue("state_replicated") if is_core(s)], 1)],
            computed={"comm_time_s": seconds, "compute_time_s": window.value},
            inputs={"payload_bytes": payload, "nic_bytes_per_s": nic * 1e9, "bytes_per_param": per_param},
        )


_KIB = {"kib": 1024.0, "kb": 1e3, "mib": 2.0**20, "mb": 1e6}


# what a transfer moves, for tying a size stated elsewhere in the section to the transfer said to hide
_STATE_NOUNS = ("kv", "weights", "parameters", "gradients", "optimizer state", "activations", "checkpoint", "experts")


def _section_sizes(c: Claims, hiding: Sentence) -> list[tuple[float, CueSpan]]:
    """Sizes stated elsewhere in the hiding sentence's section, in the draft's own sentences that name the same
    state ("KV pages are sent ... overlapped with the final iteration" and, a paragraph later, "the instance held
    a median of 60 GB of KV cache"): the first size of each such sentence (a median before its tail)."""
    low = hiding.lower
    nouns = [n for n in _STATE_NOUNS if n in low]
    if not nouns:
        return []
    first: dict[int, tuple[float, CueSpan]] = {}
    for m in c.cue_spans("bulk_size_stated"):
        t = m.sentence
        if t.index == hiding.index or t.section != hiding.section or not is_core(t) or is_elsewhere(t):
            continue
        if any(n in t.lower for n in nouns) and t.index not in first:
            first[t.index] = (size_bytes(m.groups["value"], m.groups["unit"]), m)
    return list(first.values())


def hidden_transfer(ctx: Context) -> Finding | None:
    """QNT-COMM's finding on a transfer said to hide behind a window that it cannot fit, read once per review
    (COMM-OVERLAP states the exposed remainder from the same reading)."""
    key = "qnt_comm.hidden_transfer"
    if key not in ctx.shared:
        rule = QntComm()
        ctx.shared[key] = (
            next(rule._hidden_bulk(ctx), None)
            or next(rule._table_window(ctx), None)
            # weights streamed per step refute a claim of hiding only where the draft makes one
            or (next(rule._streamed_weights(ctx), None) if ctx.proposal.has_cue("hiding_claimed") else None)
        )
    return cast(Finding | None, ctx.shared[key])


# a table row of communication time, and rows of the GEMMs that the communication is decomposed with
_COMM_ROW = ("communication", "collective", "all-gather", "allgather", "reduce-scatter", "all-reduce", "all-to-all")
_GEMM_ROW = ("gemm", "matmul", "projection", "linear layer")
# drafts that shrink the bytes they send change the communication time between columns
_COMPRESSING = ("gradient-compression", "activation-compression", "powersgd")


# where weights go when they leave the GPU
_OFF_DEVICE = ("tier", "offload", "host memory", "cpu memory", "cxl", "ssd", "nvme", "demoted", "pinned")
_PER_STEP_ROW = ("time per output token", "tpot", "per-token latency", "inter-token latency", "time per token")


def _offloaded_weights_per_gpu(c: Claims) -> list[tuple[float, Sentence]]:
    """Sizes of the weights kept off the GPU, per GPU: "27.4 GB per GPU" in a sentence about weights that names
    where they went (a tier, host memory, an SSD)."""
    out = []
    for m in c.cue_spans("bulk_size_stated"):
        s = m.sentence
        low = s.lower
        if "weight" not in low or not any(w in low for w in _OFF_DEVICE) or is_elsewhere(s) or s.kind == "table":
            continue
        after = low[low.find(m.text.lower()) + len(m.text) :][:14]
        if "per gpu" in after or "per device" in after:
            out.append((size_bytes(m.groups["value"], m.groups["unit"]), s))
    return out


def _time_per_output_token(c: Claims) -> list[tuple[float, Sentence]]:
    """The time per output token the draft reports for itself: the last column of a table row that names it
    ("time per output token at saturation | 24.1 ms | 31.5 ms")."""
    out = []
    for table in tables(c):
        for label, _, row in table.rows:
            if not any(w in label.lower() for w in _PER_STEP_ROW):
                continue
            cell = cells(row.text)[-1].strip(" *")
            number, _, unit = cell.partition(" ")
            seconds = UNIT_SECONDS.get(unit.strip().lower())
            try:
                value = float(number.replace(",", ""))
            except ValueError:
                continue
            if seconds is not None and value > 0:
                out.append((value * seconds, row))
    return out


def _kv_bytes_per_token(c: Claims) -> tuple[float | None, str]:
    """KV bytes per token: as the draft states them, else 2 x layers x (KV heads x head dim) x 2 bytes."""
    stated = c.cue_spans("kv_bytes_per_token_stated")
    if stated:
        g = stated[0].groups
        return float(g["size"]) * _KIB[g["unit"].lower()], "the draft's count"
    layers, hidden, heads = c.value("layers"), c.value("hidden"), c.value("heads")
    if not (layers and hidden) or (c.uses("grouped-query-attention") and not c.rejects("grouped-query-attention")):
        return None, ""
    head_dim = int(hidden // heads) if heads and hidden % heads == 0 else int(hidden)
    kv_heads = int(heads) if heads and hidden % heads == 0 else 1
    gib = float(kv_cache_gib(int(layers), kv_heads, head_dim, 1, 1, dtype_bytes=2))
    return gib * 2**30, f"2 x {int(layers)} layers x {int(hidden):,} x 2 B"

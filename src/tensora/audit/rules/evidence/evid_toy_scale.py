from __future__ import annotations

from collections.abc import Iterator

from tensora.audit import compute
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding, Severity
from tensora.audit.rules._common import quotes
from tensora.extract.claims import Claims
from tensora.extract.quantities import Quantity
from tensora.extract.sentences import Sentence

_SCALE_FAMILIES = {"parallelism", "communication", "moe"}
# sharded data parallelism is filed under memory, but what it saves and what it sends depend on the degree
_SHARDED = {"zero-1", "zero-2", "zero-3", "fsdp"}


# how far beyond every measurement a projected claim must reach before its scale is called untested
_FAR = 16


_RESULT_SECTIONS = ("result", "evaluation", "experiment", "microbenchmark", "validation")


class EvidToyScale(Rule):
    """EVID-TOY-SCALE: a parallelism or communication claim measured on one node.

    ## What it flags
    A draft whose mechanism is about distributed training (parallelism, communication, expert routing) and
    whose every measurement runs on eight GPUs or one node, while it claims or plans results at much larger
    scale.
    ## Why a reviewer cares
    Eight GPUs on NVLink is a toy setup for a parallelism claim: inter-node bandwidth, stragglers, data-parallel
    traffic and load skew only appear at 256+ GPUs, and they change the fraction of time the mechanism touches.
    ## Example
    fires:  "all pilots ran on one DGX node; we expect the same gain on our 512-GPU runs"
    silent: "measured on 32 nodes (256 GPUs) and on 64 nodes (512 GPUs)"
    ## Known false alarms
    A kernel study or a fine-tuning method that targets one node is not a parallelism claim and is not flagged.
    ## References
    Persona note: "Eight GPUs is a toy setup" (tensora seed persona).
    """

    code = "EVID-TOY-SCALE"
    severity = Severity.MAJOR
    title = "Small-scale evidence for a claim about scale"

    def check(self, ctx: Context) -> Iterator[Finding]:
        c = ctx.proposal
        core = {t: u.family for t, u in c.techniques.items() if u.used and u.core}
        distributed = bool(set(core.values()) & _SCALE_FAMILIES)
        if not (distributed or set(core) & _SHARDED):
            return
        measured = [
            q
            for q in c.values("gpus")
            if q.qualifier not in ("planned", "projected") and not c.text_has_cue("expectation_wording", q.quote.text)
        ]
        measured_max = max((q.value for q in measured), default=0.0)
        small = c.cue("single_node_run")
        # a single-node sentence that reports a run (a run word, or a gain measured there), not the cluster's shape
        gains = {q.sentence for q in c.values("speedup")}
        runs = [
            s
            for s in small
            if s.index in gains
            or c.text_has_cue("run_reported", s.text)
            # a single-node setting stated in the draft's results ("Stage microbenchmark. One stage on a single
            # node ..."): what was measured, not the cluster's shape
            or any(word in s.section.lower() for word in _RESULT_SECTIONS)
        ]
        found = list(self._projected_from_small(c, runs + c.cue("single_gpu_run")))
        if found or not distributed:
            yield from found
            return
        if not small or measured_max > 16:
            yield from self._far_projection(c, measured, measured_max)
            return
        planned = [q.value for q in c.values("gpus") if q.qualifier in ("planned", "projected")]
        target = max(planned + [q.value for q in c.values("gpus")], default=0.0)
        if target <= 16 and not c.has_cue("scaling_stated"):
            if c.has_cue("several_sites"):
                return  # several workers, sites or nodes: not one NVLink domain
            if not compute.is_training(c):
                return  # a serving system sized for one node, claiming no more, is judged at its own scale
            if any(s.index == 0 for s in c.cue("single_server_target")):
                return  # the title puts the draft on one server ("fine-tuning 70B on one 8 x L40S server")
            # no larger target stated, but a distributed mechanism judged inside one NVLink domain all the same
            yield self.finding(
                "All the evidence for a distributed mechanism comes from one node, and the draft does not say how "
                "it behaves across nodes: the inter-node links, stragglers and load skew that decide such a "
                "mechanism never appear inside one NVLink domain.",
                "show the mechanism across several nodes over the real inter-node network, or argue why one node "
                "is the regime that matters",
                quotes(small, 3),
                severity=Severity.MINOR,
                computed={"measured_gpus": measured_max or 8.0},
            )
            return
        yield self.finding(
            "Every measurement comes from a single node"
            + (f", yet the claim is made for {target:,.0f} GPUs" if target > 16 else "")
            + ". Inside one NVLink domain the inter-node links, the data-parallel traffic, stragglers and load "
            "skew that decide a parallelism strategy at 256+ GPUs never show up, so the fraction of time the "
            "mechanism touches there is unknown.",
            "measure at the scale you claim (at least several nodes over the real inter-node network), or "
            "model how the gain changes with scale and check it at two points",
            quotes(small, 3),
            computed={"measured_gpus": measured_max or 8.0, "claimed_gpus": target},
        )

    def _projected_from_small(self, c: Claims, small: list[Sentence]) -> Iterator[Finding]:
        """The gain at scale is a projection and the only runs of the mechanism are on one node or one GPU.

        A GPU count of the production cluster or of a measured baseline says nothing of where the mechanism
        ran: what counts is whether any gain of the draft was measured in a sentence that names more than 16
        GPUs. None was, a larger GPU count comes with projection or expectation wording, and a run on one node
        or one GPU is stated: the claim at scale rests on a model fitted where the effects that decide it
        (inter-node links, stragglers, state that stops being sharded) do not appear."""
        if not small:
            return
        projected = [
            q
            for q in c.values("gpus")
            if q.value > 16
            and (
                q.qualifier in ("planned", "projected")
                or c.text_has_cue("projection_or_simulation_named", q.quote.text)
                or c.text_has_cue("expectation_wording", q.quote.text)
            )
        ]
        if not projected:
            return
        projected_at = {q.sentence for q in projected}
        big_runs = {q.sentence for q in c.values("gpus") if q.value > 16 and q.sentence not in projected_at}
        measured_gain_at_scale = any(
            q.sentence in big_runs
            and q.qualifier != "projected"
            and not c.text_has_cue("projection_or_simulation_named", q.quote.text)
            for q in c.values("speedup")
        ) or any(  # "we measured on 512 GPUs": a run at scale the authors report as their own
            q.value > 16 and q.sentence in big_runs and c.text_has_cue("first_person_run", q.quote.text)
            for q in c.values("gpus")
        )
        # "we have not yet had a 1,024-GPU allocation": the draft itself says the gain at scale was not measured
        unrun = any(
            q.value > 16 and c.text_has_cue("scale_not_run", q.quote.text) for q in c.values("gpus")
        )
        if measured_gain_at_scale and not unrun:
            return
        target = max(projected, key=lambda q: q.value)
        yield self.finding(
            f"The gain is claimed for {target.value:,.0f} GPUs by projection, and the mechanism itself has run only "
            "on one node or one GPU. What decides it at that scale (the inter-node links, stragglers, state that "
            "stops being sharded or replicated the same way) never appears in that run, so the projection is "
            "fitted where the effect it predicts cannot be seen.",
            "run the mechanism on several nodes over the real inter-node network, or check the projection at two "
            "scales you can measure before extrapolating",
            [target.quote, *quotes(small, 2)],
            computed={"claimed_gpus": target.value},
        )

    def _far_projection(self, c: Claims, measured: list[Quantity], measured_max: float) -> Iterator[Finding]:
        """A claim projected or simulated to a scale far beyond every measurement (at least _FAR times the
        largest measured GPU count): a model fitted on a few nodes cannot show what only appears at scale."""
        projected = [
            q
            for q in c.values("gpus")
            if q.qualifier in ("planned", "projected")
            or c.text_has_cue("projection_or_simulation_named", f"{q.section} {q.quote.text}")
        ]
        # a reach argued or expected rather than run ("we argue X makes 10,000-GPU runs safe")
        argued = [q for q in c.values("gpus") if c.text_has_cue("expectation_wording", q.quote.text)]
        projected += [q for q in argued if all(q is not p for p in projected)]
        measured = [q for q in measured if all(q is not p for p in projected)]
        # what the evaluation ran on, when the draft says (a GPU count in its motivation is an example)
        measured = [q for q in measured if q.qualifier == "evaluation"] or measured
        measured_max = max((q.value for q in measured), default=0.0)
        if not measured or not projected or measured_max <= 0:
            return
        target = max(projected, key=lambda q: q.value)
        if target.value < _FAR * measured_max or not (
            c.has_cue("projection_or_simulation_named") or any(target is q for q in argued)
        ):
            return
        shown = max(measured, key=lambda q: q.value)
        yield self.finding(
            f"The evidence comes from at most {measured_max:,.0f} GPUs and the claim from {target.value:,.0f}, "
            f"{target.value / measured_max:,.0f}x more, reached by projection or simulation. What decides a "
            "mechanism at that scale (stragglers, the spine and its congestion, failures, coordinator load) is "
            "exactly what a model fitted on a small testbed leaves out.",
            "measure at an intermediate scale that the projection predicts (two points at least), and say which "
            "effects the model leaves out and how large they could be",
            [target.quote, shown.quote],
            computed={"measured_gpus": measured_max, "claimed_gpus": target.value},
        )

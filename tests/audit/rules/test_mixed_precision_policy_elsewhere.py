"""MIXED-PRECISION: 16-bit weights and gradients whose policy the design states in a paragraph of its own."""

from pathlib import Path

import tensora

CASE = Path(__file__).resolve().parents[3] / "benchmarks" / "round24" / "spot-anchor-optimizer-tier"
POLICY = (
    "**Precision.** Master weights, moments and gradient accumulation are FP32 on the anchors; gradients and weights\n"
    "travel in BF16, and workers compute in BF16 with FP32 loss and softmax."
)


def _codes(tmp_path: Path, text: str) -> set[str]:
    draft = tmp_path / "proposal.md"
    draft.write_text(text)
    return {f.code for f in tensora.review(draft, CASE / "baseline.md").findings}


def test_a_policy_stated_in_the_design_answers_it(tmp_path: Path) -> None:
    text = (CASE / "proposal.md").read_text()
    assert POLICY in text
    assert "MIXED-PRECISION" not in _codes(tmp_path, text)
    # without its precision paragraph and its FP32 accumulator the same draft lowers weights to BF16 unexplained
    bare = text.replace(POLICY, "").replace("an FP32 gradient accumulator", "a gradient accumulator")
    assert "MIXED-PRECISION" in _codes(tmp_path, bare)


DISPATCH = """
# WireFP8: tokens dispatched in FP8 for MoE serving

## Design

Tokens are quantized once on the sending GPU, to FP8 with one scale per 128 channels, and dispatched in that
form; the returning combine stays in BF16. The experts serve Qwen3-235B in FP8.
"""


def test_a_serving_draft_that_states_granularity_and_what_stays_wide(claims, kb) -> None:  # type: ignore[no-untyped-def]
    from tensora.audit.base import Context
    from tensora.audit.rules.corner.mixed_precision import MixedPrecision

    def run(text):  # type: ignore[no-untyped-def]
        return list(MixedPrecision().check(Context(claims(text), claims("# Base", "baseline"), kb)))

    assert run(DISPATCH) == []
    # without what keeps the wider format, the granularity alone is not the policy
    assert run(DISPATCH.replace("; the returning combine stays in BF16", "")) != []

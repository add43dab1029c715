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

"""The Markdown lead quote of a finding: the draft's own three-dot ellipsis is typeset as one character."""

from tensora.audit.findings import Finding, Review, Severity
from tensora.extract.quantities import Quote
from tensora.render.markdown import _finding


def test_a_quoted_ellipsis_is_one_character() -> None:
    quote = Quote("proposal", 1, "We compute pi_t = a_1 a_2 ... a_t in BF16.")
    f = Finding("MIXED-PRECISION", Severity.MAJOR, "t", "A running product in 16 bits.", "fix it", [quote])
    review = Review.__new__(Review)
    review.proposal, review.baseline = "p.md", "b.md"
    body = "\n".join(_finding(f, "default", review))
    assert "a_2 \u2026 a_t" in body and "..." not in body

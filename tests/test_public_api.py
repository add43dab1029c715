import tensora


def test_all_matches_exports() -> None:
    import types

    public = {
        name
        for name, value in vars(tensora).items()
        if not name.startswith("_") and name not in {"annotations", "Path"} and not isinstance(value, types.ModuleType)
    }
    public |= {"__version__"}
    assert set(tensora.__all__) == public


def test_review_is_typed_and_returns_a_review() -> None:
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "sp-chunking"
    review = tensora.review(example / "proposal.md", example / "baseline.md")
    assert isinstance(review, tensora.Review)
    assert all(isinstance(f, tensora.Finding) for f in review.findings)
    assert review.to_dict()["mirror"]["text"].startswith("Let me make sure I understand the core claim.")

"""Sentences about the review's own making are taken out of the model's prose and listed."""

from tensora.llm.artifacts import scrub


def test_a_rejected_candidate_twist_is_taken_out() -> None:
    parts = {
        "twist": "Drop the speculation twist; there is no speculation in the draft. Instead, stripe the prefill "
        "as well, so a 1M-token prompt fills all 8 GPUs.",
        "mirror": "Let me make sure I understand the core claim. Your hypothesis is that striping is 2.1x faster.",
    }
    out, removed = scrub(parts)
    assert out["twist"].startswith("Instead, stripe the prefill")
    assert [r.part for r in removed] == ["twist"]
    assert out["mirror"] == parts["mirror"]


def test_process_words_in_any_part_are_taken_out_and_lines_kept() -> None:
    parts = {
        "stress_test": "1. The all-gather does not fit.\nThe tool result for p = 16 says 3.54 GiB. At p = 16 the "
        "states are 3.54 GiB per GPU.\n\n2. Rather than the candidate twist of fusing GEMMs, look at buckets."
    }
    out, removed = scrub(parts)
    assert "tool result" not in out["stress_test"] and "candidate twist" not in out["stress_test"]
    assert "At p = 16 the states are 3.54 GiB per GPU." in out["stress_test"]
    assert out["stress_test"].startswith("1. The all-gather does not fit.")
    assert len(removed) == 2


def test_a_review_about_the_draft_is_left_alone() -> None:
    parts = {"twist": "Twist: make the deadline global, carried on the all-reduce you already run."}
    assert scrub(parts) == (parts, [])

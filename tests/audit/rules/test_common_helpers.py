"""Helpers shared by the rules: which sentences a finding quotes."""

from tensora.audit.rules._common import quotes


def test_a_lead_in_to_a_table_is_quoted_only_when_nothing_else_is_left(claims) -> None:  # type: ignore[no-untyped-def]
    c = claims(
        "# T\n\n## Evaluation\n\n1 GB all-reduce, ring algorithm, 64 GPUs, 20 repetitions:\n\n"
        "Every rank runs the collectives synchronously on 8,192 GPUs."
    )
    sentences = [s for s in c.sentences if s.kind == "text"]
    assert [q.text for q in quotes(sentences, 1)] == ["Every rank runs the collectives synchronously on 8,192 GPUs."]
    assert len(quotes(sentences, 3)) == 2
    assert quotes([s for s in sentences if s.text.endswith(":")], 1)[0].text.endswith(":")

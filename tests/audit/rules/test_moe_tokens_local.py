"""MOE-IMBALANCE stays quiet when tokens never leave their GPU (the expert weights travel instead)."""

from __future__ import annotations

from tensora.audit.base import Context
from tensora.audit.rules.corner.moe_imbalance import MoeImbalance

DRAFT = """
# ExpertPull: weights to the tokens

## Design

We train a mixture-of-experts model with 256 experts and top-8 routing, and we remove the capacity factor.
{flow}
"""

LOCAL = "Tokens never leave their GPU: each layer gathers the expert weights its tokens picked."
MOVED = "Tokens are sent by an all-to-all to the GPU that holds their expert."


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(MoeImbalance().check(Context(claims(text), claims("# Base", "baseline"), kb)))


def test_tokens_that_stay_local_load_no_other_gpu(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert _run(claims, kb, DRAFT.format(flow=LOCAL)) == []


def test_tokens_sent_to_their_expert_still_raise_it(claims, kb) -> None:  # type: ignore[no-untyped-def]
    assert [f.code for f in _run(claims, kb, DRAFT.format(flow=MOVED))] == ["MOE-IMBALANCE"]

"""QNT-PEAK: an MFU claimed with full recomputation, whose executed share of peak is the MFU times 4/3."""

import pytest

from tensora.audit.base import Context
from tensora.audit.rules.quant.qnt_peak import QntPeak

DRAFT = """
# GatherEarly: compiler flags for FSDP on TPU

## Setup

We train a 52B model on 256 TPU v4 chips with full per-layer rematerialisation (jax.checkpoint with the
nothing_saveable policy), as in the baseline.

## Results

GatherEarly reaches 77% MFU, a 1.48x speedup over the default flags.
"""


def _run(claims, kb, text):  # type: ignore[no-untyped-def]
    return list(QntPeak().check(Context(claims(text), claims("# GSPMD", "baseline"), kb)))


def test_full_recomputation_puts_a_high_mfu_above_the_peak(claims, kb) -> None:  # type: ignore[no-untyped-def]
    [found] = _run(claims, kb, DRAFT)
    assert found.computed["hfu"] == pytest.approx(0.77 * 4 / 3)
    assert "8N" in found.message


def test_quiet_without_full_recomputation_or_at_a_plausible_mfu(claims, kb) -> None:  # type: ignore[no-untyped-def]
    selective = DRAFT.replace(
        "full per-layer rematerialisation (jax.checkpoint with the\nnothing_saveable policy)", "no rematerialisation"
    )
    assert _run(claims, kb, selective) == []
    assert _run(claims, kb, DRAFT.replace("77% MFU", "55% MFU")) == []

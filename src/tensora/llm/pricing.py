"""Token cost from the price table in ``prices.toml`` (data, not code), plus the user's own entries.

Cost = input_tokens * input_price + output_tokens * output_price, prices in USD per million tokens. A model
the table does not list costs ``None`` ("unknown"), never a guess: local servers included.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources

from tensora.llm.base import Usage

__all__ = ["cost_usd", "price_of", "price_table"]

_DATED = re.compile(r"-(?:latest|\d{4}-\d{2}-\d{2}|\d{8})$")


@cache
def price_table() -> dict[str, tuple[float, float]]:
    """The bundled table: model -> (USD per million input tokens, per million output tokens)."""
    raw = tomllib.loads(resources.files("tensora.llm").joinpath("prices.toml").read_text(encoding="utf-8"))
    return {name: (float(e["input"]), float(e["output"])) for name, e in raw["models"].items()}


def price_of(model: str, extra: Mapping[str, tuple[float, float]] | None = None) -> tuple[float, float] | None:
    """The price of a model: the user's entry, else the table's, by exact name, then by the undated name."""
    tables = [dict(extra or {}), price_table()]
    name = model.strip()
    for candidate in (name, _DATED.sub("", name)):
        for table in tables:
            if candidate in table:
                return table[candidate]
    return None


def cost_usd(model: str, usage: Usage, extra: Mapping[str, tuple[float, float]] | None = None) -> float | None:
    price = price_of(model, extra)
    if price is None:
        return None
    return (usage.input_tokens * price[0] + usage.output_tokens * price[1]) / 1e6

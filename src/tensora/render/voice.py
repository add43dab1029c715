"""The voice's fixed phrases, loaded from ``templates/voice.yaml``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, cast

import yaml


@cache
def phrases() -> dict[str, Any]:
    text = resources.files("tensora.render").joinpath("templates", "voice.yaml").read_text(encoding="utf-8")
    return cast(dict[str, Any], yaml.safe_load(text))


def say(key: str, **values: object) -> str:
    """One fixed phrase with the draft's pieces filled in."""
    node: Any = phrases()
    for part in key.split("."):
        node = node[part]
    return str(node).format(**values).strip()

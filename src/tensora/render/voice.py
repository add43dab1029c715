"""The voice's fixed phrases, loaded from ``templates/voice.yaml``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, cast

import yaml

# libyaml's C parser reads the bundled phrases some 10x faster than the pure-Python one; both are safe loaders
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def phrases() -> dict[str, Any]:
    text = resources.files("tensora.render").joinpath("templates", "voice.yaml").read_text(encoding="utf-8")
    return cast(dict[str, Any], yaml.load(text, Loader=_SafeLoader))


def say(key: str, **values: object) -> str:
    """One fixed phrase with the draft's pieces filled in."""
    node: Any = phrases()
    for part in key.split("."):
        node = node[part]
    return str(node).format(**values).strip()

"""The voice's fixed phrases, loaded from ``templates/voice.yaml``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, cast

from tensora.knowledge.loader import cache_file, parse_yaml, read_cache, write_cache


@cache
def phrases() -> dict[str, Any]:
    label = "render/templates/voice.yaml"
    text = resources.files("tensora.render").joinpath("templates", "voice.yaml").read_text(encoding="utf-8")
    # the parsed phrases are kept between runs, keyed by the file's text: a review then imports no YAML parser
    path = cache_file("voice", text)
    table = read_cache(path, lambda v: isinstance(v, dict))
    if table is None:
        table = parse_yaml(text, label)
        write_cache(path, table)
    return cast(dict[str, Any], table)


def say(key: str, **values: object) -> str:
    """One fixed phrase with the draft's pieces filled in."""
    node: Any = phrases()
    for part in key.split("."):
        node = node[part]
    return str(node).format(**values).strip()

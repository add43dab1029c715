"""Model shapes: the published layer counts, widths and head counts of common models
(``knowledge/data/models.yaml``).

A draft that says "Llama-3.1-8B at 128K context" has stated its KV cache size without writing the numbers; an
expert knows the shape by heart. ``find_model`` recognises a model by its name or an alias (case, spaces and
hyphens ignored, "-Instruct"/"-chat" suffixes dropped) in a piece of text. Loaded through
``importlib.resources``; a file of the same name in ``TENSORA_KB_DIR`` overrides it.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from tensora.knowledge.loader import load_file, user_kb_dir

MODELS_FILE = "models.yaml"


class ModelShape(BaseModel):
    """One published model: its size and the shape its attention and KV cache follow from."""

    # validators built on first validation, which a run served from the cache never does
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str = Field(min_length=2)
    aliases: list[str] = []
    params: float = Field(gt=0)
    active_params: float | None = Field(default=None, gt=0)
    layers: int = Field(gt=0)
    hidden: int = Field(gt=0)
    heads: int = Field(gt=0)
    kv_heads: int = Field(gt=0)
    source: str = Field(min_length=4)

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads


def _key(text: str) -> str:
    return re.sub(r"[\s_-]+", "", text.lower())


def load_models(user_dir: Path | None = None) -> tuple[ModelShape, ...]:
    """Every entry, from the bundled file or the user's override (``TENSORA_KB_DIR``)."""
    return load_file(MODELS_FILE, ModelShape, user_kb_dir(user_dir))


_ALIAS_KEYS: dict[int, tuple[tuple[ModelShape, ...], tuple[tuple[str, ModelShape], ...]]] = {}


def _alias_keys(models: tuple[ModelShape, ...]) -> tuple[tuple[str, ModelShape], ...]:
    """Each model's squashed names, computed once per catalog (the loader returns the same tuple each time)."""
    found = _ALIAS_KEYS.get(id(models))
    if found is None or found[0] is not models:
        found = (models, tuple((_key(alias), m) for m in models for alias in [m.name, *m.aliases]))
        _ALIAS_KEYS[id(models)] = found
    return found[1]


def find_model(text: str) -> ModelShape | None:
    """The model a text names, longest alias first ("Llama-3.1-70B" before "Llama-3-7..."); None when none."""
    squashed = _key(text)
    best: tuple[int, ModelShape] | None = None
    for k, m in _alias_keys(load_models()):
        at = squashed.find(k)
        # an alias ending in a digit must not run on into more digits ("gpt3" inside "gpt35" is another model);
        # one ending in its size ("llama38b") may carry a variant after it ("Llama-3-8B-1048k")
        if at >= 0 and not (k[-1].isdigit() and squashed[at + len(k) : at + len(k) + 1].isdigit()):
            if best is None or len(k) > best[0]:
                best = (len(k), m)
    return best[1] if best else None

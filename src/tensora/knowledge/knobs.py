"""Knobs: the settings an existing system already exposes (``knowledge/data/knobs.yaml``).

A draft whose contribution is a value of one of these is a configuration change of that system, not a new
mechanism. Each knob names the systems that expose it (so a draft that names one of them re-tunes it), the
phrases a draft uses for it, optionally words one of which must share the sentence (``context``: "ratio" is the
offload ratio only next to "optimizer" or "offload"), and the documentation that shows it is a setting.

Loaded through ``importlib.resources``; a file of the same name in ``TENSORA_KB_DIR`` overrides it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from tensora.knowledge.loader import load_file, user_kb_dir

KNOBS_FILE = "knobs.yaml"


class Knob(BaseModel):
    """One setting of an existing system."""

    # validators built on first validation, which a run served from the cache never does
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str = Field(min_length=2)
    systems: list[str] = Field(min_length=1)
    aliases: list[str] = []
    context: list[str] = []
    source: str = Field(min_length=4)

    @property
    def phrases(self) -> list[str]:
        """The name and aliases in lower case, longest first (the most specific phrase wins)."""
        return sorted({p.lower() for p in [self.name, *self.aliases]}, key=lambda p: (-len(p), p))


def load_knobs(user_dir: Path | None = None) -> tuple[Knob, ...]:
    """Every entry, from the bundled file or the user's override (``TENSORA_KB_DIR``)."""
    return load_file(KNOBS_FILE, Knob, user_kb_dir(user_dir))

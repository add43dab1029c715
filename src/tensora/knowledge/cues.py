"""Cues: the questions the audit asks of a draft's text, as validated data.

Each entry of ``knowledge/data/cues.yaml`` names one question ("is peak memory argued from an average?",
"is the kernel toolchain named?") with the regular expressions that answer it, and example sentences that must
and must not match; the examples are tests. The file loads through ``importlib.resources`` (a file of the same
name in ``TENSORA_KB_DIR`` overrides it) and is validated with pydantic; an error names the file, the cue and the
field. Evaluating cues over a document is ``tensora.extract.cues``'s job; this module only reads and checks data.

Does not: check that the examples match (the tests do that), or calibrate semantic thresholds (extraction does).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tensora.errors import KnowledgeError
from tensora.knowledge.loader import _read_text, load_entries

__all__ = ["Cue", "CueExamples", "load_cues"]

CUES_FILE = "cues.yaml"


class _Strict(BaseModel):
    # validators are built on first validation, not at import: a run served from the validated cache never needs
    # them
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _compiles(patterns: list[str]) -> list[str]:
    for p in patterns:
        try:
            re.compile(p, re.I)
        except re.error as exc:
            raise ValueError(f"pattern {p!r} is not a valid regular expression ({exc})") from None
    return patterns


class CueExamples(_Strict):
    """Sentences written for the cue: each of ``match`` must match it, none of ``no_match`` may."""

    match: list[str] = Field(min_length=3)
    no_match: list[str] = Field(min_length=3)


class Cue(_Strict):
    """One question asked of each sentence.

    A sentence matches when one of ``patterns`` and every one of ``requires`` occur in it (after the spans of
    ``ignore`` are blanked out) and none of ``negation`` does; or, for a semantic cue, when it is close enough
    to the ``match`` examples and none of ``negation`` occurs. ``scope: core`` limits the cue to the sentences
    of the draft's own method (its abstract, introduction, design sections and opening). A ``detector`` names a
    clause-level reader in ``tensora.extract.detectors`` that replaces the plain search and takes its regular
    expressions from ``params``. Named groups in ``patterns`` are handed to the rule with each span.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = Field(min_length=8)
    patterns: list[str] = Field(min_length=1)
    requires: list[str] = Field(default_factory=list)
    negation: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    case_sensitive: bool = False
    scope: Literal["all", "core"] = "all"
    semantic: bool = True
    detector: str | None = None
    params: dict[str, str] = Field(default_factory=dict)
    examples: CueExamples
    source: str | None = None

    @field_validator("patterns", "requires", "negation", "ignore")
    @classmethod
    def _valid_regexes(cls, value: list[str]) -> list[str]:
        return _compiles(value)

    @field_validator("params")
    @classmethod
    def _valid_params(cls, value: dict[str, str]) -> dict[str, str]:
        _compiles(list(value.values()))
        return value


def load_cues(user_dir: Path | None = None) -> dict[str, Cue]:
    """Every cue by id, from the bundled file or the user's override (``TENSORA_KB_DIR``)."""
    if user_dir is None and os.environ.get("TENSORA_KB_DIR"):
        user_dir = Path(os.environ["TENSORA_KB_DIR"])
    return _load(user_dir)


@cache
def _load(user_dir: Path | None) -> dict[str, Cue]:
    # Validating the cues (a pydantic model and a compiled test of every pattern) costs more than a small review
    # spends on them; a pickle of the validated table, keyed by a hash of the YAML, is an optimisation only.
    label, text = _read_text(CUES_FILE, user_dir)
    path = cache_path("cues", text)
    try:
        if path.is_file():
            with path.open("rb") as fh:
                table = pickle.load(fh)
            if isinstance(table, dict) and all(isinstance(c, Cue) for c in table.values()):
                return table
    except Exception:  # a stale or unreadable cache is rebuilt, never reported
        pass
    table = _validate(label, user_dir)
    write_cache(path, table)
    return table


def _validate(label: str, user_dir: Path | None) -> dict[str, Cue]:
    out: dict[str, Cue] = {}
    for cue in load_entries(CUES_FILE, Cue, user_dir):
        if cue.id in out:
            raise KnowledgeError(f"{label}: entry {cue.id!r} appears twice.")
        if cue.detector is not None and cue.semantic:
            raise KnowledgeError(f"{label}: entry {cue.id!r}: field 'semantic': a detector cue is lexical; set false.")
        out[cue.id] = cue
    return out


def cache_path(kind: str, *parts: str) -> Path:
    """Where a derived table is kept between runs, keyed by the contents it was derived from."""
    digest = hashlib.sha256(f"tensora-{kind}-1".encode())
    for part in parts:
        digest.update(part.encode())
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "tensora" / f"{kind}-{digest.hexdigest()[:16]}.pickle"


def write_cache(path: Path, value: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass

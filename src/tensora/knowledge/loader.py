"""Load and validate the knowledge base.

Bundled YAML files load through ``importlib.resources``; a user directory given by ``TENSORA_KB_DIR`` (or the
``user_dir`` argument) overrides a bundled file of the same name. Every file is validated on load, and an error
names the file, the entry and the field.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError

from tensora.errors import KnowledgeError
from tensora.knowledge.schema import Concept, PriorWork, Technique, WeakBaseline

_CACHE_VERSION = "tensora-kb-1"  # bump when the schema classes change shape

M = TypeVar("M", bound=BaseModel)


def _read_text(name: str, user_dir: Path | None) -> tuple[str, str]:
    if user_dir is not None and (user_dir / name).is_file():
        path = user_dir / name
        return str(path), path.read_text(encoding="utf-8")
    text = resources.files("tensora.knowledge").joinpath("data", name).read_text(encoding="utf-8")
    return f"knowledge/data/{name}", text


def _read(name: str, user_dir: Path | None) -> tuple[str, Any]:
    label, text = _read_text(name, user_dir)
    return label, parse_yaml(text, label)


def parse_yaml(text: str, label: str) -> Any:
    """The data of one YAML file, with libyaml's C parser where it is installed (some 20x faster than the
    pure-Python one; both are safe loaders); invalid YAML is a ``KnowledgeError`` that names ``label``."""
    # imported here: a run served from the caches parses no YAML, and importing yaml costs some 20 ms
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{label}: not valid YAML ({exc}).") from None


def user_kb_dir(user_dir: Path | None = None) -> Path | None:
    """The directory whose files override the bundled ones: the one given, else ``TENSORA_KB_DIR``, else none."""
    if user_dir is None and os.environ.get("TENSORA_KB_DIR"):
        return Path(os.environ["TENSORA_KB_DIR"])
    return user_dir


@cache
def load_file(name: str, model: type[M], user_dir: Path | None) -> tuple[M, ...]:
    """Every entry of one knowledge file, validated, loaded once per override directory.

    The validated entries are kept between runs (``cache_file``), keyed by the file's text and the source of the
    module that defines ``model``: parsing and validating knobs.yaml alone costs a fresh process some 25 ms.
    """
    label, text = _read_text(name, user_dir)
    path = cache_file(f"entries-{Path(name).stem}", text, label, model.__qualname__, source_of(model))
    entries = read_cache(path, lambda v: isinstance(v, tuple) and all(type(e) is model for e in v))
    if entries is None:
        entries = tuple(load_entries(name, model, user_dir))
        write_cache(path, entries)
    return cast(tuple[M, ...], entries)


def source_of(cls: type) -> str | None:
    """The source text of the module that defines ``cls``, for cache keys: editing a model or its validators
    makes a new key. None when the module has no readable file (then nothing is cached)."""
    try:
        return Path(sys.modules[cls.__module__].__file__ or "").read_text(encoding="utf-8")
    except (KeyError, OSError, TypeError, ValueError):
        return None


def cache_file(kind: str, *parts: str | None) -> Path | None:
    """Where a validated table is kept between runs, keyed by everything it was derived from; None (no cache)
    when a part is unknown."""
    if any(part is None for part in parts):
        return None
    digest = hashlib.sha256(f"{_CACHE_VERSION} {kind}".encode())
    for part in parts:
        digest.update(f"{len(part or '')}:{part}".encode())
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "tensora" / f"{kind}-{digest.hexdigest()[:16]}.pickle"


def read_cache(path: Path | None, valid: Callable[[object], bool]) -> Any:
    """The value kept at ``path`` when it is there and passes ``valid``; None otherwise, never an error."""
    if path is None:
        return None
    try:
        value = pickle.loads(path.read_bytes())
    except Exception:  # missing, stale, unreadable or from another version: rebuilt, never reported
        return None
    return value if valid(value) else None


def write_cache(path: Path | None, value: object) -> None:
    """Keep ``value`` at ``path`` for the next run (written under a temporary name, then renamed); a cache that
    cannot be written is skipped."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
    except OSError:
        pass


def load_entries(name: str, model: type[M], user_dir: Path | None = None) -> list[M]:
    """Validate every entry of one data file against ``model``."""
    label, data = _read(name, user_dir)
    if not isinstance(data, list):
        raise KnowledgeError(f"{label}: expected a list of entries at the top level.")
    out: list[M] = []
    for i, raw in enumerate(data):
        ident = raw.get("id") or raw.get("name") if isinstance(raw, dict) else None
        where = f"entry {ident!r}" if ident else f"entry #{i + 1}"
        try:
            out.append(model.model_validate(raw))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"]) or "(entry)"
            raise KnowledgeError(f"{label}: {where}: field '{loc}': {err['msg']}.") from None
    return out


@dataclass(frozen=True)
class KnowledgeBase:
    techniques: list[Technique]
    prior_work: list[PriorWork]
    concepts: list[Concept]
    weak_baselines: list[WeakBaseline]
    by_id: dict[str, Technique] = field(default_factory=dict)

    def technique(self, tid: str) -> Technique:
        return self.by_id[tid]


def load_knowledge(user_dir: Path | None = None) -> KnowledgeBase:
    """Load the bundled knowledge base (and the user's overrides)."""
    if user_dir is None and os.environ.get("TENSORA_KB_DIR"):
        user_dir = Path(os.environ["TENSORA_KB_DIR"])
    return _load(user_dir)


_FILES = ("techniques.yaml", "prior_work.yaml", "concepts.yaml", "weak_baselines.yaml")


def _cache_path(user_dir: Path | None) -> Path | None:
    """Where the validated knowledge base is kept between runs, keyed by the data files' contents."""
    digest = hashlib.sha256(_CACHE_VERSION.encode())
    digest.update((source_of(PriorWork) or "").encode())  # an edited model or validator makes a new key
    for name in _FILES:
        digest.update(_read_text(name, user_dir)[1].encode())
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "tensora" / f"knowledge-{digest.hexdigest()[:16]}.pickle"


@cache
def _load(user_dir: Path | None) -> KnowledgeBase:
    # Validating some 400 entries with pydantic costs more than the rest of a small review; a pickle of the
    # validated models, keyed by a hash of the YAML, is an optimisation only: any failure falls back.
    try:
        path = _cache_path(user_dir)
        if path is not None and path.is_file():
            with path.open("rb") as fh:
                kb = pickle.load(fh)
            if isinstance(kb, KnowledgeBase):
                return kb
    except Exception:  # a stale or unreadable cache is rebuilt, never reported
        path = None
    kb = _validate(user_dir)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(kb, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        except OSError:
            pass
    return kb


def check_prior_work(works: list[PriorWork], technique_ids: set[str], label: str) -> None:
    """Cross-entry checks that one entry's model cannot make: unique names, aliases that name one work only,
    and technique ids that ``techniques.yaml`` defines. The error names the file, the entry and the field."""
    owner: dict[str, str] = {}
    for work in works:
        key = work.name.casefold()
        if key in owner:
            raise KnowledgeError(f"{label}: entry {work.name!r}: field 'name': duplicates entry {owner[key]!r}.")
        owner[key] = work.name
    for work in works:
        for alias in work.aliases:
            key = alias.casefold()
            other = owner.get(key)
            if other is not None and other != work.name:
                raise KnowledgeError(f"{label}: entry {work.name!r}: field 'aliases': {alias!r} also names {other!r}.")
            owner[key] = work.name
        unknown = [t for t in work.techniques if t not in technique_ids]
        if unknown:
            raise KnowledgeError(
                f"{label}: entry {work.name!r}: field 'techniques': unknown technique id {unknown[0]!r} "
                "(not defined in techniques.yaml)."
            )


def _validate(user_dir: Path | None) -> KnowledgeBase:
    techniques = load_entries("techniques.yaml", Technique, user_dir)
    seen: set[str] = set()
    for t in techniques:
        if t.id in seen:
            raise KnowledgeError(f"knowledge/data/techniques.yaml: entry {t.id!r} appears twice.")
        seen.add(t.id)
    prior_work = load_entries("prior_work.yaml", PriorWork, user_dir)
    check_prior_work(prior_work, seen, _read_text("prior_work.yaml", user_dir)[0])
    return KnowledgeBase(
        techniques=techniques,
        prior_work=prior_work,
        concepts=load_entries("concepts.yaml", Concept, user_dir),
        weak_baselines=load_entries("weak_baselines.yaml", WeakBaseline, user_dir),
        by_id={t.id: t for t in techniques},
    )

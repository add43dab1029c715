"""Compiled regular expressions kept between runs.

A review compiles some seven hundred regular expressions that come from the knowledge base and the number
readers (cue patterns, technique aliases, hardware names); parsing and compiling them costs a fresh process
about as much as reading a short PDF. ``compile`` returns the same ``re.Pattern`` as ``re.compile``, but keeps
what CPython's compiler produced (the regex engine's program, its groups and flags) in a file under the user's
cache directory, so the next process hands that program straight to the engine and skips parsing.

The file is keyed by the interpreter (its version, its regex engine's ``MAGIC`` and code size): a program from
another interpreter is never loaded. The engine validates every program it is given; an entry that fails, a
file that cannot be read or written, or an interpreter without CPython's ``_sre`` falls back to ``re.compile``
with no message. The cache is an optimisation only: a pattern compiled either way is equal (``==``) to the
other. Each entry also keeps the words every match of the pattern holds (``literals``, from
``tensora.rxliteral``), read off the same parse, so a fresh process prefilters by them without parsing.

Does not: cache patterns built from a document's own text (callers route only the fixed patterns of the code
and the knowledge base through here), or hold more than ``_MAX_ENTRIES`` patterns: past that, the file keeps
only the patterns that the process writing it used.
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import re
import sys
from array import array
from pathlib import Path
from typing import Any

from tensora import rxliteral

__all__ = ["cache_file", "compile", "literals"]

_MAX_ENTRIES = 5_000
_FORMAT = "tensora-rx-3"
# flags that change only how a pattern matches (no debugging output)
_CACHED_FLAGS = re.I | re.M | re.S | re.X | re.A | re.U

try:  # CPython's regex engine and compiler; any other interpreter compiles every time
    import _sre
    from re import _compiler, _parser  # type: ignore[attr-defined]

    _CODE_TYPE = next(t for t in "BHILQ" if array(t).itemsize == _sre.CODESIZE)
    _ENABLED = hasattr(_sre, "compile") and hasattr(_compiler, "_code") and hasattr(_parser, "parse")
except (ImportError, StopIteration):  # pragma: no cover - not CPython
    _ENABLED = False

Key = tuple[str, int]
# flags, program, number of groups, group names to numbers, numbers to names, the words every match holds
Entry = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...], tuple[str, ...] | None]

_entries: dict[Key, Entry] | None = None
_added: dict[Key, Entry] = {}
_used: set[Key] = set()
_saving = False


def cache_file() -> Path:
    """The cache file for this interpreter, under ``$XDG_CACHE_HOME`` (else ``~/.cache``)."""
    digest = hashlib.sha256(_FORMAT.encode())
    digest.update(sys.version.encode())
    digest.update(f"{sys.implementation.cache_tag} {getattr(_sre, 'MAGIC', 0)} {getattr(_sre, 'CODESIZE', 0)}".encode())
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "tensora" / f"regex-{digest.hexdigest()[:16]}.marshal"


def _valid(value: Any) -> bool:
    if not isinstance(value, tuple) or len(value) != 6:
        return False
    flags, code, groups, groupindex, indexgroup, words = value
    return (
        isinstance(flags, int)
        and isinstance(code, bytes)
        and isinstance(groups, int)
        and isinstance(groupindex, dict)
        and isinstance(indexgroup, tuple)
        and (words is None or (isinstance(words, tuple) and all(isinstance(w, str) for w in words)))
    )


def _load() -> dict[Key, Entry]:
    global _entries
    if _entries is None:
        _entries = {}
        try:
            # one read, then unmarshal from memory: marshal.load on a file object reads each object with its own
            # call and takes some three times as long on a file of a few MB
            table = marshal.loads(cache_file().read_bytes())
            if isinstance(table, dict):
                _entries = {k: v for k, v in table.items() if isinstance(k, tuple) and _valid(v)}
        except Exception:  # missing, unreadable or from elsewhere: start empty
            _entries = {}
    return _entries


def _build(pattern: str, entry: Entry) -> re.Pattern[str]:
    flags, code, groups, groupindex, indexgroup, _words = entry
    program = array(_CODE_TYPE)
    program.frombytes(code)
    compiled: re.Pattern[str] = _sre.compile(pattern, flags, program.tolist(), groups, groupindex, indexgroup)
    return compiled


def _fresh(pattern: str, flags: int) -> tuple[re.Pattern[str], Entry]:
    """Compile as ``re.compile`` does, keeping the program it produces."""
    parsed = _parser.parse(pattern, flags)
    found = rxliteral.from_parsed(parsed)  # before the compiler walks the tree
    words = None if found is None else tuple(sorted(found))
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    program = array(_CODE_TYPE, code).tobytes()
    entry: Entry = (flags | parsed.state.flags, program, parsed.state.groups - 1, groupindex, tuple(indexgroup), words)
    return _build(pattern, entry), entry


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - mirrors re.compile
    """``re.compile(pattern, flags)``, with the compiled program kept between runs."""
    if not _ENABLED or not isinstance(pattern, str) or flags & ~_CACHED_FLAGS:
        return re.compile(pattern, flags)
    flags = int(flags)
    key = (pattern, flags)
    entries = _load()
    entry = entries.get(key)
    _used.add(key)
    if entry is not None:
        try:
            return _build(pattern, entry)
        except Exception:  # a damaged entry: compile it again below
            entries.pop(key, None)
    try:
        compiled, entry = _fresh(pattern, flags)
    except re.error:
        raise
    except Exception:  # the compiler's internals changed shape: the public road
        return re.compile(pattern, flags)
    entries[key] = entry
    _added[key] = entry
    _schedule_save()
    return compiled


def literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """``tensora.rxliteral.required(pattern, flags)``, kept in the cache file beside the compiled program."""
    if not _ENABLED or not isinstance(pattern, str) or flags & ~_CACHED_FLAGS:
        return rxliteral.required(pattern, flags)
    key = (pattern, int(flags))
    entry = _load().get(key)
    if entry is None:
        try:
            compile(pattern, flags)
        except re.error:
            return None
        entry = _load().get(key)
    if entry is None:
        return rxliteral.required(pattern, flags)
    words = entry[5]
    return None if words is None else frozenset(words)


def _schedule_save() -> None:
    global _saving
    if not _saving:
        _saving = True
        atexit.register(save)


def save() -> None:
    """Write the patterns compiled in this process to the cache file (merged with what is there)."""
    if not _added:
        return
    path = cache_file()
    try:
        table: dict[Key, Entry] = {}
        try:
            old = marshal.loads(path.read_bytes())
            if isinstance(old, dict):
                table = {k: v for k, v in old.items() if isinstance(k, tuple) and _valid(v)}
        except Exception:
            table = {}
        table.update(_added)
        if len(table) > _MAX_ENTRIES:
            # patterns of older versions pile up: keep those this process used
            table = {k: v for k, v in table.items() if k in _used}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            marshal.dump(table, fh)
        tmp.replace(path)
        _added.clear()
    except OSError:
        pass

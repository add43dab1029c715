"""Load plugins: the built-in ones listed in ``DEFAULT_PLUGINS``, then third-party packages.

Third-party packages declare an entry point in the group ``tensora`` (``[project.entry-points.tensora]``
in their pyproject.toml); the built-ins are registered the same way, through the plugin manager, so a
built-in backend has no privileges a third-party one lacks (llm's ``plugins.py``). Nothing is imported or
loaded until a backend is asked for, so a review without ``--llm`` never touches this module.

``TENSORA_LOAD_PLUGINS`` limits the third-party plugins: unset loads all, an empty string none, else a
comma-separated list of distribution names.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
from typing import TYPE_CHECKING

import pluggy

from tensora import hookspecs
from tensora.errors import RuleError

if TYPE_CHECKING:
    from tensora.llm.base import Backend

__all__ = ["DEFAULT_PLUGINS", "ENTRY_POINT_GROUP", "backends", "plugin_manager", "reset"]

ENTRY_POINT_GROUP = "tensora"
DEFAULT_PLUGINS: tuple[str, ...] = (
    "tensora.llm.openai_compat",
    "tensora.llm.anthropic",
)

_pm: pluggy.PluginManager | None = None


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    wanted = os.environ.get("TENSORA_LOAD_PLUGINS")
    allowed = None if wanted is None else {n.strip() for n in wanted.split(",") if n.strip()}
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            if ep.group != ENTRY_POINT_GROUP or pm.get_plugin(ep.name) is not None:
                continue
            name = dist.metadata["name"] or ep.name
            if allowed is not None and name not in allowed:
                continue
            pm.register(ep.load(), name=ep.name)


def plugin_manager() -> pluggy.PluginManager:
    """The plugin manager with the built-ins and every installed plugin registered (built once)."""
    global _pm
    if _pm is None:
        pm = pluggy.PluginManager("tensora")
        pm.add_hookspecs(hookspecs)
        for name in DEFAULT_PLUGINS:
            pm.register(importlib.import_module(name), name=name)
        _load_entry_points(pm)
        _pm = pm
    return _pm


def reset() -> None:
    """Forget the loaded plugins (tests install and remove plugins)."""
    global _pm
    _pm = None


def backends() -> dict[str, type[Backend]]:
    """Every registered backend by provider name; a plugin that reuses a name is refused in a sentence."""
    from tensora.llm.base import Backend

    found: dict[str, type[Backend]] = {}
    pm = plugin_manager()
    for impl in pm.hook.register_backends.get_hookimpls():
        plugin = pm.get_name(impl.plugin) or "a plugin"

        def register(cls: type[Backend], plugin: str = plugin) -> None:
            if not (isinstance(cls, type) and issubclass(cls, Backend)):
                raise RuleError(f"Plugin '{plugin}' registers {cls!r}, which is not a tensora Backend.")
            name = getattr(cls, "name", "")
            if not name or not name.replace("-", "").replace("_", "").isalnum() or name != name.lower():
                raise RuleError(f"Plugin '{plugin}' registers a backend named {name!r}; names look like 'openai'.")
            if name in found and found[name] is not cls:
                raise RuleError(f"Plugin '{plugin}' registers backend '{name}', which is already taken.")
            found[name] = cls

        impl.function(register=register)
    return found

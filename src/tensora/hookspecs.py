"""The hooks a tensora plugin can implement (pluggy), as llm's ``hookspecs.py`` declares its own.

A plugin is a module (or a package's entry point in the group ``tensora``) with functions marked
``@hookimpl``::

    from tensora.hookspecs import hookimpl

    @hookimpl
    def register_backends(register):
        register(MyBackend)          # a tensora.llm.base.Backend subclass

The built-in backends are plugins too (``tensora.plugins.DEFAULT_PLUGINS``) and load by the same path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from tensora.llm.base import Backend

__all__ = ["hookimpl", "hookspec", "register_backends"]

hookspec = pluggy.HookspecMarker("tensora")
hookimpl = pluggy.HookimplMarker("tensora")


@hookspec
def register_backends(register: Callable[[type[Backend]], None]) -> None:
    """Register LLM backends: call ``register(BackendClass)`` once per backend."""

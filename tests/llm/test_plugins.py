"""Backends come from plugins: the built-ins through DEFAULT_PLUGINS, others through entry points."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tensora import plugins
from tensora.errors import RuleError


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    plugins.reset()
    yield
    plugins.reset()


def test_built_in_backends() -> None:
    found = plugins.backends()
    assert {"openai", "anthropic", "ollama", "llamacpp", "vllm"} <= set(found)
    assert found["anthropic"].key_env_var == "ANTHROPIC_API_KEY"
    assert found["openai"].needs_key and not found["ollama"].needs_key
    assert all(found[n].__module__ in plugins.DEFAULT_PLUGINS for n in ("openai", "anthropic"))


PLUGIN = """
from tensora.hookspecs import hookimpl
from tensora.llm.base import Backend, Completion


class EchoBackend(Backend):
    name = "echo"
    needs_key = False

    def complete(self, messages, *, tools=(), response_schema=None, stream=None):
        return Completion(text=messages[-1].content)


@hookimpl
def register_backends(register):
    register(EchoBackend)
"""

BAD = """
from tensora.hookspecs import hookimpl
from tensora.llm.openai_compat import OpenAIBackend


@hookimpl
def register_backends(register):
    register(OpenAIBackend)
    register(type("Clash", (OpenAIBackend,), {}))
"""


def _install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, source: str) -> None:
    """A distribution with an entry point in the group 'tensora', as pip would install it."""
    (tmp_path / f"{module}.py").write_text(source, encoding="utf-8")
    info = tmp_path / f"{module.replace('_', '-')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[tensora]\n{module} = {module}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, module, raising=False)


def test_third_party_backend_through_an_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install(tmp_path, monkeypatch, "tensora_echo", PLUGIN)
    found = plugins.backends()
    assert "echo" in found and "openai" in found
    monkeypatch.setenv("TENSORA_LOAD_PLUGINS", "")
    plugins.reset()
    assert "echo" not in plugins.backends()


def test_a_taken_name_is_refused_naming_the_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install(tmp_path, monkeypatch, "tensora_clash", BAD)
    with pytest.raises(RuleError, match="Plugin 'tensora_clash' registers backend 'openai', which is already taken"):
        plugins.backends()

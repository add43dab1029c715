"""Fixtures for the LLM layer: an in-process ``FakeBackend`` (llm's ``MockModel``), and small OpenAI- and
Anthropic-compatible HTTP servers on loopback (127.0.0.1, an ephemeral port) that answer from a script.

The servers are stdlib ``http.server`` in a daemon thread; every response they give is pushed by the test
(or built by a responder function), every request they receive is recorded. Nothing leaves the machine.
The end-to-end test against a real local model (marker ``llm_e2e``) is skipped unless asked for with
``-m llm_e2e`` or ``TENSORA_LLM_E2E=1``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from tensora import plugins
from tensora.hookspecs import hookimpl
from tensora.llm.base import Backend, BackendSettings

from ._support import Call, FakeBackend, LoopbackServer, Reply, anthropic_responder, openai_responder


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    asked = "llm_e2e" in (config.getoption("markexpr", "") or "") or os.environ.get("TENSORA_LLM_E2E") == "1"
    if asked:
        return
    skip = pytest.mark.skip(reason="end-to-end LLM test: run with -m llm_e2e or TENSORA_LLM_E2E=1")
    for item in items:
        if "llm_e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def openai_server() -> Iterator[LoopbackServer]:
    with LoopbackServer(openai_responder) as server:
        yield server


@pytest.fixture
def anthropic_server() -> Iterator[LoopbackServer]:
    with LoopbackServer(anthropic_responder) as server:
        yield server


class _FakePlugin:
    """A plugin that registers ``FakeBackend`` as provider 'fake' (every instance shares ``calls``)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.replies: list[Reply] = []
        owner = self

        class Registered(FakeBackend):
            name = "fake"

            def __init__(self, settings: BackendSettings | None = None) -> None:
                super().__init__(settings, owner.replies)
                self.calls = owner.calls

        self.backend = Registered

    @hookimpl
    def register_backends(self, register: Callable[[type[Backend]], None]) -> None:
        register(self.backend)

    def prompt_text(self) -> str:
        return "\n".join(m.content for c in self.calls for m in c.messages)


@pytest.fixture
def fake_plugin() -> Iterator[_FakePlugin]:
    """Provider 'fake' for ``--llm fake:MODEL``, through the plugin manager like any third-party backend."""
    plugins.reset()
    plugin = _FakePlugin()
    plugins.plugin_manager().register(plugin, name="tests-fake")
    yield plugin
    plugins.reset()

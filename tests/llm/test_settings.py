"""--llm PROVIDER:MODEL and its settings: the command line over the config file over the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensora.llm.anthropic import AnthropicBackend
from tensora.llm.errors import BackendConfigError, MissingKeyError
from tensora.llm.openai_compat import LlamaCppBackend, OpenAIBackend
from tensora.llm.settings import config_path, parse_spec, resolve

BACKENDS = {"openai": OpenAIBackend, "anthropic": AnthropicBackend, "llamacpp": LlamaCppBackend}


def _resolve(spec: str, tmp_path: Path, env: dict[str, str] | None = None, config: str = "", **kw: object):
    path = tmp_path / "config.toml"
    if config:
        path.write_text(config, encoding="utf-8")
    return resolve(spec, environ=env or {}, config=path, backends=BACKENDS, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("openai:gpt-4o-mini", ("openai", "gpt-4o-mini")),
        ("OpenAI: gpt-4o ", ("openai", "gpt-4o")),
        ("ollama:llama3.1:8b", ("ollama", "llama3.1:8b")),
    ],
)
def test_parse_spec(spec: str, expected: tuple[str, str]) -> None:
    assert parse_spec(spec) == expected


@pytest.mark.parametrize("spec", ["openai", ":gpt-4o", "openai:", ""])
def test_malformed_spec_is_one_line(spec: str) -> None:
    with pytest.raises(BackendConfigError, match="PROVIDER:MODEL") as info:
        parse_spec(spec)
    assert "\n" not in str(info.value)


def test_missing_key_message_is_exact(tmp_path: Path) -> None:
    with pytest.raises(MissingKeyError) as info:
        _resolve("anthropic:claude-3-5-haiku-latest", tmp_path)
    assert str(info.value) == "No API key for backend 'anthropic': set ANTHROPIC_API_KEY or pass --llm-key-env."


def test_key_from_the_backends_variable(tmp_path: Path) -> None:
    s = _resolve("anthropic:claude-3-5-haiku-latest", tmp_path, {"ANTHROPIC_API_KEY": "sk-ant"})
    assert s.api_key == "sk-ant"
    assert "sk-ant" not in repr(s)


def test_key_env_option_wins_and_must_be_set(tmp_path: Path) -> None:
    env = {"OPENAI_API_KEY": "default", "MINE": "mine"}
    assert _resolve("openai:gpt-4o", tmp_path, env, key_env="MINE").api_key == "mine"
    with pytest.raises(BackendConfigError, match="the variable NOPE is not set"):
        _resolve("openai:gpt-4o", tmp_path, env, key_env="NOPE")


def test_local_server_needs_no_key(tmp_path: Path) -> None:
    s = _resolve("openai:local", tmp_path, base_url="http://127.0.0.1:8080/v1")
    assert s.api_key is None and s.base_url == "http://127.0.0.1:8080/v1"
    assert _resolve("llamacpp:any", tmp_path).api_key is None
    with pytest.raises(MissingKeyError):
        _resolve("openai:gpt-4o", tmp_path, base_url="https://api.openai.com/v1")


CONFIG = """
[llm]
timeout = 30
temperature = 0.5

[llm.openai]
base_url = "http://127.0.0.1:9999/v1"
key_env = "MY_KEY"
timeout = 90

[prices."my-model"]
input = 1.0
output = 2.0
"""


def test_config_file_and_precedence(tmp_path: Path) -> None:
    s = _resolve("openai:my-model", tmp_path, {"MY_KEY": "k"}, CONFIG)
    assert (s.base_url, s.api_key, s.timeout, s.temperature) == ("http://127.0.0.1:9999/v1", "k", 90.0, 0.5)
    assert s.prices == {"my-model": (1.0, 2.0)}
    s = _resolve("openai:my-model", tmp_path, {"MY_KEY": "k"}, CONFIG, timeout=5.0, base_url="http://127.0.0.1:1/v1")
    assert (s.timeout, s.base_url) == (5.0, "http://127.0.0.1:1/v1")
    assert _resolve("anthropic:m", tmp_path, {"ANTHROPIC_API_KEY": "a"}, CONFIG).timeout == 30.0


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("[llm\n", "not valid TOML"),
        ("[llm]\ntimeot = 3\n", "unknown setting 'timeot'"),
        ("[llm.openai]\nbase_url = 'ftp://x'\n", "http"),
        ("[llm]\ntemperature = 7\n", "temperature must be a number between 0 and 2"),
        ("[prices.m]\ninput = 1\n", "needs exactly 'input' and 'output'"),
    ],
)
def test_bad_config_is_refused_naming_the_file(tmp_path: Path, config: str, message: str) -> None:
    with pytest.raises(BackendConfigError, match=message) as info:
        _resolve("openai:m", tmp_path, {"OPENAI_API_KEY": "k"}, config)
    assert "\n" not in str(info.value)


def test_unknown_provider_lists_the_known(tmp_path: Path) -> None:
    with pytest.raises(BackendConfigError, match="known: anthropic, llamacpp, openai"):
        _resolve("mistral:large", tmp_path)


def test_missing_sdk_says_which_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "anthropic" else real(name, *a))
    with pytest.raises(BackendConfigError, match=r"pip install 'tensora\[anthropic\]'"):
        _resolve("anthropic:m", tmp_path, {"ANTHROPIC_API_KEY": "a"})


def test_config_path(tmp_path: Path) -> None:
    assert config_path({"TENSORA_HOME": str(tmp_path)}) == tmp_path / "config.toml"
    assert config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "tensora" / "config.toml"
    assert config_path({}).parts[-3:] == (".config", "tensora", "config.toml")

"""Which backend, which model, where, with which key: ``--llm PROVIDER:MODEL`` plus settings.

Each setting comes from the first place that has it: the command line (``--llm-base-url``, ``--llm-key-env``,
``--llm-timeout``, ``--llm-temperature``), the provider's table in the config file, the file's ``[llm]``
table, the backend's default. The key comes from the variable named by ``--llm-key-env``, else the one the
config names (``key_env``), else the backend's own (``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``), else the
config's ``api_key``. The config file is ``$TENSORA_HOME/config.toml`` when ``TENSORA_HOME`` is set, else
``$XDG_CONFIG_HOME/tensora/config.toml``, else ``~/.config/tensora/config.toml``; read with ``tomllib``::

    [llm]                       # every backend
    timeout = 60                # seconds per request
    temperature = 0.2
    max_tokens = 2048
    retries = 3                 # for 429 and 5xx
    max_tool_rounds = 3         # 0: no tools offered
    context_tokens = 8192       # the model's context window, when small: the evidence is shrunk to fit
    own_reading = true          # the model reads the documents alone first, before tensora's audit

    [llm.openai]                # one backend: the PROVIDER of --llm PROVIDER:MODEL
    base_url = "http://127.0.0.1:8080/v1"
    key_env = "MY_OPENAI_KEY"   # or: api_key = "..." (then keep the file private)

    [prices."my-model"]         # USD per million tokens, for cost accounting
    input = 0.5
    output = 1.5

Nothing here opens a connection: a config file alone turns nothing on, only ``--llm`` does.
"""

from __future__ import annotations

import importlib.util
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tensora.llm.base import Backend, BackendSettings
from tensora.llm.errors import BackendConfigError, MissingKeyError

__all__ = ["LLMSettings", "config_path", "load_config", "parse_spec", "resolve"]

_COMMON = {"timeout", "temperature", "max_tokens", "retries", "max_tool_rounds", "context_tokens", "own_reading"}
_PROVIDER = _COMMON | {"base_url", "key_env", "api_key"}
_PRICE = {"input", "output"}


@dataclass(frozen=True, slots=True)
class LLMSettings:
    """A resolved backend choice. ``api_key`` is never printed (``repr=False``)."""

    provider: str
    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    temperature: float = 0.2
    max_tokens: int = 2048
    retries: int = 3
    max_tool_rounds: int = 3
    #: the model's context window in tokens, when it is small enough to matter (None: not limited)
    context_tokens: int | None = None
    #: a first request in which the model reads the documents without tensora's audit; its notes then lead
    #: the review request, so the audit adds to the model's reading instead of anchoring it
    own_reading: bool = True
    #: model -> (USD per million input tokens, per million output tokens), from the config file
    prices: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    #: record/replay directory (``--llm-exchange``): requests written there, replies read (replay) or saved
    exchange: str | None = None

    @property
    def spec(self) -> str:
        return f"{self.provider}:{self.model}"

    def backend_settings(self) -> BackendSettings:
        return BackendSettings(
            model=self.model,
            base_url=self.base_url,
            api_key=self.api_key,
            timeout=self.timeout,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
        )


REPLAY = "replay"


def _flag(value: Any, name: str, where: str) -> bool:
    if not isinstance(value, bool):
        raise BackendConfigError(f"{where}: setting {name!r} must be true or false; got {value!r}.")
    return value


def parse_spec(spec: str) -> tuple[str, str]:
    """``"openai:gpt-4o-mini"`` -> ("openai", "gpt-4o-mini"); the model may itself hold colons.

    ``replay`` alone is ``replay:replay`` (the model is whoever writes the reply files)."""
    if spec.strip().lower() == REPLAY:
        return REPLAY, REPLAY
    provider, sep, model = spec.strip().partition(":")
    if not sep or not provider.strip() or not model.strip():
        raise BackendConfigError(
            f"--llm takes PROVIDER:MODEL, e.g. openai:gpt-4o-mini or anthropic:claude-3-5-haiku-latest; got {spec!r}."
        )
    return provider.strip().lower(), model.strip()


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("TENSORA_HOME"):
        return Path(env["TENSORA_HOME"]).expanduser() / "config.toml"
    if env.get("XDG_CONFIG_HOME"):
        return Path(env["XDG_CONFIG_HOME"]).expanduser() / "tensora" / "config.toml"
    return Path("~/.config/tensora/config.toml").expanduser()


def load_config(path: Path) -> dict[str, Any]:
    """The config file as a dict ({} when absent); a malformed one is refused in a line naming it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise BackendConfigError(f"{path}: cannot read ({exc.strerror}).") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BackendConfigError(f"{path}: not valid TOML ({exc}).") from None


def _table(config: Mapping[str, Any], path: Path, *keys: str) -> dict[str, Any]:
    node: Any = config
    for key in keys:
        node = node.get(key, {}) if isinstance(node, Mapping) else {}
    if not isinstance(node, Mapping):
        raise BackendConfigError(f"{path}: [{'.'.join(keys)}] must be a table.")
    return dict(node)


def _number(value: Any, what: str, where: str, *, low: float, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= float(value) <= high:
        bound = f"between {low:g} and {high:g}" if math.isfinite(high) else f"at least {low:g}"
        raise BackendConfigError(f"{where}: {what} must be a number {bound}; got {value!r}.")
    return float(value)


def _prices(config: Mapping[str, Any], path: Path) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for model, entry in _table(config, path, "prices").items():
        if not isinstance(entry, Mapping) or set(entry) != _PRICE:
            raise BackendConfigError(
                f"{path}: [prices.\"{model}\"] needs exactly 'input' and 'output' (USD per million tokens)."
            )
        out[model] = (
            _number(entry["input"], "input", str(path), low=0.0),
            _number(entry["output"], "output", str(path), low=0.0),
        )
    return out


def resolve(
    spec: str,
    *,
    base_url: str | None = None,
    key_env: str | None = None,
    timeout: float | None = None,
    temperature: float | None = None,
    environ: Mapping[str, str] | None = None,
    config: Path | None = None,
    backends: Mapping[str, type[Backend]] | None = None,
    exchange: str | None = None,
) -> LLMSettings:
    """Resolve ``--llm`` and its options into settings, or raise a one-line ``BackendConfigError``."""
    env = os.environ if environ is None else environ
    provider, model = parse_spec(spec)
    if provider == REPLAY:
        if not exchange:
            raise BackendConfigError("--llm replay needs --llm-exchange DIR (where the request and reply files live).")
        from tensora.llm.replay import ReplayBackend

        backends = {REPLAY: ReplayBackend}
    if backends is None:
        from tensora.plugins import backends as registered

        backends = registered()
    if provider not in backends:
        raise BackendConfigError(
            f"Unknown LLM backend {provider!r} in --llm {spec}; known: {', '.join(sorted(backends))}."
        )
    backend = backends[provider]
    if backend.sdk is not None and importlib.util.find_spec(backend.sdk[0]) is None:
        module, extra = backend.sdk
        raise BackendConfigError(f"Backend '{provider}' needs the {module} package: pip install 'tensora[{extra}]'.")
    path = config or config_path(env)
    cfg = load_config(path)
    common = _table(cfg, path, "llm")
    own = common.get(provider, {})
    if not isinstance(own, Mapping):
        raise BackendConfigError(f"{path}: [llm.{provider}] must be a table.")
    common = {k: v for k, v in common.items() if not isinstance(v, Mapping)}
    for table, allowed, name in ((common, _COMMON, "llm"), (own, _PROVIDER, f"llm.{provider}")):
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise BackendConfigError(
                f"{path}: [{name}] has unknown setting {unknown[0]!r}; known: {', '.join(sorted(allowed))}."
            )

    def setting(key: str, given: Any, default: Any) -> Any:
        if given is not None:
            return given
        return own.get(key, common.get(key, default))

    url = setting("base_url", base_url, None)
    if url is not None:
        parsed = urlparse(str(url))
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise BackendConfigError(
                f"--llm-base-url must be an http(s) URL such as http://127.0.0.1:8080/v1; got {url!r}."
            )
        url = str(url)

    key: str | None = None
    if key_env:
        key = env.get(key_env) or None
        if key is None:
            raise BackendConfigError(f"No API key for backend '{provider}': the variable {key_env} is not set.")
    elif own.get("key_env"):
        key = env.get(str(own["key_env"])) or None
    if key is None and not key_env and backend.key_env_var:
        key = env.get(backend.key_env_var) or None
    if key is None and own.get("api_key"):
        key = str(own["api_key"])
    if key is None and backend.key_required(url):
        raise MissingKeyError(provider, backend.key_env_var)

    where = "--llm-timeout" if timeout is not None else str(path)
    return LLMSettings(
        provider=provider,
        model=model,
        base_url=url,
        api_key=key,
        timeout=_number(setting("timeout", timeout, 60.0), "timeout", where, low=0.001),
        temperature=_number(
            setting("temperature", temperature, 0.2),
            "temperature",
            "--llm-temperature" if temperature is not None else str(path),
            low=0.0,
            high=2.0,
        ),
        max_tokens=int(_number(setting("max_tokens", None, 2048), "max_tokens", str(path), low=16)),
        retries=int(_number(setting("retries", None, 3), "retries", str(path), low=0, high=10)),
        max_tool_rounds=int(_number(setting("max_tool_rounds", None, 3), "max_tool_rounds", str(path), low=0, high=10)),
        context_tokens=(
            int(_number(setting("context_tokens", None, 0), "context_tokens", str(path), low=512))
            if setting("context_tokens", None, None) is not None
            else None
        ),
        prices=_prices(cfg, path),
        exchange=exchange,
        own_reading=_flag(setting("own_reading", None, True), "own_reading", str(path)),
    )

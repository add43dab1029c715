"""Completeness of the one rule table (flake8's and ruff's guards): codes match the spec, docs have their
headings, and plugins cannot register malformed or taken codes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tensora.audit import registry
from tensora.audit.base import Context, Rule
from tensora.audit.findings import Finding
from tensora.audit.registry import RULES, register
from tensora.errors import RuleError

SPEC = Path(__file__).resolve().parents[2] / ".." / "shared" / "spec" / "findings.md"
# codes this repository adds, listed in the same form (the shared spec is read-only here)
EXTRA = Path(__file__).resolve().parents[2] / "docs" / "findings-extra.md"
HEADINGS = (
    "## What it flags",
    "## Why a reviewer cares",
    "## Example",
    "## Known false alarms",
    "## References",
)
_ROW = re.compile(r"^\|\s*([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\s*\|", re.M)

_DOC = """{code}: a plugin rule.

    ## What it flags
    Something.
    ## Why a reviewer cares
    Because.
    ## Example
    fires:  "a draft that does it"
    silent: "a draft that does not"
    ## Known false alarms
    None known.
    ## References
    None.
    """


def _plugin_rule(code: str) -> type[Rule]:
    def check(self: Rule, ctx: Context) -> Iterator[Finding]:
        yield from ()

    return type("PluginRule", (Rule,), {"__doc__": _DOC.format(code=code), "code": code, "check": check})


def test_registry_codes_equal_the_spec() -> None:
    if not SPEC.is_file():
        pytest.skip(f"{SPEC} is not available")
    spec = _ROW.findall(SPEC.read_text(encoding="utf-8")) + _ROW.findall(EXTRA.read_text(encoding="utf-8"))
    assert len(spec) == len(set(spec)), "a code is listed twice in spec/findings.md and docs/findings-extra.md"
    only_registry, only_spec = sorted(set(RULES) - set(spec)), sorted(set(spec) - set(RULES))
    assert not only_registry and not only_spec, f"only in the registry: {only_registry}; only in the spec: {only_spec}"


@pytest.mark.parametrize("code", list(RULES))
def test_rule_class_carries_its_code(code: str) -> None:
    assert RULES[code].code == code
    assert RULES[code].docs().startswith(f"{code}:")


@pytest.mark.parametrize("code", list(RULES))
def test_rule_docstring_has_the_headings(code: str) -> None:
    docs = RULES[code].docs()
    missing = [h for h in HEADINGS if h not in docs]
    assert not missing, f"{code} lacks {missing}"
    positions = [docs.index(h) for h in HEADINGS]
    assert positions == sorted(positions), f"{code}: headings out of order"


@pytest.mark.parametrize("code", list(RULES))
def test_rule_example_has_fires_and_silent(code: str) -> None:
    docs = RULES[code].docs()
    example = docs.split("## Example", 1)[1].split("## Known false alarms", 1)[0]
    assert re.search(r"^\s*fires:\s*\S", example, re.M), f"{code}: no 'fires:' line in ## Example"
    assert re.search(r"^\s*silent:\s*\S", example, re.M), f"{code}: no 'silent:' line in ## Example"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> dict[str, type[Rule]]:
    """A private copy of the table, so that a registration under test never leaks into other tests."""
    copy = dict(RULES)
    monkeypatch.setattr(registry, "RULES", copy)
    return copy


def test_register_refuses_a_malformed_code(table: dict[str, type[Rule]]) -> None:
    with pytest.raises(RuleError, match="acme-lints") as info:
        register(_plugin_rule("pipe_bubble"), plugin="acme-lints")
    assert "pipe_bubble" in str(info.value)
    assert "pipe_bubble" not in table


def test_register_refuses_a_taken_code(table: dict[str, type[Rule]]) -> None:
    with pytest.raises(RuleError, match="acme-lints") as info:
        register(_plugin_rule("PIPE-BUBBLE"), plugin="acme-lints")
    assert "PIPE-BUBBLE" in str(info.value)
    assert table["PIPE-BUBBLE"] is RULES["PIPE-BUBBLE"]


def test_register_accepts_a_well_formed_new_code(table: dict[str, type[Rule]]) -> None:
    rule = _plugin_rule("ACME-SHARD-SKEW")
    register(rule, plugin="acme-lints")
    assert table["ACME-SHARD-SKEW"] is rule
    assert "ACME-SHARD-SKEW" not in RULES

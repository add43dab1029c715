"""Rules read Claims, never text: no module under audit/rules imports ``re`` or hands a pattern to Claims.

A pattern is a string literal, or a module-level name bound to one, passed to ``find``, ``has`` or ``first``.
What a rule wants to know of the text is a cue in knowledge/data/cues.yaml.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[3] / "src" / "tensora" / "audit" / "rules"
MODULES = sorted(RULES.rglob("*.py"))
SEARCHES = {"find", "has", "first", "search", "match", "fullmatch", "findall", "finditer"}


def _problems(source: str) -> list[str]:
    tree = ast.parse(source)
    strings = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant | ast.JoinedStr | ast.BinOp)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name == "re" or a.name.startswith("re.") for a in node.names):
            out.append(f"line {node.lineno}: import re")
        elif isinstance(node, ast.ImportFrom) and node.module in {"re", "regex"}:
            out.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SEARCHES:
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant | ast.JoinedStr) and isinstance(getattr(arg, "value", ""), str):
                out.append(f"line {node.lineno}: .{node.func.attr}() with a literal pattern")
            elif isinstance(arg, ast.Name) and arg.id in strings:
                out.append(f"line {node.lineno}: .{node.func.attr}({arg.id}) with a module-level pattern")
    return out


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(RULES)) for p in MODULES])
def test_rule_module_does_not_search_text(path: Path) -> None:
    assert _problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import re\n",
        "from re import search\n",
        "def f(c):\n    return c.has(r'bubble')\n",
        "_X = r'bubble'\ndef f(c):\n    return c.find(_X)\n",
        "def f(c, s):\n    return s.text.find(f'{c}')\n",
    ],
)
def test_the_check_catches_text_search(source: str) -> None:
    assert _problems(source)


def test_asking_a_cue_passes() -> None:
    assert _problems("def f(c):\n    return c.has_cue('bubble_quantified')\n") == []

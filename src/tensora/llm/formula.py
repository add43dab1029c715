"""Arithmetic the model writes out, evaluated: ``evaluate`` for the ``arithmetic`` tool, ``stated_formulas``
for the guard.

A stated formula is an expression of numbers and operators followed by ``=`` or ``≈`` and a result, as a
reviewer writes a back-of-the-envelope bound: "40 x 0.4 ms = 16 ms", "3.6 s / 24.0 s = 15%",
"1 / (0.85 + 0.15 / 1.41) ≈ 1.05x". Units after a number are read past and play no part (so a formula
that converts units is not confirmed: its result stays to be checked). A result is confirmed when the
expression, evaluated, rounds to it at the precision it is written in (or to it as a percentage). Only the
result is confirmed: the operands are numbers of the prose like any other and are checked on their own.

Evaluation walks Python's ``ast`` and allows numbers, + - * / ** and unary minus, nothing else.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["FormulaError", "Formula", "evaluate", "stated_formulas"]


class FormulaError(ValueError):
    """The expression is not plain arithmetic, or cannot be evaluated."""


_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            raise FormulaError("exponent too large")
        return _BINARY[type(node.op)](left, right)
    raise FormulaError("only numbers, + - * / ** and parentheses are allowed")


def evaluate(expression: str) -> float:
    """The value of a plain arithmetic expression ("x" and "×" multiply, "^" is a power, "," groups digits)."""
    text = expression.strip()
    if len(text) > 300:
        raise FormulaError("expression too long")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = text.replace("×", "*").replace("·", "*").replace("^", "**")
    text = re.sub(r"(?<=[\d)\s])x(?=[\s(\d])", "*", text)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise FormulaError(f"not an arithmetic expression: {expression!r}") from None
    try:
        value = _eval(tree)
    except ZeroDivisionError:
        raise FormulaError("division by zero") from None
    except OverflowError:
        raise FormulaError("overflow") from None
    if not math.isfinite(value):
        raise FormulaError("the result is not finite")
    return value


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT = (
    r"(?:\s?(?:GB/s|GiB/s|TB/s|Gb/s|TFLOP/s|PFLOP/s|FLOP/s|%|ms|µs|us|ns|GB|GiB|MB|MiB|TB|KB|s|tokens|GPUs|layers)"
    r"(?![\w/])|[x×](?![\w]))?"
)
_TERM = rf"(?:\(\s*)*(?:{_NUM}){_UNIT}(?:\s*\))*"
_OP = r"\s*(?:\*\*|[-+*/×·^]|x(?=\s))\s*"
_FORMULA = re.compile(rf"(?<![\w.])({_TERM}(?:{_OP}{_TERM})+)\s*(?:=|≈|~=|~)\s*((?:{_NUM}){_UNIT})")
_STRIP_UNIT = re.compile(rf"(?<=\d){_UNIT}")


@dataclass(frozen=True, slots=True)
class Formula:
    """A stated formula: the expression as written, its value, the result as written, and whether they agree."""

    expression: str
    value: float
    result: str
    holds: bool


def _decimals(digits: str) -> int:
    return len(digits.split(".", 1)[1]) if "." in digits else 0


def _agrees(value: float, result: str) -> bool:
    m = re.match(_NUM, result)
    if m is None:
        return False
    digits = m.group(0)
    written = float(digits.replace(",", ""))
    half = 0.5 * 10.0 ** -_decimals(digits)
    # "0.74 x 16 = 11.84%" (16 meant 16%) and "0.2 x 0.5 = 10%" both hold: a percentage on the result alone
    # says nothing about whether the operands were fractions or percents
    targets = [value, value * 100.0]
    return any(abs(t - written) <= half + 1e-9 * abs(written) for t in targets)


def _plain(expression: str) -> str:
    """The expression without its units; a percentage stays a number of percent."""
    return _STRIP_UNIT.sub("", expression)


def stated_formulas(text: str) -> Iterator[Formula]:
    for m in _FORMULA.finditer(text):
        expression, result = m.group(1).strip(), m.group(2).strip()
        try:
            value = evaluate(_plain(expression))
        except FormulaError:
            continue
        yield Formula(expression, value, result, _agrees(value, result))

"""Pydantic models of the knowledge base's data files.

Every entry carries a ``source``. Models forbid unknown fields, so a typo in a data file is an error that
names the file, the entry and the field (see ``loader.py``).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# a lone capital X, Y or Z standing for a number ("by X", "Y%"): a template left unfilled
_PLACEHOLDER = re.compile(r"(?<![\w-])[XYZ](?=%|\s*(?:times|x\b|ms\b|GB\b|points?\b|bytes?\b)|[\s,.;:)]|$)")

Family = Literal[
    "parallelism",
    "memory",
    "communication",
    "compression",
    "attention",
    "kernels",
    "moe",
    "sparsity",
    "quantization",
    "precision",
    "compilers",
    "inference",
    "fault-tolerance",
    "scheduling",
    "optimization",
    "hardware",
    "data",
]


class _Strict(BaseModel):
    # validators are built on first validation, not at import: a run served from the validated caches never needs
    # them, and building them costs a fresh process some 40 ms
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Technique(_Strict):
    """A technique of the field: what a draft can use, mention or reject."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    aliases: list[str] = []
    family: Family
    summary: str
    assumes: list[str] = []
    hidden_trick: str = ""
    corner_cases: list[str] = []
    codes: list[str] = []
    # regular expressions for a sentence in which an alias has another sense ("22 minutes of recomputation after
    # a failure" is lost work done again, not activation recomputation); such a sentence does not name it
    not_when: list[str] = []
    source: str

    @field_validator("not_when")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from None
        return patterns

    @field_validator("codes")
    @classmethod
    def _codes_look_right(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not code.replace("-", "").isalnum() or code.upper() != code:
                raise ValueError(f"code {code!r} does not look like PIPE-BUBBLE")
        return codes


class PriorWork(_Strict):
    """A published system or paper that a draft may be close to."""

    name: str
    aliases: list[str] = []
    year: int = Field(ge=1970, le=2030)
    venue: str
    authors: str
    summary: str
    techniques: list[str] = []
    keywords: list[str] = []
    differ: str
    source: str


class Concept(_Strict):
    """A complementary idea that the Twist engine can pair with a draft's mechanism."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    pairs_with: list[str]
    story: str
    must_show: list[str]
    source: str
    # a draft that already uses one of these techniques has the idea: it would be no twist
    not_with: list[str] = Field(default_factory=list)
    # finding codes whose weakness this idea answers: it is preferred when one of them fires
    answers: list[str] = Field(default_factory=list)
    # the story presumes one of these techniques in the draft ("find where speculation stops paying off"):
    # without one of them the idea does not apply
    requires: list[str] = Field(default_factory=list)
    # the story presumes training (a backward pass, loss curves) or serving; "" for either
    mode: Literal["training", "inference", ""] = ""

    @field_validator("story")
    @classmethod
    def _no_placeholders(cls, value: str) -> str:
        letters = _PLACEHOLDER.findall(value)
        if letters:
            raise ValueError(f"placeholder {letters[0]!r} in the story: say what to measure in words")
        return value


class WeakBaseline(_Strict):
    """A comparison point that reviewers consider outdated when a stronger standard exists."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    area: str
    patterns: list[str]
    stronger: list[str]
    stronger_patterns: list[str]
    why: str
    source: str

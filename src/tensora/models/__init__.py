"""Analytical models: pure functions with the formula and its source in each docstring.

Every function returns a ``Computed``: a float that also carries the quantity's name (as in the review's
JSON contract), its unit, formula, inputs and source. No I/O, no printing, no hardware numbers: callers
pass peak FLOP/s and bandwidths (from ``tensora.knowledge.hardware``).
"""

from tensora.models.amdahl import amdahl_max_speedup
from tensora.models.pipeline import (
    DivisibilityReport,
    check_divisibility,
    in_flight_microbatches,
    pipeline_bubble_fraction,
    pipeline_bubble_relative_to_ideal,
)
from tensora.models.result import Computed

__all__ = [
    "Computed",
    "DivisibilityReport",
    "amdahl_max_speedup",
    "check_divisibility",
    "in_flight_microbatches",
    "pipeline_bubble_fraction",
    "pipeline_bubble_relative_to_ideal",
]

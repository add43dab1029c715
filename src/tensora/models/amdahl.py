"""Amdahl's law: the end-to-end bound of a local speedup.

Follows Amdahl (AFIPS 1967) in its usual modern form. Does not model overlap between the sped-up part
and the rest (a part hidden behind other work contributes nothing to the step time to begin with).
"""

from __future__ import annotations

import math

from tensora.models._validate import fraction, positive
from tensora.models.result import Computed

__all__ = ["amdahl_max_speedup"]


def amdahl_max_speedup(fraction_affected: float, local_speedup: float = math.inf) -> Computed:
    """Upper bound on the end-to-end speedup when a fraction of the time gets faster.

    S = 1 / ((1 - f) + f / s), f = fraction of the step time that the change touches, s = speedup of
    that part (infinite where the draft does not state it: S = 1 / (1 - f)).
    Source: Amdahl, "Validity of the single processor approach...", AFIPS 1967.
    Ignores overlap, and any slowdown the change causes elsewhere (the bound is optimistic).

    Example: fraction_affected=0.3, local_speedup=inf -> 1.4286 (10/7)
    """
    f = fraction("fraction_affected", fraction_affected)
    s = local_speedup if local_speedup == math.inf else positive("local_speedup", local_speedup)
    rest = 1.0 - f
    part = 0.0 if math.isinf(s) else f / s
    if rest + part == 0.0:
        value = math.inf
    else:
        value = 1.0 / (rest + part)
    return Computed(
        value,
        name="amdahl_max_speedup",
        unit="ratio",
        formula="1 / ((1 - f) + f / s)",
        inputs={"f": f, "s": "inf" if math.isinf(s) else s},
        source="Amdahl, AFIPS 1967",
        details={"time_fraction_left": rest + part},
        notes=("s = inf: the touched part is assumed to vanish entirely",) if math.isinf(s) else (),
    )

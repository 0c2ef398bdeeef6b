"""Small statistics without numpy: nearest-rank percentiles and rates."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of the values, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def rate(count: int, seconds: float) -> float | None:
    return count / seconds if seconds > 0 else None


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000

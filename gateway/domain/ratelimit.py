"""Rate limits per subject: a token bucket per caller (the token's subject; the client address only
for callers without a token), so that one busy system cannot starve the others."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class TokenBuckets:
    per_minute: int
    burst: int
    max_subjects: int = 100_000
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # subject → (tokens, last refill)

    def take(self, subject: str, now: float | None = None) -> float:
        """0 when the request may go; else the seconds until it may."""
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        if subject not in self._buckets and len(self._buckets) >= self.max_subjects:
            self._prune(now, rate)
        tokens, last = self._buckets.get(subject, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * rate)
        if tokens >= 1.0:
            self._buckets[subject] = (tokens - 1.0, now)
            return 0.0
        self._buckets[subject] = (tokens, now)
        return (1.0 - tokens) / rate

    def _prune(self, now: float, rate: float) -> None:
        """Make room before a new subject comes in, down to half the bound (so pruning is rare). A bucket
        forgotten is as good as refilled, so the fullest go first: those refilled to the brim lose nothing,
        a caller being held back is the last to be let off."""
        def level(kv: tuple[str, tuple[float, float]]) -> float:
            tokens, last = kv[1]
            return min(float(self.burst), tokens + (now - last) * rate)

        ranked = sorted(self._buckets.items(), key=level, reverse=True)
        for key, _ in ranked[: len(ranked) - self.max_subjects // 2]:
            del self._buckets[key]

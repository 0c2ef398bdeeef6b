"""Sign-in throttling against guessing: too many failures for an account (or from an address) in a
window lock further attempts for a while, whether the password is right or not."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class FailedSignIns:
    limit: int
    window_s: float = 900.0
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def locked_for(self, key: str, now: float) -> float:
        """Seconds until `key` may try again (0 when it may now)."""
        failures = self._recent(key, now)
        if len(failures) < self.limit:
            return 0.0
        return failures[-self.limit] + self.window_s - now

    def failed(self, key: str, now: float) -> None:
        self._recent(key, now).append(now)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque(maxlen=max(self.limit, 1) * 4))
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

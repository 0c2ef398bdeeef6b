"""Sign-in throttling against guessing: too many failures for an account (or from an address) in a
window lock further attempts for a while, whether the password is right or not."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class FailedSignIns:
    limit: int
    window_s: float = 900.0
    max_keys: int = 100_000
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def locked_for(self, key: str, now: float) -> float:
        """Seconds until `key` may try again (0 when it may now)."""
        failures = self._recent(key, now) if key in self._failures else ()  # a look keeps nothing for a name never refused
        if len(failures) < self.limit:
            return 0.0
        return failures[-self.limit] + self.window_s - now

    def failed(self, key: str, now: float) -> None:
        self._recent(key, now).append(now)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        if key not in self._failures and len(self._failures) >= self.max_keys:
            self._prune(now)
        failures = self._failures.setdefault(key, deque(maxlen=max(self.limit, 1) * 4))
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def _prune(self, now: float) -> None:
        """Make room before a new key (every name tried would stay otherwise): first the keys whose
        failures are all older than the window, which lock nothing, then the oldest, down to half."""
        for key in [k for k, failures in self._failures.items() if not failures or failures[-1] <= now - self.window_s]:
            del self._failures[key]
        if (excess := len(self._failures) - self.max_keys // 2) > 0:
            for key, _ in sorted(self._failures.items(), key=lambda kv: kv[1][-1])[:excess]:
                del self._failures[key]

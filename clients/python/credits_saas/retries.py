"""When to retry a call and how long to wait first."""
from __future__ import annotations

import random
from dataclasses import dataclass

# Answers worth trying again: the gateway or the service was briefly unable to answer, or the key's
# rate-limit window is full. Every other 4xx is final.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class Retries:
    """`max_retries` retries after the first attempt (0: none). The n-th
    retry waits a random time between half and all of
    `min(max_delay, base_delay * 2**n)` seconds, or, after a 429, the
    answer's `Retry-After`; a `Retry-After` over `max_retry_after` is not
    waited for: `RateLimited` is raised at once."""

    max_retries: int = 4
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def __post_init__(self):
        if self.max_retries < 0 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("max_retries, base_delay and max_delay must not be negative")

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """The wait before retry number `retry` (0 for the first)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** retry))
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` in seconds (this API sends whole seconds), or None."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None

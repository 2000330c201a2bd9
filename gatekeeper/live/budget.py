"""Bounded traffic (docs/hardening.md R22): a request budget, a time budget and a rate limit.

One `Budget` is shared by every request of an audit. ``acquire()`` is called before each
request: it waits for the rate limiter and raises `BudgetExhausted` when the request or time
budget is spent, so the runner stops cleanly and marks the report partial.
``request_timeout()`` never lets one request outlive the time budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = ["Budget", "BudgetExhausted"]


class BudgetExhausted(Exception):
    """The request or time budget is spent; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Budget:
    max_requests: int = 1000
    max_duration: float = 300.0
    rate_limit: float = 10.0  # requests per second; 0 means unlimited
    per_request_timeout: float = 10.0
    clock: object = field(default=time.monotonic, repr=False)
    sent: int = 0
    started: float = field(default=0.0)
    _last: float = field(default=-1e9, repr=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    @property
    def remaining_time(self) -> float:
        return max(0.0, self.max_duration - self.elapsed)

    @property
    def remaining_requests(self) -> int:
        return max(0, self.max_requests - self.sent)

    def check(self) -> None:
        if self.sent >= self.max_requests:
            raise BudgetExhausted(f"request budget of {self.max_requests} spent")
        if self.remaining_time <= 0:
            raise BudgetExhausted(f"time budget of {self.max_duration:g} s spent")

    def acquire(self) -> None:
        """Wait for the rate limiter, then count one request; raise when a budget is spent."""
        self.check()
        if self.rate_limit > 0:
            wait = self._last + 1.0 / self.rate_limit - self.clock()
            if wait > 0:
                if wait >= self.remaining_time:
                    raise BudgetExhausted(f"time budget of {self.max_duration:g} s spent")
                time.sleep(wait)
        self._last = self.clock()
        self.sent += 1

    def request_timeout(self) -> float:
        """The timeout for the next request: the per-request one, cut to the time left."""
        return self.request_deadline()[0]

    def request_deadline(self) -> tuple[float, bool]:
        """The total time the next request may take, and whether the run's time left (rather
        than the per-request timeout) set it: a request stopped by the run's deadline is cut
        short by the audit, not slow by the server's fault."""
        left = self.remaining_time
        if left < self.per_request_timeout:
            return max(0.05, left), True
        return self.per_request_timeout, False

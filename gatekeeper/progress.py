"""Progress of a batch on stderr (``gatekeeper check FOLDER``, ``--progress``).

* ``bar`` (``auto`` on a terminal): one line rewritten in place: specs done of the total,
  failures and specs that could not be checked so far, time left (from the pace so far), the
  spec that just finished.
* ``plain``: one line per spec as it finishes, for CI logs:
  ``[12/2639] fail  apis/pets.yaml``.
* ``auto`` when stderr is not a terminal (a CI log): a line at every 5 % of a batch of at
  least `QUIET_BELOW` specs (at most 20 lines), nothing for a smaller batch.
* ``off``: nothing.
"""

from __future__ import annotations

import os
import sys
import time

__all__ = ["BatchProgress"]

#: In a CI log (``auto``, not a terminal), batches smaller than this print no progress.
QUIET_BELOW = 50
MODES = ("auto", "bar", "plain", "off")


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class BatchProgress:
    def __init__(self, total: int, mode: str, stream: object = None) -> None:
        self.total = total
        self.mode = mode  # "bar", "plain" or "milestones"
        self.stream = stream if stream is not None else sys.stderr
        self.done_count = self.failed = self.not_checked = 0
        self.started = time.monotonic()
        self.next_milestone = 1
        self.width = 0

    @classmethod
    def for_mode(cls, mode: str | None, total: int, stream: object = None
                 ) -> BatchProgress | None:
        """The progress for ``--progress MODE`` (None: show nothing)."""
        mode = (mode or "auto").lower()
        out = stream if stream is not None else sys.stderr
        if mode == "auto":
            tty = getattr(out, "isatty", lambda: False)()
            if tty and os.environ.get("TERM") != "dumb":
                mode = "bar"
            else:
                mode = "milestones" if total >= QUIET_BELOW else "off"
        if mode == "off" or total == 0:
            return None
        return cls(total, mode, out)

    def _status(self) -> str:
        elapsed = time.monotonic() - self.started
        left = ""
        if 0 < self.done_count < self.total:
            left = f", ~{_clock(elapsed / self.done_count * (self.total - self.done_count))} left"
        broken = f", {self.not_checked} not checked" if self.not_checked else ""
        return (f"[{self.done_count}/{self.total}] {self.failed} failed{broken}, "
                f"{_clock(elapsed)} elapsed{left}")

    def step(self, path: str, *, failed: bool = False, not_checked: bool = False) -> None:
        from gatekeeper.safe_text import terminal_safe

        self.done_count += 1
        self.failed += failed and not not_checked
        self.not_checked += not_checked
        out = self.stream
        if self.mode == "plain":
            verdict = "error" if not_checked else "fail " if failed else "pass "
            out.write(f"[{self.done_count}/{self.total}] {verdict} {terminal_safe(path)}\n")
        elif self.mode == "bar":
            line = f"{self._status()}  {terminal_safe(path)[-50:]}"
            out.write(f"\r\x1b[K{line}")
        else:  # milestones: every 5 %
            if self.done_count * 20 >= self.next_milestone * self.total:
                while self.done_count * 20 >= self.next_milestone * self.total:
                    self.next_milestone += 1
                out.write(f"gatekeeper: {self._status()}\n")
            else:
                return
        out.flush()

    def done(self) -> None:
        if self.mode == "bar":
            self.stream.write("\r\x1b[K")
            self.stream.flush()

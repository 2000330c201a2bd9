"""Progress of a live audit on stderr: operations done, requests sent, time left.

``Progress(mode)`` is the callback `gatekeeper.live.run_audit` calls with ``start``,
``operation`` and ``finish`` events. Modes: ``bar`` (a rich progress bar, the default on a
terminal), ``plain`` (one line per operation, for CI logs), ``off`` (the default when stderr is
not a terminal). Labels come from the spec, so they pass through ``terminal_safe`` first (R15).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

__all__ = ["Progress"]


def _safe(text: str) -> str:
    try:
        from gatekeeper.safe_text import terminal_safe
    except ImportError:  # pragma: no cover
        return text.encode("ascii", "backslashreplace").decode("ascii")
    return terminal_safe(text)


class Progress:
    def __init__(self, mode: str = "auto", stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "bar" if self.stream.isatty() else "off"
        self.mode = mode
        self._bar: Any = None
        self._task: Any = None
        self._total = 0
        self._last = 0.0

    def __call__(self, event: str, data: Mapping[str, Any]) -> None:
        if self.mode == "off":
            return
        if event == "start":
            self._total = int(data["operations"])
            if self.mode == "bar":
                from rich.console import Console
                from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
                from rich.progress import Progress as RichProgress

                self._bar = RichProgress(TextColumn("live audit"), BarColumn(), MofNCompleteColumn(),
                                         TextColumn("{task.fields[info]}"),
                                         console=Console(file=self.stream), transient=True)
                self._bar.start()
                self._task = self._bar.add_task("audit", total=self._total, info="starting")
            else:
                self.stream.write(f"live audit: {self._total} operations, at most {data['max_requests']} "
                                  f"requests and {data['max_duration']:g} s\n")
        elif event == "request":
            if self._bar is not None and time.monotonic() - self._last > 0.2:
                self._last = time.monotonic()
                self._bar.update(self._task, info=f"{data['requests']} requests sent, "
                                 f"{data['time_left']:.0f} s left, now: {_safe(str(data['label']))}")
            return
        elif event == "operation":
            info = (f"{data['requests']} requests sent, {data['time_left']:.0f} s left, "
                    f"last: {_safe(str(data['label']))}")
            if self._bar is not None:
                self._bar.update(self._task, completed=data["done"], info=info)
            else:
                self.stream.write(f"[{data['done']}/{self._total}] {info}\n")
        elif event == "finish":
            self.close()
            if self.mode == "plain":
                partial = " (partial)" if data.get("partial") else ""
                self.stream.write(f"live audit finished{partial}: {data['requests']} requests\n")
        self.stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

"""Work beside: a function of what this process already holds, computed in a forked child
while this process goes on, its result sent back by marshal.

A fork shares every page with the child until one of them writes to it, so the child starts
at once with the loaded text and data, and there is nothing to send it. Used where one
process of the command line has a core to spare (`gatekeeper.loader.Limits.spare_core`): a
big YAML text's fidelity scans while yaml_rs parses it (`gatekeeper.yaml_fast`), and the
lines and columns of a gate's many findings while the next gates run (`Spec.locations`).
Never in a library caller's process, whose threads a fork would not carry.
"""

from __future__ import annotations

import os
from collections.abc import Callable

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Beside", "second_core", "silence", "start"]


class Beside:
    """`fn()` running in a forked child (`start`); `result()` waits for it."""

    __slots__ = ("pid", "rfd")

    def __init__(self, pid: int, rfd: int) -> None:
        self.pid, self.rfd = pid, rfd

    def result(self) -> Any:
        """What `fn()` returned, or None if the child failed (the caller computes it)."""
        import marshal

        chunks = []
        try:
            while True:
                chunk = os.read(self.rfd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError:
            chunks = []
        finally:
            os.close(self.rfd)
            try:
                _, status = os.waitpid(self.pid, 0)
            except OSError:
                status = 1
        if status != 0 or not chunks:
            return None
        try:
            return marshal.loads(b"".join(chunks))
        except (EOFError, ValueError, TypeError):
            return None


def second_core() -> bool:
    """Whether this process may fork work beside itself: fork, two or more cores for it, and
    no other thread running (a fork carries only the calling thread; a lock another thread
    held would stay held in the child). After the live audit's or the load test's threads,
    or under gevent's patched fork, never."""
    if not hasattr(os, "fork") or not hasattr(os, "sched_getaffinity") \
            or len(os.sched_getaffinity(0)) < 2:
        return False
    import sys

    threading = sys.modules.get("threading")
    return "gevent" not in sys.modules and (threading is None or threading.active_count() == 1)


def silence() -> None:
    """Point this process's standard output and error at the null device: a process working
    beside the command (a forked child, a helper) prints nothing of its own. What fails in it
    is redone by the process that asked (a Rust extension that cannot allocate under
    ``--max-memory`` writes its panic to the error stream before it aborts)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    for fd in (1, 2):
        try:
            os.dup2(null, fd)
        except OSError:
            pass
    os.close(null)


def start(fn: Callable[[], Any]) -> Beside | None:
    """Run `fn()` (its result plain values that marshal can send) in a forked child, or
    return None where `second_core` says no: the caller then runs it itself."""
    if not second_core():
        return None
    try:
        rfd, wfd = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: the result, then the end (no teardown, no buffered output)
        code = 1
        try:
            import marshal

            silence()
            os.close(rfd)
            data = memoryview(marshal.dumps(fn()))
            while data:
                data = data[os.write(wfd, data):]
            code = 0
        except BaseException:  # noqa: BLE001, S110 - the parent computes it instead
            pass
        finally:
            os._exit(code)
    os.close(wfd)
    return Beside(pid, rfd)

"""Process isolation: every spec is checked in a forked child under a memory limit
(RLIMIT_AS) and a wall-clock timeout, so that no spec can hang or exhaust a CI runner
(docs/hardening.md, R12).

* `supervise`: one spec; the whole command runs in the child, the parent only waits.
* `run_forked`: many specs, `jobs` children at a time, each result sent back pickled.
* `set_stage`: what a child is doing, so that a timeout names it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from gatekeeper.record import Record

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["DEFAULT_MAX_MEMORY", "DEFAULT_TIMEOUT", "REPORTING_STAGE", "WorkerLimits",
           "forking_available", "limit_memory", "run_forked", "set_stage", "supervise",
           "worker_error"]

# ---------------------------------------------------------------------- R12: the worker
# Loading, resolution, validation and the gates run in a forked child with an address-space
# limit (RLIMIT_AS) and a wall-clock timeout, so that no spec can hang or exhaust a CI
# runner. The child inherits the parent's imports (fork), so it starts in about a
# millisecond; it sends its result back pickled through a pipe.

DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_MEMORY = 4 * 1024**3


class WorkerLimits(Record):
    """Hard limits for one spec's worker; ``None`` or 0 turns a limit off."""

    __slots__ = ("timeout", "max_memory")

    def __init__(self, timeout: float | None = DEFAULT_TIMEOUT,
                 max_memory: int | None = DEFAULT_MAX_MEMORY) -> None:
        self.timeout = timeout
        self.max_memory = max_memory

    @property
    def active(self) -> bool:
        return bool(self.timeout) or bool(self.max_memory)


def forking_available() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


def _size(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:g} GB"
    return f"{n / 1024**2:g} MB"


def memory_message(limits: WorkerLimits) -> str:
    limit = f"limit {_size(limits.max_memory)}; " if limits.max_memory else ""
    return f"ran out of memory ({limit}raise it with --max-memory)"


def timeout_message(stage: str, limits: WorkerLimits) -> str:
    return f"{stage} exceeded {limits.timeout:g} s (raise it with --timeout)"


#: The stage of a check once its verdict is known and its outputs are being written: a
#: single spec's supervised child (a timeout then must not print a second document) and a
#: batch worker rendering a spec's outputs (`_check_indexed`; that work gets its own time).
REPORTING_STAGE = "writing the reports"
#: The child's stage page (shared memory), so that the parent can name the stage on expiry.
_STAGE: list[Any] = [None]


def in_worker() -> bool:
    """Whether this process is a worker (`supervise`'s or `run_forked`'s child): it ends
    with ``os._exit``, so nothing it still holds is freed one object at a time."""
    return _STAGE[0] is not None


def set_stage(name: str) -> None:
    """Record what a worker is doing ("loading", "checking"); a no-op outside a worker."""
    page = _STAGE[0]
    if page is not None:
        data = name.encode()[:63]
        page[:64] = data + b"\0" * (64 - len(data))


def _stage_of(page: Any) -> str:
    return bytes(page[:64]).split(b"\0", 1)[0].decode() or "checking"


def _child(fn: Callable[[Any], Any], arg: Any, limits: WorkerLimits, wfd: int,
           page: Any) -> None:
    """Runs in the forked child: never returns."""
    import pickle

    code = 0
    try:
        _STAGE[0] = page
        limit_memory(limits)
        try:
            payload: tuple[Any, ...] = ("ok", fn(arg))
        except MemoryError:
            payload = ("memory",)
        except RecursionError as exc:
            payload = ("exc", RecursionError(str(exc)))
        except BaseException as exc:  # sent to the parent, which raises it again
            from gatekeeper.errors import InputError, SpecError

            if isinstance(exc, InputError):
                payload = ("input", str(exc), exc.exit_code, isinstance(exc, SpecError))
            else:
                payload = ("exc", exc)
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory",))
        except Exception as exc:  # an exception or report that does not pickle
            data = pickle.dumps(("exc", RuntimeError(f"{type(payload[-1]).__name__}: {exc}")))
        _write_all(wfd, data)
    except MemoryError:
        code = _OUT_OF_MEMORY
    except BaseException:
        code = 70
    finally:
        os._exit(code)


class _Running:
    __slots__ = ("index", "pid", "rfd", "page", "deadline", "chunks", "extended")

    def __init__(self, index: int, pid: int, rfd: int, page: Any, deadline: float | None,
                 chunks: list[bytes]) -> None:
        self.index = index
        self.pid = pid
        self.rfd = rfd
        self.page = page
        self.deadline = deadline
        self.chunks = chunks
        self.extended = False


def run_forked(fn: Callable[[Any], Any], args: Sequence[Any], limits: WorkerLimits, *,
               jobs: int = 1, on_done: Callable[[int], None] | None = None,
               on_result: Callable[[int, tuple[Any, ...]], None] | None = None
               ) -> list[tuple[Any, ...]]:
    """``fn(arg)`` for every arg, each in its own forked child under `limits`, `jobs` at a
    time. Returns, in input order, one of ``("ok", value)``, ``("memory",)``,
    ``("timeout", stage)``, ``("input", message, exit_code, is_spec_error)``,
    ``("exc", exception)`` or ``("died", description)``. With `on_result`, each result is
    handed to it (with its index) as it arrives instead, and the list returned is empty."""
    import mmap
    import pickle
    import select
    import signal
    import time

    results: list[tuple[Any, ...] | None] = [None] * len(args)
    pending = list(range(len(args)))[::-1]
    running: dict[int, _Running] = {}
    jobs = max(1, jobs)

    def finish(run: _Running, result: tuple[Any, ...]) -> None:
        os.close(run.rfd)
        del running[run.rfd]
        if on_result is not None:
            on_result(run.index, result)
        else:
            results[run.index] = result
        if on_done is not None:
            on_done(run.index)

    try:
        while pending or running:
            while pending and len(running) < jobs:
                index = pending.pop()
                page = mmap.mmap(-1, 64)
                rfd, wfd = os.pipe()
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:  # the child
                    os.close(rfd)
                    for other in running:
                        os.close(other)
                    _child(fn, args[index], limits, wfd, page)
                os.close(wfd)
                deadline = time.monotonic() + limits.timeout if limits.timeout else None
                running[rfd] = _Running(index, pid, rfd, page, deadline, [])
            now = time.monotonic()
            deadlines = [r.deadline for r in running.values() if r.deadline is not None]
            wait = max(0.0, min(deadlines) - now) if deadlines else None
            ready, _, _ = select.select(list(running), [], [], wait)
            for rfd in ready:
                run = running[rfd]
                chunk = os.read(rfd, 1 << 20)
                if chunk:
                    run.chunks.append(chunk)
                    continue
                _, status = os.waitpid(run.pid, 0)
                data = b"".join(run.chunks)
                if data:
                    try:
                        result = pickle.loads(data)
                    except Exception as exc:  # noqa: BLE001
                        result = ("died", f"unreadable result ({type(exc).__name__})")
                else:
                    result = _failure(status, limits) or (
                        "died", f"exit status {os.waitstatus_to_exitcode(status)}")
                finish(run, result)
            _expire(running, ready, limits, finish)
    finally:  # interrupted: no child outlives the command
        for run in running.values():
            try:
                os.kill(run.pid, signal.SIGKILL)
                os.waitpid(run.pid, 0)
            except OSError:
                pass
    return [r for r in results if r is not None]


def _expire(running: dict[int, _Running], ready: list[int], limits: WorkerLimits,
            finish: Callable[[_Running, tuple[Any, ...]], None]) -> None:
    """Kill the children of `run_forked` past their deadline (a "timeout" result)."""
    import signal
    import time

    now = time.monotonic()
    for run in list(running.values()):
        if run.deadline is not None and now >= run.deadline and run.rfd not in ready:
            stage = _stage_of(run.page)
            if stage == REPORTING_STAGE and not run.extended and limits.timeout:
                # the check finished in time; writing its outputs gets a period of its own
                # (a batch's parent renders nothing itself: `run_batch`)
                run.deadline += limits.timeout
                run.extended = True
                continue
            os.kill(run.pid, signal.SIGKILL)
            os.waitpid(run.pid, 0)
            finish(run, ("timeout", stage))


def supervise(fn: Callable[[], int], limits: WorkerLimits, path: str,
              helpers: Sequence[Any] = (),
              on_failure: Callable[[str, str], None] | None = None) -> int:
    """R12 for one spec: run the whole command (`fn`: load, gates, reports, printing; it
    returns the exit code) in a forked child under `limits`, and return its exit code.

    The command line forks before it imports the gates, the loader or a parser, so the fork
    is cheap and nothing but the exit code comes back: about 10 ms less per spec than running
    the check in a worker and sending its report back (copy-on-write faults over the parent's
    heap, pickling). The parent only waits. On expiry it kills the child and prints the
    timeout error; a child that ran out of memory gets the memory error; both exit 2.
    `helpers` (`gatekeeper.orchestration.helper_process.HelperProcess`) are started first and
    stopped last. `on_failure` is called with the error line and the child's last stage when the
    child was stopped (time, memory, a crash), so that the reports the command was asked for say
    the spec could not be checked."""
    sys.stdout.flush()
    sys.stderr.flush()
    for helper in helpers:
        helper.start()
    try:
        return _supervise(fn, limits, path, on_failure)
    finally:
        for helper in helpers:
            helper.stop()


def _supervise(fn: Callable[[], int], limits: WorkerLimits, path: str,
               on_failure: Callable[[str, str], None] | None = None) -> int:
    import mmap
    import select
    import signal
    import time

    page = mmap.mmap(-1, 64)
    rfd, wfd = os.pipe()  # the child's end closes when it exits: select() wakes
    # Output goes straight to the inherited file descriptors, unless this process writes
    # somewhere else (a caller that redirected sys.stdout): then it comes back by the pipe.
    relay = sys.stdout is not sys.__stdout__ or sys.stderr is not sys.__stderr__
    held = None if relay else _HeldErrors()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        if held is not None:
            held.in_child()
        _supervised_child(fn, limits, page, wfd if relay else None)
    os.close(wfd)
    if held is not None:
        held.in_parent()
    deadline = time.monotonic() + limits.timeout if limits.timeout else None
    status = None
    relayed: list[bytes] = []
    try:
        while status is None:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([rfd, *held.open()] if held else [rfd], [], [], wait)
            if held is not None and held.rfd in ready:
                held.read()
            if rfd in ready:
                chunk = os.read(rfd, 1 << 20)
                if chunk:
                    relayed.append(chunk)
                    continue
                _, status = os.waitpid(pid, 0)
            elif not ready and deadline is not None and time.monotonic() >= deadline:
                stage = _stage_of(page)
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pid = 0
                _report_failure(f"{path}: {timeout_message(stage, limits)}", stage,
                                on_failure)
                return 2
    except KeyboardInterrupt:  # Ctrl-C reached the child too: it says so and exits 130
        if select.select([rfd], [], [], 2.0)[0]:
            os.waitpid(pid, 0)
            pid = 0
            if held is not None:
                held.release()
            return 130
        raise
    finally:
        os.close(rfd)
        if held is not None and status is None:  # stopped, interrupted: nothing passed on
            held.close()
        if status is None and pid:  # interrupted: the child does not outlive the command
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
    if relayed:
        import marshal

        out, err = marshal.loads(b"".join(relayed))
        sys.stdout.write(out)
        sys.stderr.write(err)
    failure = _failure(status, limits)
    if held is not None:
        if failure is None:
            held.release()
        held.close()
    if failure is None:
        return os.WEXITSTATUS(status)
    _report_failure(worker_error(path, failure, limits), _stage_of(page), on_failure)
    return 2


def _report_failure(message: str, stage: str,
                    on_failure: Callable[[str, str], None] | None) -> None:
    """The one-line error of a child that was stopped or failed, and the outputs' say."""
    sys.stderr.write(_inert(message) + "\n")
    if on_failure is not None:
        on_failure(message, stage)


class _HeldErrors:
    """The supervised child's standard error, held by the supervisor until the child ends:
    passed on when it ended on its own, dropped when it was stopped or ran out of memory.
    Then the one-line error is all the command prints: what the interpreter or an extension
    wrote as the memory ran out (a fatal error's Python stack, a Rust panic, "Exception
    ignored ... MemoryError") would bury it. Not when a caller redirected sys.stderr (its
    text comes back by the relay)."""

    __slots__ = ("rfd", "wfd", "chunks")

    def __init__(self) -> None:
        self.rfd, self.wfd = os.pipe()
        self.chunks: list[bytes] = []

    def in_child(self) -> None:
        os.dup2(self.wfd, 2)  # sys.stderr writes to descriptor 2: now this pipe
        os.close(self.wfd)
        os.close(self.rfd)

    def in_parent(self) -> None:
        os.close(self.wfd)
        self.wfd = -1

    def open(self) -> list[int]:
        return [self.rfd] if self.rfd >= 0 else []

    def read(self) -> None:
        chunk = os.read(self.rfd, 1 << 16)
        if chunk:
            self.chunks.append(chunk)
        else:  # every writer has closed it
            os.close(self.rfd)
            self.rfd = -1

    def release(self) -> None:
        """Pass on what the child wrote (and what is still in the pipe: a process it left
        behind may hold it open, so the wait for the end of it is bounded)."""
        import select
        import time

        stop = time.monotonic() + 1.0
        while self.rfd >= 0 and select.select([self.rfd], [], [], max(
                0.0, stop - time.monotonic()))[0]:
            self.read()
        sys.stderr.flush()
        _write_all(sys.stderr.fileno(), b"".join(self.chunks))
        self.chunks = []

    def close(self) -> None:
        if self.rfd >= 0:
            os.close(self.rfd)
            self.rfd = -1


_OUT_OF_MEMORY = 75  # EX_TEMPFAIL: the exit status of a child that hit its memory limit


def _failure(status: int, limits: WorkerLimits) -> tuple[Any, ...] | None:
    """``("memory",)`` or ``("died", why)`` for a worker's wait status; None when it exited
    on its own with any status but `_OUT_OF_MEMORY`. Under a memory limit, a crash by signal
    is the limit: C code that cannot allocate aborts or faults instead of raising."""
    import signal

    if os.WIFEXITED(status):
        return ("memory",) if os.WEXITSTATUS(status) == _OUT_OF_MEMORY else None
    sig = os.WTERMSIG(status)
    if limits.max_memory and sig in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS,
                                     signal.SIGKILL):
        return ("memory",)
    return ("died", f"killed by {signal.Signals(sig).name}")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _inert(text: str) -> str:
    from gatekeeper.safe_text import terminal_safe

    return terminal_safe(text)


def _supervised_child(fn: Callable[[], int], limits: WorkerLimits, page: Any,
                      relay_fd: int | None) -> None:
    """Runs in the forked child of `supervise`: never returns. Skips the interpreter's
    teardown (os._exit): the output is flushed, nothing else needs finalising. With
    `relay_fd`, stdout and stderr are collected and sent to the parent at the end."""
    code = 70
    try:
        if relay_fd is not None:
            import io

            sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
        _STAGE[0] = page
        limit_memory(limits)
        code = fn()
    except MemoryError:
        code = _OUT_OF_MEMORY
    except BaseException:  # noqa: BLE001 - fn reports its own errors; this is a last resort
        code = 70
    finally:
        try:
            if relay_fd is not None:
                import marshal

                _write_all(relay_fd, marshal.dumps((
                    sys.stdout.getvalue(), sys.stderr.getvalue())))  # type: ignore[attr-defined]
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001
            pass
        os._exit(code)


def limit_memory(limits: WorkerLimits) -> None:
    if limits.max_memory:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = limits.max_memory
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def worker_error(path: str, result: tuple[Any, ...], limits: WorkerLimits) -> str:
    """The one-line error for a worker that produced no value."""
    kind = result[0]
    if kind == "memory":
        return f"{path}: {memory_message(limits)}"
    if kind == "timeout":
        return f"{path}: {timeout_message(result[1], limits)}"
    if kind == "input":
        return result[1]
    if kind == "exc":
        exc = result[1]
        return (f"{path}: gatekeeper internal error: {type(exc).__name__}: {str(exc)[:300]}")
    return f"{path}: gatekeeper worker died ({result[1]})"

"""Helper processes: a gate's costly part computed beside the check, on another core.

A gate declares such a part with `Gate.helper` (``fn(spec) -> bytes``: the check of the document
against the official OpenAPI schema is one, a Spectral ruleset's walks another). For one spec
checked by the command line under its supervisor (`gatekeeper.orchestration.isolation.supervise`),
a selected gate that declares it gets one `HelperProcess`, started in one of two ways
(``gates.WITH_HELPER`` says which):

- *early*: the supervisor starts it before it forks the worker that runs the whole check; the
  helper loads its own copy of the spec and runs the function, while the worker imports the
  gates and loads its copy. The worker finds it with `adopt_helpers`.
- *after the load* (``after_load``): the worker forks it once it has loaded the spec
  (`adopt_helpers`); the helper shares the loaded spec (copy-on-write) and runs the function
  on it at once. No second parse, and the worker's load has the second core to itself.

Either way the engine runs those gates after the others, and their rules wait for the bytes
with `gatekeeper.helper_result`.

Why (measured; "Helper processes" and "A ruleset's helper forked after the load" in
benchmarks/README.md): for the check of the median corpus spec (33 KB) against the official
schema, importing jsonschema-rs and compiling the schema take about 15 ms of a whole check of
about 75 ms, and an early helper does it while the worker imports the gates; a Spectral
ruleset's walks take about 0.35 s of Stripe's check, and its load 0.18 s, which a helper
forked after the load does not repeat. Beside the check they cost nothing on a machine with
two cores. The supervisor starts the early helpers before it imports any gate (importing
every built-in gate costs about 0.1 s of CPU), so it cannot read `Gate.helper` itself: the
built-in gates that declare one are named in ``gates.WITH_HELPER``, with when each pays (a
test holds the table to the gates). A helper is used only with two or more cores, fork, a
root file no larger than the gate's ``max_bytes`` (the copy of the spec, or of the pages a
shared one touches, costs more than it saves beyond), the gate's ``setting`` configured,
and, for an early helper, no remote reference allowed (it would be fetched twice).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from gatekeeper.beside import silence
from gatekeeper.orchestration.isolation import limit_memory

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["HelperProcess", "adopt_helpers", "helpers_for", "run_helper"]

_RUNNING: dict[str, HelperProcess] = {}  # set in the supervisor, inherited by the worker
#: A helper yields to the check's process when both want a core (the check's own loads may
#: fork a scanner, `Limits.spare_core`): Stripe's check with `extends: spectral:oas`, 15
#: alternated runs, wall median 0.802 s, 0.761 s at niceness 4 (0.773 s at 10, which would
#: starve a helper on a busy machine); GitHub's, where the helper is the longer of the two,
#: unchanged (benchmarks/README.md, "A helper that yields").
HELPER_NICENESS = 4


class HelperProcess:
    """``job()`` in a process forked beside the supervised worker, for the gate `name` and
    the spec at `path`.

    The supervisor creates it and calls `start` (before it forks the worker) and `stop`;
    the worker finds it with `adopt_helpers` and waits for `result`: the bytes the job
    returned, or None if it failed (the worker then does the work itself). The helper runs
    under the worker's limits and holds no file descriptor of the supervisor's.

    `of_worker`: the worker forks it (`adopt_helpers`, a gate's helper ``after_load``), with
    `limits` None: it inherits the worker's memory limit, is not registered for the
    supervisor, and ends when the worker ends (the supervisor's timeout kills the worker,
    and with it the helper)."""

    __slots__ = ("name", "path", "job", "limits", "pid", "page", "rfd", "of_worker")

    def __init__(self, name: str, path: str, job: Callable[[], bytes | None],
                 limits: Any, of_worker: bool = False) -> None:
        self.name = name
        self.path = path
        self.job = job
        self.limits = limits
        self.of_worker = of_worker
        self.pid = 0
        self.page = -1  # the file the helper writes its result into
        self.rfd = -1

    @staticmethod
    def worthwhile(path: str, max_bytes: int | None = None) -> bool:
        """Two or more cores, fork (`gatekeeper.beside.second_core`), and a root file of at
        most `max_bytes` (None: any)."""
        from gatekeeper.beside import second_core

        if not second_core():
            return False
        try:
            return max_bytes is None or os.path.getsize(path) <= max_bytes
        except OSError:
            return False

    def start(self) -> None:
        self.page = _result_file()
        self.rfd, wfd = os.pipe()  # closes when the helper exits: `result` wakes
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            for fd in (self.rfd, wfd, self.page):
                os.close(fd)
            self.rfd = self.page = -1
            raise
        if pid == 0:
            os.close(self.rfd)
            self._run(wfd, parent)
        os.close(wfd)
        self.pid = pid
        if not self.of_worker:  # inherited by the worker that the supervisor forks next
            _RUNNING[self.name] = self

    def _run(self, wfd: int, parent: int) -> None:
        """The helper process (forked by `parent`): never returns."""
        try:
            if self.of_worker:  # first: the worker may end while this process starts
                _end_with_parent(parent)
            silence()  # its failure is the worker's to handle, never output of the command
            for fd in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else ():
                if int(fd) > 2 and int(fd) not in (wfd, self.page):  # none of the supervisor's
                    try:
                        os.close(int(fd))
                    except OSError:
                        pass
            try:
                os.nice(HELPER_NICENESS)
            except OSError:
                pass
            if self.limits is not None:  # none for a worker's helper: it has the worker's
                limit_memory(self.limits)
                if self.limits.timeout:
                    import signal

                    signal.alarm(int(self.limits.timeout) + 1)  # default action: the end
            data = self.job()
            if data is not None:  # the length last: a helper stopped mid-write left none
                view, at = memoryview(data), 8
                while at - 8 < len(data):
                    at += os.pwrite(self.page, view[at - 8:], at)
                os.pwrite(self.page, len(data).to_bytes(8, "little"), 0)
        except BaseException:  # noqa: BLE001, S110 - the worker does the work then
            pass
        finally:
            os._exit(0)

    def running(self) -> bool:
        """Whether the helper still works (in the worker; it holds a core meanwhile)."""
        if self.rfd < 0:
            return False
        import select

        try:  # the pipe reads as ready once the helper has ended (end of file)
            return not select.select([self.rfd], [], [], 0)[0]
        except (OSError, ValueError):
            return False

    def result(self) -> bytes | None:
        """Wait for the helper (in the worker); its bytes, or None if it failed."""
        if self.rfd < 0:
            return None
        try:
            while os.read(self.rfd, 4096):  # the helper writes nothing: this waits for EOF
                pass
            size = int.from_bytes(os.pread(self.page, 8, 0), "little")
            chunks, at = [], 8
            while at - 8 < size:
                chunk = os.pread(self.page, size - (at - 8), at)
                if not chunk:
                    return None
                chunks.append(chunk)
                at += len(chunk)
            return b"".join(chunks) if size else None
        except OSError:
            return None
        finally:
            for fd in (self.rfd, self.page):
                os.close(fd)
            self.rfd = self.page = -1

    def stop(self) -> None:
        """End the helper if it still runs (in the supervisor, once the worker ended)."""
        import signal

        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0
        for fd in (self.rfd, self.page):
            if fd >= 0:
                os.close(fd)
        self.rfd = self.page = -1
        _RUNNING.pop(self.name, None)


def _end_with_parent(parent: int) -> None:
    """Have the kernel end this process when `parent`, the process that forked it, ends
    (Linux's ``PR_SET_PDEATHSIG``): a helper the worker forked must not outlive a worker
    that the supervisor stopped. If `parent` has ended already, end now. Elsewhere (no
    `sched_getaffinity`, so no helper) it does nothing."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (ImportError, OSError, AttributeError):  # then it ends when its job is done
        return
    if os.getppid() != parent:  # the worker ended before the request took effect
        os._exit(0)


def _result_file() -> int:
    """A file descriptor for a helper's result: memory-backed where the system offers it,
    a deleted temporary file otherwise. Not a shared mapping made before the fork, which
    would count against the worker's and helper's `--max-memory` (an address-space limit)
    however much of it is used."""
    try:
        return os.memfd_create("gatekeeper-helper")
    except (AttributeError, OSError):
        import tempfile

        with tempfile.TemporaryFile() as handle:
            return os.dup(handle.fileno())


def helpers_for(config: Any, path: str, limits: Any, ref_root: str | None,
                worker: Any) -> list[HelperProcess]:
    """The early helper processes (not started) for one spec's supervised check: one per gate
    of ``gates.WITH_HELPER`` that `config` selects and that is not started ``after_load``,
    under the `worker` limits; none where a helper would not pay (see the module's
    docstring)."""
    if limits.allow_remote_refs:
        return []
    from functools import partial

    from gatekeeper.registry import helper_gates

    return [HelperProcess(name, path, partial(run_helper, name, path, limits, ref_root, config),
                          worker)
            for name, when in helper_gates().items()
            if not _after_load(when, path) and config.selects_gate(name)
            and _configured(config, when.get("setting"))
            and HelperProcess.worthwhile(path, when.get("max_bytes"))]  # type: ignore[arg-type]


def _after_load(when: dict[str, object], path: str) -> bool:
    """Whether the gate's helper for the spec at `path` is forked after the load (else it is
    started early): ``after_load`` True; ``"yaml"`` and the root file is not JSON; or a
    number of bytes that the root file is larger than."""
    after = when.get("after_load")
    if after == "yaml":
        return not _json_text(path)
    if isinstance(after, int) and not isinstance(after, bool):
        try:
            return os.path.getsize(path) > after
        except OSError:
            return False
    return bool(after)


def _json_text(path: str) -> bool:
    """Whether the file's first character, after white space and a byte order mark, opens
    a JSON object or array (the loader's own test, `gatekeeper.loader.parse_text`)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] in (b"{", b"[")


def _configured(config: Any, setting: Any) -> bool:
    return setting is None or bool(config.settings.get(setting))


def run_helper(gate: str, path: str, limits: Any, ref_root: str | None,
               config: Any = None) -> bytes | None:
    """In the helper process: `Gate.helper` of the built-in gate `gate`, configured by
    `config` when the gate is configurable, on its own copy of the spec at `path` (imports
    that gate alone)."""
    from gatekeeper.registry import builtin_gate
    from gatekeeper.spec import load

    found = builtin_gate(gate)
    if found.configure is not None and config is not None:
        found = found.configure(config)
    if found.helper is None:
        return None
    return found.helper(load(path, limits=limits, ref_root=ref_root))


def adopt_helpers(spec: Any, path: str, gates: Any = (), config: Any = None) -> None:
    """In the worker, `spec` just loaded from `path`: give it the early helpers running for
    it, and fork, sharing the spec, the first of `gates` in ``gates.WITH_HELPER``'s order
    whose helper runs ``after_load``, unless a helper before it in that order runs already
    (the second core has room for one helper's work: it goes to the first). Only where the
    spec may work beside (`Spec.spare_core`: the command line's worker for one spec)."""
    from gatekeeper.gate import attach_helper

    running = {name: helper for name, helper in _RUNNING.items() if helper.path == path}
    for name, helper in running.items():
        attach_helper(spec, name, helper)
    if not getattr(spec, "spare_core", False) or config is None:
        return
    from functools import partial

    from gatekeeper.registry import helper_gates

    chosen = {gate.name: gate for gate in gates}
    for name, when in helper_gates().items():
        if name in running:
            if running[name].running():
                return  # the second core is taken by a helper that comes first
            continue
        gate = chosen.get(name)
        if gate is None or gate.helper is None or not _after_load(when, path) \
                or not _configured(config, when.get("setting")) \
                or not HelperProcess.worthwhile(path, when.get("max_bytes")):  # type: ignore[arg-type]
            continue
        helper = HelperProcess(name, path, partial(gate.helper, spec), None, of_worker=True)
        try:
            helper.start()
        except OSError:  # no fork now: the gate computes its part itself
            return
        attach_helper(spec, name, helper)
        return

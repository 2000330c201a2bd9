"""Many specs in one command: expand files, folders and globs; check them in parallel.

``gatekeeper check a.yaml specs/ 'apis/**/*.json' -j 4``

* A file named on the command line is always checked. A folder is searched recursively
  (hidden folders and ``node_modules`` skipped) for ``*.yaml``, ``*.yml`` and ``*.json`` files
  whose first bytes look like an OpenAPI or Swagger document (a top-level ``openapi`` or
  ``swagger`` key), so the fragments of a multi-file spec are not checked on their own. A
  glob (``*``, ``?``, ``[``; ``**`` crosses folders) expands to the files it matches that
  look like specs in the same way.
* Specs are checked by a pool of worker processes (``-j N``, default: the number of cores);
  each worker returns the `Report`, or the one-line error of a spec that could not be loaded.
  One broken spec never stops the others. `run_batch` hands each result on as it arrives
  (the command streams it to its outputs: `gatekeeper.batch_run`, docs/ci-matrix.md);
  `check_many` collects them in the order of the inputs.
* Exit status of a batch (as for one spec): 2 if any spec could not be loaded, else 1 if any
  spec failed a gate, else 0.
"""

from __future__ import annotations

import glob
import os
import re
import sys
from collections.abc import Callable, Sequence

from gatekeeper.record import Record

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Outcome", "check_many", "expand_inputs", "looks_like_openapi", "portfolio_table",
           "run_batch"]

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
_SKIP_DIRS = frozenset({"node_modules", "__pycache__"})
_GLOB_CHARS = re.compile(r"[*?\[]")
# A top-level `openapi`/`swagger` key: at the start of a line (YAML) or right after `{` / `,`
# (JSON, possibly minified), quoted or not.
_HEAD = re.compile(r"""(?:^|[{,])\s*["']?(?:openapi|swagger)["']?\s*:""", re.M)


_ANYWHERE = re.compile(rb"""^["']?(?:openapi|swagger)["']?[ \t]*:|"(?:openapi|swagger)"\s*:\s*"[123]\.""",
                       re.M)


def looks_like_openapi(path: str, head_bytes: int = 4096,
                       max_bytes: int = 100 * 1024 * 1024) -> bool:
    """Whether the file declares ``openapi`` or ``swagger``: in its first bytes (cheap, no
    parse), else anywhere as a top-level YAML key (column 0) or a JSON member whose value is
    a version string (keys sorted alphabetically put ``openapi`` after ``components``)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(head_bytes)
            if _HEAD.search(head.decode("utf-8", "ignore").lstrip("\ufeff")):
                return True
            if len(head) < head_bytes:
                return False
            rest = fh.read(max_bytes)
    except OSError:
        return False
    return _ANYWHERE.search(head + rest) is not None


def expand_inputs(inputs: Sequence[str], *, require_specs: bool = False) -> list[str]:
    """Files, folders and globs -> spec paths, in input order, each once.

    An input that is neither an existing path nor a glob that matches is kept as it is, so
    that loading it reports "file not found" for that spec alone. With `require_specs`, a
    folder without a spec or a glob that matches none raises `ConfigError` instead: a
    mistyped path in CI must not check nothing and pass."""
    out: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            out.append(path)

    for item in inputs:
        if os.path.isdir(item):
            found = _walk_folder(item)
            if not found and require_specs:
                from gatekeeper.errors import ConfigError

                raise ConfigError(f"{item}: no OpenAPI spec in this folder (searched for "
                                  "*.yaml, *.yml and *.json files with a top-level `openapi` "
                                  "or `swagger` key); name a spec file or another folder")
            for path in found:
                add(path)
        elif os.path.exists(item) or not _GLOB_CHARS.search(item):
            add(item)
        else:
            matches = sorted(glob.glob(item, recursive=True))
            files = [m for m in matches if os.path.isfile(m) and looks_like_openapi(m)]
            if not files and require_specs:
                from gatekeeper.errors import ConfigError

                what = (f"matches {len(matches)} path{'s' if len(matches) != 1 else ''}, "
                        "none an OpenAPI spec") if matches else "matches no file"
                raise ConfigError(f"{item}: the pattern {what}; check the pattern")
            if not files:
                add(item)  # reported as not found
            for path in files:
                add(path)
    return out


def _walk_folder(folder: str) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(files):
            if name.lower().endswith(SPEC_SUFFIXES):
                path = os.path.join(root, name)
                if looks_like_openapi(path):
                    found.append(path)
    return found


class Outcome(Record):
    """One spec of a batch: its report (a `gatekeeper.report.Report`), or what the batch's
    outputs need of it (`digest`: see `run_batch`), or why it could not be checked."""

    __slots__ = ("path", "report", "error", "digest")

    def __init__(self, path: str, report: Any = None, error: str | None = None,
                 digest: Any = None) -> None:
        self.path = path
        self.report = report
        self.error = error
        self.digest = digest

    @property
    def checked(self) -> bool:
        return self.report is not None or self.digest is not None

    @property
    def passed(self) -> bool:
        if self.report is not None:
            return bool(self.report.passed)
        return self.digest is not None and bool(self.digest.summary.passed)


# ---------------------------------------------------------------------- running

#: Set in the parent before the pool forks (and in each worker of a spawned pool).
_JOB: dict[str, Any] = {}


def _check_one(path: str) -> Outcome:
    from gatekeeper.errors import SpecError

    job = _JOB
    try:
        return Outcome(path, report=job["check"](path))
    except SpecError as exc:
        return Outcome(path, error=str(exc))
    except MemoryError:  # the worker reports it with its limit
        raise
    except Exception as exc:  # one spec never stops the others
        if job.get("raise_errors"):
            raise
        return Outcome(path, error=f"{path}: gatekeeper internal error: "
                                   f"{type(exc).__name__}: {str(exc)[:300]}")


def _check_indexed(item: tuple[int, str]) -> Outcome:
    """`_check_one`, then, with the job's ``digest``, the report replaced by its digest
    (computed here, in the worker)."""
    index, path = item
    outcome = _check_one(path)
    digest = _JOB.get("digest")
    if digest is not None and outcome.report is not None:
        set_stage(REPORTING_STAGE)  # not the check's time: see `run_forked`
        return Outcome(path, digest=digest(index, outcome.report))
    return outcome


def _init_worker(job: dict[str, Any]) -> None:
    _JOB.clear()
    _JOB.update(job)


def check_many(paths: Sequence[str], check: Callable[[str], Any], *, jobs: int | None = None,
               progress: bool | None = None, raise_errors: bool = False,
               worker_limits: WorkerLimits | None = None) -> list[Outcome]:
    """Run ``check(path) -> Report`` for every path, `jobs` at a time, in worker processes;
    the outcomes in input order (every report in memory: `run_batch` streams them instead).

    Progress goes to stderr when it is a terminal (or when `progress` is true)."""
    results: list[Outcome | None] = [None] * len(paths)

    def keep(index: int, outcome: Outcome) -> None:
        results[index] = outcome

    mode = "auto" if progress is None else "bar" if progress else "off"
    run_batch(paths, check, keep, jobs=jobs, progress=mode, raise_errors=raise_errors,
              worker_limits=worker_limits)
    return [r for r in results if r is not None]


def run_batch(paths: Sequence[str], check: Callable[[str], Any],
              on_outcome: Callable[[int, Outcome], None], *, jobs: int | None = None,
              progress: str = "auto", raise_errors: bool = False,
              worker_limits: WorkerLimits | None = None,
              digest: Callable[[int, Any], Any] | None = None) -> None:
    """Run ``check(path) -> Report`` for every path, `jobs` at a time, in worker processes,
    and hand each `Outcome` with its input index to `on_outcome` as soon as it is there (in
    the order the workers finish); nothing is kept here, so memory does not grow with the
    number of specs.

    With `worker_limits` (and fork available), each spec runs in its own forked child under
    those limits (R12). Otherwise `check` must be a module-level function or a
    `functools.partial` of one (it is sent to the pool's workers). `progress`: ``auto``,
    ``bar``, ``plain`` or ``off`` (`gatekeeper.progress.BatchProgress`).

    `digest(index, report)`, when given, runs in the worker and its result travels back
    instead of the report (`Outcome.digest`): a batch's outputs take what they need of a
    report there, so that a large report is never copied into this process."""
    from gatekeeper.progress import BatchProgress

    jobs = max(1, jobs or os.cpu_count() or 1)
    jobs = min(jobs, len(paths)) if paths else 1
    job = {"check": check, "raise_errors": raise_errors, "digest": digest}
    show = BatchProgress.for_mode(progress, len(paths))
    items = list(enumerate(paths))

    def deliver(i: int, outcome: Outcome) -> None:
        on_outcome(i, outcome)
        if show is not None:
            show.step(paths[i], failed=outcome.checked and not outcome.passed,
                      not_checked=not outcome.checked)

    try:
        if worker_limits is not None and worker_limits.active and forking_available():
            _init_worker(job)
            if len(paths) > 1:
                _warm_up()

            def forked(i: int, result: tuple[Any, ...]) -> None:
                deliver(i, result[1] if result[0] == "ok" else
                        Outcome(paths[i], error=worker_error(paths[i], result, worker_limits)))

            run_forked(_check_indexed, items, worker_limits, jobs=jobs, on_result=forked)
        elif jobs == 1:
            _init_worker(job)
            for i, item in enumerate(items):
                deliver(i, _check_indexed(item))
        else:
            _run_pool(items, job, jobs, deliver, raise_errors)
    finally:
        if show is not None:
            show.done()


def _run_pool(items: Sequence[tuple[int, str]], job: dict[str, Any], jobs: int,
              deliver: Callable[[int, Outcome], None], raise_errors: bool) -> None:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    if method != "fork":  # a spawned worker gets the job pickled: the reports travel instead
        job = {**job, "digest": None}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(job,)) as pool:
        todo = iter(items)
        running: dict[Any, int] = {}
        while True:  # a few specs in flight at a time: no finished report waits in a queue
            while len(running) < 2 * jobs:
                nxt = next(todo, None)
                if nxt is None:
                    break
                running[pool.submit(_check_indexed, nxt)] = nxt[0]
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                i = running.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # a worker died (killed, out of memory)
                    if raise_errors:
                        raise
                    path = items[i][1]
                    outcome = Outcome(path, error=f"{path}: worker failed: "
                                                  f"{type(exc).__name__}: {exc}")
                deliver(i, outcome)


# ---------------------------------------------------------------------- summary


def portfolio_table(rows: Sequence[Any]) -> str:
    """Plain-text table, one row per spec: verdict per gate, score, overall verdict. `rows`:
    `gatekeeper.portfolio.SpecSummary` (what a batch keeps) or `Outcome` objects."""
    from gatekeeper.portfolio import SpecSummary
    from gatekeeper.safe_text import terminal_safe

    summaries = [r if isinstance(r, SpecSummary) else
                 SpecSummary.of_report(i, r.report) if r.report is not None else
                 SpecSummary.of_error(i, r.path, r.error or "could not be loaded")
                 for i, r in enumerate(rows)]
    gate_names: list[str] = []
    for s in summaries:
        for g in s.gates:
            if g.name not in gate_names:
                gate_names.append(g.name)
    table: list[list[str]] = []
    for s in summaries:
        name = terminal_safe(s.path)
        if not s.checked:
            first = (s.error or "could not be loaded").splitlines()[0]
            table.append([name, *("-" for _ in gate_names), "-", "ERROR"])
            table[-1].append(terminal_safe(first)[:120])
            continue
        cells = []
        for gname in gate_names:
            g = s.gate(gname)
            cells.append("-" if g is None else "pass" if g.passed else "FAIL")
        score = s.score
        table.append([name, *cells, "-" if score is None else f"{score:.1f}",
                      "pass" if s.passed else "FAIL", ""])
    header = ["spec", *gate_names, "score", "verdict", ""]
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header) - 1)]
    widths[0] = min(widths[0], 60)

    def fmt(row: list[str]) -> str:
        first = row[0] if len(row[0]) <= widths[0] else "…" + row[0][-(widths[0] - 1):]
        cells = [first.ljust(widths[0])] + [c.ljust(w) for c, w in zip(row[1:-1], widths[1:])]
        return ("  ".join(cells) + ("  " + row[-1] if row[-1] else "")).rstrip()

    lines = [fmt(header), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in table]
    loaded = [s for s in summaries if s.checked]
    failed = sum(1 for s in loaded if not s.passed)
    broken = len(summaries) - len(loaded)
    lines.append(f"\n{len(summaries)} specs: {len(loaded) - failed} passed, {failed} failed, "
                 f"{broken} could not be loaded")
    return "\n".join(lines) + "\n"


def check_spec(path: str, *, config: Any, limits: Any = None, ref_root: str | None = None,
               raise_errors: bool = False, **compare: Any) -> Any:
    """What ``gatekeeper check`` does for one spec (load, gates, comparison options), as a
    module-level function so that a process pool can run it."""
    from gatekeeper.compare import run_check
    from gatekeeper.registry import gates_for
    from gatekeeper.spec import load

    set_stage("loading")
    spec = load(path, limits=limits, ref_root=ref_root)
    set_stage("checking")
    return run_check(spec, path, gates_for(config), config, limits=limits, ref_root=ref_root,
                     raise_errors=raise_errors, **compare)


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


def _warm_up() -> None:
    """Import and compile once in the parent what every forked worker needs, instead of once
    per spec in each child (the gates, the loader, validity's compiled schemas)."""
    import gatekeeper.compare  # noqa: F401
    import gatekeeper.loader  # noqa: F401
    import gatekeeper.spec  # noqa: F401
    from gatekeeper.registry import all_gates

    all_gates()
    try:
        from gates import validity

        for version in ("2.0", "3.0", "3.1"):
            validity._rs_validator(version)
    except Exception:  # noqa: BLE001  (an optimisation only)
        pass


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
            now = time.monotonic()
            for run in list(running.values()):
                if run.deadline is not None and now >= run.deadline and run.rfd not in ready:
                    stage = _stage_of(run.page)
                    if stage == REPORTING_STAGE and not run.extended and limits.timeout:
                        # the check finished in time; writing its outputs gets a period of
                        # its own (a batch's parent renders nothing itself: `run_batch`)
                        run.deadline += limits.timeout
                        run.extended = True
                        continue
                    os.kill(run.pid, signal.SIGKILL)
                    os.waitpid(run.pid, 0)
                    finish(run, ("timeout", stage))
    finally:  # interrupted: no child outlives the command
        for run in running.values():
            try:
                os.kill(run.pid, signal.SIGKILL)
                os.waitpid(run.pid, 0)
            except OSError:
                pass
    return [r for r in results if r is not None]


def supervise(fn: Callable[[], int], limits: WorkerLimits, path: str,
              helper: Any = None,
              on_failure: Callable[[str, str], None] | None = None) -> int:
    """R12 for one spec: run the whole command (`fn`: load, gates, reports, printing; it
    returns the exit code) in a forked child under `limits`, and return its exit code.

    The command line forks before it imports the gates, the loader or a parser, so the fork
    is cheap and nothing but the exit code comes back: about 10 ms less per spec than running
    the check in a worker and sending its report back (copy-on-write faults over the parent's
    heap, pickling). The parent only waits. On expiry it kills the child and prints the
    timeout error; a child that ran out of memory gets the memory error; both exit 2.
    `helper` (a `HelperProcess`) is started first and stopped last. `on_failure` is called
    with the error line and the child's last stage when the child was stopped (time, memory,
    a crash), so that the reports the command was asked for say the spec could not be
    checked."""
    sys.stdout.flush()
    sys.stderr.flush()
    if helper is not None:
        helper.start()
    try:
        return _supervise(fn, limits, path, on_failure)
    finally:
        if helper is not None:
            helper.stop()


class HelperProcess:
    """``module:function(*args)`` in a process forked beside the supervised worker, so that
    a slow, independent part of the check (validity's schema check) runs on another core.

    The supervisor creates it and calls `start` (before it forks the worker) and `stop`;
    the worker finds it with `helper_for` and waits for `result`: the bytes the function
    returned, or None if it failed (the worker then does the work itself). The helper runs
    under the worker's R12 limits and holds no file descriptor of the supervisor's."""

    __slots__ = ("name", "path", "target", "args", "limits", "pid", "page", "rfd")

    def __init__(self, name: str, path: str, target: str, args: tuple[Any, ...],
                 limits: WorkerLimits) -> None:
        self.name = name
        self.path = path
        self.target = target
        self.args = args
        self.limits = limits
        self.pid = 0
        self.page: Any = None
        self.rfd = -1

    @staticmethod
    def worthwhile(path: str, max_bytes: int) -> bool:
        """Two or more cores, fork, and a root file of at most `max_bytes`."""
        if not forking_available() or not hasattr(os, "sched_getaffinity") \
                or len(os.sched_getaffinity(0)) < 2:
            return False
        try:
            return os.path.getsize(path) <= max_bytes
        except OSError:
            return False

    def start(self) -> None:
        import mmap

        self.page = mmap.mmap(-1, _HELPER_PAGE)  # shared: the helper writes its result here
        self.rfd, wfd = os.pipe()  # closes when the helper exits: `result` wakes
        pid = os.fork()
        if pid == 0:
            os.close(self.rfd)
            self._run(wfd)
        os.close(wfd)
        self.pid = pid
        _HELPERS[self.name] = self

    def _run(self, wfd: int) -> None:
        """The helper process: never returns."""
        try:
            for fd in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else ():
                if int(fd) > 2 and int(fd) != wfd:  # hold no pipe of the supervisor's
                    try:
                        os.close(int(fd))
                    except OSError:
                        pass
            limit_memory(self.limits)
            if self.limits.timeout:
                import signal

                signal.alarm(int(self.limits.timeout) + 1)  # default action: the end
            import importlib

            module, function = self.target.split(":")
            data = getattr(importlib.import_module(module), function)(*self.args)
            if len(data) + 8 <= len(self.page):
                self.page[8:8 + len(data)] = data
                self.page[:8] = len(data).to_bytes(8, "little")
        except BaseException:  # noqa: BLE001, S110 - the worker does the work then
            pass
        finally:
            os._exit(0)

    def result(self) -> bytes | None:
        """Wait for the helper (in the worker); its bytes, or None if it failed."""
        if self.rfd < 0:
            return None
        try:
            while os.read(self.rfd, 4096):  # the helper writes nothing: this waits for EOF
                pass
        except OSError:
            return None
        finally:
            os.close(self.rfd)
            self.rfd = -1
        size = int.from_bytes(self.page[:8], "little")
        return bytes(self.page[8:8 + size]) if size else None

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
        if self.rfd >= 0:
            os.close(self.rfd)
            self.rfd = -1
        _HELPERS.pop(self.name, None)


_HELPER_PAGE = 1 << 20
#: Helpers load their own copy of the spec: beyond this, the copy costs more than it saves
HELPER_MAX_BYTES = 1024 * 1024  # (Stripe 4 MB: +0.3 s CPU; benchmarks/README.md)
_HELPERS: dict[str, HelperProcess] = {}  # set in the supervisor, inherited by the worker


def helper_for(name: str, path: str) -> HelperProcess | None:
    """The helper the supervisor started under `name` for the spec at `path`, if any."""
    helper = _HELPERS.get(name)
    return helper if helper is not None and helper.path == path else None


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
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        _supervised_child(fn, limits, page, wfd if relay else None)
    os.close(wfd)
    deadline = time.monotonic() + limits.timeout if limits.timeout else None
    status = None
    relayed: list[bytes] = []
    try:
        while status is None:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([rfd], [], [], wait)
            if ready:
                chunk = os.read(rfd, 1 << 20)
                if chunk:
                    relayed.append(chunk)
                    continue
                _, status = os.waitpid(pid, 0)
            elif deadline is not None and time.monotonic() >= deadline:
                stage = _stage_of(page)
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pid = 0
                message = f"{path}: {timeout_message(stage, limits)}"
                sys.stderr.write(_inert(message) + "\n")
                if on_failure is not None:
                    on_failure(message, stage)
                return 2
    except KeyboardInterrupt:  # Ctrl-C reached the child too: it says so and exits 130
        if select.select([rfd], [], [], 2.0)[0]:
            os.waitpid(pid, 0)
            pid = 0
            return 130
        raise
    finally:
        os.close(rfd)
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
    if failure is None:
        return os.WEXITSTATUS(status)
    message = worker_error(path, failure, limits)
    sys.stderr.write(_inert(message) + "\n")
    if on_failure is not None:
        on_failure(message, _stage_of(page))
    return 2


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

"""Many specs in one command, checked in parallel, their outputs streamed.

``gatekeeper check a.yaml specs/ 'apis/**/*.json' -j 4`` (the inputs are expanded by
`gatekeeper.orchestration.inputs`)

* Specs are checked by a pool of worker processes (``-j N``, default: the number of cores),
  each spec in a forked child under the limits of `gatekeeper.orchestration.isolation`;
  each worker returns the `Report`, or the one-line error of a spec that could not be loaded.
  One broken spec never stops the others. `run_batch` hands each result on as it arrives
  (`check_batch` streams it to the command's outputs, docs/ci-matrix.md); `check_many`
  collects them in the order of the inputs.
* Exit status of a batch (as for one spec): 2 if any spec could not be loaded, else 1 if any
  spec failed a gate, else 0.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from gatekeeper.orchestration.isolation import (REPORTING_STAGE, WorkerLimits,
                                                forking_available, run_forked, set_stage,
                                                worker_error)
from gatekeeper.record import Record

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Outcome", "batch_targets", "check_batch", "check_many", "check_spec",
           "portfolio_table", "run_batch"]


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
    from gatekeeper.orchestration.compare import run_check
    from gatekeeper.registry import gates_for
    from gatekeeper.spec import load

    set_stage("loading")
    spec = load(path, limits=limits, ref_root=ref_root)
    set_stage("checking")
    return run_check(spec, path, gates_for(config), config, limits=limits, ref_root=ref_root,
                     raise_errors=raise_errors, **compare)


def _warm_up() -> None:
    """Import and compile once in the parent what every forked worker needs, instead of once
    per spec in each child: the gates, the loader, and what each gate's `Gate.warm_up`
    prepares (compiled schemas)."""
    import gatekeeper.orchestration.compare  # noqa: F401
    import gatekeeper.loader  # noqa: F401
    import gatekeeper.spec  # noqa: F401
    from gatekeeper.registry import all_gates

    for gate in all_gates():
        if gate.warm_up is not None:
            try:
                gate.warm_up()
            except Exception:  # noqa: BLE001  (an optimisation only)
                pass


# ---------------------------------------------------------------------- the command's batch
# Workers check; this process streams the outputs. Each report goes to every output the moment
# its worker hands it back (`gatekeeper.stream.BatchOutputs`) and is dropped; only per-spec
# summaries stay, so the memory of this process does not grow with the number of specs. A
# spec that could not be checked prints its one-line error on stderr as it happens.

def batch_targets(*, fmt: str, output: str | None, quiet: bool, color: bool,
                  report_targets: Sequence[tuple[str, str]], pr_summary: str | None,
                  total: int, environ: dict[str, str] | None = None) -> list[Any]:
    """Every output of a batch: the ``--format`` view (``-o`` or stdout), the ``--report``
    files, ``--pr-summary``, and on GitHub Actions the annotations and the step summary."""
    from gatekeeper.reporters import _pr_summary, render
    from gatekeeper.stream import ConcatWriter, Target

    main_out: Any = output if output else sys.stdout
    targets: list[Any] = []
    if fmt != "terminal":  # a document format: the same as `--report FMT=`, to -o or stdout
        targets.append(Target(fmt, main_out))
    else:
        def terminal(report: Any) -> str:
            if quiet:  # -q on many specs: the portfolio table alone
                return ""
            return render("terminal", report, color=color) + "\n"

        def table(summaries: Any) -> str:
            return "\n" + portfolio_table(summaries)

        targets.append(Target("terminal", main_out,
                              writer=ConcatWriter(total, terminal, tail=table)))
    targets += [Target(name, path) for name, path in report_targets]
    if pr_summary:
        targets.append(Target("pr-summary", pr_summary,
                              writer=ConcatWriter(total, _pr_summary.render, sep="\n")))
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS", "").lower() == "true":
        stream = sys.stderr if fmt != "terminal" and not output else sys.stdout
        targets.append(Target("github", stream))
        summary_path = env.get("GITHUB_STEP_SUMMARY")
        if summary_path:
            def cannot(exc: OSError) -> None:
                sys.stderr.write(f"gatekeeper: cannot append to $GITHUB_STEP_SUMMARY: "
                                 f"{exc.strerror or exc}\n")

            from gatekeeper.stream import MarkdownWriter

            class StepSummary(MarkdownWriter):  # the summary plus a blank line, as for one spec
                def finish(self, out: Any, summaries: Any, extra: Any) -> None:
                    if any(s.checked for s in summaries):
                        super().finish(out, summaries, extra)
                        out.write("\n")

            targets.append(Target("markdown", summary_path, append=True,
                                  writer=StepSummary(total), on_error=cannot))
    return targets


def check_batch(paths: Sequence[str], check: Any, *, targets: Sequence[Any], jobs: int | None,
                worker: Any, progress: str, report_dir: str | None, shard: str | None,
                debug: bool) -> int:
    """Check every path, stream every output, print the errors; the batch's exit code."""
    from gatekeeper.safe_text import terminal_safe
    from gatekeeper.stream import BatchOutputs

    outputs = BatchOutputs(targets, len(paths), report_dir=report_dir, shard=shard)
    try:
        def arrived(index: int, outcome: Any) -> None:
            if outcome.digest is not None:
                outputs.absorb(outcome.digest)
                return
            if outcome.report is None:
                sys.stderr.write("\n".join(terminal_safe(line) for line in
                                           (outcome.error or "").split("\n")) + "\n")
            outputs.add(index, outcome.path, report=outcome.report, error=outcome.error)

        run_batch(paths, check, arrived, jobs=jobs, progress=progress, raise_errors=debug,
                  worker_limits=worker, digest=outputs.digest)
    except BaseException:
        outputs.close()
        raise
    outputs.finish()
    return outputs.totals.exit_code

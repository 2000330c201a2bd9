"""``gatekeeper check``: the options of the command line (flags and configuration) turned
into the run: one spec checked in a supervised child (`isolation.supervise`), or many
streamed in parallel (`many_specs.check_batch`), or a pull request's specs, the deleted ones
compared with their base; then every output the command was asked for."""

from __future__ import annotations

import os
import sys

from gatekeeper.errors import ConfigError, InputError
from gatekeeper.record import Record
from gatekeeper.orchestration.failures import Exit, echo, guarded, safe
from gatekeeper.orchestration.options import CheckOptions

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CheckOptions", "Prepared", "check_command", "prepare"]


def _parse_size(text: str, flag: str = "--max-file-size") -> int:
    t = text.strip().upper().replace(" ", "")
    mult = 1
    for suffix, m in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024), ("B", 1)):
        if t.endswith(suffix):
            t, mult = t[: -len(suffix)], m
            break
    try:
        return int(float(t) * mult)
    except ValueError:
        raise ConfigError(f"{flag}: cannot read {text!r}; use e.g. 100MB") from None


def _split(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def _worker_limits(timeout: float | None, max_memory: str | None,
                   settings: dict, debug: bool) -> object:
    """R12's limits for the spec workers, or None to check in this process (``--debug``, both
    limits off, or no fork on this platform)."""
    from gatekeeper.orchestration.isolation import (DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT,
                                                    WorkerLimits, forking_available)

    if timeout is None:
        timeout = float(settings.get("timeout", DEFAULT_TIMEOUT))
    if timeout < 0:
        raise ConfigError(f"--timeout must be 0 (no limit) or more seconds; got {timeout:g}")
    if max_memory is None:
        max_memory = str(settings.get("max-memory", DEFAULT_MAX_MEMORY))
    memory = _parse_size(max_memory, "--max-memory")
    if 0 < memory < 64 * 1024**2:
        raise ConfigError(f"--max-memory must be 0 (no limit) or at least 64MB; got {max_memory}")
    limits = WorkerLimits(timeout=timeout or None, max_memory=memory or None)
    if debug or not limits.active or not forking_available():
        return None
    return limits


def check_command(opts: CheckOptions, prepared: Prepared | None = None) -> None:
    """Load, validate and gate one or more OpenAPI specs (and, with --live, the running
    service); ends by raising `Exit` with the exit code.

    `prepared`: what `prepare` found, when a supervised child (R12) runs the command."""
    if prepared is None:
        prepared = prepare(opts)
        if opts.live is None and prepared.worker is not None and len(prepared.paths) == 1 \
                and not _batch_only(opts):
            raise Exit(_check_in_supervised_child(opts, prepared))
    from gatekeeper.orchestration.catalogues import catalogues
    from gatekeeper.outputs import parse_report_args
    from gatekeeper.registry import gates_for, validate

    cfg = prepared.config
    gates = gates_for(cfg)
    _refuse_misplaced_live_options(opts)
    validate(cfg, extra=catalogues)  # the live rules too: one config serves every command
    report_targets = parse_report_args(opts.report_to, inputs=opts.specs)
    specs, deleted = prepared.paths, []
    if opts.base is not None:  # a spec the change deleted is compared with its base (compat)
        from gatekeeper.changed import split_deleted

        specs, deleted = split_deleted(specs, opts.base)
    # Several specs: streamed, in parallel. A change that deletes specs is a pull request's
    # few specs, checked here one after the other so the deleted ones join the same report.
    if opts.live is None and not deleted and (len(specs) > 1 or _batch_only(opts)):
        raise Exit(_check_batch(opts, prepared, report_targets))
    reports, errors, redactor = _check_each(opts, prepared, gates, specs)
    for path in deleted:
        from gatekeeper.changed import removed_spec_report

        reports.append(removed_spec_report(path, opts.base, gates, cfg, limits=prepared.limits,
                                           ref_root=prepared.ref_root, new_only=opts.new_only))
    _write_outputs(opts, reports, report_targets, redactor,
                   one_spec=len(specs) + len(deleted) == 1)
    if errors:
        raise Exit(2)
    if opts.live is not None and reports:
        _live_steps().exit_if_interrupted(reports[0])
    raise Exit(0 if all(r.passed for r in reports) else 1)


def _refuse_misplaced_live_options(opts: CheckOptions) -> None:
    if opts.live is None and (opts.header_env or opts.header):
        raise ConfigError("credentials are only sent to --live/--base-url and --allow-host "
                          "origins; pass --live URL (never the document's servers)")
    if opts.live is not None and len(opts.specs) != 1:
        raise ConfigError("--live audits one service: give exactly one spec")
    if opts.load_test and opts.live is None:
        raise ConfigError("--load needs --live URL: the service to load-test")


def _check_each(opts: CheckOptions, prepared: Prepared, gates: Any, specs: list[str]
                ) -> tuple[list[Any], int, Any]:
    """Each spec in turn in this process (and, with --live, the service): the reports, the
    number of specs that could not be loaded, and the live audit's redactor (or None)."""
    from gatekeeper.orchestration.isolation import set_stage
    from gatekeeper.errors import SpecError
    from gatekeeper.spec import load

    cfg, limits, ref_root = prepared.config, prepared.limits, prepared.ref_root
    live_flags = _live_steps().live_flags(opts.values()) if opts.live is not None else {}
    reports, errors, redactor = [], 0, None
    checked = None  # the last spec checked
    for path in specs:
        set_stage("loading")  # named in a timeout error when supervised (R12)
        try:
            spec = load(path, limits=limits, ref_root=ref_root)
        except SpecError as exc:
            errors += 1
            echo(safe(str(exc)), err=True)
            reports.append(_unchecked(path, str(exc)))
            if opts.debug:  # the load error's traceback too
                import traceback

                traceback.print_exc(file=sys.stderr)
            continue
        from gatekeeper.orchestration.compare import run_check
        from gatekeeper.orchestration.helper_process import adopt_helpers

        adopt_helpers(spec, path, gates, cfg)  # a gate's costly part runs beside (Gate.helper)
        set_stage("checking")
        report = run_check(spec, path, gates, cfg, limits=limits, ref_root=ref_root,
                           base=opts.base, base_file=opts.base_file, new_only=opts.new_only,
                           ratchet=opts.ratchet, baseline=opts.baseline,
                           raise_errors=opts.debug)
        if opts.live:
            steps = _live_steps()
            report, redactor = steps.live_audit(spec, opts.live, live_flags, cfg, report,
                                                opts.progress, opts.log_file, opts.debug)
            if opts.load_test:
                report = steps.load_test(spec, opts.live, live_flags, cfg, report,
                                         opts.progress, opts.debug)
        reports.append(report)
        checked = spec
    if checked is not None:
        _keep_until_exit(checked)
    return reports, errors, redactor


#: What a worker keeps until it ends (`_keep_until_exit`).
_KEPT: list[Any] = []


def _keep_until_exit(spec: Any) -> None:
    """A worker ends with ``os._exit``: its last spec is kept, not freed object by object
    before the reports are written (Graph beta: 0.17 s of CPU). Only its texts go, so that
    rendering the report fits in what the check held at its peak: Graph beta's 47 MB of
    text against a 32 MB report, peak RSS 569 MB either way (602 MB with the text kept)."""
    from gatekeeper.orchestration.isolation import in_worker

    if in_worker():
        spec.forget_texts()
        _KEPT[:] = [spec]  # the last only: a worker may check several specs in turn


def _write_outputs(opts: CheckOptions, reports: list[Any], report_targets: Any,
                   redactor: Any, *, one_spec: bool) -> None:
    """The --format document (stdout or --output), --pr-summary, every --report, and the
    GitHub Actions annotations."""
    from gatekeeper.orchestration.isolation import REPORTING_STAGE, set_stage
    from gatekeeper.outputs import encoded_for, github_actions, render_for, write_reports
    from gatekeeper.reporters import render, render_many
    from gatekeeper.safe_text import write_text

    set_stage(REPORTING_STAGE)  # a timeout from here on: the output may be printed already
    from gatekeeper.reporters.terminal import use_color

    fmt, output = opts.fmt, opts.output
    color = fmt == "terminal" and output is None and use_color(sys.stdout)
    view = _terminal_view(opts.min_severity, opts.show_waived, to_terminal=output is None)
    blob = None  # the document as bytes, when no redaction needs it as text
    if fmt == "json" and (not one_spec or not reports):  # multi-spec form
        text = render_many("json", reports)
    elif fmt != "terminal" and reports and redactor is None:
        text, blob = "", encoded_for(fmt, reports)  # what `--report FMT=` writes
    elif fmt != "terminal":
        text = render_for(fmt, reports) if reports else ""
    else:
        shown = reports if len(reports) > 1 else [r for r in reports if r.error is None]
        text = "".join(render("terminal", r, color=color,
                              max_findings=0 if opts.quiet else None, **view)
                       + ("\n" if len(reports) > 1 else "")
                       for r in shown)  # one spec's load error is the line on stderr
    if opts.pr_summary:
        from gatekeeper.reporters._pr_summary import render_many as render_summary

        with open(opts.pr_summary, "w", encoding="utf-8") as fh:
            write_text(fh, render_summary(reports))
    if redactor is not None:  # the live audit's credentials, in any encoding, never printed
        text = redactor.redact(text)
    if blob is not None:
        _write_bytes(output, blob)
    elif output:
        with open(output, "w", encoding="utf-8") as fh:
            write_text(fh, text)
    elif text:
        write_text(sys.stdout, text)
    redact = redactor.redact if redactor is not None else None
    write_reports(reports, report_targets, redact=redact)
    github_actions(reports, redact=redact,
                   stream=sys.stderr if fmt != "terminal" and not output else sys.stdout)


def _write_bytes(output: str | None, blob: bytes) -> None:
    """`blob` to the file `output`, else to stdout (through its text layer when it has no
    byte stream beneath, as in a test's capture)."""
    from gatekeeper.safe_text import write_text

    if output:
        with open(output, "wb") as fh:
            fh.write(blob)
        return
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        write_text(sys.stdout, blob.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(blob)
    buffer.flush()


def _live_steps() -> Any:
    from gatekeeper.orchestration import live

    return live


def _batch_only(opts: CheckOptions) -> bool:
    """Options that make even one spec a batch (its outputs have the batch's shape)."""
    return bool(opts.shard or opts.report_dir)


def _check_batch(opts: CheckOptions, prepared: Prepared,
                 report_targets: list[tuple[str, str]]) -> int:
    """Several specs (or ``--shard``, ``--report-dir``): `many_specs.check_batch`."""
    from functools import partial

    from gatekeeper.orchestration.many_specs import batch_targets, check_batch, check_spec

    paths = prepared.paths
    if opts.shard and not paths:
        sys.stderr.write(f"gatekeeper: shard {opts.shard} has no specs\n")
    targets = batch_targets(fmt=opts.fmt, output=opts.output,
                            quiet=bool(opts.quiet),
                            color=(opts.fmt == "terminal" and opts.output is None
                                   and sys.stdout.isatty() and "NO_COLOR" not in os.environ),
                            report_targets=report_targets, pr_summary=opts.pr_summary,
                            total=len(paths))
    check = partial(check_spec, config=prepared.config, limits=prepared.limits,
                    ref_root=prepared.ref_root, raise_errors=bool(opts.debug),
                    base=opts.base, base_file=opts.base_file,
                    new_only=opts.new_only, ratchet=opts.ratchet,
                    baseline=opts.baseline)
    return check_batch(paths, check, targets=targets, jobs=opts.jobs,
                       worker=prepared.worker, progress=opts.progress,
                       report_dir=opts.report_dir, shard=opts.shard,
                       debug=bool(opts.debug))


def _unchecked(path: str, reason: str | None) -> Any:
    """The report of a spec that could not be checked, for every format to show."""
    from gatekeeper.report import Report

    return Report.unchecked(path, reason or f"{path}: could not be checked")


def _terminal_view(min_severity: str | None, show_waived: bool, *, to_terminal: bool
                   ) -> dict[str, Any]:
    """The terminal reporter's options: the terminal's width when writing to one (or when
    ``COLUMNS`` is set), the lowest severity listed, whether waived findings are listed."""
    from gatekeeper.report import Severity

    view: dict[str, Any] = {}
    if to_terminal and (os.environ.get("COLUMNS") or sys.stdout.isatty()):
        import shutil  # with lzma and bz2: 3 ms; only for a terminal

        view["width"] = max(40, shutil.get_terminal_size().columns)
    if min_severity is not None:
        if min_severity.lower() not in ("error", "warning", "info"):
            raise ConfigError(f"--min-severity must be error, warning or info; got "
                              f"{min_severity!r}")
        view["min_severity"] = Severity(min_severity.lower())
    if show_waived:
        view["show_waived"] = True
    return view


def _effective_config(opts: CheckOptions) -> Any:
    """The configuration file (given or discovered) with --select, --ignore and --fail-on."""
    from gatekeeper.config import discover, load_config, with_rulesets
    from gatekeeper.report import Severity

    config, select, ignore, fail_on = (opts.config, opts.select, opts.ignore,
                                       opts.fail_on)
    cfg = load_config(config if config else discover())
    if select is not None:
        cfg = cfg.replace(select=_split(select))
    extend = opts.extend_select
    if extend is not None:
        cfg = cfg.replace(extend_select=cfg.extend_select + (_split(extend) or ()))
    if ignore is not None:
        cfg = cfg.replace(ignore=cfg.ignore + (_split(ignore) or ()))
    cfg = with_rulesets(cfg, opts.ruleset)
    if fail_on is not None:
        if fail_on.lower() not in ("error", "warning", "info"):
            raise ConfigError(f"--fail-on must be error, warning or info; got {fail_on!r}")
        cfg = cfg.replace(fail_on=Severity(fail_on.lower()))
    return cfg


def _limits(opts: CheckOptions, settings: dict[str, Any]) -> Any:
    """The loader's budgets from the flags, else the configuration, else the defaults."""
    from gatekeeper.loader import Limits

    max_file_size, max_depth, max_nodes = (opts.max_file_size, opts.max_depth,
                                           opts.max_nodes)
    return Limits(
        max_file_size=_parse_size(max_file_size) if max_file_size else
        _parse_size(str(settings.get("max-file-size", "100MB"))),
        max_depth=max_depth or int(settings.get("max-depth", 256)),
        max_nodes=max_nodes or int(settings.get("max-nodes", 2_000_000)),
        allow_remote_refs=tuple(opts.allow_remote_ref or ()),
        allow_private_networks=bool(opts.allow_private_networks),
    )


class Prepared(Record):
    """What a check needs before anything heavy is imported: the configuration (with the
    command's flags), the loader's limits, the reference root, the R12 worker limits (None:
    check in this process) and the spec files the inputs expand to."""

    __slots__ = ("config", "limits", "ref_root", "worker", "paths")

    def __init__(self, config: Any, limits: Any, ref_root: str | None, worker: Any,
                 paths: list[str]) -> None:
        self.config = config
        self.limits = limits
        self.ref_root = ref_root
        self.worker = worker
        self.paths = paths


def prepare(opts: CheckOptions) -> Prepared:
    """`Prepared` from the command's options; config and flag errors are raised here."""
    from gatekeeper.orchestration.inputs import expand_inputs

    cfg = _effective_config(opts)
    settings = cfg.settings
    paths = expand_inputs(opts.specs, require_specs=True)
    if opts.shard:
        from gatekeeper.portfolio import parse_shard, select_shard

        paths = select_shard(paths, *parse_shard(opts.shard))
    _check_outputs(opts, paths)
    return Prepared(config=cfg, limits=_limits(opts, settings),
                    ref_root=opts.ref_root or settings.get("ref-root"),
                    worker=_worker_limits(opts.timeout, opts.max_memory, settings,
                                          bool(opts.debug)),
                    paths=paths)


def _check_outputs(opts: CheckOptions, paths: list[str]) -> None:
    """Every path the run will write, refused now if it cannot be written: before any spec
    is checked, never after the work."""
    from gatekeeper.outputs import check_writable, parse_report_args

    parse_report_args(opts.report_to, inputs=paths)
    specs = {os.path.realpath(p) for p in paths}
    for flag, path in (("--output", opts.output), ("--pr-summary", opts.pr_summary)):
        if path:
            check_writable(path, f"{flag} {path}", specs)


def _check_in_supervised_child(opts: CheckOptions, prepared: Prepared) -> int:
    """R12 for the common case, one spec: the whole command runs in a supervised child
    (`isolation.supervise`), forked before anything heavy is imported, under
    ``prepared.worker``; returns its exit code. A gate's costly part (`Gate.helper`) may run
    in a helper process beside it (`gatekeeper.orchestration.helper_process`)."""
    from functools import partial

    from gatekeeper.orchestration.isolation import supervise
    from gatekeeper.orchestration.helper_process import helpers_for

    path = prepared.paths[0]
    helpers = helpers_for(prepared.config, path, prepared.limits, prepared.ref_root,
                          prepared.worker)
    # The child checks in its own process, which may fork to work beside (`Limits.spare_core`:
    # a big YAML text's scans, a gate's findings located, the helpers forked after the load).
    child = prepared.replace(worker=None, limits=prepared.limits.replace(spare_core=True))
    run = partial(guarded, partial(check_command, opts, child), bool(opts.debug))
    return supervise(run, prepared.worker, path, helpers=helpers,
                     on_failure=partial(_report_unchecked, opts, path))


def _report_unchecked(opts: CheckOptions, path: str, message: str, stage: str) -> None:
    """The supervised child was stopped (time, memory): the outputs the command was asked
    for say that the spec could not be checked, with the reason, instead of being missing or
    left half-written. Stdout gets the JSON report only if the child had not begun to print
    (`REPORTING_STAGE`): one document, never two."""
    from gatekeeper.orchestration.isolation import REPORTING_STAGE
    from gatekeeper.reporters import render
    from gatekeeper.outputs import github_actions, parse_report_args, write_reports
    from gatekeeper.safe_text import write_text

    try:
        reports = [_unchecked(path, message)]
        if opts.fmt != "terminal" and (opts.output or stage != REPORTING_STAGE):
            text = render(opts.fmt, reports[0])
            if opts.output:
                with open(opts.output, "w", encoding="utf-8") as fh:
                    write_text(fh, text)
            else:
                write_text(sys.stdout, text)
        write_reports(reports, parse_report_args(opts.report_to, inputs=[path]))
        if opts.pr_summary:
            from gatekeeper.reporters._pr_summary import render_many as render_summary

            with open(opts.pr_summary, "w", encoding="utf-8") as fh:
                write_text(fh, render_summary(reports))
        github_actions(reports, stream=sys.stderr if opts.fmt != "terminal" and
                       not opts.output else sys.stdout)
    except (InputError, OSError) as exc:  # the run already fails with the error line
        sys.stderr.write(safe(f"gatekeeper: {exc}") + "\n")

"""The command line: ``gatekeeper check | rules | explain | audit | baseline``.

Exit codes: 0 every gate passed, 1 a gate failed, 2 the input or configuration could not be
used (or gatekeeper itself failed). Errors are one line on stderr; ``--debug`` adds the
traceback.

This module does not import typer: the plain form ``check FILE... [-q] [--format NAME]`` (what
CI runs most) calls `check_command` directly; every other command line goes through the typer
app in `gatekeeper.cli_app` (``gatekeeper.cli.app`` still names it).
"""

from __future__ import annotations

import os
import sys

from gatekeeper.errors import ConfigError, InputError
from gatekeeper.record import Record

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

_DEBUG = {"on": False}


class Exit(Exception):
    """End the command with this exit code (typer's ``Exit`` without importing typer)."""
    def __init__(self, exit_code: int = 0) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


def _echo(text: str, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def __getattr__(name: str) -> object:  # the typer app and its commands, imported on demand
    if name in ("app", "check", "rules_cmd", "explain", "audit", "baseline_cmd", "Format"):
        from gatekeeper import cli_app

        return getattr(cli_app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip()) \
        if values else None


def _worker_limits(timeout: float | None, max_memory: str | None,
                   settings: dict, debug: bool) -> object:
    """R12's limits for the spec workers, or None to check in this process (``--debug``, both
    limits off, or no fork on this platform)."""
    from gatekeeper.batch import (DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT, WorkerLimits,
                                  forking_available)

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


def check_command(specs: list[str], *, config: str | None = None,
                  select: list[str] | None = None, ignore: list[str] | None = None,
                  fail_on: str | None = None, fmt: str = "terminal", output: str | None = None,
                  max_file_size: str | None = None, max_depth: int | None = None,
                  max_nodes: int | None = None, ref_root: str | None = None,
                  allow_remote_ref: list[str] | None = None,
                  allow_private_networks: bool = False, quiet: bool = False,
                  debug: bool = False, jobs: int | None = None, live: str | None = None,
                  load_test: bool = False, ruleset: list[str] | None = None,
                  header_env: list[str] | None = None, header: list[str] | None = None,
                  allow_writes: bool = False, allow_method: list[str] | None = None,
                  allow_host: list[str] | None = None, request_timeout: float | None = None,
                  max_duration: float | None = None, max_requests: int | None = None,
                  rate_limit: float | None = None, max_examples: int | None = None,
                  latency_budget: float | None = None, error_rate_budget: float | None = None,
                  trust_env: bool = False, insecure: bool = False, seed: int | None = None,
                  focus_failures: bool = False, progress: str = "auto", log_file: str | None = None,
                  base: str | None = None, base_file: str | None = None,
                  new_only: bool | None = None, ratchet: bool | None = None,
                  baseline: str | None = None, pr_summary: str | None = None,
                  report_to: list[str] | None = None, timeout: float | None = None,
                  max_memory: str | None = None, extend_select: list[str] | None = None,
                  shard: str | None = None, report_dir: str | None = None,
                  min_severity: str | None = None, show_waived: bool = False,
                  _prepared: Prepared | None = None) -> None:
    """Load, validate and gate one or more OpenAPI specs (and, with --live, the running service).

    `_prepared`: what `prepare` found, when a supervised child (R12) runs the command."""
    params = dict(locals())
    _DEBUG["on"] = debug
    if _prepared is None:
        _prepared = prepare(params)
        if live is None and _prepared.worker is not None and len(_prepared.paths) == 1 \
                and not _batch_only(params):
            raise Exit(_check_in_supervised_child(params, _prepared))
    from gatekeeper.errors import SpecError
    from gatekeeper.registry import gates_for, validate
    from gatekeeper.reporters import render, render_many
    from gatekeeper.spec import load

    cfg, limits, ref_root = _prepared.config, _prepared.limits, _prepared.ref_root
    gates = gates_for(cfg)
    live_flags = _live_flags(locals())
    redactor = None
    if live is None and (header_env or header):
        raise ConfigError("credentials are only sent to --live/--base-url and --allow-host "
                          "origins; pass --live URL (never the document's servers)")
    if live is not None and len(specs) != 1:
        raise ConfigError("--live audits one service: give exactly one spec")
    if load_test and live is None:
        raise ConfigError("--load needs --live URL: the service to load-test")
    validate(cfg)  # the live rules too: one config file serves runs with and without --live
    worker = _prepared.worker
    from gatekeeper.outputs import parse_report_args, render_for

    report_targets = parse_report_args(report_to, inputs=specs)
    reports = []
    errors = 0
    specs = _prepared.paths
    deleted: list[str] = []
    if base is not None:  # a spec the change deleted is compared with its base (compat)
        from gatekeeper.changed import split_deleted

        specs, deleted = split_deleted(specs, base)
    # Several specs: streamed, in parallel. A change that deletes specs is a pull request's
    # few specs, checked here one after the other so the deleted ones join the same report.
    if live is None and not deleted and (len(specs) > 1 or _batch_only(params)):
        raise Exit(_check_batch(params, _prepared, report_targets))
    from gatekeeper.batch import helper_for, set_stage

    for path in specs:
        set_stage("loading")  # named in a timeout error when supervised (R12)
        try:
            spec = load(path, limits=limits, ref_root=ref_root)
        except SpecError as exc:
            errors += 1
            _echo(_safe(str(exc)), err=True)
            reports.append(_unchecked(path, str(exc)))
            if debug:  # the load error's traceback too
                import traceback

                traceback.print_exc(file=sys.stderr)
            continue
        helper = helper_for("validity", path)  # its schema check may be running beside
        if helper is not None:
            from gates.validity import adopt_helper

            adopt_helper(spec, helper)
        from gatekeeper.compare import run_check

        set_stage("checking")
        report = run_check(spec, path, gates, cfg, limits=limits, ref_root=ref_root,
                           base=base, base_file=base_file, new_only=new_only,
                           ratchet=ratchet, baseline=baseline, raise_errors=debug)
        if live:
            report, redactor = _live_audit(spec, live, live_flags, cfg, report, progress,
                                           log_file, debug)
            if load_test:
                report = _load_test(spec, live, live_flags, cfg, report, progress, debug)
        reports.append(report)
    for path in deleted:
        from gatekeeper.changed import removed_spec_report

        reports.append(removed_spec_report(path, base, gates, cfg, limits=limits,
                                           ref_root=ref_root, new_only=new_only))
    spec = None  # its data freed before the report is written (Graph beta's peak: -100 MB)

    from gatekeeper.batch import REPORTING_STAGE

    set_stage(REPORTING_STAGE)  # a timeout from here on: the output may be printed already
    from gatekeeper.reporters.terminal import use_color

    color = fmt == "terminal" and output is None and use_color(sys.stdout)
    view = _terminal_view(min_severity, show_waived, to_terminal=output is None)
    if fmt == "json" and (len(specs) + len(deleted) != 1 or not reports):  # multi-spec form
        text = render_many("json", reports)
    elif fmt != "terminal":  # the document `--report FMT=` writes (one spec's form for one)
        text = render_for(fmt, reports) if reports else ""
    else:
        shown = reports if len(reports) > 1 else [r for r in reports if r.error is None]
        text = "".join(render("terminal", r, color=color, max_findings=0 if quiet else None,
                              **view) + ("\n" if len(reports) > 1 else "")
                       for r in shown)  # one spec's load error is the line on stderr
    if pr_summary:
        from gatekeeper.reporters._pr_summary import render_many as render_summary

        with open(pr_summary, "w", encoding="utf-8") as fh:
            fh.write(render_summary(reports))
    if redactor is not None:  # the live audit's credentials, in any encoding, never printed
        text = redactor.redact(text)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    elif text:
        sys.stdout.write(text)
    from gatekeeper.outputs import github_actions, write_reports

    redact = redactor.redact if redactor is not None else None
    write_reports(reports, report_targets, redact=redact)
    github_actions(reports, redact=redact,
                   stream=sys.stderr if fmt != "terminal" and not output else sys.stdout)
    if errors:
        raise Exit(2)
    if live is not None and reports:
        _exit_if_interrupted(reports[0])
    raise Exit(0 if all(r.passed for r in reports) else 1)


def _batch_only(params: dict[str, Any]) -> bool:
    """Options that make even one spec a batch (its outputs have the batch's shape)."""
    return bool(params.get("shard") or params.get("report_dir"))


def _check_batch(params: dict[str, Any], prepared: Prepared,
                 report_targets: list[tuple[str, str]]) -> int:
    """Several specs (or ``--shard``, ``--report-dir``): `gatekeeper.batch_run`."""
    from functools import partial

    from gatekeeper.batch import check_spec
    from gatekeeper.batch_run import batch_targets, check_batch

    paths = prepared.paths
    if params.get("shard") and not paths:
        sys.stderr.write(f"gatekeeper: shard {params['shard']} has no specs\n")
    targets = batch_targets(fmt=params["fmt"], output=params["output"],
                            quiet=bool(params["quiet"]),
                            color=(params["fmt"] == "terminal" and params["output"] is None
                                   and sys.stdout.isatty() and "NO_COLOR" not in os.environ),
                            report_targets=report_targets, pr_summary=params["pr_summary"],
                            total=len(paths))
    check = partial(check_spec, config=prepared.config, limits=prepared.limits,
                    ref_root=prepared.ref_root, raise_errors=bool(params["debug"]),
                    base=params["base"], base_file=params["base_file"],
                    new_only=params["new_only"], ratchet=params["ratchet"],
                    baseline=params["baseline"])
    return check_batch(paths, check, targets=targets, jobs=params["jobs"],
                       worker=prepared.worker, progress=params["progress"],
                       report_dir=params["report_dir"], shard=params["shard"],
                       debug=bool(params["debug"]))


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


def _effective_config(params: dict[str, Any]) -> Any:
    """The configuration file (given or discovered) with --select, --ignore and --fail-on."""
    from gatekeeper.config import discover, load_config, with_rulesets
    from gatekeeper.report import Severity

    config, select, ignore, fail_on = (params["config"], params["select"], params["ignore"],
                                       params["fail_on"])
    cfg = load_config(config if config else discover())
    if select is not None:
        cfg = cfg.replace(select=_split(select))
    extend = params.get("extend_select")
    if extend is not None:
        cfg = cfg.replace(extend_select=cfg.extend_select + (_split(extend) or ()))
    if ignore is not None:
        cfg = cfg.replace(ignore=cfg.ignore + (_split(ignore) or ()))
    cfg = with_rulesets(cfg, params.get("ruleset"))
    if fail_on is not None:
        if fail_on.lower() not in ("error", "warning", "info"):
            raise ConfigError(f"--fail-on must be error, warning or info; got {fail_on!r}")
        cfg = cfg.replace(fail_on=Severity(fail_on.lower()))
    return cfg


def _limits(params: dict[str, Any], settings: dict[str, Any]) -> Any:
    """The loader's budgets from the flags, else the configuration, else the defaults."""
    from gatekeeper.loader import Limits

    max_file_size, max_depth, max_nodes = (params["max_file_size"], params["max_depth"],
                                           params["max_nodes"])
    return Limits(
        max_file_size=_parse_size(max_file_size) if max_file_size else
        _parse_size(str(settings.get("max-file-size", "100MB"))),
        max_depth=max_depth or int(settings.get("max-depth", 256)),
        max_nodes=max_nodes or int(settings.get("max-nodes", 2_000_000)),
        allow_remote_refs=tuple(params["allow_remote_ref"] or ()),
        allow_private_networks=bool(params["allow_private_networks"]),
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


def prepare(params: dict[str, Any]) -> Prepared:
    """`Prepared` from `check_command`'s parameters; config and flag errors are raised here."""
    from gatekeeper.batch import expand_inputs

    cfg = _effective_config(params)
    settings = cfg.settings
    paths = expand_inputs(params["specs"], require_specs=True)
    if params.get("shard"):
        from gatekeeper.portfolio import parse_shard, select_shard

        paths = select_shard(paths, *parse_shard(params["shard"]))
    _check_outputs(params, paths)
    return Prepared(config=cfg, limits=_limits(params, settings),
                    ref_root=params["ref_root"] or settings.get("ref-root"),
                    worker=_worker_limits(params["timeout"], params["max_memory"], settings,
                                          bool(params["debug"])),
                    paths=paths)


def _check_outputs(params: dict[str, Any], paths: list[str]) -> None:
    """Every path the run will write, refused now if it cannot be written: before any spec
    is checked, never after the work."""
    from gatekeeper.outputs import check_writable, parse_report_args

    parse_report_args(params["report_to"], inputs=paths)
    for flag, path in (("--output", params["output"]), ("--pr-summary", params["pr_summary"])):
        if path:
            check_writable(path, f"{flag} {path}")


def _check_in_supervised_child(params: dict[str, Any], prepared: Prepared) -> int:
    """R12 for the common case, one spec: the whole command runs in a supervised child
    (`gatekeeper.batch.supervise`), forked before anything heavy is imported, under
    ``prepared.worker``; returns its exit code. With two or more cores, validity's schema
    check runs in a helper beside it (gates.validity, "helper process"), never with remote
    references allowed: they would be fetched twice."""
    from functools import partial

    from gatekeeper.batch import HELPER_MAX_BYTES, HelperProcess, supervise

    path = prepared.paths[0]
    helper = None
    if not prepared.limits.allow_remote_refs and prepared.config.selects_gate("validity") \
            and HelperProcess.worthwhile(path, HELPER_MAX_BYTES):
        helper = HelperProcess("validity", path, "gates.validity:helper_job",
                               (path, prepared.limits, prepared.ref_root), prepared.worker)
    child = prepared.replace(worker=None)  # the child checks in its own process
    run = partial(_guarded, partial(check_command, **{**params, "_prepared": child}),
                  bool(params["debug"]))
    return supervise(run, prepared.worker, path, helper=helper,
                     on_failure=partial(_report_unchecked, params, path))


def _report_unchecked(params: dict[str, Any], path: str, message: str, stage: str) -> None:
    """The supervised child was stopped (time, memory): the outputs the command was asked
    for say that the spec could not be checked, with the reason, instead of being missing or
    left half-written. Stdout gets the JSON report only if the child had not begun to print
    (`REPORTING_STAGE`): one document, never two."""
    from gatekeeper.batch import REPORTING_STAGE
    from gatekeeper.reporters import render
    from gatekeeper.outputs import github_actions, parse_report_args, write_reports

    try:
        reports = [_unchecked(path, message)]
        if params["fmt"] != "terminal" and (params["output"] or stage != REPORTING_STAGE):
            text = render(params["fmt"], reports[0])
            if params["output"]:
                with open(params["output"], "w", encoding="utf-8") as fh:
                    fh.write(text)
            else:
                sys.stdout.write(text)
        write_reports(reports, parse_report_args(params["report_to"], inputs=[path]))
        if params["pr_summary"]:
            from gatekeeper.reporters._pr_summary import render_many as render_summary

            with open(params["pr_summary"], "w", encoding="utf-8") as fh:
                fh.write(render_summary(reports))
        github_actions(reports, stream=sys.stderr if params["fmt"] != "terminal" and
                       not params["output"] else sys.stdout)
    except (InputError, OSError) as exc:  # the run already fails with the error line
        sys.stderr.write(_safe(f"gatekeeper: {exc}") + "\n")


# ------------------------------------------------------------------ live audit

_LIVE_FLAGS = ("header_env", "header", "allow_writes", "allow_method", "allow_host",
               "request_timeout", "max_duration", "max_requests", "rate_limit", "max_examples",
               "latency_budget", "error_rate_budget", "trust_env", "insecure", "seed", "focus_failures")


def _live_flags(params: dict[str, object]) -> dict[str, object]:
    """The live options of a command's parameters (its ``locals()``), by config key name."""
    return {name.replace("_", "-"): params[name] for name in _LIVE_FLAGS}


def _live_audit(spec: object, base_url: str, flags: dict[str, object], cfg: object,
                static_report: object, progress: str, log_file: str | None,
                debug: bool) -> tuple[object, object]:
    """Run the audit: the live gate, appended to ``static_report`` when there is one."""
    from gatekeeper.live import audit_report
    from gatekeeper.live.options import build_options, log_to_file
    from gatekeeper.live.progress import Progress

    options = build_options(base_url, flags, cfg.settings.get("live"),  # type: ignore[attr-defined]
                            source=cfg.source or "config")  # type: ignore[attr-defined]
    redactor = options.credentials.redactor()
    if options.insecure:
        _echo("gatekeeper: warning: --insecure: TLS certificates are not verified", err=True)
    handler = log_to_file(log_file, redactor) if log_file else None
    try:
        report, _ = audit_report(spec, options, cfg, static_report=static_report,
                                 progress=Progress(progress), raise_errors=debug)
    finally:
        if handler is not None:
            import logging

            logging.getLogger("gatekeeper.live").removeHandler(handler)
            handler.close()
    return report, redactor


def _load_test(spec: object, base_url: str, live_flags: dict[str, object], cfg: object,
               static_report: object, progress: str, debug: bool) -> object:
    """``check --live URL --load``: the load test after the audit, in the same report. Its
    shape and budgets come from the ``[load]`` table; credentials, methods and the latency
    and error budgets given as flags apply to both."""
    from gatekeeper.loadtest import load_report
    from gatekeeper.loadtest.command import _ProgressLine, build_load_options

    shared = ("header-env", "header", "allow-writes", "allow-method", "request-timeout",
              "latency-budget", "error-rate-budget")
    options = build_load_options(base_url, {k: live_flags.get(k) for k in shared},
                                 cfg.settings.get("load"),  # type: ignore[attr-defined]
                                 source=cfg.source or "config")  # type: ignore[attr-defined]
    report, _ = load_report(spec, options, cfg, static_report=static_report,
                            progress=_ProgressLine(options.max_duration, progress),
                            raise_errors=debug)
    return report


def _exit_if_interrupted(report: object) -> None:
    """After Ctrl-C the partial report is written; the exit code is then 130, as for SIGINT."""
    live = report.sections.get("live") or {}  # type: ignore[attr-defined]
    if str(live.get("stop_reason") or "").startswith("interrupted"):
        _echo("gatekeeper: live audit interrupted; the report is partial", err=True)
        raise Exit(130)


def _safe(text: str) -> str:
    from gatekeeper.safe_text import terminal_safe

    return "\n".join(terminal_safe(line) for line in text.split("\n"))


def _plain_check(args: list[str]) -> tuple[list[str], bool, str] | None:
    """``check FILE... [-q] [--format NAME]`` (NAME a reporter): `check_command` without typer,
    0.15 s CPU less (benchmarks/README.md, "Per-phase profile"); anything else through typer."""
    rest, fmt = args[1:], "terminal"
    for at, arg in enumerate(rest):  # `--format NAME` or `--format=NAME`
        if arg == "--format" or arg.startswith("--format="):
            fmt = arg[9:] if "=" in arg else "".join(rest[at + 1:at + 2])
            rest = rest[:at] + rest[at + 2 - ("=" in arg):]
            break
    files = [a for a in rest if a not in ("-q", "--quiet")]
    reporter = f"{os.path.dirname(__file__)}/reporters/{fmt}.py"
    if args[:1] != ["check"] or not files or any(a.startswith("-") or not a for a in files) \
            or not (fmt.isalpha() and os.path.isfile(reporter)):
        return None
    return files, len(files) != len(rest), fmt


def _guarded(command: object, debug: bool) -> int:
    """Run `command` (returns an exit code or raises `Exit`); every failure becomes one line
    on stderr and an exit code (the traceback too with ``--debug``). A `MemoryError` is left
    to the supervisor, which names the limit."""
    try:
        code = command()  # type: ignore[operator]
    except Exit as exc:
        return exc.exit_code
    except InputError as exc:
        if debug:
            import traceback

            traceback.print_exc()
        sys.stderr.write(_safe(str(exc)) + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("gatekeeper: interrupted\n")
        return 130
    except MemoryError:
        raise
    except Exception as exc:  # click usage errors and anything unexpected
        if type(exc).__name__ == "Abort":
            return 130
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click usage errors
            if type(exc).__name__ == "NoArgsIsHelpError" or not hasattr(exc, "format_message"):
                exc.show()  # `gatekeeper` alone: the help
                return 2
            ctx = getattr(exc, "ctx", None)
            where = ctx.command_path if ctx is not None else "gatekeeper"
            sys.stderr.write(f"{where}: {_safe(exc.format_message())} "
                             f"(see `{where} --help`)\n")
            return 2
        if debug:  # the traceback, and still the "could not run" code, never 1 (gate failed)
            import traceback

            traceback.print_exc()
            return 2
        sys.stderr.write(f"gatekeeper: internal error: {type(exc).__name__}: "
                         f"{_safe(str(exc))[:300]} (run with --debug for the traceback)\n")
        return 2
    return code if isinstance(code, int) else 0


def main() -> None:
    """Console entry point: turns every failure into one line and an exit code."""
    debug = "--debug" in sys.argv
    if not debug:  # library warnings (regex syntax in a spec, deprecations) are not findings
        import warnings
        warnings.simplefilter("ignore")
    plain = _plain_check(sys.argv[1:])

    def command() -> object:
        if plain:
            return check_command(plain[0], quiet=plain[1], fmt=plain[2])
        from gatekeeper.cli_app import click_command
        return click_command()(standalone_mode=False, prog_name="gatekeeper")

    try:
        code = _guarded(command, debug)
    except MemoryError:
        sys.stderr.write("gatekeeper: out of memory\n")
        code = 2
    if plain and _FAST_EXIT["on"]:
        # The plain check leaves nothing to finalise (the supervised child did the work):
        # skip the interpreter's teardown, about 2 ms of every run.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


_FAST_EXIT = {"on": False}


def entry() -> None:
    """The console script and ``python -m gatekeeper``: `main` (which library callers and
    tests call, and which always raises `SystemExit`), exiting fast after a plain check."""
    _FAST_EXIT["on"] = True
    main()

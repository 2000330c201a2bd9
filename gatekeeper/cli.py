"""The command line: ``gatekeeper check | rules | explain``. The only module importing typer.

Exit codes: 0 every gate passed, 1 a gate failed, 2 the input or configuration could not be
used (or gatekeeper itself failed). Errors are one line on stderr; ``--debug`` adds the
traceback.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from gatekeeper.errors import ConfigError, InputError
from gatekeeper.version import __version__

app = typer.Typer(
    name="gatekeeper",
    help="A quality gate for OpenAPI documents.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_DEBUG = {"on": False}


class Format(str, Enum):
    terminal = "terminal"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gatekeeper {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option(  # noqa: UP007
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
) -> None:
    """A quality gate for OpenAPI documents."""


def _parse_size(text: str) -> int:
    t = text.strip().upper().replace(" ", "")
    mult = 1
    for suffix, m in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024), ("B", 1)):
        if t.endswith(suffix):
            t, mult = t[: -len(suffix)], m
            break
    try:
        return int(float(t) * mult)
    except ValueError:
        raise ConfigError(f"--max-file-size: cannot read {text!r}; use e.g. 100MB") from None


def _split(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


@app.command()
def check(
    specs: Annotated[list[str], typer.Argument(help="Spec files to check.", show_default=False)],
    config: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--config", help="Config file (gatekeeper.toml or pyproject.toml); default: "
        "found by walking up from the working folder.")] = None,
    select: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
        "--select", help="Only these gates or rules (comma-separated, repeatable).")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
        "--ignore", help="Skip these gates or rules.")] = None,
    fail_on: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--fail-on", help="Lowest severity that fails a gate: error, warning or info.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.terminal,
    output: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--output", "-o", help="Write the --format output to this file instead of stdout.")
    ] = None,
    max_file_size: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--max-file-size", help="Refuse larger spec files (default 100MB).")] = None,
    max_depth: Annotated[Optional[int], typer.Option(  # noqa: UP007
        "--max-depth", help="Refuse deeper nesting (default 256).")] = None,
    max_nodes: Annotated[Optional[int], typer.Option(  # noqa: UP007
        "--max-nodes", help="Refuse YAML whose aliases expand past this many nodes "
        "(default 2,000,000).")] = None,
    ref_root: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--ref-root", help="Folder that file $refs may not leave (default: the spec's "
        "folder).")] = None,
    allow_remote_ref: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
        "--allow-remote-ref", metavar="PREFIX", help="Fetch remote $refs under this https "
        "prefix (repeatable; default: remote $refs are refused). 5 s, 5 MB, 50 fetches, no "
        "redirects, no credentials.")] = None,
    allow_private_networks: Annotated[bool, typer.Option(
        "--allow-private-networks", help="Let --allow-remote-ref reach loopback and "
        "private addresses.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="Only the summary, no finding lines.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    jobs: Annotated[Optional[int], typer.Option(  # noqa: UP007
        "--jobs", "-j", min=1, help="Check this many specs in parallel (default: the number "
        "of cores).")] = None,
    live: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--live", metavar="URL", help="Also audit the service running at URL (the live gate); "
        "see `gatekeeper audit --help` for the live options.")] = None,
    header_env: _LiveHeaderEnv = None,
    header: _LiveHeader = None,
    allow_writes: _LiveAllowWrites = False,
    allow_method: _LiveAllowMethod = None,
    allow_host: _LiveAllowHost = None,
    request_timeout: _LiveTimeout = None,
    max_duration: _LiveDuration = None,
    max_requests: _LiveRequests = None,
    rate_limit: _LiveRate = None,
    max_examples: _LiveExamples = None,
    latency_budget: _LiveLatency = None,
    error_rate_budget: _LiveErrorRate = None,
    trust_env: _LiveTrustEnv = False,
    insecure: _LiveInsecure = False,
    seed: _LiveSeed = None,
    progress: _LiveProgress = "auto",
    log_file: _LiveLogFile = None,
    base: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--base", metavar="REF", help="Compare with the same spec at this git ref (e.g. "
        "origin/main): new, fixed and unchanged findings, metric deltas, breaking changes.")
    ] = None,
    base_file: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--base-file", metavar="FILE", help="Compare with this spec file instead of a ref.")
    ] = None,
    new_only: Annotated[Optional[bool], typer.Option(  # noqa: UP007
        "--new-only/--all-findings", help="With a base: only findings the change introduced "
        "fail; the others are reported as existing (config: new-only).")] = None,
    ratchet: Annotated[Optional[bool], typer.Option(  # noqa: UP007
        "--ratchet/--no-ratchet", help="With a base: fail a gate whose metric dropped below "
        "the base's (config: ratchet, [gates.X] ratchet-tolerance).")] = None,
    baseline: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--baseline", metavar="FILE", help="Baseline of accepted findings to waive "
        "(written by `gatekeeper baseline`; config: baseline).")] = None,
    pr_summary: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--pr-summary", metavar="FILE", help="Also write a Markdown pull-request summary "
        "(verdict, score and coverage deltas, new and fixed findings, breaking changes).")
    ] = None,
    report_to: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
        "--report", metavar="FORMAT=PATH", help="Also write a report (repeatable): html, "
        "sarif, junit, json, markdown, gitlab or github, e.g. --report html=scorecard.html "
        "--report sarif=results.sarif. The terminal view still prints.")] = None,
) -> None:
    """Load, validate and gate one or more OpenAPI specs (and, with --live, the running service)."""
    _DEBUG["on"] = debug
    from dataclasses import replace

    from gatekeeper.config import discover, load_config
    from gatekeeper.errors import SpecError
    from gatekeeper.loader import Limits
    from gatekeeper.registry import all_gates, validate
    from gatekeeper.report import Severity
    from gatekeeper.reporters import render
    from gatekeeper.spec import load

    cfg = load_config(config if config else discover())
    if select is not None:
        cfg = replace(cfg, select=_split(select))
    if ignore is not None:
        cfg = replace(cfg, ignore=cfg.ignore + (_split(ignore) or ()))
    if fail_on is not None:
        if fail_on.lower() not in ("error", "warning", "info"):
            raise ConfigError(f"--fail-on must be error, warning or info; got {fail_on!r}")
        cfg = replace(cfg, fail_on=Severity(fail_on.lower()))
    gates = all_gates()
    live_flags = _live_flags(locals())
    redactor = None
    if live is None and (header_env or header):
        raise ConfigError("credentials are only sent to --live/--base-url and --allow-host "
                          "origins; pass --live URL (never the document's servers)")
    if live is not None and len(specs) != 1:
        raise ConfigError("--live audits one service: give exactly one spec")
    validate(cfg)  # the live rules too: one config file serves runs with and without --live
    settings = cfg.settings
    limits = Limits(
        max_file_size=_parse_size(max_file_size) if max_file_size else
        _parse_size(str(settings.get("max-file-size", "100MB"))),
        max_depth=max_depth or int(settings.get("max-depth", 256)),
        max_nodes=max_nodes or int(settings.get("max-nodes", 2_000_000)),
        allow_remote_refs=tuple(allow_remote_ref or ()),
        allow_private_networks=allow_private_networks,
    )
    ref_root = ref_root or settings.get("ref-root")
    from gatekeeper.reporters.outputs import parse_report_args

    report_targets = parse_report_args(report_to, inputs=specs)

    reports = []
    errors = 0
    from gatekeeper.batch import expand_inputs

    specs = expand_inputs(specs)
    batch = None
    if live is None and len(specs) > 1:  # several specs: a process pool, one row each
        from functools import partial

        from gatekeeper.batch import check_many, check_spec

        batch = check_many(specs, partial(
            check_spec, config=cfg, limits=limits, ref_root=ref_root, raise_errors=debug,
            base=base, base_file=base_file, new_only=new_only, ratchet=ratchet,
            baseline=baseline), jobs=jobs, raise_errors=debug)
        for outcome in batch:
            if outcome.report is None:
                errors += 1
                typer.echo(_safe(outcome.error or ""), err=True)
            else:
                reports.append(outcome.report)
    for path in specs if batch is None else ():
        try:
            spec = load(path, limits=limits, ref_root=ref_root)
        except SpecError as exc:
            errors += 1
            typer.echo(_safe(str(exc)), err=True)
            continue
        from gatekeeper.compare import run_check

        report = run_check(spec, path, gates, cfg, limits=limits, ref_root=ref_root,
                           base=base, base_file=base_file, new_only=new_only,
                           ratchet=ratchet, baseline=baseline, raise_errors=debug)
        if live:
            report, redactor = _live_audit(spec, live, live_flags, cfg, report, progress,
                                           log_file, debug)
        reports.append(report)

    color = (fmt is Format.terminal and output is None and sys.stdout.isatty()
             and "NO_COLOR" not in os.environ)
    if fmt is Format.json:
        if len(specs) == 1 and reports:
            text = render("json", reports[0])
        else:
            from gatekeeper.reporters.json_report import render_many

            text = render_many(reports)
    else:
        text = "".join(render("terminal", r, color=color,
                              max_findings=0 if quiet else None) + ("\n" if len(reports) > 1
                                                                   else "")
                       for r in reports)
    if fmt is not Format.json and batch is not None:
        from gatekeeper.batch import portfolio_table

        text += "\n" + portfolio_table(batch)
    if pr_summary:
        from gatekeeper.reporters.compare_markdown import render_many as render_summary

        with open(pr_summary, "w", encoding="utf-8") as fh:
            fh.write(render_summary(reports))
    if redactor is not None:  # the live audit's credentials, in any encoding, never printed
        text = redactor.redact(text)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    elif text:
        sys.stdout.write(text)
    from gatekeeper.reporters.outputs import github_actions, write_reports

    redact = redactor.redact if redactor is not None else None
    write_reports(reports, report_targets, redact=redact)
    github_actions(reports, redact=redact,
                   stream=sys.stderr if fmt is Format.json and not output else sys.stdout)
    if errors:
        raise typer.Exit(2)
    if live is not None and reports:
        _exit_if_interrupted(reports[0])
    raise typer.Exit(0 if all(r.passed for r in reports) else 1)


@app.command("rules")
def rules_cmd(
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.terminal,
) -> None:
    """List every rule by gate with its default severity."""
    import json

    from gatekeeper.config import Config
    from gatekeeper.engine import rule_catalogue
    from gatekeeper.registry import configurable_gates

    gates = configurable_gates()
    catalogue = rule_catalogue(gates, Config())
    if fmt is Format.json:
        typer.echo(json.dumps([{"id": r.id, "gate": r.gate, "severity": str(r.severity),
                                "recommended": r.enabled, "summary": r.summary}
                               for r in catalogue], indent=2))
        return
    for gate in gates:
        typer.echo(f"{gate.name}: {gate.title}{' (mandatory)' if gate.mandatory else ''}")
        for r in catalogue:
            if r.gate == gate.name:
                flag = "" if r.enabled else "  (opt-in: select it)"
                typer.echo(f"  {r.id:<42} {str(r.severity):<8} {r.summary}{flag}")
        typer.echo("")


@app.command()
def explain(rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. docs/undocumented-operation.")]
            ) -> None:
    """Print a rule's documentation."""
    from gatekeeper.config import Config, did_you_mean
    from gatekeeper.engine import rule_catalogue
    from gatekeeper.registry import configurable_gates

    catalogue = {r.id: r for r in rule_catalogue(configurable_gates(), Config())}
    info = catalogue.get(rule_id)
    if info is None:
        raise ConfigError(f"unknown rule `{rule_id}`{did_you_mean(rule_id, catalogue)}; "
                          "`gatekeeper rules` lists them")
    typer.echo(f"# {info.id}  [{info.severity}]{'' if info.enabled else '  (opt-in)'}\n")
    typer.echo(info.docs)
    if info.options:
        typer.echo("\nDefaults: " + ", ".join(f"{k.replace('_', '-')} = {v!r}"
                                              for k, v in info.options.items()))


# ------------------------------------------------------------------ live audit (issue 6)
# Options shared by `audit` and `check --live`; the work is in gatekeeper.live.

_LiveHeaderEnv = Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
    "--header-env", help="Send header NAME with the value of environment variable VAR "
    "(NAME=VAR, repeatable), e.g. Authorization=API_TOKEN. Redacted from every output.")]
_LiveHeader = Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
    "--header", help="Send 'Name: value' (repeatable); prefer --header-env for secrets.")]
_LiveAllowWrites = Annotated[bool, typer.Option(
    "--allow-writes", "--allow-unsafe-methods",
    help="Also send POST, PUT, PATCH and DELETE (default: GET, HEAD, OPTIONS only).")]
_LiveAllowMethod = Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
    "--allow-method", help="Also send this method (repeatable), e.g. POST.")]
_LiveAllowHost = Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
    "--allow-host", help="A further host requests may go to (repeatable).")]
_LiveTimeout = Annotated[Optional[float], typer.Option(  # noqa: UP007
    "--request-timeout", help="Seconds per request (default 10).")]
_LiveDuration = Annotated[Optional[float], typer.Option(  # noqa: UP007
    "--max-duration", help="Seconds for the whole audit (default 300).")]
_LiveRequests = Annotated[Optional[int], typer.Option(  # noqa: UP007
    "--max-requests", help="Requests for the whole audit (default 1000).")]
_LiveRate = Annotated[Optional[float], typer.Option(  # noqa: UP007
    "--rate-limit", help="Requests per second, 0 for no limit (default 10).")]
_LiveExamples = Annotated[Optional[int], typer.Option(  # noqa: UP007
    "--max-examples", help="Generated requests per operation (default 10).")]
_LiveLatency = Annotated[Optional[float], typer.Option(  # noqa: UP007
    "--latency-budget", help="p95 latency budget per operation in ms (default 200).")]
_LiveErrorRate = Annotated[Optional[float], typer.Option(  # noqa: UP007
    "--error-rate-budget", help="Budget for 5xx/timeouts in percent of requests (default 0.1).")]
_LiveTrustEnv = Annotated[bool, typer.Option(
    "--trust-env", help="Honour proxy variables and .netrc (off by default).")]
_LiveInsecure = Annotated[bool, typer.Option("--insecure", help="Do not verify TLS certificates.")]
_LiveSeed = Annotated[Optional[int], typer.Option(  # noqa: UP007
    "--seed", help="Seed for request generation (default: the same requests every run).")]
_LiveProgress = Annotated[str, typer.Option(
    "--progress", help="auto, bar, plain or off (auto: a bar when stderr is a terminal).")]
_LiveLogFile = Annotated[Optional[str], typer.Option(  # noqa: UP007
    "--log-file", help="Write one (redacted) line per request to this file.")]


_LIVE_FLAGS = ("header_env", "header", "allow_writes", "allow_method", "allow_host",
               "request_timeout", "max_duration", "max_requests", "rate_limit", "max_examples",
               "latency_budget", "error_rate_budget", "trust_env", "insecure", "seed")


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
        typer.echo("gatekeeper: warning: --insecure: TLS certificates are not verified", err=True)
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


@app.command()
def audit(
    spec_path: Annotated[str, typer.Argument(metavar="SPEC", help="The service's OpenAPI document.")],
    base_url: Annotated[str, typer.Option(
        "--base-url", help="Where the service runs; never taken from the document's servers.")],
    header_env: _LiveHeaderEnv = None,
    header: _LiveHeader = None,
    allow_writes: _LiveAllowWrites = False,
    allow_method: _LiveAllowMethod = None,
    allow_host: _LiveAllowHost = None,
    request_timeout: _LiveTimeout = None,
    max_duration: _LiveDuration = None,
    max_requests: _LiveRequests = None,
    rate_limit: _LiveRate = None,
    max_examples: _LiveExamples = None,
    latency_budget: _LiveLatency = None,
    error_rate_budget: _LiveErrorRate = None,
    trust_env: _LiveTrustEnv = False,
    insecure: _LiveInsecure = False,
    seed: _LiveSeed = None,
    progress: _LiveProgress = "auto",
    log_file: _LiveLogFile = None,
    config: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--config", help="Config file; default: found by walking up from the working folder.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.terminal,
    output: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--output", "-o", help="Write the --format output to this file instead of stdout.")] = None,
    report_to: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
        "--report", metavar="FORMAT=PATH", help="Also write a report (repeatable), e.g. "
        "--report html=scorecard.html --report sarif=live.sarif.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Audit a running service against its spec: the live gate alone (read-only by default)."""
    _DEBUG["on"] = debug
    from gatekeeper.config import discover, load_config
    from gatekeeper.registry import validate
    from gatekeeper.reporters import render
    from gatekeeper.spec import load

    from gatekeeper.reporters.outputs import parse_report_args, write_reports

    cfg = load_config(config if config else discover())
    validate(cfg)  # the static gates' settings too: the file is shared with `check`
    report_targets = parse_report_args(report_to, inputs=[spec_path])
    spec = load(spec_path)
    flags = _live_flags(locals())
    report, redactor = _live_audit(spec, base_url, flags, cfg, None, progress, log_file, debug)
    color = (fmt is Format.terminal and output is None and sys.stdout.isatty()
             and "NO_COLOR" not in os.environ)
    options = {"color": color} if fmt is Format.terminal else {}
    text = render(fmt.value, report, **options)  # the terminal view shows the live summary
    text = redactor.redact(text)  # type: ignore[attr-defined]
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    elif text:
        sys.stdout.write(text)
    write_reports([report], report_targets, redact=redactor.redact)  # type: ignore[attr-defined]
    _exit_if_interrupted(report)
    raise typer.Exit(0 if report.passed else 1)  # type: ignore[attr-defined]


def _exit_if_interrupted(report: object) -> None:
    """After Ctrl-C the partial report is written; the exit code is then 130, as for SIGINT."""
    live = report.sections.get("live") or {}  # type: ignore[attr-defined]
    if str(live.get("stop_reason") or "").startswith("interrupted"):
        typer.echo("gatekeeper: live audit interrupted; the report is partial", err=True)
        raise typer.Exit(130)


@app.command("baseline")
def baseline_cmd(
    specs: Annotated[list[str], typer.Argument(help="Spec files whose findings to accept.",
                                               show_default=False)],
    output: Annotated[str, typer.Option("--output", "-o", help="Baseline file to write.")
                      ] = "gatekeeper-baseline.yaml",
    reason: Annotated[str, typer.Option("--reason", help="Why these findings are accepted.")
                      ] = "",
    owner: Annotated[str, typer.Option("--owner", help="Who is accountable for them.")] = "",
    expires: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--expires", metavar="YYYY-MM-DD", help="Date after which the entries stop waiving.")
    ] = None,
    config: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--config", help="Config file; default: found by walking up.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Write the findings of SPECS to a baseline file: accepted findings that stop failing the
    check. Entries already in the file keep their reason, owner and expiry."""
    import datetime as dt

    from gatekeeper.baseline import read_baseline, write_baseline
    from gatekeeper.config import discover, load_config
    from gatekeeper.engine import run
    from gatekeeper.registry import all_gates, validate
    from gatekeeper.spec import load

    _DEBUG["on"] = debug
    try:
        until = dt.date.fromisoformat(expires) if expires else None
    except ValueError:
        raise ConfigError(f"--expires must be a date like 2026-12-31; got {expires!r}") from None
    cfg = load_config(config if config else discover())
    gates = all_gates()
    validate(cfg)  # a shared config may set live rules: valid here too
    keep = read_baseline(output) if os.path.isfile(output) else []
    reports = [run(load(path, ref_root=cfg.settings.get("ref-root")), gates, cfg,
                   raise_errors=debug) for path in specs]
    entries = write_baseline(output, reports, reason=reason, owner=owner, expires=until,
                             keep=keep)
    typer.echo(f"wrote {len(entries)} accepted finding(s) to {output}")


def _safe(text: str) -> str:
    from gatekeeper.reporters.text import terminal_safe

    return "\n".join(terminal_safe(line) for line in text.split("\n"))


def _plain_check(args: list[str]) -> tuple[list[str], bool] | None:
    """``check FILE... [-q]``, the form CI runs most: call `check` with its own defaults
    without typer's parser (about 0.1 s of start-up). Anything else goes through typer."""
    if len(args) < 2 or args[0] != "check":
        return None
    files = [a for a in args[1:] if a not in ("-q", "--quiet")]
    if not files or any(a.startswith("-") or not a for a in files):
        return None
    return files, len(files) != len(args) - 1


def main() -> None:
    """Console entry point: turns every failure into one line and an exit code."""
    debug = "--debug" in sys.argv
    if not debug:  # library warnings (regex syntax in a spec, deprecations) are not findings
        import warnings

        warnings.simplefilter("ignore")
    try:
        plain = _plain_check(sys.argv[1:])
        code = check(specs=plain[0], quiet=plain[1]) if plain else app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except InputError as exc:
        if debug:
            raise
        sys.stderr.write(_safe(str(exc)) + "\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("gatekeeper: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # click usage errors and anything unexpected
        if type(exc).__name__ == "Abort":
            sys.exit(130)
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click usage errors
            exc.show()
            sys.exit(2)
        if debug:
            raise
        sys.stderr.write(f"gatekeeper: internal error: {type(exc).__name__}: "
                         f"{_safe(str(exc))[:300]} (run with --debug for the traceback)\n")
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)

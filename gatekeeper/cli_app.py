"""The typer application behind ``gatekeeper``: every command's options and help.

Only imported when the command line is not the plain ``check FILE... [-q]`` form (see
`gatekeeper.cli.main`); the work of `check` is `gatekeeper.orchestration.check.check_command`.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Any, Optional

import typer

from gatekeeper.orchestration.check import check_command
from gatekeeper.orchestration.catalogues import catalogues as live_catalogues
from gatekeeper.orchestration.live import exit_if_interrupted, live_audit, live_flags
from gatekeeper.config import with_rulesets
from gatekeeper.errors import ConfigError
from gatekeeper.version import __version__

app = typer.Typer(
    name="gatekeeper",
    help="A quality gate for OpenAPI documents.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

from gatekeeper.reporters import REPORTERS  # noqa: E402  (a directory listing; no reporter imported)

#: `--format` of the commands that make a report: every reporter (`gatekeeper.reporters`).
Format = Enum("Format", {name: name for name in REPORTERS}, type=str)  # type: ignore[misc]
_FORMAT_HELP = f"Output format: {', '.join(REPORTERS)} (the same document as --report FORMAT=)."


class ViewFormat(str, Enum):
    """`--format` of the commands that print a listing rather than a report."""
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


_Ruleset = Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
    "--ruleset", help="A Spectral ruleset (.spectral.yaml) whose rules run as a gate "
    "(repeatable; config: ruleset; \"auto\": the one in the working folder).")]



@app.command()
def check(
    specs: Annotated[list[str], typer.Argument(help="Spec files to check.", show_default=False)],
    config: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--config", help="Config file (gatekeeper.toml or pyproject.toml); default: "
        "found by walking up from the working folder.")] = None,
    select: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
        "--select", help="Only these gates or rules (comma-separated, repeatable).")] = None,
    extend_select: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
        "--extend-select", help="Also run these gates or rules, e.g. the opt-in gates "
        "(comma-separated, repeatable).")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
        "--ignore", help="Skip these gates or rules.")] = None,
    fail_on: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--fail-on", help="Lowest severity that fails a gate: error, warning or info.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help=_FORMAT_HELP)] = Format.terminal,
    output: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--output", "-o", help="Write the --format output to this file, not stdout.")] = None,
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
    load_test: Annotated[bool, typer.Option(
        "--load", help="With --live: also load-test the service (the perf gate; shape and "
        "budgets from the [load] config table, see `gatekeeper load --help`).")] = False,
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
    focus_failures: _LiveFocus = False,
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
    timeout: Annotated[Optional[float], typer.Option(  # noqa: UP007
        "--timeout", metavar="SECONDS", help="Give up on a spec after this long: loading, "
        "validation and gates run in a worker process (default 120; 0: no limit).")] = None,
    max_memory: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--max-memory", metavar="SIZE", help="Memory (address space) a spec's worker may "
        "use (default 4GB; 0: no limit).")] = None,
    shard: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--shard", metavar="K/N", help="Check only the K-th of N shares of the specs "
        "(balanced by size, the same on every runner): one job of a CI matrix; combine the "
        "shards' JSON reports with `gatekeeper merge`. See docs/ci-matrix.md.")] = None,
    report_dir: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--report-dir", metavar="DIR", help="Also write each spec's JSON report to DIR "
        "(at its path, e.g. DIR/apis/pets.yaml.json); the HTML portfolio links to them.")
    ] = None,
    min_severity: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--min-severity", metavar="SEVERITY", help="List only findings of this severity or "
        "above in the terminal: error, or warning for errors and warnings (gates, verdict "
        "and the other reports are unchanged).")] = None,
    show_waived: Annotated[bool, typer.Option(
        "--show-waived", help="Also list the waived findings (x-gatekeeper-ignore, baseline, "
        "existing in the base) with what waived each.")] = False,
    ruleset: _Ruleset = None,
) -> None:
    """Load, validate and gate one or more OpenAPI specs (and, with --live, the running service)."""
    return check_command(**{**locals(), "fmt": fmt.value})


def _rules_config(ruleset: list[str] | None) -> object:
    """The configuration gates read their rules from (`Gate.configure`): the config file found
    from the working folder, with --ruleset. Only its rule files matter here."""
    from gatekeeper.config import discover, load_config

    return with_rulesets(load_config(discover()), ruleset)


@app.command("rules")
def rules_cmd(
    fmt: Annotated[ViewFormat, typer.Option("--format", help="Output format.")] = ViewFormat.terminal,
    ruleset: _Ruleset = None,
) -> None:
    """List every rule by gate with its default severity."""
    import json

    from gatekeeper.config import Config
    from gatekeeper.engine import rule_catalogue
    from gatekeeper.registry import configurable_gates

    gates = configurable_gates(_rules_config(ruleset), live_catalogues())
    catalogue = rule_catalogue(gates, Config())
    if fmt is ViewFormat.json:
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
def explain(rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. docs/undocumented-operation.")],
            ruleset: _Ruleset = None) -> None:
    """Print a rule's documentation."""
    from gatekeeper.config import Config, did_you_mean
    from gatekeeper.engine import rule_catalogue
    from gatekeeper.registry import configurable_gates

    gates = configurable_gates(_rules_config(ruleset), live_catalogues())
    catalogue = {r.id: r for r in rule_catalogue(gates, Config())}
    info = catalogue.get(rule_id)
    if info is None:
        raise ConfigError(f"unknown rule `{rule_id}`{did_you_mean(rule_id, catalogue)}; "
                          "`gatekeeper rules` lists them")
    typer.echo(f"# {info.id}  [{info.severity}]{'' if info.enabled else '  (opt-in)'}\n")
    typer.echo(info.docs)
    if info.options:
        typer.echo("\nDefaults: " + ", ".join(f"{k.replace('_', '-')} = {v!r}"
                                              for k, v in info.options.items()))


# ------------------------------------------------------------------ live audit
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
_LiveFocus = Annotated[bool, typer.Option(
    "--focus-failures", help="After every operation is audited, spend the request and time "
    "budget left on new requests to the operations where something failed.")]
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
    focus_failures: _LiveFocus = False,
    latency_budget: _LiveLatency = None,
    error_rate_budget: _LiveErrorRate = None,
    trust_env: _LiveTrustEnv = False,
    insecure: _LiveInsecure = False,
    seed: _LiveSeed = None,
    progress: _LiveProgress = "auto",
    log_file: _LiveLogFile = None,
    config: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--config", help="Config file; default: found by walking up from the working folder.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help=_FORMAT_HELP)] = Format.terminal,
    output: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--output", "-o", help="Write the --format output to this file instead of stdout.")] = None,
    report_to: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
        "--report", metavar="FORMAT=PATH", help="Also write a report (repeatable), e.g. "
        "--report html=scorecard.html --report sarif=live.sarif.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Audit a running service against its spec: the live gate alone (read-only by default)."""
    from gatekeeper.config import discover, load_config
    from gatekeeper.registry import validate
    from gatekeeper.reporters import render
    from gatekeeper.spec import load

    from gatekeeper.outputs import parse_report_args, write_reports

    cfg = load_config(config if config else discover())
    validate(cfg, extra=live_catalogues)  # the file is shared with `check`
    report_targets = parse_report_args(report_to, inputs=[spec_path])
    spec = load(spec_path)
    flags = live_flags(locals())
    report, redactor = live_audit(spec, base_url, flags, cfg, None, progress, log_file, debug)
    from gatekeeper.reporters.terminal import use_color

    color = fmt is Format.terminal and output is None and use_color(sys.stdout)
    options = {"color": color} if fmt is Format.terminal else {}
    text = render(fmt.value, report, **options)  # the terminal view shows the live summary
    text = redactor.redact(text)  # type: ignore[attr-defined]
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    elif text:
        sys.stdout.write(text)
    write_reports([report], report_targets, redact=redactor.redact)  # type: ignore[attr-defined]
    exit_if_interrupted(report)
    raise typer.Exit(0 if report.passed else 1)  # type: ignore[attr-defined]


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
    ruleset: _Ruleset = None,
) -> None:
    """Write the findings of SPECS to a baseline file: accepted findings that stop failing the
    check. Entries already in the file keep their reason, owner and expiry."""
    import datetime as dt

    from gatekeeper.baseline import read_baseline, write_baseline
    from gatekeeper.config import discover, load_config
    from gatekeeper.engine import run
    from gatekeeper.registry import gates_for, validate
    from gatekeeper.spec import load

    try:
        until = dt.date.fromisoformat(expires) if expires else None
    except ValueError:
        raise ConfigError(f"--expires must be a date like 2026-12-31; got {expires!r}") from None
    cfg = with_rulesets(load_config(config if config else discover()), ruleset)
    gates = gates_for(cfg)
    validate(cfg, extra=live_catalogues)  # a shared config may set live rules
    keep = read_baseline(output) if os.path.isfile(output) else []
    reports = [run(load(path, ref_root=cfg.settings.get("ref-root")), gates, cfg,
                   raise_errors=debug) for path in specs]
    entries = write_baseline(output, reports, reason=reason, owner=owner, expires=until,
                             keep=keep)
    typer.echo(f"wrote {len(entries)} accepted finding(s) to {output}")




# ------------------------------------------------------------------ load test (the perf gate)
from gatekeeper.loadtest.command import register as _register_load  # noqa: E402

_register_load(app, Format)

from gatekeeper.diff_cli import diff as _diff  # noqa: E402  (the command lives in its module)

app.command("diff")(_diff)


@app.command("merge")
def merge_cmd(
    reports: Annotated[list[str], typer.Argument(
        help="JSON reports of the shards (`check --shard K/N --format json -o FILE`).",
        show_default=False)],
    fmt: Annotated[ViewFormat, typer.Option("--format", help="Output format: terminal (the "
                                        "portfolio table) or json (one merged report).")
                   ] = ViewFormat.terminal,
    output: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--output", "-o", help="Write the --format output to this file instead of stdout.")
    ] = None,
    report_to: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
        "--report", metavar="FORMAT=PATH", help="Also write a merged report (repeatable): "
        "html (the portfolio), sarif, junit, json, markdown, gitlab or github.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Combine the JSON reports of a CI matrix's shards into one portfolio: one JSON, HTML,
    SARIF, JUnit and Markdown report, and the exit code of the whole run (2 if a spec could
    not be checked, else 1 if one failed, else 0). See docs/ci-matrix.md."""
    from gatekeeper.batch import portfolio_table
    from gatekeeper.merge import merge
    from gatekeeper.outputs import parse_report_args
    from gatekeeper.stream import ConcatWriter, Target

    targets: list[object] = [Target(name, path) for name, path in
                             parse_report_args(report_to, inputs=reports)]
    out: object = output if output else sys.stdout
    if output and os.path.realpath(output) in {os.path.realpath(p) for p in reports}:
        raise ConfigError(f"--output {output}: that is a report being merged; refusing to "
                          "overwrite it")
    if fmt is ViewFormat.json:
        targets.insert(0, Target("json", out))
    else:
        targets.insert(0, Target("terminal", out, writer=ConcatWriter(
            0, lambda report: "", tail=portfolio_table)))
    code, _ = merge(reports, targets)
    raise typer.Exit(code)


@app.command("changed")
def changed_cmd(
    specs: Annotated[Optional[list[str]], typer.Argument(  # noqa: UP007
        help="Only these specs (each kept when it, a file its $refs reach, or a file in its "
        "folder changed). Default: every spec the change touches.", show_default=False)
    ] = None,
    base: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--base", metavar="REF", help="Compare with this git ref (its merge base with HEAD). "
        "Default: the pull request's base from $GITHUB_EVENT_PATH, else "
        "origin/$GITHUB_BASE_REF.")] = None,
    fmt: Annotated[ViewFormat, typer.Option("--format", help="Output format.")] = ViewFormat.terminal,
    show_base: Annotated[bool, typer.Option(
        "--show-base", help="Print the base commit the specs are compared with, and exit "
        "(nothing outside a pull request).")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """List the specs a change touches, one per line: changed, renamed, deleted, and the root
    specs whose $refs reach a changed fragment (what the GitHub Action gates)."""
    import json

    from gatekeeper.changed import (base_from_environment, changed_specs, repository_root,
                                    resolve_base)

    ref = base or base_from_environment()
    if show_base:
        if ref:
            typer.echo(resolve_base(repository_root(), ref))
        return
    root = repository_root()
    if not ref:
        raise ConfigError("gatekeeper changed: no base; pass --base REF (outside a pull "
                          "request there is nothing to compare with)")
    here = os.path.relpath(os.getcwd(), root)
    listed = [os.path.normpath(os.path.join(here, s)) for s in specs or ()]
    found = changed_specs(ref, root=root, listed=listed)

    def shown(rel: str) -> str:  # relative to the working folder, as the user typed paths
        return os.path.relpath(os.path.join(root, rel))

    if fmt is ViewFormat.json:
        typer.echo(json.dumps([{**c.to_dict(), "path": shown(c.path)} for c in found],
                              indent=2))
        return
    for c in found:
        typer.echo(shown(c.path))


def click_command() -> Any:
    """The click command behind `app`, with plain metavars in the help (``TEXT``, ``N``,
    ``SPEC...``) instead of Python types such as ``<list[str]>``."""
    command = typer.main.get_command(app)
    names = {"str": "TEXT", "text": "TEXT", "int": "N", "integer": "N", "float": "NUMBER"}
    for sub in getattr(command, "commands", {}).values():
        for param in sub.params:
            if getattr(param, "param_type_name", "") == "argument":
                if param.metavar is None:
                    param.metavar = "SPEC" if param.nargs == -1 else param.name.upper()
                param.display_type_rich = lambda ctx: None  # no `<list[str]>` beside it
                continue
            if param.metavar is not None or getattr(param, "is_flag", False):
                continue
            desc = getattr(param, "type_descriptor", None)
            if desc is not None and desc.is_choice:
                continue  # shown as its choices, e.g. <terminal|json>
            kind = param.bare_type() if hasattr(param, "bare_type") else \
                getattr(getattr(param, "type", None), "name", "text")
            kind = kind[5:-1] if kind.startswith("list[") else kind
            param.metavar = names.get(kind, kind.upper())
    return command

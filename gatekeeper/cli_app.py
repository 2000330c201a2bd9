"""The typer application behind ``gatekeeper``: every command's options and help.

Only imported when `gatekeeper.cli` cannot read a ``check`` command line itself (see
`gatekeeper.cli.main`); the work of `check` is `gatekeeper.orchestration.check.check_command`.
"""

from __future__ import annotations

import inspect
import os
import sys
from enum import Enum
from typing import Annotated, Any, Optional

import typer

from gatekeeper.orchestration.check import check_command
from gatekeeper.orchestration.options import CHECK_OPTIONS, LIVE_OPTIONS, CheckOptions, Option
from gatekeeper.safe_text import write_text
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


def _parameter(name: str, info: Any, annotation: Any, default: Any = inspect.Parameter.empty
               ) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[annotation, info])


_KINDS = {"str": str, "int": int, "float": float, "bool": bool, "strs": list[str],
          "format": Format}


def _typer_parameter(option: Option) -> inspect.Parameter:
    """One `gatekeeper.orchestration.options.Option` as typer reads a parameter."""
    kind = _KINDS[option.kind]
    default = option.default
    if option.kind == "format":
        default = Format(default)
    help_text = _FORMAT_HELP if option.kind == "format" else option.help
    return _parameter(option.name, typer.Option(*option.flags, help=help_text,
                                                **option.settings),
                      Optional[kind] if default is None else kind, default)  # noqa: UP007


def _with_options(fn: Any, before: list[inspect.Parameter], options: Any,
                  after: list[inspect.Parameter] | None = None) -> Any:
    """`fn(**values)` given the typer parameters `before`, one per option of `options` and
    `after`: the options are declared once (`gatekeeper.orchestration.options`)."""
    parameters = [*before, *(_typer_parameter(o) for o in options), *(after or ())]
    fn.__signature__ = inspect.Signature(parameters)
    fn.__annotations__ = {p.name: p.annotation for p in parameters}
    return fn


def _option(name: str) -> Option:
    return next(o for o in CHECK_OPTIONS if o.name == name)


_Ruleset = Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
    *_option("ruleset").flags, help=_option("ruleset").help)]  # rules, explain, baseline



def check(**values: Any) -> None:
    """Load, validate and gate one or more OpenAPI specs (and, with --live, the running service)."""
    return check_command(CheckOptions(**{**values, "fmt": values["fmt"].value}))


app.command()(_with_options(check, [_parameter("specs", typer.Argument(
    help="Spec files to check.", show_default=False), list[str])], CHECK_OPTIONS))


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
# The live options are those of `check --live` (`LIVE_OPTIONS`); the work is in gatekeeper.live.


def audit(**values: Any) -> None:
    """Audit a running service against its spec: the live gate alone (read-only by default)."""
    from gatekeeper.config import discover, load_config
    from gatekeeper.registry import validate
    from gatekeeper.reporters import render
    from gatekeeper.spec import load

    from gatekeeper.outputs import parse_report_args, write_reports

    fmt, output, debug = values["fmt"], values["output"], values["debug"]
    cfg = load_config(values["config"] if values["config"] else discover())
    validate(cfg, extra=live_catalogues)  # the file is shared with `check`
    report_targets = parse_report_args(values["report_to"], inputs=[values["spec_path"]])
    spec = load(values["spec_path"])
    flags = live_flags(values)
    report, redactor = live_audit(spec, values["base_url"], flags, cfg, None,
                                  values["progress"], values["log_file"], debug)
    from gatekeeper.reporters.terminal import use_color

    color = fmt is Format.terminal and output is None and use_color(sys.stdout)
    options = {"color": color} if fmt is Format.terminal else {}
    text = render(fmt.value, report, **options)  # the terminal view shows the live summary
    text = redactor.redact(text)  # type: ignore[attr-defined]
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            write_text(fh, text)
    elif text:
        write_text(sys.stdout, text)
    write_reports([report], report_targets, redact=redactor.redact)  # type: ignore[attr-defined]
    exit_if_interrupted(report)
    raise typer.Exit(0 if report.passed else 1)  # type: ignore[attr-defined]


app.command()(_with_options(audit, [
    _parameter("spec_path", typer.Argument(metavar="SPEC",
                                           help="The service's OpenAPI document."), str),
    _parameter("base_url", typer.Option(
        "--base-url", help="Where the service runs; never taken from the document's servers."),
        str),
], LIVE_OPTIONS, [
    _parameter("config", typer.Option(
        "--config", help="Config file; default: found by walking up from the working folder."),
        Optional[str], None),  # noqa: UP007
    _typer_parameter(_option("fmt")),
    _parameter("output", typer.Option(
        "--output", "-o", help="Write the --format output to this file instead of stdout."),
        Optional[str], None),  # noqa: UP007
    _parameter("report_to", typer.Option(
        "--report", metavar="FORMAT=PATH", help="Also write a report (repeatable), e.g. "
        "--report html=scorecard.html --report sarif=live.sarif."),
        Optional[list[str]], None),  # noqa: UP007
    _parameter("debug", typer.Option("--debug", help="Show tracebacks."), bool, False),
]))


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
    from gatekeeper.orchestration.many_specs import portfolio_table
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

"""The options of ``gatekeeper check``, declared once: each flag's name, default, kind, help
and spelling (`Option`), and `CheckOptions`, the typed record the command runs from.

The typer app (`gatekeeper.cli_app`) builds the parameters of ``check`` from `CHECK_OPTIONS`
and those of ``audit`` from `LIVE_OPTIONS` (the live options the two commands share); the
plain ``check`` path (`gatekeeper.cli`) builds a `CheckOptions` directly without importing typer.
Plain data: nothing here imports typer, typing or dataclasses (see "Start-up" in
CONTRIBUTING.md)."""

from __future__ import annotations

from gatekeeper.record import Record

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CHECK_OPTIONS", "LIVE_OPTIONS", "CheckOptions", "Option"]


class Option(Record):
    """One flag. `kind`: ``str``, ``int``, ``float``, ``bool``, ``strs`` (repeatable text) or
    ``format`` (a reporter's name; its help lists the reporters); a flag whose default is None
    is optional (a ``bool`` one is an ``--on/--off`` pair left unset). `settings`: more of
    ``typer.Option``'s settings (``metavar``, ``min``)."""

    __slots__ = ("name", "default", "kind", "flags", "help", "settings")

    def __init__(self, name: str, default: Any, kind: str, flags: tuple[str, ...],
                 help: str | None, settings: dict[str, Any] | None = None) -> None:
        self.name = name
        self.default = default
        self.kind = kind
        self.flags = flags
        self.help = help
        self.settings = settings or {}


#: The live audit's options: ``check --live URL`` and ``gatekeeper audit`` take them all.
LIVE_OPTIONS = (
    Option("header_env", None, "strs", ("--header-env",),
           "Send header NAME with the value of environment variable VAR (NAME=VAR, "
           "repeatable), e.g. Authorization=API_TOKEN. Redacted from every output."),
    Option("header", None, "strs", ("--header",),
           "Send 'Name: value' (repeatable); prefer --header-env for secrets."),
    Option("allow_writes", False, "bool", ("--allow-writes", "--allow-unsafe-methods"),
           "Also send POST, PUT, PATCH and DELETE (default: GET, HEAD, OPTIONS only)."),
    Option("allow_method", None, "strs", ("--allow-method",),
           "Also send this method (repeatable), e.g. POST."),
    Option("allow_host", None, "strs", ("--allow-host",),
           "A further host requests may go to (repeatable)."),
    Option("request_timeout", None, "float", ("--request-timeout",),
           "Seconds per request (default 10)."),
    Option("max_duration", None, "float", ("--max-duration",),
           "Seconds for the whole audit (default 300)."),
    Option("max_requests", None, "int", ("--max-requests",),
           "Requests for the whole audit (default 1000)."),
    Option("rate_limit", None, "float", ("--rate-limit",),
           "Requests per second, 0 for no limit (default 10)."),
    Option("max_examples", None, "int", ("--max-examples",),
           "Generated requests per operation (default 10)."),
    Option("focus_failures", False, "bool", ("--focus-failures",),
           "After every operation is audited, spend the request and time budget left on new "
           "requests to the operations where something failed."),
    Option("latency_budget", None, "float", ("--latency-budget",),
           "p95 latency budget per operation in ms (default 200)."),
    Option("error_rate_budget", None, "float", ("--error-rate-budget",),
           "Budget for 5xx/timeouts in percent of requests (default 0.1)."),
    Option("trust_env", False, "bool", ("--trust-env",),
           "Honour proxy variables and .netrc (off by default)."),
    Option("insecure", False, "bool", ("--insecure",),
           "Do not verify TLS certificates."),
    Option("seed", None, "int", ("--seed",),
           "Seed for request generation (default: the same requests every run)."),
    Option("progress", "auto", "str", ("--progress",),
           "auto, bar, plain or off (auto: a bar when stderr is a terminal)."),
    Option("log_file", None, "str", ("--log-file",),
           "Write one (redacted) line per request to this file."),
)

#: ``gatekeeper check``'s options, in the order ``--help`` lists them.
CHECK_OPTIONS = (
    Option("config", None, "str", ("--config",),
           "Config file (gatekeeper.toml or pyproject.toml); default: found by walking up "
           "from the working folder."),
    Option("select", None, "strs", ("--select",),
           "Only these gates or rules (comma-separated, repeatable)."),
    Option("extend_select", None, "strs", ("--extend-select",),
           "Also run these gates or rules, e.g. the opt-in gates (comma-separated, "
           "repeatable)."),
    Option("ignore", None, "strs", ("--ignore",),
           "Skip these gates or rules."),
    Option("fail_on", None, "str", ("--fail-on",),
           "Lowest severity that fails a gate: error, warning or info."),
    Option("fmt", "terminal", "format", ("--format",), None),
    Option("output", None, "str", ("--output", "-o"),
           "Write the --format output to this file, not stdout."),
    Option("max_file_size", None, "str", ("--max-file-size",),
           "Refuse larger spec files (default 100MB)."),
    Option("max_depth", None, "int", ("--max-depth",),
           "Refuse deeper nesting (default 256)."),
    Option("max_nodes", None, "int", ("--max-nodes",),
           "Refuse YAML whose aliases expand past this many nodes (default 2,000,000)."),
    Option("ref_root", None, "str", ("--ref-root",),
           "Folder that file $refs may not leave (default: the spec's folder)."),
    Option("allow_remote_ref", None, "strs", ("--allow-remote-ref",),
           "Fetch remote $refs under this https prefix (repeatable; default: remote $refs "
           "are refused). 5 s, 5 MB, 50 fetches, no redirects, no credentials.",
           {"metavar": "PREFIX"}),
    Option("allow_private_networks", False, "bool", ("--allow-private-networks",),
           "Let --allow-remote-ref reach loopback and private addresses."),
    Option("quiet", False, "bool", ("--quiet", "-q"),
           "Only the summary, no finding lines."),
    Option("debug", False, "bool", ("--debug",),
           "Show tracebacks."),
    Option("jobs", None, "int", ("--jobs", "-j"),
           "Check this many specs in parallel (default: the number of cores).",
           {"min": 1}),
    Option("live", None, "str", ("--live",),
           "Also audit the service running at URL (the live gate); see `gatekeeper audit "
           "--help` for the live options.",
           {"metavar": "URL"}),
    Option("load_test", False, "bool", ("--load",),
           "With --live: also load-test the service (the perf gate; shape and budgets from "
           "the [load] config table, see `gatekeeper load --help`)."),
    *LIVE_OPTIONS,
    Option("base", None, "str", ("--base",),
           "Compare with the same spec at this git ref (e.g. origin/main): new, fixed and "
           "unchanged findings, metric deltas, breaking changes.",
           {"metavar": "REF"}),
    Option("base_file", None, "str", ("--base-file",),
           "Compare with this spec file instead of a ref.",
           {"metavar": "FILE"}),
    Option("new_only", None, "bool", ("--new-only/--all-findings",),
           "With a base: only findings the change introduced fail; the others are reported "
           "as existing (config: new-only)."),
    Option("ratchet", None, "bool", ("--ratchet/--no-ratchet",),
           "With a base: fail a gate whose metric dropped below the base's (config: ratchet,"
           " [gates.X] ratchet-tolerance)."),
    Option("baseline", None, "str", ("--baseline",),
           "Baseline of accepted findings to waive (written by `gatekeeper baseline`; "
           "config: baseline).",
           {"metavar": "FILE"}),
    Option("pr_summary", None, "str", ("--pr-summary",),
           "Also write a Markdown pull-request summary (verdict, score and coverage deltas, "
           "new and fixed findings, breaking changes).",
           {"metavar": "FILE"}),
    Option("report_to", None, "strs", ("--report",),
           "Also write a report (repeatable): html, sarif, junit, json, markdown, gitlab or "
           "github, e.g. --report html=scorecard.html --report sarif=results.sarif. The "
           "terminal view still prints.",
           {"metavar": "FORMAT=PATH"}),
    Option("timeout", None, "float", ("--timeout",),
           "Give up on a spec after this long: loading, validation and gates run in a worker"
           " process (default 120; 0: no limit).",
           {"metavar": "SECONDS"}),
    Option("max_memory", None, "str", ("--max-memory",),
           "Memory (address space) a spec's worker may use (default 4GB; 0: no limit).",
           {"metavar": "SIZE"}),
    Option("shard", None, "str", ("--shard",),
           "Check only the K-th of N shares of the specs (balanced by size, the same on "
           "every runner): one job of a CI matrix; combine the shards' JSON reports with "
           "`gatekeeper merge`. See docs/ci-matrix.md.",
           {"metavar": "K/N"}),
    Option("report_dir", None, "str", ("--report-dir",),
           "Also write each spec's JSON report to DIR (at its path, e.g. "
           "DIR/apis/pets.yaml.json); the HTML portfolio links to them.",
           {"metavar": "DIR"}),
    Option("min_severity", None, "str", ("--min-severity",),
           "List only findings of this severity or above in the terminal: error, or warning "
           "for errors and warnings (gates, verdict and the other reports are unchanged).",
           {"metavar": "SEVERITY"}),
    Option("show_waived", False, "bool", ("--show-waived",),
           "Also list the waived findings (x-gatekeeper-ignore, baseline, existing in the "
           "base) with what waived each."),
    Option("ruleset", None, "strs", ("--ruleset",),
           "A Spectral ruleset (.spectral.yaml) whose rules run as a gate (repeatable; "
           'config: ruleset; "auto": the one in the working folder).'),
)


class CheckOptions(Record):
    """What ``gatekeeper check`` was asked for: `specs` (files, folders, globs) and one field
    per `CHECK_OPTIONS` entry, each with that option's default unless given."""

    __slots__ = ("specs", *(o.name for o in CHECK_OPTIONS))

    def __init__(self, *values: Any, **named: Any) -> None:
        given = dict(zip(self.__slots__, values))
        unknown = named.keys() - set(self.__slots__)
        if unknown:
            raise TypeError(f"CheckOptions has no field {', '.join(sorted(unknown))}")
        given.update(named)
        self.specs = list(given.get("specs", ()))
        for option in CHECK_OPTIONS:
            setattr(self, option.name, given.get(option.name, option.default))

    def values(self) -> dict[str, Any]:
        """Every field by name."""
        return dict(zip(self.__slots__, self._all_values(self)))

"""``gatekeeper load`` and ``gatekeeper load-worker``: the command-line face of the load test.

The config table may set budgets and shape only (never the base URL or credentials)::

    [tool.gatekeeper.loadtest]
    users = 20                  # capped at 200 unless --users is given on the command line
    spawn-rate = 10             # users started per second
    max-duration = 30           # s
    max-requests = 0            # 0: no limit besides the duration
    think-time = "0.5,1.5"      # s between a user's requests (min,max)
    target-rps = 0              # whole-run throughput to aim for, 0: as fast as users go
    request-timeout = 10        # s
    latency-budget = 200        # ms, p95 per operation and overall
    error-rate-budget = 0.1     # percent of requests (5xx, timeouts, failed connections)
    min-rps = 0                 # minimum throughput the run must reach, 0: not judged
    [tool.gatekeeper.loadtest.weights]
    "GET /reports/{reportId}" = 3   # or an operationId; x-gatekeeper-weight in the document

Flags override the table.
"""


import os
import sys
from collections.abc import Mapping
from typing import Annotated, Any, Optional

import typer

from gatekeeper.errors import ConfigError
from gatekeeper.orchestration.catalogues import catalogues

__all__ = ["CONFIG_KEYS", "build_load_options", "register"]

#: config key -> (LoadOptions field, converter)
CONFIG_KEYS: dict[str, tuple[str, Any]] = {
    "users": ("users", int),
    "spawn-rate": ("spawn_rate", float),
    "max-duration": ("max_duration", float),
    "max-requests": ("max_requests", int),
    "think-time": ("think_time", lambda v: _think(str(v))),
    "target-rps": ("target_rps", lambda v: float(v) or None),
    "request-timeout": ("request_timeout", float),
    "latency-budget": ("latency_budget_ms", float),
    "error-rate-budget": ("error_rate_budget", lambda pct: float(pct) / 100),
    "min-rps": ("min_rps", lambda v: float(v) or None),
    "weights": ("weights", lambda v: {str(k): float(w) for k, w in dict(v).items()}),
}


def _think(text: str) -> tuple[float, float] | None:
    low, _, high = text.partition(",")
    try:
        pair = (float(low), float(high or low))
    except ValueError:
        raise ConfigError(f"think time must be MIN,MAX seconds, got {text!r}") from None
    if pair[0] < 0 or pair[1] < pair[0]:
        raise ConfigError(f"think time must be 0 <= MIN <= MAX, got {text!r}")
    return pair if pair[1] > 0 else None


def build_load_options(base_url: str, flags: Mapping[str, Any], settings: Any, *,
                       source: str = "config") -> Any:
    """``flags`` by config key name (None: not given), plus ``header-env``, ``header``,
    ``allow-writes``, ``allow-method``, ``master``, ``expect-workers``, ``master-bind-host``,
    ``master-bind-port``."""
    from gatekeeper.live.safety import Credentials
    from gatekeeper.loadtest.runner import LoadOptions

    from gatekeeper.config import stage_settings

    users_explicit = flags.get("users") is not None
    kwargs = stage_settings(settings, flags, CONFIG_KEYS, section="load", source=source,
                            hint="the base URL and credentials are flags only")
    credentials = Credentials.from_flags(flags.get("header-env") or (), flags.get("header") or ())
    header_env = tuple((name.strip(), var.strip()) for name, _, var in
                       (item.partition("=") for item in flags.get("header-env") or ()))
    literal = tuple((name.strip(), value.strip()) for name, _, value in
                    (item.partition(":") for item in flags.get("header") or ()))
    return LoadOptions(
        base_url=base_url.rstrip("/"), credentials=credentials, users_explicit=users_explicit,
        header_env=header_env, literal_headers=literal,
        allow_writes=bool(flags.get("allow-writes")),
        allow_methods=tuple(m.upper() for m in flags.get("allow-method") or ()),
        master=bool(flags.get("master")), expect_workers=int(flags.get("expect-workers") or 1),
        master_bind_host=str(flags.get("master-bind-host") or "127.0.0.1"),
        master_bind_port=int(flags.get("master-bind-port") or 5557), **kwargs)


class _ProgressLine:
    """Users, requests/s, p95 so far and time left: one rewritten line on a terminal, a plain
    line every 5 s otherwise (CI logs)."""

    def __init__(self, duration: float, mode: str) -> None:
        self.started: float | None = None  # the first figures: Locust's clock starts then
        self.duration = duration
        self.tty = sys.stderr.isatty() if mode == "auto" else mode == "bar"
        self.off = mode == "off"
        self.last_plain = 0.0
        self.previous: tuple[float, int] | None = None

    def __call__(self, record: Mapping[str, Any]) -> None:
        import time

        if self.off:
            return
        now = time.monotonic()
        if self.started is None:
            self.started = now
        requests = int(record.get("requests") or 0)
        rps = 0.0
        if self.previous is not None and record.get("t"):
            dt = float(record["t"]) - self.previous[0]
            rps = (requests - self.previous[1]) / dt if dt > 0 else 0.0
        if record.get("t"):
            self.previous = (float(record["t"]), requests)
        left = max(0.0, self.duration - (now - self.started))
        p95 = record.get("p95")
        text = (f"load: {record.get('users', 0)} users, {requests} requests, {rps:.0f} req/s, "
                f"p95 {p95 if p95 is not None else '-'} ms, {record.get('failures', 0)} errors, "
                f"{left:.0f} s left")
        if "stop" in record:
            text = f"load: stopped ({record['stop']}) after {requests} requests"
        if self.tty:
            sys.stderr.write("\r\x1b[2K" + text + ("\n" if "stop" in record else ""))
            sys.stderr.flush()
        elif "stop" in record or now - self.last_plain >= 5:
            self.last_plain = now
            sys.stderr.write(text + "\n")
            sys.stderr.flush()


def register(app: typer.Typer, format_enum: Any) -> None:
    """Add ``load`` and ``load-worker`` to the typer application."""

    @app.command("load")
    def load_cmd(
        spec_path: Annotated[str, typer.Argument(metavar="SPEC", help="The service's OpenAPI document.")],
        base_url: Annotated[str, typer.Option(
            "--base-url", help="Where the service runs; never taken from the document's servers.")],
        users: Annotated[Optional[int], typer.Option(  # noqa: UP007
            "--users", "-u", help="Concurrent simulated users (default 10).")] = None,
        spawn_rate: Annotated[Optional[float], typer.Option(  # noqa: UP007
            "--spawn-rate", "-r", help="Users started per second (default: all at once).")] = None,
        max_duration: Annotated[Optional[float], typer.Option(  # noqa: UP007
            "--max-duration", "-t", help="Seconds of load (default 30).")] = None,
        max_requests: Annotated[Optional[int], typer.Option(  # noqa: UP007
            "--max-requests", help="Stop after this many requests (default: no limit).")] = None,
        think_time: Annotated[Optional[str], typer.Option(  # noqa: UP007
            "--think-time", help="Seconds between a user's requests, MIN,MAX (default 0).")] = None,
        target_rps: Annotated[Optional[float], typer.Option(  # noqa: UP007
            "--target-rps", help="Throughput to aim for over the whole run.")] = None,
        request_timeout: Annotated[Optional[float], typer.Option(  # noqa: UP007
            "--request-timeout", help="Seconds per request (default 10).")] = None,
        latency_budget: Annotated[Optional[float], typer.Option(  # noqa: UP007
            "--latency-budget", help="p95 budget in ms, per operation and overall (default 200).")] = None,
        error_rate_budget: Annotated[Optional[float], typer.Option(  # noqa: UP007
            "--error-rate-budget", help="Budget for 5xx/timeouts/failed connections in percent "
            "(default 0.1).")] = None,
        min_rps: Annotated[Optional[float], typer.Option(  # noqa: UP007
            "--min-rps", help="Fail when the run reaches fewer requests per second.")] = None,
        header_env: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
            "--header-env", help="Send header NAME with the value of environment variable VAR "
            "(NAME=VAR, repeatable). Redacted from every output.")] = None,
        header: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
            "--header", help="Send 'Name: value' (repeatable); prefer --header-env.")] = None,
        allow_writes: Annotated[bool, typer.Option(
            "--allow-writes", help="Also load-test POST, PUT, PATCH and DELETE.")] = False,
        allow_method: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
            "--allow-method", help="Also load-test this method (repeatable).")] = None,
        master: Annotated[bool, typer.Option(
            "--master", help="Run as the master of Locust's distributed mode; workers join with "
            "`gatekeeper load-worker` (or `locust -f - --worker`).")] = False,
        expect_workers: Annotated[int, typer.Option(
            "--expect-workers", help="With --master: workers to wait for.")] = 1,
        master_bind_host: Annotated[str, typer.Option(
            "--master-bind-host", help="With --master: address to listen on.")] = "127.0.0.1",
        master_bind_port: Annotated[int, typer.Option(
            "--master-bind-port", help="With --master: port to listen on.")] = 5557,
        write_locustfile: Annotated[Optional[str], typer.Option(  # noqa: UP007
            "--write-locustfile", help="Write the generated locustfile to PATH and exit "
            "(run it with plain `locust -f PATH`).")] = None,
        progress: Annotated[str, typer.Option(
            "--progress", help="auto, bar, plain or off.")] = "auto",
        config: Annotated[Optional[str], typer.Option(  # noqa: UP007
            "--config", help="Config file; default: found by walking up from the working folder.")] = None,
        fmt: Annotated[format_enum, typer.Option("--format", help="Output format.")] = "terminal",
        output: Annotated[Optional[str], typer.Option(  # noqa: UP007
            "--output", "-o", help="Write the --format output to this file instead of stdout.")] = None,
        report_to: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
            "--report", metavar="FORMAT=PATH", help="Also write a report (repeatable).")] = None,
        debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    ) -> None:
        """Load-test a running service with a request mix derived from its spec, on Locust, and
        gate p95 latency and error rate under load (the perf gate; read-only by default)."""
        flags = {"users": users, "spawn-rate": spawn_rate, "max-duration": max_duration,
                 "max-requests": max_requests, "think-time": think_time, "target-rps": target_rps,
                 "request-timeout": request_timeout, "latency-budget": latency_budget,
                 "error-rate-budget": error_rate_budget, "min-rps": min_rps,
                 "header-env": header_env, "header": header, "allow-writes": allow_writes,
                 "allow-method": allow_method, "master": master, "expect-workers": expect_workers,
                 "master-bind-host": master_bind_host, "master-bind-port": master_bind_port}
        _load(spec_path, base_url, flags, write_locustfile=write_locustfile, progress=progress,
              config=config, fmt=fmt, output=output, report_to=report_to, debug=debug)

    _register_worker(app)


def _register_worker(app: typer.Typer) -> None:
    """Add ``load-worker`` to the typer application."""

    @app.command("load-worker")
    def load_worker_cmd(
        master_host: Annotated[str, typer.Option("--master-host", help="The master's address.")],
        master_port: Annotated[int, typer.Option("--master-port", help="The master's port.")] = 5557,
    ) -> None:
        """Join a `gatekeeper load --master` run as a Locust worker (the master sends the
        locustfile; credentials come from this machine's environment variables named by the
        master's --header-env)."""
        _run_worker(master_host, master_port)


def _load(spec_path: str, base_url: str, flags: dict[str, Any], *, write_locustfile: str | None,
          progress: str, config: str | None, fmt: Any, output: str | None,
          report_to: list[str] | None, debug: bool) -> None:
    """``gatekeeper load``: the options from the flags and the config, then the locustfile
    written or the load run and its report; exits with the verdict."""
    from gatekeeper.config import discover, load_config
    from gatekeeper.loadtest import load_report
    from gatekeeper.outputs import parse_report_args, write_reports
    from gatekeeper.registry import validate
    from gatekeeper.spec import load

    cfg = load_config(config if config else discover())
    validate(cfg, extra=catalogues)
    report_targets = parse_report_args(report_to, inputs=[spec_path])
    options = build_load_options(base_url, flags, cfg.settings.get("load"),
                                 source=cfg.source or "config")
    options.validate()
    redactor = options.credentials.redactor()
    spec = load(spec_path)
    if write_locustfile:
        _write_locustfile(spec, options, write_locustfile)
    line = _ProgressLine(options.max_duration, progress)
    report, result = load_report(spec, options, cfg, progress=line, raise_errors=debug)
    _write_output(report, fmt, output, redactor)
    write_reports([report], report_targets, redact=redactor.redact)
    if result.interrupted:
        typer.echo("gatekeeper: load test interrupted; the report is partial", err=True)
        raise typer.Exit(130)
    raise typer.Exit(0 if report.passed else 1)


def _write_locustfile(spec: Any, options: Any, path: str) -> None:
    """``--write-locustfile PATH``: the generated locustfile, then exit 0."""
    from gatekeeper.loadtest import build_plan, locustfile_text

    plan = build_plan(spec, allow_writes=options.allow_writes,
                      allow_methods=options.allow_methods, weights=options.weights)
    plan.credential_env = list(options.header_env)
    if options.literal_headers:
        raise ConfigError("--write-locustfile: pass credentials with --header-env (the "
                          "file names the variable, never the value), not --header")
    if os.path.exists(path):
        raise ConfigError(f"{path} exists; remove it or choose another path")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(locustfile_text(plan))
    typer.echo(f"wrote {path}: {len(plan.requests)} operations, "
               f"{len(plan.skipped)} left out; run it with: locust -f {path} "
               f"--host {options.base_url}", err=True)
    raise typer.Exit(0)


def _write_output(report: Any, fmt: Any, output: str | None, redactor: Any) -> None:
    """The ``--format`` output, redacted, to ``--output`` or stdout."""
    from gatekeeper.reporters import render

    fmt_name = getattr(fmt, "value", fmt)
    color = (fmt_name == "terminal" and output is None and sys.stdout.isatty()
             and not os.environ.get("NO_COLOR"))
    options_for = {"color": color} if fmt_name == "terminal" else {}
    text = redactor.redact(render(fmt_name, report, **options_for))
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    elif text:
        sys.stdout.write(text)


def _run_worker(master_host: str, master_port: int) -> None:
    """``gatekeeper load-worker``: wait for the master, then run Locust's worker."""
    import socket
    import subprocess
    import time

    # A worker fetches the locustfile from the master as it starts and gives up when the
    # master is not listening yet; workers are often started first, so wait for it.
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection((master_host, master_port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise ConfigError(f"load-worker: the master {master_host}:{master_port} did "
                                  "not answer within 60 s; start `gatekeeper load --master`")
            time.sleep(0.3)
    command = [sys.executable, "-m", "locust", "-f", "-", "--worker", "--master-host",
               master_host, "--master-port", str(master_port), "--loglevel", "ERROR"]
    try:
        code = subprocess.call(command, stdin=subprocess.DEVNULL)
    except KeyboardInterrupt:
        code = 130
    raise typer.Exit(code)

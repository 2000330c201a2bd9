"""Running the generated load test under Locust, in a child process, within hard budgets.

Locust is the engine (users, spawn rate, think time, target throughput, and its distributed
mode: a master and N workers); gatekeeper only derives the request mix, starts Locust with the
generated locustfile, shows progress, and turns Locust's statistics into a `LoadResult`. Locust
runs in a child process because importing it patches the standard library with gevent.

Budgets that cannot run away: ``max_duration`` is Locust's run time, and the child is killed
if it has not finished ``_GRACE`` seconds after that; ``max_requests`` stops the run once that
many requests were sent (split evenly across workers in distributed mode); users default to
`DEFAULT_USERS` and a configured value is capped at `USER_CEILING` unless ``--users`` is given
on the command line; the run ends by itself when the service stops answering. Ctrl-C stops the
load (Locust gets SIGTERM and writes its statistics) and the partial result is reported.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gatekeeper.errors import InputError
from gatekeeper.live.safety import Credentials
from gatekeeper.loadtest.plan import LoadPlan, build_plan
from gatekeeper.loadtest.result import LoadResult

__all__ = ["DEFAULT_USERS", "USER_CEILING", "LoadError", "LoadOptions", "locustfile_text",
           "run_load"]

DEFAULT_USERS = 10
USER_CEILING = 200
_GRACE = 15.0  # seconds past max_duration before the child is killed
_LOCUSTFILE = Path(__file__).with_name("locustfile.py")


class LoadError(InputError):
    """The load test cannot start or did not produce figures; the message says why."""


@dataclass(frozen=True)
class LoadOptions:
    base_url: str
    credentials: Credentials = field(default_factory=Credentials)  # every value, for redaction
    #: (header, environment variable) from --header-env: the load generator, and every Locust
    #: worker, reads the value from its own environment; nothing secret is written anywhere.
    header_env: tuple[tuple[str, str], ...] = ()
    #: (header, value) from --header: handed to the local child through its environment only.
    literal_headers: tuple[tuple[str, str], ...] = ()
    users: int = DEFAULT_USERS
    users_explicit: bool = False
    spawn_rate: float | None = None  # users started per second; default: all within ~1 s
    max_duration: float = 30.0
    max_requests: int = 0  # 0: no limit besides the duration
    think_time: tuple[float, float] | None = None
    target_rps: float | None = None
    request_timeout: float = 10.0
    allow_writes: bool = False
    allow_methods: tuple[str, ...] = ()
    weights: Mapping[str, float] = field(default_factory=dict)
    latency_budget_ms: float = 200.0
    error_rate_budget: float = 0.001
    min_rps: float | None = None
    master: bool = False
    expect_workers: int = 1
    master_bind_host: str = "127.0.0.1"
    master_bind_port: int = 5557

    def validate(self) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise LoadError(f"--base-url must be an http or https URL, got {self.base_url[:200]!r}")
        if parts.username or parts.password:
            raise LoadError("--base-url must not carry credentials; use --header-env")
        if self.users < 1:
            raise LoadError("--users must be at least 1")
        if not self.users_explicit and self.users > USER_CEILING:
            raise LoadError(f"{self.users} users from the configuration is above the ceiling of "
                            f"{USER_CEILING}; pass --users {self.users} to confirm")
        if not self.max_duration > 0:
            raise LoadError("--max-duration must be positive")
        if self.max_requests < 0:
            raise LoadError("--max-requests must be 0 (no limit) or positive")
        if not self.request_timeout > 0:
            raise LoadError("--request-timeout must be positive")
        if self.master and self.expect_workers < 1:
            raise LoadError("--expect-workers must be at least 1")

    def summary(self) -> dict[str, Any]:
        return {
            "users": self.users, "spawn_rate": self.effective_spawn_rate,
            "max_duration_s": self.max_duration, "max_requests": self.max_requests or None,
            "think_time_s": list(self.think_time) if self.think_time else None,
            "target_rps": self.target_rps, "request_timeout_s": self.request_timeout,
            "latency_budget_ms": self.latency_budget_ms,
            "error_rate_budget_percent": self.error_rate_budget * 100,
            "min_rps": self.min_rps, "read_only": not (self.allow_writes or self.allow_methods),
            "distributed": self.master, "workers": self.expect_workers if self.master else 0,
        }

    @property
    def effective_spawn_rate(self) -> float:
        return self.spawn_rate if self.spawn_rate else float(self.users)


def locustfile_text(plan: LoadPlan) -> str:
    """The self-contained locustfile for ``plan`` (plain ``locust -f`` runs it)."""
    source = _LOCUSTFILE.read_text(encoding="utf-8")
    marker = "PLAN_JSON = None  # written in by `gatekeeper load --write-locustfile`"
    if marker not in source:  # pragma: no cover - the template and this code change together
        raise LoadError("internal: the locustfile template lost its plan marker")
    return source.replace(marker, "PLAN_JSON = " + repr(plan.to_json()), 1)


Progress = Callable[[Mapping[str, Any]], None]


def run_load(spec: Any, options: LoadOptions, *, progress: Progress | None = None,
             plan: LoadPlan | None = None) -> LoadResult:
    """Load-test the service at ``options.base_url`` with the request mix of ``spec``."""
    options.validate()
    import importlib.util

    if importlib.util.find_spec("locust") is None:  # never imported here: it patches the stdlib
        raise LoadError("the load test needs Locust: in a checkout of gatekeeper, pip install '.[load]'") from None
    plan = plan or build_plan(spec, allow_writes=options.allow_writes,
                              allow_methods=options.allow_methods, weights=options.weights)
    result = LoadResult(base_url=options.base_url, options=options.summary(), skipped=list(plan.skipped),
                        users=options.users, workers=options.expect_workers if options.master else 0)
    if not plan.requests:
        result.stop_reason = "nothing to load-test"
        return result
    env = dict(os.environ)
    credential_env: list[tuple[str, str]] = list(options.header_env)
    for index, (name, value) in enumerate(options.literal_headers):
        variable = f"GATEKEEPER_LOAD_CREDENTIAL_{index}"
        env[variable] = value  # the child reads it; it is never written to a file or argument
        credential_env.append((name, variable))
    plan.credential_env = credential_env
    with tempfile.TemporaryDirectory(prefix="gatekeeper-load-") as folder:
        work = Path(folder)
        locustfile = work / "locustfile.py"
        locustfile.write_text(locustfile_text(plan), encoding="utf-8")
        progress_path = work / "progress.jsonl"
        stats_prefix = work / "stats"
        env.update({
            "GATEKEEPER_LOAD_PROGRESS": str(progress_path),
            "GATEKEEPER_LOAD_TIMEOUT": str(options.request_timeout),
            "GATEKEEPER_LOAD_USERS": str(options.users),
            "GATEKEEPER_LOAD_MAX_REQUESTS": str(_per_process_budget(options)),
            "GATEKEEPER_LOAD_TARGET_RPS": str(options.target_rps or ""),
            "GATEKEEPER_LOAD_THINK": ",".join(map(str, options.think_time)) if options.think_time else "",
            "PYTHONUNBUFFERED": "1",
        })
        command = _locust_command(options, locustfile, stats_prefix)
        started = time.monotonic()
        child = subprocess.Popen(command, env=env, cwd=folder, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 errors="replace", start_new_session=True)
        # In distributed mode the clock starts when the workers have joined; allow for that.
        deadline = started + options.max_duration + _GRACE + (60.0 if options.master else 0.0)
        interrupted, seen = _watch(child, deadline, progress_path, result, progress)
        out, err = child.communicate()
        _feed_progress(progress_path, seen, result, progress)
        stats_file = Path(str(stats_prefix) + ".json")
        if not stats_file.exists():
            if interrupted:
                result.interrupted, result.stop_reason = True, "interrupted (Ctrl-C)"
                return result
            detail = _last_line(err) or _last_line(out) or f"exit code {child.returncode}"
            raise LoadError(f"Locust did not produce statistics: {detail}")
        stats = json.loads(stats_file.read_text(encoding="utf-8") or "[]")
        pointers = {r.name: r.pointer for r in plan.requests}
        figures = LoadResult.from_locust(stats, base_url=options.base_url,
                                         options=options.summary(), pointers=pointers)
        figures.skipped, figures.timeline = result.skipped, result.timeline
        figures.users = result.users
        figures.workers = result.workers
        figures.stop_reason = result.stop_reason
        figures.errors = _failures(Path(str(stats_prefix) + "_failures.csv"))
        if interrupted:
            figures.interrupted, figures.stop_reason = True, "interrupted (Ctrl-C)"
        return figures


def _locust_command(options: LoadOptions, locustfile: Path, stats_prefix: Path) -> list[str]:
    """The command line of the headless Locust run (its master, in distributed mode)."""
    command = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless",
               "-u", str(options.users), "-r", f"{options.effective_spawn_rate:g}",
               "-t", f"{max(1, round(options.max_duration))}s", "--host", options.base_url,
               "--json-file", str(stats_prefix), "--csv", str(stats_prefix),
               "--only-summary", "--skip-log-setup", "--loglevel", "ERROR",
               "--stop-timeout", "0", "--exit-code-on-error", "0"]
    if options.master:
        # Workers that never join end the run (no statistics: a clear error), not a hang.
        command += ["--master", "--expect-workers", str(options.expect_workers),
                    "--expect-workers-max-wait", "60",
                    "--master-bind-host", options.master_bind_host,
                    "--master-bind-port", str(options.master_bind_port)]
    return command


def _watch(child: subprocess.Popen[str], deadline: float, progress_path: Path,
           result: LoadResult, progress: Progress | None) -> tuple[bool, int]:
    """Follow the running Locust until it ends, feeding its progress lines to ``progress``;
    stopped past ``deadline`` or on Ctrl-C. Returns (interrupted, progress lines read)."""
    interrupted = False
    seen = 0
    try:
        while child.poll() is None:
            time.sleep(0.25)
            seen = _feed_progress(progress_path, seen, result, progress)
            if time.monotonic() > deadline:
                child.send_signal(signal.SIGTERM)
                result.stop_reason = f"Locust did not stop within --max-duration + {_GRACE:g} s"
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    child.kill()
                break
    except KeyboardInterrupt:
        interrupted = True
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
    return interrupted, seen

def _per_process_budget(options: LoadOptions) -> int:
    if not options.max_requests:
        return 0
    if options.master:
        return max(1, options.max_requests // options.expect_workers)
    return options.max_requests


def _feed_progress(path: Path, seen: int, result: LoadResult, progress: Progress | None) -> int:
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return seen
    for line in lines[seen:]:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "stop" in record:
            result.stop_reason = str(record["stop"])
        result.timeline.append({k: record.get(k) for k in
                                ("t", "users", "rps", "p50", "p95", "requests", "failures")})
        if progress is not None:
            progress(record)
    return len(lines)


def _failures(path: Path) -> list[dict[str, Any]]:
    import csv

    if not path.exists():
        return []
    merged: dict[str, int] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            error = (row.get("Error") or "").strip()
            if error.startswith("CatchResponseError("):
                error = error[len("CatchResponseError("):].rstrip(")").strip("'\"")
            merged[error] = merged.get(error, 0) + int(row.get("Occurrences") or 0)
    return [{"error": e, "count": c} for e, c in sorted(merged.items(), key=lambda kv: -kv[1])]


def _last_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""

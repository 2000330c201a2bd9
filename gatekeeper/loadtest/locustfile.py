"""The generated load test: a plain locustfile (this file, with the plan written into it).

This module is self-contained on purpose: it imports only Locust and the standard library, so
``gatekeeper load --write-locustfile FILE`` gives a team a file it can run with plain ``locust``
on its own cluster, and Locust workers can receive it from the master (``locust -f - --worker``)
without gatekeeper installed. gatekeeper itself runs this same file under Locust in a child
process (Locust patches the standard library with gevent on import, which must not happen in
gatekeeper's own process).

Behaviour, read from environment variables so one file serves every run:

- ``GATEKEEPER_LOAD_PLAN``: a JSON file with the plan, when the plan is not written in below.
- Credentials: each ``[header, variable]`` pair of the plan's ``credential_env`` sends
  ``header`` with the value of environment variable ``variable`` (never written in the file).
- ``GATEKEEPER_LOAD_TIMEOUT``: seconds per request (default 10); ``GATEKEEPER_LOAD_THINK``:
  think time between a user's requests, ``MIN,MAX`` seconds (default 0); or
  ``GATEKEEPER_LOAD_TARGET_RPS``: a target throughput for the whole run.
- ``GATEKEEPER_LOAD_MAX_REQUESTS``: stop after this many requests (per load generator process).
- ``GATEKEEPER_LOAD_PROGRESS``: a file that receives one JSON line per second (users, requests,
  failures, requests/s and p50/p95 over the last seconds) and a final ``stop`` line with why
  the run stopped.

What counts as an error follows the performance gate: a 5xx, a timeout or a failed connection.
4xx answers are the service's to give and are not errors of a load test. Redirects are not
followed, and no proxy or ``.netrc`` from the environment is used.
"""

import json
import os
import threading
import time

from locust import HttpUser, between, constant, constant_throughput, events, task
from locust.runners import MasterRunner, WorkerRunner

PLAN_JSON = None  # written in by `gatekeeper load --write-locustfile`


def _load_plan():
    if PLAN_JSON is not None:
        return json.loads(PLAN_JSON)
    path = os.environ.get("GATEKEEPER_LOAD_PLAN")
    if not path:
        raise SystemExit("gatekeeper locustfile: no plan (set GATEKEEPER_LOAD_PLAN)")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


PLAN = _load_plan()
REQUEST_TIMEOUT = float(os.environ.get("GATEKEEPER_LOAD_TIMEOUT") or 10)
MAX_REQUESTS = int(os.environ.get("GATEKEEPER_LOAD_MAX_REQUESTS") or 0)
PROGRESS_PATH = os.environ.get("GATEKEEPER_LOAD_PROGRESS")
#: Consecutive failed connections/timeouts, with no answer in between, that end the run.
UNREACHABLE_AFTER = int(os.environ.get("GATEKEEPER_LOAD_UNREACHABLE_AFTER") or 50)

_lock = threading.Lock()
_state = {"sent": 0, "dead_streak": 0, "stop_reason": None}


def _credential_headers():
    headers = {}
    for name, variable in PLAN.get("credential_env", []):
        value = os.environ.get(variable)
        if value:
            headers[name] = value
    return headers


def _wait_time():
    target = float(os.environ.get("GATEKEEPER_LOAD_TARGET_RPS") or 0)
    users = int(os.environ.get("GATEKEEPER_LOAD_USERS") or 1)
    if target > 0:
        return constant_throughput(target / max(users, 1))
    think = os.environ.get("GATEKEEPER_LOAD_THINK") or ""
    if think:
        low, _, high = think.partition(",")
        return between(float(low), float(high or low))
    return constant(0)


def _stop(environment, reason):
    with _lock:
        if _state["stop_reason"] is None:
            _state["stop_reason"] = reason
    import gevent

    runner = environment.runner
    # From a greenlet of its own: stopping kills every user greenlet, the caller's included,
    # which would end the call half-way.
    if runner is not None and not isinstance(runner, WorkerRunner):
        gevent.spawn(runner.quit)
    elif runner is not None:
        gevent.spawn(runner.stop)


def _make_task(request):
    method = request["method"]
    path = request["path"]
    params = [tuple(pair) for pair in request["query"]] or None
    headers = dict(tuple(pair) for pair in request["headers"])
    body = json.dumps(request["json_body"]).encode() if request["has_body"] else None
    name = request["name"]

    def call(user):
        with _lock:
            if MAX_REQUESTS and _state["sent"] >= MAX_REQUESTS:
                budget_reached = True
            else:
                _state["sent"] += 1
                budget_reached = False
        if budget_reached:
            _stop(user.environment, f"--max-requests {MAX_REQUESTS} reached")
            user.stop(force=True)
            return
        with user.client.request(method, path, params=params, headers=headers, data=body,
                                 name=name, allow_redirects=False, timeout=REQUEST_TIMEOUT,
                                 catch_response=True) as response:
            status = response.status_code or 0
            if status >= 500:
                response.failure(f"HTTP {status}")
            elif status == 0:
                response.failure(_describe(response.error))
            else:
                response.success()
        with _lock:
            _state["dead_streak"] = _state["dead_streak"] + 1 if status == 0 else 0
            unreachable = _state["dead_streak"] >= UNREACHABLE_AFTER
        if unreachable:
            _stop(user.environment, f"the service stopped answering ({UNREACHABLE_AFTER} "
                                    "failed connections in a row)")

    call.__name__ = "call_" + "".join(c if c.isalnum() else "_" for c in name)
    return call


def _describe(error):
    if error is None:
        return "no answer"
    text = type(error).__name__
    if "Timeout" in text or "timed out" in str(error):
        return f"timeout after {REQUEST_TIMEOUT:g} s"
    return f"connection failed ({text})"


class GeneratedUser(HttpUser):
    """One simulated client: picks an operation by weight, sends its planned request."""

    wait_time = _wait_time()
    tasks = {_make_task(r): max(1, round(float(r.get("weight", 1)) * 10)) for r in PLAN["requests"]}

    def on_start(self):
        self.client.trust_env = False  # no proxy or .netrc from the environment
        self.client.headers.update(_credential_headers())


if not PLAN["requests"]:
    raise SystemExit("gatekeeper locustfile: the plan has no request to send")


@events.init.add_listener
def _on_init(environment, **_kwargs):
    if PROGRESS_PATH and not isinstance(environment.runner, WorkerRunner):
        import gevent

        gevent.spawn(_progress_writer, environment)


@events.quitting.add_listener
def _on_quit(environment, **_kwargs):
    if PROGRESS_PATH and not isinstance(environment.runner, WorkerRunner):
        _write_progress(environment, final=True)


def _progress_writer(environment):
    import gevent

    while True:
        gevent.sleep(1.0)
        _write_progress(environment)


def _write_progress(environment, final=False):
    runner = environment.runner
    if runner is None:
        return
    total = runner.stats.total
    record = {
        "t": time.time(),
        "users": runner.user_count,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": round(total.current_rps, 2),
        "p50": total.get_current_response_time_percentile(0.5),
        "p95": total.get_current_response_time_percentile(0.95),
        "workers": len(runner.clients) if isinstance(runner, MasterRunner) else 0,
    }
    if final:
        record["stop"] = _state["stop_reason"] or "finished"
    try:
        with open(PROGRESS_PATH, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
    except OSError:
        pass

"""The request mix of a load test, derived from the document.

Each audited operation (the live audit's method policy: read-only unless writes are allowed)
becomes one `PlannedRequest` built from the document's examples, defaults and bounds
(`gatekeeper.loadtest.values`); an operation for which no valid request can be built is left out
with its reason, never sent with made-up data. Weights come from ``x-gatekeeper-weight`` on
the operation, then the ``[load.weights]`` config table (keyed by ``"GET /path"`` or
operationId), else 1.

The plan is plain JSON (`LoadPlan.to_json`): it is what the generated locustfile carries, so a
team can run it with plain ``locust`` on its own cluster without gatekeeper installed.
Credentials are never in the plan: only the names of the environment variables that hold them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote

from gatekeeper.loadtest.values import NO_VALUE, example_of, value_for
from gatekeeper.live.safety import method_allowed

__all__ = ["LoadPlan", "PlannedRequest", "build_plan"]

WEIGHT_KEY = "x-gatekeeper-weight"


@dataclass(frozen=True)
class PlannedRequest:
    name: str  # the operation's label, e.g. "GET /pets/{petId}" (Locust groups stats by it)
    method: str  # upper-case
    path: str  # the formatted path, e.g. "/pets/1" (appended to the base URL)
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    json_body: Any = None
    has_body: bool = False
    weight: float = 1.0
    pointer: str = ""  # the operation's JSON pointer, for findings


@dataclass
class LoadPlan:
    requests: list[PlannedRequest] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    #: (header name, environment variable) pairs the load generator reads credentials from.
    credential_env: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({
            "requests": [asdict(r) for r in self.requests],
            "credential_env": [list(pair) for pair in self.credential_env],
        }, sort_keys=True)


def build_plan(spec: Any, *, allow_writes: bool = False, allow_methods: tuple[str, ...] = (),
               weights: Mapping[str, float] | None = None) -> LoadPlan:
    """The load test's request mix for ``spec`` (a `gatekeeper.Spec`)."""
    plan = LoadPlan()
    table = dict(weights or {})

    def resolve(node: Any) -> Any:
        for _ in range(50):
            if not (isinstance(node, dict) and "$ref" in node):
                return node
            target = spec.resolve(node, spec.root)[0]
            if target is node:
                return node
            node = target
        return node

    for op in spec.operations:
        if op.kind != "path":
            continue
        if not method_allowed(op.method, allow_writes=allow_writes, allow_methods=allow_methods):
            plan.skipped.append({"operation": op.label, "reason": "write method; pass --allow-writes "
                                 f"or --allow-method {op.method.upper()} to load-test it"})
            continue
        weight = _weight(op, table)
        if weight is None:
            plan.skipped.append({"operation": op.label, "reason": "weight is 0"})
            continue
        request = _request_for(op, resolve, weight)
        if isinstance(request, str):
            plan.skipped.append({"operation": op.label, "reason": request})
        else:
            plan.requests.append(request)
    return plan


def _weight(op: Any, table: Mapping[str, float]) -> float | None:
    value: Any = op.data.get(WEIGHT_KEY)
    for key in (op.label, op.operation_id):
        if key and key in table:
            value = table[key]
    if value is None:
        return 1.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return 1.0
    return float(value) if value > 0 else None


def _param_value(param: Any, resolve: Any) -> Any:
    value = example_of(param.data)
    if value is NO_VALUE and isinstance(param.schema, Mapping):
        value = example_of(param.schema)
    if value is NO_VALUE:
        value = value_for(param.schema if param.schema is not None else param.data, resolve)
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_as_text(v) for v in value)
    if isinstance(value, (dict,)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _request_for(op: Any, resolve: Any, weight: float) -> PlannedRequest | str:
    path = op.path
    query: list[tuple[str, str]] = []
    headers: list[tuple[str, str]] = []
    for param in op.parameters:
        if not param.required and param.location != "path":
            continue  # optional parameters change what is measured; the minimal request is stable
        if param.location in ("cookie", "formData", "body"):
            if param.location == "body":
                continue  # handled with the request body below
            return f"required {param.location} parameter `{param.name}` is not supported in a load test"
        value = _param_value(param, resolve)
        if value is NO_VALUE:
            return f"no valid value for required parameter `{param.name}` (add an example)"
        if param.location == "path":
            path = path.replace("{" + param.name + "}", quote(_as_text(value), safe=""))
        elif param.location == "query":
            query.append((param.name, _as_text(value)))
        elif param.location == "header":
            headers.append((param.name, _as_text(value)))
    if "{" in path:
        return "a path parameter is not declared"
    json_body: Any = None
    has_body = False
    body = op.request_body
    if body is not None and body.required:
        media = next((m for m in body.content.values() if m.essence == "application/json"
                      or m.essence.endswith("+json")), None)
        if media is None:
            return "required request body has no JSON media type"
        value = example_of(media.data)
        if value is NO_VALUE:
            value = value_for(media.schema, resolve)
        if value is NO_VALUE:
            return "no valid request body (add an example)"
        json_body, has_body = value, True
        headers.append(("Content-Type", media.name))
    else:
        for param in op.parameters:  # Swagger 2.0 body parameter
            if param.location == "body" and param.required:
                value = example_of(param.data)
                if value is NO_VALUE:
                    value = value_for(param.schema, resolve)
                if value is NO_VALUE:
                    return "no valid request body (add an example)"
                json_body, has_body = value, True
                headers.append(("Content-Type", "application/json"))
    return PlannedRequest(name=op.label, method=op.method.upper(), path=path, query=tuple(query),
                          headers=tuple(headers), json_body=json_body, has_body=has_body,
                          weight=weight, pointer=str(op.pointer))

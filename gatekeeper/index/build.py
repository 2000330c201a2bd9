"""Building the index: operations with their merged parameters, request body, responses and
effective security, servers and security schemes, the same for Swagger 2.0 and OpenAPI 3.x."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from gatekeeper.index.records import (
    Header, METHODS_2, METHODS_3, METHODS_32, MediaType, Operation, Parameter, RequestBody,
    Response, SecurityScheme, Server, _text,
)
from gatekeeper.pointer import Pointer

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

    from gatekeeper.spec import Spec


def _methods(spec: Spec) -> tuple[str, ...]:
    if spec.version == "2.0":
        return METHODS_2
    if spec.version == "3.2":
        return METHODS_32
    return METHODS_3


def _build_operations(spec: Spec) -> Iterator[Operation]:
    root = spec.root
    root_security = spec.raw.get("security")
    root_servers = _root_servers(spec)
    paths = spec.raw.get("paths")
    if isinstance(paths, dict):
        for path, item in paths.items():
            yield from _path_item_operations(spec, str(path), item, root.join("paths", path),
                                             "path", root_security, root_servers, None)
    webhooks = spec.raw.get("webhooks") if not spec.is_swagger2 else None
    if isinstance(webhooks, dict):
        for name, item in webhooks.items():
            yield from _path_item_operations(spec, str(name), item, root.join("webhooks", name),
                                             "webhook", root_security, root_servers, None)


def _path_item_operations(spec: Spec, path: str, item: Any, ptr: Pointer, kind: str,
                          root_security: Any, servers: tuple[Server, ...],
                          parent: str | None) -> Iterator[Operation]:
    item, item_ptr = spec.resolve(item, ptr)
    if not isinstance(item, dict):
        return
    swagger2 = spec.is_swagger2  # read once per path item, not three times per operation
    if not swagger2 and isinstance(item.get("servers"), list):
        servers = _servers(item["servers"], item_ptr / "servers") or servers
    shared = _parameters(spec, item["parameters"], item_ptr / "parameters") \
        if isinstance(item.get("parameters"), list) else []
    entries = [(method, item[method], item_ptr / method) for method in _methods(spec)
               if method in item]  # most methods are absent: no pointer for them
    extra = item.get("additionalOperations") if spec.version == "3.2" else None
    if isinstance(extra, dict):  # 3.2: operations of other methods (PURGE, LINK, ...)
        entries += [(str(name).lower(), value, item_ptr.join("additionalOperations", name))
                    for name, value in extra.items()]
    for method, raw_op, method_ptr in entries:
        # Operation objects are not Reference-able in OpenAPI, but multi-file specs such as
        # DigitalOcean's put each operation in its own file; Redocly resolves them too.
        op, op_ptr = spec.resolve(raw_op, method_ptr)
        if not isinstance(op, dict):
            continue
        own = _parameters(spec, op["parameters"], op_ptr / "parameters") \
            if isinstance(op.get("parameters"), list) else []
        merged = {p.key: p for p in shared}
        merged.update({p.key: p for p in own})
        params = tuple(merged.values())
        if swagger2:
            body = _swagger2_body(spec, op, params)
            params = tuple(p for p in params if p.location != "body")
            produces = op.get("produces", spec.raw.get("produces"))
            responses = _responses(spec, op.get("responses"), op_ptr / "responses",
                                   produces if isinstance(produces, list) else None)
        else:
            body = _request_body(spec, op.get("requestBody"), op_ptr / "requestBody")
            responses = _responses(spec, op.get("responses"), op_ptr / "responses", None)
        if "security" in op:
            security, sec_ptr = op.get("security"), op_ptr / "security"
        elif root_security is not None:
            security, sec_ptr = root_security, spec.root / "security"
        else:
            security, sec_ptr = None, None
        sec_value = (tuple(r for r in security if isinstance(r, dict))
                     if isinstance(security, list) else None)
        op_servers = servers
        if not swagger2 and isinstance(op.get("servers"), list):
            op_servers = _servers(op["servers"], op_ptr / "servers") or servers
        # The records' fields by position, in their order: by keyword a call took 0.5 us
        # more (timeit: 0.79 against 0.28 us for a Parameter), 0.1 s of Graph beta's
        # 190,000 records.
        operation = Operation(
            method, path, kind, op_ptr, item_ptr, op, item, params, body, responses,
            sec_value, sec_ptr if sec_value is not None else None, op_servers, parent)
        yield operation
        callbacks = op.get("callbacks") if not swagger2 else None
        if isinstance(callbacks, dict):
            for cb_name, cb in callbacks.items():
                cb, cb_ptr = spec.resolve(cb, op_ptr.join("callbacks", cb_name))
                if not isinstance(cb, dict):
                    continue
                for expr, cb_item in cb.items():
                    if str(expr).startswith("x-"):
                        continue
                    yield from _path_item_operations(spec, str(expr), cb_item, cb_ptr / expr,
                                                     "callback", root_security, servers,
                                                     operation.label)


def _parameters(spec: Spec, value: Any, ptr: Pointer) -> list[Parameter]:
    out: list[Parameter] = []
    if not isinstance(value, list):
        return out
    # Hot (Graph beta: 200,000 parameter uses, a third of the index): the version read
    # once, not per parameter.
    swagger2 = spec.is_swagger2
    for i, raw in enumerate(value):
        use = ptr / i
        param, where = spec.resolve(raw, use)
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            continue
        location = str(param.get("in", ""))
        schema = param.get("schema")
        if isinstance(schema, dict) and "$ref" in schema:  # else `resolve` returns it as is
            schema = spec.resolve(schema, where / "schema")[0]
        elif swagger2:
            schema = param
        ref_desc = _text(raw.get("description")) if raw is not param and not swagger2 \
            else None
        out.append(Parameter(  # by position (see `_path_item_operations`)
            param["name"], location, param.get("required") is True,
            _text(param.get("description")), schema, where, use, param, ref_desc))
    return out


def _swagger2_body(spec: Spec, op: Mapping[str, Any], params: tuple[Parameter, ...]
                   ) -> RequestBody | None:
    body = next((p for p in params if p.location == "body"), None)
    if body is None:
        return None
    consumes = op.get("consumes", spec.raw.get("consumes"))
    media = consumes if isinstance(consumes, list) and consumes else ["application/json"]
    schema_raw = body.data.get("schema")
    schema, schema_ptr = spec.resolve(schema_raw, body.pointer / "schema") \
        if isinstance(schema_raw, dict) else (None, None)
    content = {str(m): MediaType(str(m), schema, schema_ptr, body.pointer, body.data)
               for m in media}
    return RequestBody(description=body.description, required=body.required, content=content,
                       pointer=body.pointer, use_pointer=body.use_pointer, data=body.data)


def _content(spec: Spec, value: Any, ptr: Pointer) -> dict[str, MediaType]:
    out: dict[str, MediaType] = {}
    if not isinstance(value, dict):
        return out
    for name, media in value.items():
        if not isinstance(media, dict):
            continue
        mptr = ptr / name
        raw_schema = media.get("schema")
        if isinstance(raw_schema, dict):
            schema, sptr = spec.resolve(raw_schema, mptr / "schema")
        else:
            schema, sptr = None, None
        out[str(name)] = MediaType(str(name), schema, sptr, mptr, media)
    return out


def _request_body(spec: Spec, value: Any, ptr: Pointer) -> RequestBody | None:
    if not isinstance(value, dict):
        return None
    body, where = spec.resolve(value, ptr)
    if not isinstance(body, dict):
        return None
    ref_desc = _text(value.get("description")) if value is not body else None
    return RequestBody(_text(body.get("description")), body.get("required") is True,
                       _content(spec, body.get("content"), where / "content"), where, ptr,
                       body, ref_desc)  # by position (see `_path_item_operations`)


def _responses(spec: Spec, value: Any, ptr: Pointer, produces: list[Any] | None
               ) -> dict[str, Response]:
    out: dict[str, Response] = {}
    if not isinstance(value, dict):
        return out
    produced = None if produces is None else tuple(map(str, produces))  # once, not per code
    for code, raw in value.items():
        code = str(code)
        if code.startswith("x-"):
            continue
        use = ptr / code
        resp, where = spec.resolve(raw, use)
        if not isinstance(resp, dict):
            continue
        shared_key = (id(resp), where, produced)
        cached = spec._memo.get(("spec.response-parts", shared_key)) if raw is not resp \
            else None
        if cached is not None:  # a component response used by many operations: built once
            content, headers = cached
            out[code] = Response(  # by position (see `_path_item_operations`)
                code, _text(resp.get("description")), content, headers, where, use, resp,
                _text(raw.get("description")) if isinstance(raw, dict) else None)
            continue
        if spec.is_swagger2:
            raw_schema = resp.get("schema")
            content: dict[str, MediaType] = {}
            if isinstance(raw_schema, dict):
                schema, sptr = spec.resolve(raw_schema, where / "schema")
                media = [str(m) for m in produces] if produces else ["application/json"]
                content = {m: MediaType(m, schema, sptr, where, resp) for m in media}
        else:
            content = _content(spec, resp.get("content"), where / "content")
        headers: dict[str, Header] = {}
        raw_headers = resp.get("headers")
        if isinstance(raw_headers, dict):
            for name, raw_h in raw_headers.items():
                h_use = where.join("headers", name)
                header, h_ptr = spec.resolve(raw_h, h_use)
                if not isinstance(header, dict):
                    continue
                schema = header.get("schema") if not spec.is_swagger2 else header
                if isinstance(schema, dict) and schema is not header:
                    schema = spec.resolve(schema, h_ptr / "schema")[0]
                headers[str(name)] = Header(
                    name=str(name), description=_text(header.get("description")), schema=schema,
                    pointer=h_ptr, use_pointer=h_use, data=header,
                    ref_description=_text(raw_h.get("description")) if raw_h is not header
                    and isinstance(raw_h, dict) else None)
        if raw is not resp:
            spec._memo[("spec.response-parts", shared_key)] = (content, headers)
        out[code] = Response(  # by position (see `_path_item_operations`)
            code, _text(resp.get("description")), content, headers, where, use, resp,
            _text(raw.get("description")) if raw is not resp and isinstance(raw, dict)
            else None)
    return out


def _servers(value: Any, ptr: Pointer) -> tuple[Server, ...]:
    out = []
    if isinstance(value, list):
        for i, server in enumerate(value):
            if isinstance(server, dict) and isinstance(server.get("url"), str):
                url = server["url"]
                variables = server.get("variables")
                if isinstance(variables, dict):
                    for var, spec_ in variables.items():
                        if isinstance(spec_, dict) and "default" in spec_:
                            url = url.replace("{" + str(var) + "}", str(spec_["default"]))
                out.append(Server(url, _text(server.get("description")), ptr / i))
    return tuple(out)


def _root_servers(spec: Spec) -> tuple[Server, ...]:
    if spec.is_swagger2:
        host = spec.raw.get("host")
        base = spec.raw.get("basePath") or ""
        schemes = spec.raw.get("schemes")
        schemes = [s for s in schemes if isinstance(s, str)] if isinstance(schemes, list) \
            else []
        if not host and not base:
            return ()
        host_text = str(host) if host else ""
        ptr = spec.root / ("host" if host else "basePath")
        if not schemes:
            return (Server(f"//{host_text}{base}" if host_text else str(base), None, ptr),)
        return tuple(Server(f"{s}://{host_text}{base}", None, ptr) for s in schemes)
    return _servers(spec.raw.get("servers"), spec.root / "servers")


def _build_security_schemes(spec: Spec) -> dict[str, SecurityScheme]:
    if spec.is_swagger2:
        base, ptr = spec.raw.get("securityDefinitions"), spec.root / "securityDefinitions"
    else:
        comps = spec.raw.get("components")
        base = comps.get("securitySchemes") if isinstance(comps, dict) else None
        ptr = spec.root.join("components", "securitySchemes")
    out: dict[str, SecurityScheme] = {}
    if not isinstance(base, dict):
        return out
    for name, raw in base.items():
        scheme, where = spec.resolve(raw, ptr / name)
        if not isinstance(scheme, dict):
            continue
        kind = str(scheme.get("type", ""))
        http_scheme = scheme.get("scheme")
        if kind == "basic":  # Swagger 2.0
            kind, http_scheme = "http", "basic"
        scopes: set[str] = set()
        if isinstance(scheme.get("scopes"), dict):  # 2.0
            scopes.update(map(str, scheme["scopes"]))
        flows = scheme.get("flows")
        if isinstance(flows, dict):
            for flow in flows.values():
                if isinstance(flow, dict) and isinstance(flow.get("scopes"), dict):
                    scopes.update(map(str, flow["scopes"]))
        out[str(name)] = SecurityScheme(
            name=str(name), type=kind,
            scheme=http_scheme.lower() if isinstance(http_scheme, str) else None,
            location=str(scheme["in"]) if isinstance(scheme.get("in"), str) else None,
            scopes=frozenset(scopes), description=_text(scheme.get("description")),
            pointer=where, data=scheme)
    return out

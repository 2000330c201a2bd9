"""The records of the index: operations, parameters, bodies, responses, media types, headers,
security schemes and servers, each with the pointer where it is written."""

from __future__ import annotations

from collections.abc import Mapping

from gatekeeper.pointer import Pointer
from gatekeeper.record import Record

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


METHODS_2 = ("get", "put", "post", "delete", "options", "head", "patch")
METHODS_3 = (*METHODS_2, "trace")
METHODS_32 = (*METHODS_3, "query")


class MediaType(Record):
    __slots__ = ("name", "schema", "schema_pointer", "pointer", "data")

    def __init__(self, name: str, schema: Any, schema_pointer: Pointer | None, pointer: Pointer,
                 data: Mapping[str, Any]) -> None:
        self.name = name  # e.g. "application/json" (parameters kept as written)
        self.schema = schema  # resolved schema value, or None
        self.schema_pointer = schema_pointer
        self.pointer = pointer
        self.data = data

    @property
    def essence(self) -> str:
        """Lower-case type/subtype without parameters (``application/json``)."""
        return self.name.split(";", 1)[0].strip().lower()


class Header(Record):
    __slots__ = (
        "name", "description", "schema", "pointer", "use_pointer", "ref_description", "data",
    )

    def __init__(self, name: str, description: str | None, schema: Any, pointer: Pointer,
                 use_pointer: Pointer, ref_description: str | None = None,
                 data: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.description = description
        self.schema = schema
        self.pointer = pointer  # where the header object is written
        self.use_pointer = use_pointer  # where the operation's response lists it
        self.ref_description = ref_description  # 3.1 Reference Object description override
        self.data = {} if data is None else data


class Response(Record):
    __slots__ = (
        "code", "description", "content", "headers", "pointer", "use_pointer", "data",
        "ref_description",
    )

    def __init__(self, code: str, description: str | None, content: Mapping[str, MediaType],
                 headers: Mapping[str, Header], pointer: Pointer, use_pointer: Pointer,
                 data: Mapping[str, Any], ref_description: str | None = None) -> None:
        self.code = code  # normalised to a string: "200", "4XX", "default"
        self.description = description
        self.content = content
        self.headers = headers
        self.pointer = pointer  # where the response object is written
        self.use_pointer = use_pointer  # #/paths/~1pets/get/responses/200
        self.data = data
        self.ref_description = ref_description

    @property
    def kind(self) -> str:
        """``success`` (2xx), ``redirect`` (3xx), ``error`` (4xx/5xx), ``info`` or ``default``."""
        c = self.code.upper()
        if c == "DEFAULT":
            return "default"
        return {"1": "info", "2": "success", "3": "redirect", "4": "error",
                "5": "error"}.get(c[:1], "unknown")


class Parameter(Record):
    __slots__ = (
        "name", "location", "required", "description", "schema", "pointer", "use_pointer",
        "data", "ref_description",
    )

    def __init__(self, name: str, location: str, required: bool, description: str | None,
                 schema: Any, pointer: Pointer, use_pointer: Pointer, data: Mapping[str, Any],
                 ref_description: str | None = None) -> None:
        self.name = name
        self.location = location  # the `in` field: path, query, header, cookie, formData
        self.required = required
        self.description = description
        self.schema = schema  # resolved schema (2.0: the parameter itself carries type/format)
        self.pointer = pointer  # where it is written (shared components counted once)
        self.use_pointer = use_pointer  # where the operation or path item lists it
        self.data = data
        self.ref_description = ref_description

    @property
    def key(self) -> tuple[str, str]:
        return self.name.lower() if self.location == "header" else self.name, self.location


class RequestBody(Record):
    __slots__ = (
        "description", "required", "content", "pointer", "use_pointer", "data",
        "ref_description",
    )

    def __init__(self, description: str | None, required: bool, content: Mapping[str, MediaType],
                 pointer: Pointer, use_pointer: Pointer, data: Mapping[str, Any],
                 ref_description: str | None = None) -> None:
        self.description = description
        self.required = required
        self.content = content
        self.pointer = pointer
        self.use_pointer = use_pointer
        self.data = data
        self.ref_description = ref_description


class SecurityScheme(Record):
    __slots__ = ("name", "type", "scheme", "location", "scopes", "description", "pointer", "data")

    def __init__(self, name: str, type: str, scheme: str | None, location: str | None,
                 scopes: frozenset[str], description: str | None, pointer: Pointer,
                 data: Mapping[str, Any]) -> None:
        self.name = name
        self.type = type  # apiKey, http, oauth2, openIdConnect, mutualTLS (2.0 basic -> http/basic)
        self.scheme = scheme  # http scheme, lower-case (basic, bearer, ...)
        self.location = location  # apiKey: header, query, cookie
        self.scopes = scopes  # every scope any flow declares
        self.description = description
        self.pointer = pointer
        self.data = data


class Server(Record):
    __slots__ = ("url", "description", "pointer")

    def __init__(self, url: str, description: str | None, pointer: Pointer) -> None:
        self.url = url
        self.description = description
        self.pointer = pointer


class Operation(Record):
    __slots__ = (
        "method", "path", "kind", "pointer", "path_item_pointer", "data", "path_item",
        "parameters", "request_body", "responses", "security", "security_pointer", "servers",
        "parent",
    )

    def __init__(self, method: str, path: str, kind: str, pointer: Pointer,
                 path_item_pointer: Pointer, data: Mapping[str, Any],
                 path_item: Mapping[str, Any], parameters: tuple[Parameter, ...],
                 request_body: RequestBody | None, responses: Mapping[str, Response],
                 security: tuple[Mapping[str, list[str]], ...] | None,
                 security_pointer: Pointer | None, servers: tuple[Server, ...],
                 parent: str | None = None) -> None:
        self.method = method  # lower-case
        self.path = path  # the path template, webhook name, or callback expression
        self.kind = kind  # "path", "webhook" or "callback"
        self.pointer = pointer
        self.path_item_pointer = path_item_pointer
        self.data = data
        self.path_item = path_item
        self.parameters = parameters
        self.request_body = request_body
        self.responses = responses
        #: Effective security requirements (operation's own, else the root's); None if neither
        #: declares any. ``()`` means explicitly public (``security: []``).
        self.security = security
        self.security_pointer = security_pointer
        self.servers = servers
        self.parent = parent  # callbacks: the label of the operation that declares them

    @property
    def label(self) -> str:
        if self.kind == "webhook":
            return f"{self.method.upper()} webhook {self.path}"
        if self.kind == "callback":
            return f"{self.method.upper()} {self.path} (callback of {self.parent})"
        return f"{self.method.upper()} {self.path}"

    @property
    def operation_id(self) -> str | None:
        value = self.data.get("operationId")
        return value if isinstance(value, str) else None

    @property
    def summary(self) -> str | None:
        return _text(self.data.get("summary"))

    @property
    def description(self) -> str | None:
        return _text(self.data.get("description"))

    @property
    def tags(self) -> tuple[str, ...]:
        tags = self.data.get("tags")
        return tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else ()

    @property
    def deprecated(self) -> bool:
        return self.data.get("deprecated") is True

    def response(self, code: str) -> Response | None:
        return self.responses.get(code)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None

"""Payloads for the hostile case list (01 to 42; each docstring says the threat), written at test time.

Each builder writes its files into a folder and returns a `Case`: the file to check, extra
flags, and what the row of the case list demands (exit codes, message patterns, budgets).
Payloads that point at "the attacker" use the loopback recorder's port.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CASES", "Case", "LIVE_CASES"]

CANARY_SECRET_ENV = "GATEKEEPER_CANARY_SECRET"


@dataclass
class Case:
    main: str = "spec.yaml"
    args: tuple[str, ...] = ()
    codes: frozenset[int] = frozenset({1, 2})
    #: regexes that must match the first stderr line (exit 2) or stdout (else)
    message: tuple[str, ...] = ()
    #: each must match somewhere in stderr (e.g. one line per refused ref)
    each_line: tuple[str, ...] = ()
    control: bool = False  # a legitimate spec: exit 0 with --select validity
    seconds: float = 5.0
    seconds_fast: float | None = None  # CPU seconds of the cheaper of the case's two runs
    rss_mb: float = 500.0
    located: bool = True  # the first error line carries line:col or a pointer
    stdout_literal: tuple[str, ...] = ()  # must appear verbatim in the terminal output
    json_check: Callable[[dict], None] | None = None
    extra: dict = field(default_factory=dict)


HEAD_30 = """openapi: 3.0.3
info:
  title: Hostile case
  version: 1.0.0
  description: A payload of the hostile suite.
"""
HEAD_31 = HEAD_30.replace("3.0.3", "3.1.0", 1)


def _w(folder: Path, name: str, text: str | bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def _op(ref: str = "#/components/schemas/A", summary: str = "Read it") -> str:
    return f"""paths:
  /things:
    get:
      summary: {summary}
      description: Returns the thing.
      operationId: getThing
      responses:
        "200":
          description: The thing.
          content:
            application/json:
              schema:
                $ref: '{ref}'
"""


# --------------------------------------------------------------------------- 01-04


def c01(d: Path, port: int) -> Case:
    lol = ['x-lol0: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for i in range(1, 9):
        name = chr(ord("a") + i)
        lol.append(f"x-lol{i}: &{name} [{','.join('*' + prev for _ in range(9))}]")
        prev = name
    _w(d, "spec.yaml", HEAD_31 + "paths: {}\n" + "\n".join(lol) + "\n")
    return Case(codes=frozenset({2}), message=(r"alias expansion exceeds",), located=False,
                seconds=2, rss_mb=200)


def c02(d: Path, port: int) -> Case:
    lines = ["components:", "  schemas:",
             '    L0: &l0 {type: object, properties: {a: {type: string}, b: {type: string}, '
             'c: {type: string}, d: {type: string}, e: {type: string}, f: {type: string}, '
             'g: {type: string}, h: {type: string}, i: {type: string}}}']
    for i in range(1, 9):
        props = ", ".join(f"p{j}: *l{i - 1}" for j in range(9))
        lines.append(f"    L{i}: &l{i} {{type: object, properties: {{{props}}}}}")
    _w(d, "spec.yaml", HEAD_31 + _op("#/components/schemas/L8") + "\n".join(lines) + "\n")
    return Case(codes=frozenset({2}), message=(r"alias expansion exceeds",), located=False,
                seconds=2, rss_mb=200)


def c03(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + "paths: {}\nx-deep: " + "[" * 10_000 + "]" * 10_000 + "\n")
    return Case(codes=frozenset({2}), message=(r"depth",), located=False)


def c03_json(d: Path, port: int) -> Case:
    _w(d, "spec.json", '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, '
       '"paths": {}, "x-deep": ' + "[" * 10_000 + "]" * 10_000 + "}")
    return Case(main="spec.json", codes=frozenset({2}), message=(r"depth",), located=False)


def c04(d: Path, port: int) -> Case:
    deep = "{type: array, items: " * 10_000 + "{type: string}" + "}" * 10_000
    _w(d, "spec.yaml", HEAD_31 + _op() + f"components:\n  schemas:\n    A: {deep}\n")
    return Case(codes=frozenset({2}), message=(r"depth",), located=False)


def c04_json(d: Path, port: int) -> Case:
    deep = '{"type": "array", "items": ' * 10_000 + '{"type": "string"}' + "}" * 10_000
    _w(d, "spec.json", '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, '
       '"paths": {}, "components": {"schemas": {"A": ' + deep + "}}}")
    return Case(main="spec.json", codes=frozenset({2}), message=(r"depth",), located=False)


# --------------------------------------------------------------------------- 05-09 cycles


def c05(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + _op() + """components:
  schemas:
    A:
      $ref: '#/components/schemas/A'
""")
    return Case(message=(r"#/components/schemas/A -> #/components/schemas/A",))


def c06(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + _op() + """components:
  schemas:
    A:
      $ref: '#/components/schemas/B'
    B:
      $ref: '#/components/schemas/C'
    C:
      $ref: '#/components/schemas/A'
""")
    return Case(message=(r"circular", r"schemas/A", r"schemas/B", r"schemas/C"))


def c07(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + _op("#/components/schemas/Cat") + """components:
  schemas:
    Cat:
      allOf:
        - $ref: '#/components/schemas/Pet'
        - type: object
          properties:
            purrs: {type: boolean}
    Pet:
      allOf:
        - $ref: '#/components/schemas/Cat'
""")
    return Case(message=(r"circular allOf", r"Cat", r"Pet"))


def c08(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + _op("#/components/schemas/B") + """components:
  schemas:
    B:
      $ref: '08_circular_crossfile_other.yaml#/X'
""")
    _w(d, "08_circular_crossfile_other.yaml", "X:\n  $ref: 'spec.yaml#/components/schemas/B'\n")
    return Case(message=(r"circular", r"spec\.yaml", r"08_circular_crossfile_other\.yaml"))


def c09(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + _op("#/components/schemas/Tree") + """    post:
      summary: Make a list
      description: Takes a linked list.
      operationId: postList
      requestBody:
        description: The list.
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Node'
      responses:
        "200":
          description: The pair.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Even'
components:
  schemas:
    Tree:
      type: object
      description: A tree.
      properties:
        value: {type: string, description: The value.}
        children:
          type: array
          description: Sub-trees.
          items:
            $ref: '#/components/schemas/Tree'
    Node:
      type: object
      description: A list node.
      properties:
        value: {type: integer, description: The value.}
        next:
          $ref: '#/components/schemas/Node'
    Even:
      type: object
      description: Mutual recursion, one side.
      properties:
        odd:
          $ref: '#/components/schemas/Odd'
    Odd:
      type: object
      description: Mutual recursion, other side.
      properties:
        even:
          $ref: '#/components/schemas/Even'
""")
    return Case(codes=frozenset({0, 1}), control=True)


# --------------------------------------------------------------------------- 10-16 refs, tags


def c10(d: Path, port: int) -> Case:
    refs = [f"http://127.0.0.1:{port}/plain.yaml",
            f"HTTP://127.0.0.1:{port}/upper.yaml",
            f"http://localhost:{port}/localhost.yaml",
            f"http://2130706433:{port}/decimal.yaml",
            f"http://127.0.0.1:{port}/redirect",
            f"https://127.0.0.1:{port}/tls.yaml"]
    schemas = "".join(f"    R{i}:\n      $ref: '{r}#/R'\n" for i, r in enumerate(refs))
    _w(d, "spec.yaml", HEAD_31 + _op("#/components/schemas/R0") +
       "components:\n  schemas:\n" + schemas)
    return Case(codes=frozenset({2}), message=(r"spec\.yaml:\d+:\d+", r"refused"),
                each_line=tuple(re.escape(r.split("://")[1].split("/")[0]) + ".*refused"
                                for r in refs) + (r"--allow-remote-ref|bundle",),
                extra={"count": 6})


def c11(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + f"""externalDocs:
  description: More docs.
  url: http://127.0.0.1:{port}/canary/11/docs
paths:
  /things:
    get:
      summary: Read it
      description: Returns the thing.
      externalDocs:
        url: http://127.0.0.1:{port}/canary/11/op-docs
      responses:
        "200":
          description: The thing.
          content:
            application/json:
              schema: {{type: string}}
              examples:
                remote:
                  summary: Fetched from elsewhere.
                  externalValue: http://127.0.0.1:{port}/canary/11/example.json
""")
    return Case(codes=frozenset({0, 1}), located=False)


def c12(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + _op("file:///etc/passwd"))
    return Case(codes=frozenset({2}), message=(r"spec\.yaml:\d+:\d+", r"file: URIs"))


def c13(d: Path, port: int) -> Case:
    _w(d, "sub/spec.yaml", HEAD_31 + _op("../" * 16 + "etc/passwd"))
    return Case(main="sub/spec.yaml", codes=frozenset({2}),
                message=(r"sub/spec\.yaml:\d+:\d+", r"leaves the spec folder"))


def c14(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + _op("/proc/self/environ") + """components:
  schemas:
    Other:
      $ref: '../../../../../../../../../proc/self/environ'
""")
    return Case(codes=frozenset({2}), message=(r"spec\.yaml:\d+:\d+", r"refused"),
                each_line=(r"spec\.yaml:1[78]:\d+: .*absolute paths are not allowed",
                           r"spec\.yaml:22:\d+: .*leaves the spec folder"))


def c15(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + _op("python://gatekeeper/../../../../etc/passwd"))
    return Case(codes=frozenset({2}), message=(r"unsupported reference scheme python",))


def c16(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", """openapi: 3.1.0
info:
  title: Hostile case
  version: 1.0.0
paths: {}
x-pwn: !!python/object/apply:os.mkdir ["gatekeeper_pwned_marker"]
""")
    return Case(codes=frozenset({2}), message=(r"spec\.yaml:6:\d+", r"unsupported YAML tag"))


# --------------------------------------------------------------------------- 17-25 parsing


def c17(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", """openapi: 3.1.0
info:
  title: Hostile case
  version: 1.0.0
paths:
  /users:
    get:
      summary: List users
      responses:
        "200": {description: ok}
  /users:
    delete:
      summary: Delete every user
      responses:
        "204": {description: gone}
""")
    return Case(codes=frozenset({2}), message=(r"duplicate key '/users' at lines 6 and 11",
                                               r"spec\.yaml:11"))


def c18(d: Path, port: int) -> Case:
    _w(d, "spec.json", """{
  "openapi": "3.1.0",
  "info": {"title": "Hostile case", "version": "1.0.0"},
  "paths": {"/users": {"get": {"responses": {"200": {"description": "ok"}}}}},
  "paths": {"/users": {"delete": {"responses": {"204": {"description": "gone"}}}}}
}
""")
    return Case(main="spec.json", codes=frozenset({2}),
                message=(r"duplicate key 'paths' at lines 4, 5", r"spec\.json:4"))


def c19(d: Path, port: int) -> Case:
    text = (HEAD_31 + "paths: {}\nx-note: caf\xe9 cr\xe8me\n").encode("latin-1")
    _w(d, "spec.yaml", text)
    return Case(codes=frozenset({2}),
                message=(r"not valid UTF-8 at byte \d+ \(line 7\)", r"spec\.yaml:7"))


def c20(d: Path, port: int) -> Case:
    text = HEAD_31 + "  x-name: Zoë ☃\n" + _op() + \
        "components:\n  schemas:\n    A: {type: string, description: A string.}\n"
    _w(d, "spec.yaml", b"\xff\xfe" + text.encode("utf-16-le"))
    _w(d, "utf8-copy.yaml", text)
    return Case(codes=frozenset({0, 1}), located=False, extra={"same_as": "utf8-copy.yaml"})


def c21(d: Path, port: int) -> Case:
    text = HEAD_31 + _op() + \
        "components:\n  schemas:\n    A: {type: string, description: A string.}\n"
    _w(d, "spec.yaml", b"\xef\xbb\xbf" + text.encode("utf-8"))
    _w(d, "spec.json", b"\xef\xbb\xbf" + json.dumps(
        {"openapi": "3.1.0", "info": {"title": "t", "version": "1", "description": "BOM."},
         "paths": {}}).encode())
    return Case(codes=frozenset({0, 1}), control=True, extra={"also": "spec.json"})


def c22(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + _op() + """components:
  schemas:
    A:
      type: integer
      description: Big.
      maximum: """ + "9" * 5000 + "\n")
    return Case(codes=frozenset({2}), message=(r"number too large", r"spec\.yaml:24:\d+"))


def c22_json(d: Path, port: int) -> Case:
    _w(d, "spec.json", '{"openapi": "3.1.0",\n "info": {"title": "t", "version": "1"},\n'
       ' "paths": {},\n "x-big": ' + "9" * 5000 + "}")
    return Case(main="spec.json", codes=frozenset({2}),
                message=(r"spec\.json:4: .*number too large",))


def c23(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + _op() + """components:
  schemas:
    A:
      type: number
      description: Unbounded.
      maximum: .inf
      minimum: -.inf
      default: .nan
      example: .NaN
""")
    return Case(codes=frozenset({0, 1, 2}), located=False)


def c24(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", """openapi: 3.1.0
info:
  title: Hostile case
  description: Dates, binary.
  version: 2024-01-01
x-when: 2001-12-14t21:59:43.10-05:00
x-blob: !!binary R0lGODlhDAAMAIQAAP//9/X17unp5WZmZgAAAOfn515eXvPz7Y6OjuDg4J+fn5
paths: {}
""")
    return Case(codes=frozenset({0, 1}), located=False)


def c24_set(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", """openapi: 3.1.0
info:
  title: Hostile case
  version: 1.0.0
paths: {}
x-set: !!set {a, b}
""")
    return Case(codes=frozenset({2}), message=(r"spec\.yaml:6:\d+", r"unsupported YAML tag"))


def c25(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", """swagger: 2.0
info:
  title: Hostile case
  description: Unquoted version.
  version: "1.0"
paths: {}
""")
    return Case(codes=frozenset({0, 1, 2}), message=(r"quote",), located=False)


# --------------------------------------------------------------------------- 26-28 output


XSS = ("<script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>"
       "<iframe src=javascript:alert(4)></iframe> {{ 7*7 }}")


def c26(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", f"""openapi: 3.1.0
info:
  title: '{XSS}'
  version: 1.0.0
  description: '{XSS}'
  contact:
    url: 'javascript:alert(5)'
  license:
    name: x
    url: 'data:text/html,<script>alert(6)</script>'
externalDocs:
  url: 'javascript:alert(7)'
tags:
  - name: '<b>{{{{ 7*7 }}}}</b>'
paths:
  '/x/<script>alert(8)</script>/{{{{ 7*7 }}}}':
    get:
      operationId: '<img src=x onerror=alert(9)>{{{{ 7*7 }}}}'
      tags: ['<b>{{{{ 7*7 }}}}</b>']
      responses:
        "200":
          description: '{XSS}'
""")
    return Case(codes=frozenset({0, 1}), located=False, stdout_literal=("{{ 7*7 }}",),
                extra={"ci": True})


C0 = "\x1b[2J\x1b[H\x1b]52;c;cHduZWQ=\x07\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\" \
     "\x1b]0;pwned title\x07\x07\u009b31m\u202etxt.exe\u2066\rPASSED\x00"
FORGED = ("\n::error file=x::forged\n::add-mask::secret\n::stop-commands::tok\n"
          "##vso[task.complete]\n##[error]x")


def c27(d: Path, port: int) -> Case:
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "T" + C0, "version": "1" + C0, "description": "D" + C0 + FORGED},
        "tags": [{"name": "t" + C0 + FORGED}],
        "paths": {
            "/a" + C0: {"get": {"operationId": "op" + C0 + FORGED, "tags": ["t" + C0 + FORGED],
                                "responses": {"200": {"description": ""}}}},
            "/b\n::error::x": {"get": {"responses": {"200": {"description": "x" + FORGED}}}},
        },
    }
    _w(d, "spec.json", json.dumps(doc, indent=1))
    return Case(main="spec.json", codes=frozenset({0, 1}), located=False,
                json_check=_json_keeps_escape, extra={"ci": True})


def _json_keeps_escape(data: dict) -> None:
    text = json.dumps(data)
    assert "\\u001b" in text or "pwned" not in text


REDOS = ["^(a+)+$", "^(a|a)*$", "^(a|aa)+$"]


def c28(d: Path, port: int) -> Case:
    props = ""
    for i, pat in enumerate(REDOS):
        for n in (40, 50, 60):
            props += (f"        p{i}_{n}:\n          type: string\n          description: x\n"
                      f"          pattern: '{pat}'\n          example: '{'a' * n}!'\n"
                      f"          default: '{'a' * n}!'\n")
    _w(d, "spec.yaml", HEAD_31 + _op() + f"""components:
  schemas:
    A:
      type: object
      description: Slow patterns.
      properties:
{props}""")
    return Case(codes=frozenset({0, 1}), located=False,
                message=(r"validity/catastrophic-pattern .*`\^\(a\+\)\+\$` may backtrack "
                         r"catastrophically", r"`\^\(a\|aa\)\+\$` may backtrack"))


# --------------------------------------------------------------------------- 29-38 shape


def c29(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", b"")
    return Case(codes=frozenset({2}), message=(r"spec\.yaml: file is empty",), located=False,
                seconds_fast=1.0)


def c30(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", "- openapi: 3.1.0\n- info: {}\n")
    return Case(codes=frozenset({2}), message=(r"top level must be a mapping, got list",))


def c31(d: Path, port: int) -> Case:
    _w(d, "spec.json", '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, '
       '"paths": {}}\n}} {"openapi": "3.1.0", "paths": {"/smuggled": {}}}\n')
    return Case(main="spec.json", codes=frozenset({2}),
                message=(r"extra data after the JSON document", r"spec\.json:2"))


def c32(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", """name: CI
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
""")
    return Case(codes=frozenset({2}), message=(r"not an OpenAPI or Swagger document",))


def c33(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", "openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
    return Case(codes=frozenset({2}), message=(r"unsupported OpenAPI version 4\.0\.0",
                                               r"2\.0, 3\.0\.x, 3\.1\.x"))


def c34(d: Path, port: int) -> Case:
    _w(d, "spec.json", json.dumps({
        "apiVersion": "1.0.0", "swaggerVersion": "1.2",
        "basePath": f"http://127.0.0.1:{port}/canary/34",
        "resourcePath": "/pets",
        "apis": [{"path": "/pets", "operations": [{"method": "GET", "nickname": "list"}]}],
    }, indent=2))
    return Case(main="spec.json", codes=frozenset({2}),
                message=(r"Swagger 1\.2 is not supported",))


def c35(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\n"
       "  description: No paths.\n")
    return Case(codes=frozenset({1}), message=(r"paths",), located=False)


def c36(d: Path, port: int) -> Case:
    paths = {}
    for i in range(5000):
        paths[f"/r{i}"] = {"get": {
            "summary": f"Read {i}", "description": "Returns it.", "operationId": f"get{i}",
            "responses": {"200": {"description": "It.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/C0"}}}}}}}
    schemas = {f"C{i}": {"$ref": f"#/components/schemas/C{i + 1}"} for i in range(200)}
    schemas["C200"] = {"type": "object", "description": "End of the chain.",
                       "properties": {"id": {"type": "string",
                                                 "description": "The identifier."}}}
    doc = {"openapi": "3.1.0",
           "info": {"title": "Big", "version": "1", "description": "5000 operations."},
           "paths": paths, "components": {"schemas": schemas}}
    from yaml import safe_dump

    _w(d, "spec.yaml", safe_dump(doc, sort_keys=False))
    return Case(codes=frozenset({0, 1}), control=True, seconds=30,
                json_check=_five_thousand_ops)


def _five_thousand_ops(data: dict) -> None:
    assert data["spec"]["operations"] == 5000, data["spec"]


def c37(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", HEAD_31 + _op("#/components/schemas/DoesNotExist") +
       "components:\n  schemas: {}\n")
    return Case(codes=frozenset({2}), message=(
        r"spec\.yaml:1[78]:\d+", r"unresolvable \$ref '#/components/schemas/DoesNotExist'",
        r"#/paths/~1things/get/responses/200/content/application~1json/schema"))


def c38(d: Path, port: int) -> Case:
    _w(d, "spec.yaml", c38_text())
    return Case(codes=frozenset({0, 1}), control=True)


def c38_text() -> str:
    return HEAD_31 + """paths:
  /a/b:
    get:
      summary: Slash
      description: Ref through ~1.
      responses:
        "200":
          description: Ok.
          content:
            application/json:
              schema:
                $ref: '#/paths/~1a~1b/x-target'
    x-target: {type: string, description: slash target}
  /t~x:
    get:
      summary: Tilde
      description: Ref through ~0.
      responses:
        "200":
          description: Ok.
          content:
            application/json:
              schema:
                $ref: '#/paths/~1t~0x/x-target'
    x-target: {type: integer, description: tilde target}
  /{id}:
    parameters:
      - {name: id, in: path, required: true, description: The id., schema: {type: string}}
    get:
      summary: Braces
      description: Ref through %7B%7D.
      responses:
        "200":
          description: Ok.
          content:
            application/json:
              schema:
                $ref: '#/paths/~1%7Bid%7D/x-target'
    x-target: {type: boolean, description: braces target}
x-defs:
  with space:
    type: number
    description: space target
  ~1:
    type: array
    description: decoy, never chosen
    items: {type: string}
  /:
    type: object
    description: slash-named target
x-refs:
  space: {$ref: '#/x-defs/with%20space'}
  slash: {$ref: '#/x-defs/~1'}
  tilde-one: {$ref: '#/x-defs/~01'}
"""


def c42(d: Path, port: int, size_mb: int = 52) -> Case:
    """~102k paths, ~52 MB of YAML, built from repeated text (fast to write)."""
    parts = ["openapi: 3.1.0\ninfo:\n  title: Big\n  version: '1'\n"
             "  description: Generated at test time.\npaths:\n"]
    block = """  /resource{i}/items/{{itemId}}:
    get:
      summary: Read item {i}
      description: Returns one item of resource {i}, with a long enough description to
        weigh what real specs weigh per operation.
      operationId: getItem{i}
      parameters:
        - name: itemId
          in: path
          required: true
          description: The item id.
          schema: {{type: string}}
      responses:
        "200":
          description: The item.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Item'
        "404":
          description: Not found.
"""
    target = size_mb * 1024 * 1024
    size, i = len(parts[0]), 0
    while size < target:
        text = block.format(i=i)
        parts.append(text)
        size += len(text)
        i += 1
    parts.append("components:\n  schemas:\n    Item:\n      type: object\n"
                 "      description: An item.\n      properties:\n"
                 "        id: {type: string, description: The id.}\n")
    with open(d / "spec.yaml", "w", encoding="utf-8") as fh:
        fh.writelines(parts)
    # 60 s of CPU: 16 s on the machine this budget was first set on, 31 to 36 s on the
    # slower project machine of 2026-12-02 (idle, and in CI beside one other test). The
    # budget is there to catch a blow-up (work growing faster than the file), which costs
    # many times more; speed itself is measured in benchmarks/.
    return Case(codes=frozenset({0, 1}), seconds=60, rss_mb=2048, located=False,
                extra={"paths": i})


CASES: dict[str, Callable[[Path, int], Case]] = {
    "01": c01, "02": c02, "03": c03, "03-json": c03_json, "04": c04, "04-json": c04_json,
    "05": c05, "06": c06, "07": c07, "08": c08, "09": c09, "10": c10, "11": c11, "12": c12,
    "13": c13, "14": c14, "15": c15, "16": c16, "17": c17, "18": c18, "19": c19, "20": c20,
    "21": c21, "22": c22, "22-json": c22_json, "23": c23, "24": c24, "24-set": c24_set,
    "25": c25, "26": c26, "27": c27, "28": c28, "29": c29, "30": c30, "31": c31, "32": c32,
    "33": c33, "34": c34, "35": c35, "36": c36, "37": c37, "38": c38,
}
LIVE_CASES = ("39", "40", "41")

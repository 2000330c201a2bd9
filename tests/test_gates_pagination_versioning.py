"""What the sample-spec harness cannot express for the pagination, versioning, operations and
ratelimit gates: the collection view (gates/pagination/collection.py), signal classification,
metrics, option plumbing, rule docs, and the JSON contract."""

from __future__ import annotations

import json

import pytest

from gatekeeper import Config, Severity, run
from gatekeeper.config import GateConfig

from gates import operations, pagination, ratelimit, versioning
from gates.pagination.collection import collection_of, collection_operations

HEAD = "openapi: 3.1.0\ninfo: {title: T, version: 1.0.0}\npaths:\n"


def _get(path: str, schema: str, params: str = "", media: str = "application/json",
         code: str = "200") -> str:
    return (f"  {path}:\n    get:\n{params}      responses:\n        '{code}':\n"
            f"          description: OK\n          content:\n            {media}:\n"
            f"              schema: {schema}\n")


ARRAY = "{type: array, items: {type: object}}"


@pytest.mark.parametrize("path, schema, media, expected", [
    ("/orders", ARRAY, "application/json", ("definite", "array", None)),
    ("/orders", "{type: [array, 'null'], items: {}}", "application/json",
     ("definite", "array", None)),
    ("/orders", "{properties: {value: " + ARRAY + "}}", "application/json",
     ("definite", "wrapper", None)),
    ("/orders", "{properties: {orders: " + ARRAY + ", a: {}, b: {}, c: {}, d: {}}}",
     "application/json", ("definite", "wrapper", None)),  # named after the path
    ("/orders", "{properties: {things: " + ARRAY + ", a: {}}}", "application/json",
     ("probable", "wrapper", None)),
    ("/orders", "{properties: {things: " + ARRAY + ", a: {}, b: {}, c: {}, d: {}}}",
     "application/json", (None, None, "shape")),
    ("/orders", "{allOf: [{properties: {count: {type: integer}}}, {properties: {items: "
     + ARRAY + "}}]}", "application/json", ("definite", "wrapper", None)),
    ("/orders", "{oneOf: [{type: string}, " + ARRAY + "]}", "application/json",
     ("definite", "array", None)),
    ("/orders", "{properties: {_embedded: {properties: {orders: " + ARRAY + "}}}}",
     "application/hal+json", ("definite", "wrapper", None)),
    ("/orders/{id}", "{properties: {lines: " + ARRAY + "}}", "application/json",
     ("probable", "wrapper", "item-path")),
    ("/orders/{id}", ARRAY, "application/json", ("definite", "array", None)),
    ("/events", ARRAY, "application/x-ndjson", (None, None, "streaming")),
    ("/events", ARRAY, "text/event-stream", (None, None, "streaming")),
    ("/countries", "{properties: {items: {type: array, maxItems: 100}}}", "application/json",
     ("definite", "wrapper", "bounded")),
    ("/orders", "{properties: {items: {type: array, maxItems: 101}}}", "application/json",
     ("definite", "wrapper", None)),
    ("/markets", "{properties: {items: {type: array}}}", "application/json",
     ("definite", "wrapper", "bounded")),
    ("/orders", "{properties: {items: {type: array, description: Returns up to 20 orders}}}",
     "application/json", ("definite", "wrapper", "bounded")),
    ("/apis/apps/v1/", "{properties: {resources: " + ARRAY + "}}", "application/json",
     (None, None, "root")),
    ("/v2.1", "{properties: {resources: " + ARRAY + "}}", "application/json",
     (None, None, "root")),
])
def test_collection_detection(spec_from_text, path, schema, media, expected) -> None:
    spec = spec_from_text(HEAD + _get(path, schema, media=media))
    c = collection_of(spec, spec.operations[0])
    assert (c.confidence, c.shape, c.excluded) == expected
    assert c.is_collection is (expected[0] is not None and expected[2] is None)


def test_collection_view_on_spec_and_swagger2(spec_from_text) -> None:
    spec = spec_from_text("swagger: '2.0'\ninfo: {title: T, version: 1.0.0}\n"
                          "produces: [application/json]\npaths:\n"
                          "  /a: {get: {responses: {'200': {description: OK, schema: "
                          "{type: array, items: {}}}}}}\n"
                          "  /b: {post: {responses: {'200': {description: OK, schema: "
                          "{type: array, items: {}}}}}}\n"
                          "  /c: {get: {produces: [application/xml], responses: {'200': "
                          "{description: OK, schema: {type: array, items: {}}}}}}\n")
    assert [c.operation.path for c in collection_operations(spec)] == ["/a"]
    assert [c.operation.path for c in collection_operations(spec, search_methods=("post",),
                                                            search_pattern="b")] == ["/a", "/b"]


def test_batch_read_is_not_a_collection(spec_from_text) -> None:
    params = "      parameters: [{name: ids, in: query, required: true, schema: {type: string}}]\n"
    spec = spec_from_text(HEAD + _get("/albums", "{properties: {albums: " + ARRAY + "}}",
                                      params))
    assert collection_of(spec, spec.operations[0]).excluded == "batch"


def _signals(spec_from_text, params: str, schema: str, headers: str = ""):
    text = HEAD + _get("/orders", schema, params)
    if headers:
        text += f"          headers:\n{headers}"
    spec = spec_from_text(text)
    op = spec.operations[0]
    return pagination.analyse(spec, op, collection_of(spec, op), {})


@pytest.mark.parametrize("param, schema, request_styles, response_styles", [
    ("{name: page, in: query, schema: {type: integer}}", "{properties: {items: []}}",
     ("page",), ()),
    ("{name: page, in: query, schema: {type: string}}", "{properties: {items: []}}",
     ("cursor",), ()),
    ("{name: start, in: query, schema: {type: integer}}", "{properties: {items: []}}",
     ("offset",), ()),
    ("{name: '$skip', in: query, schema: {type: integer}}", "{properties: {items: []}}",
     ("offset",), ()),
    ("{name: offset, in: query, schema: {type: string}}", "{properties: {items: []}}",
     ("cursor",), ()),
    ("{name: currentPage, in: query, schema: {type: integer}}", "{properties: {items: []}}",
     ("page",), ()),
    ("{name: 'page[cursor]', in: query, schema: {type: string}}", "{properties: {items: []}}",
     ("cursor",), ()),
    ("{name: pageToken, in: query, schema: {type: string}}",
     "{properties: {items: {type: array}, nextPageToken: {type: string}}}", ("cursor",),
     ("cursor",)),
    ("{name: after, in: query, schema: {type: string}}", "{properties: {items: []}}", (), ()),
    ("{name: after, in: query, schema: {type: string}}",
     "{properties: {items: {type: array}, pageInfo: {properties: {endCursor: {type: string},"
     " hasNextPage: {type: boolean}}}}}", ("cursor",), ("cursor",)),
    ("{name: token, in: query, schema: {type: string}}", "{properties: {items: []}}", (), ()),
    ("{name: from, in: query, schema: {type: string, format: date}}",
     "{properties: {items: []}}", (), ()),
    ("{name: Range, in: header, schema: {type: string}}", "{properties: {items: []}}",
     ("range",), ()),
    ("{name: q, in: query, schema: {type: string}}",
     "{properties: {value: {type: array}, '@odata.nextLink': {type: string}}}", (),
     ("next_link",)),
    ("{name: q, in: query, schema: {type: string}}",
     "{properties: {items: {type: array}, _links: {properties: {next: {properties: "
     "{href: {type: string}}}}}}}", (), ("next_link",)),
    ("{name: q, in: query, schema: {type: string}}",
     "{properties: {items: {type: array}, links: {type: array, items: {properties: "
     "{rel: {type: string}, href: {type: string}}}}}}", (), ("next_link",)),
    ("{name: q, in: query, schema: {type: string}}",
     "{properties: {items: {type: array}, next: {type: string, format: uri}}}", (),
     ("next_link",)),
])
def test_style_classification(spec_from_text, param, schema, request_styles,
                              response_styles) -> None:
    sig = _signals(spec_from_text, f"      parameters: [{param}]\n", schema)
    assert sig.request_styles == request_styles
    assert sig.response_styles == response_styles


def test_size_parameter_alone_is_not_continuation(spec_from_text) -> None:
    sig = _signals(spec_from_text,
                   "      parameters: [{name: '$top', in: query, schema: {type: integer}}, "
                   "{name: count, in: query, schema: {type: boolean}}]\n",
                   "{properties: {value: {type: array}}}")
    assert [p.name for p in sig.size] == ["$top"] and not sig.continuation


def test_link_header_is_continuation(spec_from_text) -> None:
    sig = _signals(spec_from_text, "", ARRAY,
                   "            Link: {schema: {type: string}}\n")
    assert sig.response_styles == ("link_header",)


def _run(spec, gate, **options):
    cfg = Config(gates={gate.name: GateConfig(options=options)}) if options else Config()
    return run(spec, [gate], cfg, raise_errors=True).gate(gate.name)


def test_pagination_metric_and_probable_severity(spec_from_text) -> None:
    spec = spec_from_text(
        HEAD + _get("/a", ARRAY)
        + _get("/b", "{properties: {things: " + ARRAY + ", n: {}}}")
        + _get("/c", ARRAY, "      parameters: [{name: offset, in: query, schema: "
                            "{type: integer}}, {name: limit, in: query, schema: "
                            "{type: integer, maximum: 5}}]\n"))
    result = _run(spec, pagination.GATE)
    assert (result.metric.passed, result.metric.total) == (1, 3)
    sev = {f.message.split("`")[1]: f.severity for f in result.findings
           if f.rule == "pagination/unpaginated-collection"}
    assert sev == {"GET /a": Severity.ERROR, "GET /b": Severity.WARNING}
    strict = _run(spec, pagination.GATE, treat_probable_as_definite=True)
    assert {f.severity for f in strict.findings
            if f.rule == "pagination/unpaginated-collection"} == {Severity.ERROR}
    exempt = _run(spec, pagination.GATE, exempt=["/a", "GET /b"])
    assert exempt.passed and exempt.metric.total == 1


def test_next_links_make_styles_consistent(spec_from_text) -> None:
    nxt = "{properties: {items: {type: array}, next: {type: string, format: uri}}}"
    spec = spec_from_text(HEAD + _get("/a", nxt, "      parameters: [{name: offset, in: query, "
                                               "schema: {type: integer}}]\n")
                          + _get("/b", nxt, "      parameters: [{name: cursor, in: query, "
                                            "schema: {type: string}}]\n"))
    assert not list(pagination.mixed_styles(spec))


def test_pagination_consistency_warn_and_off(spec_from_text) -> None:
    p_off = "      parameters: [{name: offset, in: query, schema: {type: integer}}]\n"
    p_cur = ("      parameters: [{name: cursor, in: query, schema: {type: string}}]\n")
    body = "{properties: {items: {type: array}, next_cursor: {type: string}}}"
    spec = spec_from_text(HEAD + _get("/a", "{properties: {items: {type: array}}}", p_off)
                          + _get("/b", body, p_cur) + _get("/c", body, p_cur))
    assert [f.rule for f in _run(spec, pagination.GATE).findings
            if f.severity is Severity.ERROR] == ["pagination/mixed-styles"]
    warn = _run(spec, pagination.GATE, consistency="warn")
    assert warn.passed
    assert not any(f.rule == "pagination/mixed-styles"
                   for f in _run(spec, pagination.GATE, consistency="off").findings)


def test_versioning_marks(spec_from_text) -> None:
    spec = spec_from_text(
        "openapi: 3.0.3\ninfo: {title: T, version: 1.0.0}\n"
        "servers: [{url: 'https://{env}.x.com/{ver}', variables: {env: {default: api}, "
        "ver: {default: v1, enum: [v1, v2]}}}]\npaths:\n"
        "  /a: {get: {responses: {'200': {description: OK}}}}\n")
    v = versioning.analyse(spec)
    marks = v.marks[spec.operations[0].pointer]
    assert v.family == "url" and {m.value for m in marks} == {"v1", "v2"}


@pytest.mark.parametrize("url, path, family", [
    ("https://api.x.com", "/v1/a", "url"),
    ("https://api.x.com", "/apis/apps/v1/deployments", "url"),
    ("https://api.x.com", "/api/3/a", "url"),
    ("https://api.x.com", "/2010-04-01/Accounts.json", "url"),
    ("https://api.xero.com/api.xro/2.0", "/Invoices", "url"),
    ("https://api.x.com", "/users/{id}/v2", None),
    ("https://api.x.com", "/ipv4/a", None),
    ("https://dev1-inter.net/api", "/a", None),
    ("https://api.x.com", "/things/3/a", None),
    ("https://x.atlassian.net", "/rest/api/3/issue", "url"),
    ("https://x.atlassian.net", "/rest/agile/1.0/board", "url"),
    ("https://api.x.com", "/v1beta1/a", "url"),
    ("https://api.x.com", "/beta/a", "url"),
])
def test_url_version_segments(spec_from_text, url, path, family) -> None:
    spec = spec_from_text(f"openapi: 3.0.3\ninfo: {{title: T, version: 1.0.0}}\n"
                          f"servers: [{{url: '{url}'}}]\npaths:\n"
                          f"  '{path}': {{get: {{responses: {{'200': {{description: OK}}}}}}}}\n")
    assert versioning.analyse(spec).family == family


def test_generic_version_names_need_a_share(spec_from_text) -> None:
    ops = "".join(f"  /r{i}: {{get: {{responses: {{'200': {{description: OK}}}}}}}}\n"
                  for i in range(3))
    doc = ("  /documents/{id}:\n    get:\n      parameters:\n"
           "        - {name: id, in: path, required: true, schema: {type: string}}\n"
           "        - {name: version, in: query, schema: {type: integer}}\n"
           "      responses: {'200': {description: OK}}\n")
    spec = spec_from_text(HEAD + ops + doc)
    assert versioning.analyse(spec).family is None  # a resource parameter, not versioning
    assert versioning.analyse(spec, min_mechanism_share=0.2).family == "query"


@pytest.mark.parametrize("version, scheme, ok", [
    ("1.2.3", "semver", True), ("1.2", "semver", False), ("v1.2.3", "semver", False),
    ("1", "semver", False), ("2024-01-01", "calver", True),
    ("2024-01-01-preview", "calver", True), ("2024-06-20.basil", "calver", True),
    ("1.2.3", "calver", False), ("anything", "any", True),
])
def test_info_version_schemes(spec_from_text, version, scheme, ok) -> None:
    spec = spec_from_text(f"openapi: 3.1.0\ninfo: {{title: T, version: '{version}'}}\n"
                          f"paths: {{}}\n")
    found = list(versioning.invalid_info_version(spec, version_scheme=scheme))
    assert (not found) is ok


def test_require_mechanism_false_is_info(spec_from_text) -> None:
    spec = spec_from_text(HEAD + "  /a: {get: {responses: {'200': {description: OK}}}}\n")
    result = _run(spec, versioning.GATE, require_mechanism=False)
    assert result.passed
    assert [f.severity for f in result.findings
            if f.rule == "versioning/missing-version-mechanism"] == [Severity.INFO]
    assert result.metric.value == 0.0


def test_operation_id_casing_needs_a_majority(spec_from_text) -> None:
    spec = spec_from_text(HEAD + "".join(
        f"  /{i}: {{get: {{operationId: {oid}, responses: {{'200': {{description: OK}}}}}}}}\n"
        for i, oid in enumerate(["listPets", "list_owners", "search"])))
    assert list(operations.inconsistent_operation_id_casing(spec)) == []
    assert operations.casing_of("search") is None


def test_ratelimit_prose_counts_as_documented(spec_from_text) -> None:
    spec = spec_from_text("openapi: 3.1.0\ninfo: {title: T, version: 1.0.0, description: "
                          "'Requests are rate limited to 100 per minute.'}\npaths:\n"
                          "  /a: {post: {responses: {'201': {description: OK}}}}\n")
    assert _run(spec, ratelimit.GATE).passed


def test_every_rule_documented_and_json_contract(spec_from_text) -> None:
    for gate in (pagination.GATE, versioning.GATE, operations.GATE, ratelimit.GATE):
        assert gate.description and gate.description[0].isupper()
        for r in gate.rules:
            for section in ("## What it does", "## Why is this bad?", "## Example"):
                assert section in r.docs, (r.id, section)
            if r.options:
                assert "## Options" in r.docs, r.id
            assert "{common}" not in r.docs
    spec = spec_from_text(HEAD + _get("/a", ARRAY))
    report = run(spec, [pagination.GATE, versioning.GATE], Config(), raise_errors=True)
    data = json.loads(json.dumps(report.to_dict()))
    metrics = {g["name"]: g["metric"] for g in data["gates"]}
    assert metrics["pagination"]["label"] == "collection operations that paginate"
    assert metrics["versioning"]["value"] == 0.0


def test_bounded_page_that_pages_still_counts(spec_from_text) -> None:
    schema = ("{properties: {items: {type: array, maxItems: 50}, next_cursor: {type: string}}}")
    spec = spec_from_text(HEAD + _get("/pets", schema, "      parameters: [{name: cursor, in: "
                                                       "query, schema: {type: string}}]\n"))
    result = _run(spec, pagination.GATE)
    assert (result.metric.passed, result.metric.total) == (1, 1) and result.passed

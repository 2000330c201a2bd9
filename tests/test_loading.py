"""Loading real and hostile-looking specs: corpus, multi-file, reference refusals."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from gatekeeper import Config, SpecError, load, run
from gatekeeper.registry import builtin_gates

from conftest import CORPUS, ROOT, needs_corpus, run_cli

DATA = ROOT / "tests" / "data"


@needs_corpus
def test_all_100_corpus_yaml_specs_load_and_check_without_a_crash() -> None:
    files = sorted((CORPUS / "apis-guru").rglob("*.yaml"))
    assert len(files) == 100
    versions = set()
    for path in files:
        spec = load(str(path))
        versions.add(spec.version)
        report = run(spec, builtin_gates(), Config())
        crashed = [f for f in report.findings if f.rule == "gatekeeper/rule-crashed"]
        assert not crashed, (path, crashed)
    assert versions == {"2.0", "3.0", "3.1"}


# Plain scalars as YAML 1.2's core schema reads them (the OpenAPI specification recommends
# YAML 1.2, and Spectral reads it): each value as its own spec, alone (the fast path may read
# it) and beside a YAML 1.1-only spelling (PyYAML reads the whole file).
YAML_12 = [
    ("10_003", "10_003"), ("1_000", "1_000"), ("1_0.5", "1_0.5"), ("0b101", "0b101"),
    ("1:30", "1:30"), ("+0x1F", "+0x1F"), ("0X1F", "0X1F"), ("0O17", "0O17"),
    ("yes", "yes"), ("on", "on"), ("2001-12-14", "2001-12-14"),
    ("017", 17), ("-017", -17), ("0o17", 15), ("0x1F", 31), ("+1", 1), ("1e3", 1000.0),
    ("12e03", 12000.0), ("+.5", 0.5), (".5", 0.5), ("1.", 1.0), ("-.INF", float("-inf")),
    ("True", True), ("FALSE", False), ("~", None), ("Null", None),
]


@pytest.mark.parametrize("written, value", YAML_12, ids=[w for w, _ in YAML_12])
@pytest.mark.parametrize("beside", ["", "other: 1:30\n"], ids=["alone", "with-yaml-1.1"])
def test_plain_scalars_are_read_as_yaml_1_2(tmp_path, written, value, beside) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
                    f"x-value: {written}\n{beside}")
    got = load(str(path)).raw["x-value"]
    assert got == value and type(got) is type(value), (written, got)


def test_an_example_written_10_003_is_the_string_it_reads_as(tmp_path) -> None:
    # Adyen's specs give `errorCode: 10_003` as an example of a string property; YAML 1.1
    # reads the integer 10003, and the examples gate reported a type error Spectral does not
    path = tmp_path / "spec.yaml"
    path.write_text("""\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '403':
          description: Forbidden
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
              examples:
                forbidden: {value: {errorCode: 10_003}}
                wrong: {value: {errorCode: 10003}}
components:
  schemas:
    Error:
      type: object
      properties:
        errorCode: {type: string}
""")
    out = run_cli("check", str(path), "--select", "examples", "--format", "json")
    import json

    pointers = [f["pointer"] for g in json.loads(out.stdout)["gates"] for f in g["findings"]]
    assert [p.rsplit("/", 2)[-2] for p in pointers] == ["wrong"], pointers


def test_a_key_beside_a_yaml_merge_key_overrides_the_merged_one(tmp_path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("""\
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Base: &base {type: object, description: A base, required: [id]}
    Pet:
      <<: *base
      description: A pet
""")
    pet = load(str(path)).raw["components"]["schemas"]["Pet"]
    assert pet == {"type": "object", "description": "A pet", "required": ["id"]}
    path.write_text(path.read_text() + "      description: Twice\n")
    out = run_cli("check", str(path))
    assert out.returncode == 2
    assert "duplicate key 'description' at lines 9 and 10" in out.stderr, out.stderr


def test_tab_on_blank_line_inside_block_scalar_is_accepted(tmp_path) -> None:
    path = tmp_path / "tabs.yaml"
    path.write_text("openapi: 3.0.3\ninfo:\n  title: Tabs\n  version: '1'\n  description: |\n"
                    "    First paragraph.\n\t\n    Second paragraph.\npaths: {}\n")
    spec = load(str(path))
    assert spec.info["description"] == "First paragraph.\n\nSecond paragraph.\n"


@needs_corpus
def test_digitalocean_multi_file_spec_locates_findings_in_their_files() -> None:
    root = CORPUS / "digitalocean" / "specification" / "DigitalOcean-public.v2.yaml"
    spec = load(str(root))
    assert len(spec.documents) > 1000
    report = run(spec, builtin_gates(), Config())
    files = {f.location.file for f in report.findings}
    assert any("resources/" in f for f in files)
    for finding in report.findings[:200]:
        assert Path(finding.location.file).is_file(), finding
        lines = Path(finding.location.file).read_text().splitlines()
        assert 1 <= finding.location.line <= max(len(lines), 1)


def test_multi_file_sample_findings_point_into_sibling_folders() -> None:
    spec = load(str(ROOT / "sample_specs" / "multifile" / "openapi.yaml"))
    report = run(spec, builtin_gates(), Config(), raise_errors=True)
    where = {(f.rule, f.location.file.split("multifile/")[1], f.location.line)
             for f in report.findings}
    assert ("docs/undocumented-operation", "resources/pets/pets.yaml", 12) in where
    assert ("docs/undocumented-property", "shared/pet.yaml", 7) in where


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"get: {responses: {'200': {description: CANARY-REMOTE-CONTENT}}}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def recorder():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_refs_leaving_the_folder_file_urls_and_remote_urls_are_refused(tmp_path,
                                                                       recorder) -> None:
    remote = tmp_path / "remote.yaml"
    remote.write_text((DATA / "refs" / "inner" / "remote.yaml").read_text()
                      .replace("PORT", str(recorder)))
    cases = {
        str(DATA / "refs" / "inner" / "leaves-folder.yaml"): "leaves the spec folder",
        str(DATA / "refs" / "inner" / "file-url.yaml"): "file: URIs are not allowed",
        str(remote): "remote references are not fetched",
    }
    for path, reason in cases.items():
        result = run_cli("check", path)
        assert result.returncode == 2, result.stdout
        first = result.stderr.splitlines()[0]
        assert reason in first and ":5:" in first and "(at #/paths/~1a)" in first, first
        for secret in ("root:x:0", "secret", "CANARY"):
            assert secret not in result.stdout + result.stderr
    assert _Recorder.hits == []


def test_symlink_inside_the_folder_pointing_outside_is_refused(tmp_path) -> None:
    (tmp_path / "outside.yaml").write_text("get: {responses: {'200': {description: x}}}\n")
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    (spec_dir / "openapi.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a: {$ref: 'link.yaml'}\n")
    with pytest.raises(SpecError, match="leaves the spec folder"):
        load(str(spec_dir / "openapi.yaml"))


def test_recursive_schemas_are_legal_and_ref_cycles_are_not(tmp_path) -> None:
    ok = tmp_path / "tree.yaml"
    ok.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n"
                  "  schemas:\n    Node:\n      type: object\n      properties:\n"
                  "        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n")
    load(str(ok))
    bad = tmp_path / "cycle.yaml"
    bad.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n"
                   "  schemas:\n    A: {$ref: '#/components/schemas/B'}\n"
                   "    B: {$ref: '#/components/schemas/A'}\n")
    with pytest.raises(SpecError, match="circular \\$ref: .*schemas/A.*schemas/B"):
        load(str(bad))


def test_orjson_serializes_no_deeper_than_the_bound_the_loader_relies_on() -> None:
    """A big JSON spec that orjson serialized again skips the depth walk under a limit of
    `ORJSON_MAX_DEPTH` or more: that holds only while orjson refuses deeper nesting."""
    import orjson

    from gatekeeper.tree_limits import ORJSON_MAX_DEPTH

    def nested(depth: int) -> object:
        return orjson.loads("[" * depth + "]" * depth)

    orjson.dumps(nested(ORJSON_MAX_DEPTH))
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps(nested(ORJSON_MAX_DEPTH + 1))


def _big_json_spec(path: Path, depth: int) -> None:
    """A JSON spec over the loader's 64 KB line to orjson, nested `depth` containers deep."""
    import json

    head = {"openapi": "3.1.0", "info": {"title": "t", "version": "1",
                                         "description": "x" * 70_000}, "paths": {}}
    text = json.dumps(head)[:-1] + ', "x-deep": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
    path.write_text(text)


@pytest.mark.parametrize("depth, limit, refused", [
    (120, "100", True),    # under orjson's bound, over the user's limit: still refused
    (254, None, False),    # the deepest orjson serializes, under the default 256
    (300, None, True),     # deeper than orjson serializes: the standard parser and the walk
    (300, "400", False),
])
def test_the_depth_limit_holds_for_big_json_specs(tmp_path, depth, limit, refused) -> None:
    spec = tmp_path / "deep.json"
    _big_json_spec(spec, depth)
    result = run_cli("check", str(spec), "--format", "json",
                     *(["--max-depth", limit] if limit else []))
    if refused:
        assert result.returncode == 2, result.stderr
        assert "nesting depth exceeds the limit" in result.stderr
        assert "deep.json" in result.stderr
    else:
        assert result.returncode in (0, 1), result.stderr
        assert "depth" not in result.stderr

"""Property-based tests: mutated real specs never raise anything but `InputError` from the
loader and the index (docs/hardening.md, "Loading").

Two mutation families over a few real documents from the shared apis-guru corpus:
* text mutations (slices removed, lines duplicated or re-indented, hostile snippets such as
  anchors, aliases, unsafe tags, refs out of the folder, control bytes, huge numbers);
* data mutations (a node replaced by another type, a `$ref` to anywhere, a cycle), written
  back as JSON so the change is exactly the one made.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatekeeper import load
from gatekeeper.errors import InputError
from gatekeeper.loader import parse_text

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "apis-guru" / "APIs"
SAMPLES = [
    "firmalyzer.com/iotvas/1.0/openapi.yaml",
    "npr.org/identity/2/swagger.yaml",
    "change.local/v1/openapi.yaml",
    "nexmo.com/subaccounts/1.0.8/openapi.yaml",
    "amazonaws.com/amp/2020-08-01/openapi.yaml",
]
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")

SNIPPETS = [
    "&a ", "*a", "<<: *a\n", "!!python/object/apply:os.mkdir ['gatekeeper_pwned_marker']",
    "!!set {a, b}", "!!binary AAAA", "$ref: '../../../../etc/passwd'\n",
    "$ref: 'file:///etc/passwd'\n", "$ref: 'http://127.0.0.1:9/x'\n", "$ref: '#/'\n",
    "$ref: '#/components/schemas/~2'\n", "$ref: '#'\n", "$ref: 7\n", "\x00", "\x1b[2J",
    "\t", "\r", "\ufeff", "{", "[", "}", "]", ": ", "- ", "? ", "|\n", ">-\n", "'", '"',
    "9" * 5000, ".nan", "-.inf", "2024-01-01", "~", "null", "{a: [", "[" * 300,
    "%YAML 1.1\n---\n", "\n---\n", "\n...\n", "&b [*b]", "\\u0000", "\u202e", "\xa0",
]


def _texts() -> list[str]:
    out = []
    for rel in SAMPLES:
        path = CORPUS / rel
        if path.is_file():
            out.append(path.read_text(encoding="utf-8"))
    return out


TEXTS = _texts()


def _index(spec) -> None:  # noqa: ANN001
    """Touch every view a rule may read."""
    for op in spec.operations:
        _ = (op.label, op.operation_id, op.summary, op.description, op.tags, op.deprecated,
             op.security, op.servers)
        for param in op.parameters:
            _ = (param.key, param.schema)
        for resp in op.responses.values():
            _ = (resp.kind, resp.headers)
            for media in resp.content.values():
                if media.schema is not None and media.schema_pointer is not None:
                    list(spec.walk_schema(media.schema, media.schema_pointer))
                    spec.merged_properties(media.schema, media.schema_pointer)
        spec.location(op.pointer)
    _ = (spec.security_schemes, spec.servers, spec.declared_tags, spec.info, spec.title,
         spec.api_version)
    for value, ptr in spec.schemas.values():
        list(spec.walk_schema(value, ptr))
        spec.location(ptr)


def _check(tmp_path: Path, text: str | bytes, name: str) -> None:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(text)
    try:
        spec = load(str(path))
    except InputError as exc:
        headline = getattr(exc, "headline", str(exc))
        assert headline and "\n" not in headline, f"not one line: {headline!r}"
        assert len(headline.encode()) < 2048
        return
    _index(spec)


@st.composite
def text_mutation(draw):
    text = draw(st.sampled_from(TEXTS))
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "snippet", "dup", "indent", "swap", "bytes"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "cut":
            j = draw(st.integers(i, min(len(lines), i + 20)))
            del lines[i:j]
        elif kind == "snippet":
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(st.sampled_from(SNIPPETS)) + line[at:]
        elif kind == "dup":
            lines.insert(i, lines[i])
        elif kind == "indent":
            lines[i] = draw(st.sampled_from(["  ", " ", "    ", ""])) + lines[i].lstrip(" ") \
                if draw(st.booleans()) else " " + lines[i]
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = draw(st.text(max_size=20)) + lines[i]
    return "".join(lines)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(text=text_mutation())
def test_text_mutations_raise_only_input_errors(tmp_path, text):
    _check(tmp_path, text, "spec.yaml")


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200), which=st.integers(0, 10_000))
def test_byte_mutations_raise_only_input_errors(tmp_path, data, which):
    raw = TEXTS[which % len(TEXTS)].encode()
    at = which % max(1, len(raw))
    _check(tmp_path, raw[:at] + data + raw[at:], "spec.yaml")


REPLACEMENTS = [None, 0, -1, 1.5, True, "", "x", [], {}, [None], {"$ref": "#/"},
                {"$ref": "#/paths"}, {"$ref": 5}, {"$ref": "#/nope"}, {"$ref": ""},
                {"type": ["string", None]}, {"allOf": [{"$ref": "#"}]}, "9" * 50,
                {"x": {"$ref": "#/x"}}]


def _nodes(data):
    stack = [((), data)]
    out = []
    while stack:
        path, node = stack.pop()
        out.append(path)
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))
    return out


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 10**9), count=st.integers(1, 6),
       picks=st.lists(st.integers(0, 10**9), min_size=12, max_size=12))
def test_data_mutations_raise_only_input_errors(tmp_path, which, count, picks):
    doc = parse_text(TEXTS[which % len(TEXTS)]).data
    rng = random.Random(which)
    for n in range(count):
        nodes = _nodes(doc)
        path = nodes[picks[n] % len(nodes)]
        if not path:
            continue
        parent = doc
        for token in path[:-1]:
            parent = parent[token]
        choice = picks[n + 6] % (len(REPLACEMENTS) + 2)
        if choice == len(REPLACEMENTS):  # a ref to another random node
            other = nodes[rng.randrange(len(nodes))]
            value = {"$ref": "#" + "".join(
                "/" + str(t).replace("~", "~0").replace("/", "~1") for t in other)}
        elif choice == len(REPLACEMENTS) + 1:  # a ref to itself (a cycle)
            value = {"$ref": "#" + "".join(
                "/" + str(t).replace("~", "~0").replace("/", "~1") for t in path)}
        else:
            value = json.loads(json.dumps(REPLACEMENTS[choice]))
        parent[path[-1]] = value
    _check(tmp_path, json.dumps(doc), "spec.json")

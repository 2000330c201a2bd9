"""The YAML fast path (gatekeeper/yaml_fast.py) gives the PyYAML loader's data, errors and
line:column exactly; it falls back wherever it cannot prove that."""

from __future__ import annotations

import glob
import json
import math
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gatekeeper import yaml_fast, yaml_locate
from gatekeeper.errors import SpecError
from gatekeeper.loader import _TAB_BLANK_LINE, Limits, _parse_yaml_exact, parse_text

pytestmark = pytest.mark.skipif(not yaml_fast.available(), reason="yaml_rs not installed")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("GATEKEEPER_CORPUS", ROOT.parent / "shared" / "corpus"))
STRIPE = CORPUS / "stripe" / "spec3.yaml"
DO = CORPUS / "digitalocean" / "specification"
needs_corpus = pytest.mark.skipif(not STRIPE.exists(), reason="shared corpus not present")


def same(a: Any, b: Any) -> bool:
    """Equal with types and key order (1 == True == 1.0 would hide a difference)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def both(text: str) -> tuple[Any, Any, bool]:
    """(fast result, exact result, whether the fast path was taken); a result is the data or
    the SpecError's (message, line, column)."""
    try:
        doc = parse_text(text)
        fast, taken = doc.data, doc._fast
    except SpecError as exc:
        fast, taken = (exc.message, exc.line, exc.column), False
    try:
        exact = _parse_yaml_exact(_TAB_BLANK_LINE.sub("", text), "<memory>", "<memory>",
                                  Limits()).data
    except SpecError as exc:
        exact = (exc.message, exc.line, exc.column)
    return fast, exact, taken


@pytest.mark.parametrize(("text", "fast_expected"), [
    ("a: 1\nb: [x, y]\nc: {d: e}\n", True),
    ("200: ok\n'201': created\n-5: neg\n", True),  # keys as written
    ("a: yes\nb: on\nc: 2023-01-01\nd: 2001-12-14t21:59:43.10-05:00\ne: x_1\n", True),
    ("a: 1.5\nb: -0.0\nc: .inf\nd: 1.0e+5\ne: ~\nf: True\n", True),
    ("a: |\n  x\n  y\nb: >-\n  folded\n", True),
    ("a: |\n  x", False),  # final block scalar without a line break
    ("a: |-\n  x", True),
    ("a: plain", True),
    ("---\na: 1\n", True),
    # numbers the two resolvers read differently: PyYAML (with YAML 1.2 core resolvers) decides
    ("a: 017\n", False), ("a: 0o17\n", False), ("a: 1:30\n", False), ("a: 1e3\n", False),
    ("a: 1.0e5\n", False), ("a: -.5\n", False), ("a: _1\n", False), ("a: 08\n", False),
    ("017: x\n", False), ("a: [1, 017]\n", False), ("a: -017\n", False),
    ("a: at 10:30 today\n", True), ("a: 'e.g. 0001'\n", True),
    # keys PyYAML writes differently
    ("true: x\n", False), ("null: x\n", False), ("1.0: x\n", False), ("~: x\n", False),
    ("200: a\n'200': b\n", False),  # a duplicate once keys are strings
    ("0x1F: a\n", False), ("0b1: a\n", False), ("1_000: a\n", False), ("+1: a\n", False),
    ("-0: a\n", False), ("00: a\n", False), ("- +1: a\n", False), ("a: {+1: b}\n", False),
    ("a: {200: x, 404: y}\nsnake_1: z\nb: v1_000\nc: +1\nd: -0\n", True),
    # numbers yaml_rs reads that YAML 1.2's core schema keeps as strings: PyYAML decides
    ("a: 10_003\n", False), ("a: 1_0.5\n", False), ("a: 0b101\n", False),
    ("a: 0X1F\n", False), ("a: +0x1F\n", False), ("a: 0x_1\n", False),
    ("a: 685.230_15e+03\n", False), ("a: [1, 2_0]\n", False),
    ("a: 0x1F\nb: sha256_1\nc: 0xdeadBEEF\n", True),
    # tags, anchors, merge keys, directives, documents, control characters
    ("a: !!python/object/apply:os.system [ls]\n", False),
    ("a: !!str 123\n", False), ("a: ! 123\n", False), ("a: !custom x\n", False),
    ("a: &x [1]\nb: *x\n", False), ("a: {x: 1}\nb:\n  <<: {y: 2}\n", False),
    ("%YAML 1.2\n---\na: 1\n", False), ("a: 1\n---\nb: 2\n", False), ("a: 1\n...\n", False),
    ("a: b\x07c\n", False), ("a: é\x86\n", False),
    ("a: é\ufffe\n", False), ("a: é\x7f\n", False), ("a: 'https://x.example/a%20b'\n", True),
    ("!tag\n", False), ("a: é!\nb: &x 1\n", False),
    ("a: " + "9" * 5000 + "\n", False), ("- " + "9" * 5000 + "\n", False),
    ("9" * 5000 + ": x\n", False), ("a: " + "9" * 4000 + "\n", True),
    ("a: x!=y & z\nb: 'Q&A!'\n", True), ("a: x != y\n", False),
    ("code: |\n  if x != nil {\n    opt := &godo.Options{}\n  }\n", True),
    # errors: PyYAML's exact message
    ("a: 1\nb: 2\na: 3\n", False), ("a: [1\n", False), ("a:\n\tb: 1\n", False),
    ("a: 1\n  \t\n", True),  # a tab on a blank line is accepted (and blanked)
    ("# only a comment\n", False),
])
def test_fast_path_matches_pyyaml(text: str, fast_expected: bool) -> None:
    fast, exact, taken = both(text)
    assert same(fast, exact), (fast, exact)
    assert taken is fast_expected


def test_non_printable_test_agrees_with_pyyaml_for_every_code_point() -> None:
    """The fast path leaves to PyYAML every text its reader refuses: checked for each code
    point against the reader's own definition, in a text that is ASCII otherwise and in one
    that is not (the two take different branches)."""
    import yaml.reader

    refused = yaml.reader.Reader.NON_PRINTABLE
    for code in range(0x110000):
        char = chr(code)
        expected = refused.search(char) is not None
        assert yaml_fast._has_non_printable("a" + char) is expected, hex(code)
        assert yaml_fast._has_non_printable("é" + char) is expected, hex(code)


def test_deep_block_nesting_is_refused_before_parsing() -> None:
    # about 30,000 levels segfault libyaml and yaml_rs; here it is one clear error
    text = "".join(" " * i + "k:\n" for i in range(30_000)) + " " * 30_000 + "v: 1\n"
    with pytest.raises(SpecError, match="nesting depth exceeds the limit"):
        parse_text(text)
    seq = "- " * 30_000 + "x\n"
    with pytest.raises(SpecError, match="nesting depth exceeds the limit"):
        parse_text(seq)


def test_alias_budget_still_applies() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi"))
    with pytest.raises(SpecError, match="alias expansion exceeds"):
        parse_text(bomb)


@needs_corpus
@pytest.mark.parametrize("path", [
    STRIPE,
    DO / "DigitalOcean-public.v2.yaml",
    DO / "resources" / "droplets" / "models" / "droplet.yml",
    DO / "resources" / "actions" / "examples" / "go" / "actions_list.yml",
    *sorted(glob.glob(str(CORPUS / "apis-guru" / "**" / "*.yaml"), recursive=True))[:8],
], ids=lambda p: str(p).split("corpus/")[-1])
def test_real_files_same_data(path: Path) -> None:
    if not Path(path).exists():
        pytest.skip("not in this corpus")
    fast, exact, _ = both(Path(path).read_text(encoding="utf-8"))
    assert same(fast, exact)


def _pointers(data: Any, rng: random.Random, n: int) -> list[tuple[str, ...]]:
    """n random pointers, existing and (one in ten) with a missing last token."""
    out: list[tuple[str, ...]] = []
    while len(out) < n:
        node, tokens = data, []
        depth = rng.randint(1, 9)
        while len(tokens) < depth and isinstance(node, (dict, list)) and node:
            if isinstance(node, dict):
                key = rng.choice(list(node))
                tokens.append(key)
                node = node[key]
            else:
                i = rng.randrange(len(node))
                tokens.append(str(i))
                node = node[i]
        if rng.random() < 0.1:
            tokens.append("no-such-member")
        out.append(tuple(tokens))
    out.append(())
    return out


@needs_corpus
@pytest.mark.parametrize("path", [
    STRIPE,
    DO / "DigitalOcean-public.v2.yaml",
    DO / "resources" / "droplets" / "models" / "droplet.yml",
    DO / "resources" / "apps" / "models" / "app_spec.yml",
], ids=lambda p: str(p).split("corpus/")[-1])
def test_positions_equal_pyyaml_table(path: Path) -> None:
    if not Path(path).exists():
        pytest.skip("not in this corpus")
    doc = parse_text(Path(path).read_text(encoding="utf-8"), path=str(path), display=str(path))
    assert doc._fast
    exact = doc._exact_doc()
    for tokens in _pointers(doc.data, random.Random(7), 400):
        assert doc.locate(tokens) == exact.locate(tokens), tokens


def _findings(spec_path: Path) -> list[tuple[str, str, str, int, int]]:
    from gatekeeper.orchestration.many_specs import check_spec
    from gatekeeper.config import load_config

    report = check_spec(str(spec_path), config=load_config(None)).to_dict()
    out = []
    for gate in report["gates"]:
        for f in gate["findings"]:
            out.append((f["rule"], f["pointer"], f["file"], f["line"], f["column"]))
    return sorted(out, key=json.dumps)


@pytest.mark.parametrize("path", [
    ROOT / "sample_specs" / "showcase.yaml",
    DO / "DigitalOcean-public.v2.yaml",
], ids=["showcase", "digitalocean"])
def test_findings_line_col_identical(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not path.exists():
        pytest.skip("not present")
    fast = _findings(path)
    monkeypatch.setattr(yaml_fast, "_yaml_rs", None)
    exact = _findings(path)
    assert fast == exact
    if path.name == "showcase.yaml":
        assert len(fast) > 10


FLOW = """openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /a:
    get:
      parameters:
        - {name: x, in: query, schema: {type: string, enum: [a, b]}}
        - name: y
          in: query
          schema: {type: [string, 'null'],
                   maxLength: 3}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
        "4\\u0030\\u0034": {description: escaped}
      tags: [a, b,
             c]
"""


def test_flow_collections_and_escaped_keys_located_without_the_full_table() -> None:
    doc = parse_text(FLOW)
    assert doc._fast
    pointers = _pointers(doc.data, random.Random(1), 400)
    found = [doc.locate(p) for p in pointers]
    assert doc._exact is None  # each flow node's own text was composed, not the file
    exact = doc._exact_doc()
    assert found == [exact.locate(p) for p in pointers]


def test_block_style_needs_no_compose(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("openapi: 3.1.0\n\ninfo:\n  title: T\n  version: '1'\n\npaths:\n  /a:\n    get:\n"
            "      parameters:\n        - name: x\n          in: query\n"
            "      responses:\n        '200':\n          description: ok\n")
    doc = parse_text(text)
    monkeypatch.setattr(yaml_locate.TextLocator, "_compose", lambda *a: pytest.fail("composed"))
    assert doc.locate(("paths", "/a", "get", "responses", "200", "description")) == (15, 11)
    assert doc.locate(("paths", "/a", "get", "parameters", "0", "in")) == (12, 11)
    assert doc.locate(("info", "version")) == (5, 3)
    assert doc.locate(("paths", "/a", "get", "nope")) == (9, 5)
    assert doc.locate(()) == (1, 1)


def test_hostile_scans_stay_linear() -> None:
    import time

    for text in ("a: " + "1e1" * 1_000_000 + "\n", "a: |\n" + "  x != y\n" * 100_000,
                 "a: " + "0" * 2_000_000 + "x\n", "a: " + "1:" * 500_000 + "1\n"):
        start = time.process_time()
        try:
            parse_text(text)
        except SpecError as exc:
            assert "number too large" in exc.message
        assert time.process_time() - start < 5, text[:20]


# Number-like plain scalars, where yaml_rs and YAML 1.2's core schema disagree most (digits
# with underscores, exponents, prefixes, signs, base 60): whatever the fast path reads must be
# what the exact path reads, as a value, in a flow sequence and as a key.
_NUMBERISH = "0123456789_.eE+-xXoObBaAfF:"


@settings(max_examples=600, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(token=st.text(alphabet=_NUMBERISH, min_size=1, max_size=8))
def test_number_like_scalars_read_the_same_on_both_paths(token: str) -> None:
    assume(token[0] not in "-:" and not token.endswith(":"))
    for text in (f"a: {token}\nb: c\n", f"- [{token}]\n", f"{token}: x\n"):
        fast, exact, _ = both(text)
        assert repr(fast) == repr(exact), (text, fast, exact)


def _big_mapping(keys: list[str]) -> str:
    """A spec whose `components/schemas` mapping spans more than the locator's small size, so
    that its keys are indexed, with the given keys (as written) in that order, and a comment
    line naming the next key before each."""
    words = "word " * 40
    body = "".join(f"    # {key.strip()}: the next one\n    {key}:\n      type: object\n"
                   "      properties:\n" + "".join(f"        p{j}:\n          description: "
                                                  f"{words}\n" for j in range(30))
                   for key in keys)
    return "openapi: 3.1.0\ninfo:\n  title: T\n  version: '1'\npaths: {}\ncomponents:\n" \
           f"  schemas:\n{body}"


@pytest.mark.parametrize("keys", [
    ["Pet", "PetList", "Pe", "Owner"],  # one key the prefix of others, before and after them
    ['"Pe"', "Pet", "Pets"],  # a quoted key, then plain ones it is the prefix of
    ["A", "'B'", '"C"', "D", "200", "'300'", '"with: colon"', "F"],  # quoted: off the text
    ["x" * 50, "G  ", "y"],  # blanks before the colon
], ids=["prefixes", "quoted-prefix", "quoted", "blanks"])
def test_keys_of_a_big_mapping_located_as_the_exact_table_does(keys: list[str]) -> None:
    text = _big_mapping(keys)
    assert len(text) > 2 * yaml_locate._SMALL
    doc = parse_text(text)
    assert doc._fast, "the fast path reads this file"
    exact = doc._exact_doc()
    pointers = _pointers(doc.data, random.Random(3), 600)
    assert [doc.locate(p) for p in pointers] == [exact.locate(p) for p in pointers]


ALIASED_REF = """openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      responses:
        '200': &ok
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Missing'}
        '201': *ok
components: {schemas: {}}
"""


def test_a_shared_container_is_scanned_once_and_its_reference_reported_once(
        tmp_path: Path) -> None:
    """The fast path refuses anchors, so its data is a tree and the `$ref` scan keeps no set
    of visited containers; an aliased node (the exact path) is still visited once."""
    from gatekeeper.errors import SpecError as Refused
    from gatekeeper.spec import load

    tree = parse_text("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n")
    assert tree._fast and not tree.shares_containers
    aliased = parse_text(ALIASED_REF)
    assert not aliased._fast and aliased.shares_containers
    path = tmp_path / "aliased.yaml"
    path.write_text(ALIASED_REF, encoding="utf-8")
    with pytest.raises(Refused) as caught:
        load(str(path))
    assert str(caught.value).count("Missing") == 1, str(caught.value)


_BESIDE_CHECK = r"""
import json, sys
from gatekeeper import yaml_fast
from gatekeeper.loader import Limits, _parse_yaml_exact

text = sys.stdin.read()
beside = yaml_fast._scan_beside(text)
if beside is None:
    print(json.dumps("no fork"))
    raise SystemExit
answer = beside.result()
if sys.argv[1] == "dies":
    def dies(_text):
        raise MemoryError  # in the forked process: it ends without an answer
    yaml_fast._reads_otherwise = dies
    beside = yaml_fast._scan_beside(text)
    print(json.dumps([beside.result(), yaml_fast.fast_load(text, 256, True)[0]]))
    raise SystemExit
ok, data = yaml_fast.fast_load(text, 256, True)
same = not ok or data == _parse_yaml_exact(text, "x", "x", Limits()).data
print(json.dumps([answer, yaml_fast._reads_otherwise(text), ok, same,
                  yaml_fast.fast_load(text, 256, False)[0]]))
"""


def _beside(tail: str, mode: str = "scan") -> Any:
    """Runs `_BESIDE_CHECK` on a document past `_SCAN_BESIDE_FROM` in a process of its own:
    the scans fork, and a fork of this test process would count its memory as a child's
    peak RSS in the tests after it (tests/hostile measure their children's)."""
    import subprocess
    import sys

    filler = "".join(f"  k{i}: just some words of prose, {i}\n" for i in range(40_000))
    text = "openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\npaths: {}\nx-filler:\n" \
        + filler + tail
    assert len(text) > yaml_fast._SCAN_BESIDE_FROM
    out = subprocess.run([sys.executable, "-c", _BESIDE_CHECK, mode], input=text,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    if answer == "no fork":
        pytest.skip("one core or no fork: the scans run in the loading process")
    return answer


@pytest.mark.parametrize("tail, fast", [
    ("x-end: plain\n", True),
    ("x-end: 1e3\n", False),  # a number the two resolvers read differently
    ("x-end: a\x07b\n", False),  # a character libyaml refuses
    ("x-end: a\n...\n", False),  # a document end marker
], ids=["clean", "number", "control", "marker"])
def test_scans_beside_the_parse_decide_as_the_scans_in_this_process(tail: str,
                                                                   fast: bool) -> None:
    beside, here, ok, same_data, ok_here = _beside(tail)
    assert beside is here is (not fast)
    assert ok is ok_here is fast and same_data


def test_a_scan_beside_that_dies_leaves_the_decision_to_the_exact_loader() -> None:
    assert _beside("x-end: plain\n", "dies") == [None, False]  # no answer: not proven safe


def test_a_library_load_never_forks(tmp_path: Path) -> None:
    """Only the command line's worker for one spec scans beside the parse (`Limits.spare_core`):
    a library caller's process may run threads, which a fork does not carry."""
    import subprocess
    import sys

    spec = tmp_path / "big.yaml"
    spec.write_text("openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\npaths: {}\nx-filler:\n"
                    + "".join(f"  k{i}: some words, {i}\n" for i in range(60_000)))
    assert spec.stat().st_size > yaml_fast._SCAN_BESIDE_FROM
    script = ("import os, sys, gatekeeper\n"
              "def no_fork():\n    raise AssertionError('forked')\n"
              "os.fork = no_fork\n"
              "print(len(gatekeeper.load(sys.argv[1]).raw['x-filler']))\n")
    out = subprocess.run([sys.executable, "-c", script, str(spec)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "60000", out.stderr


def test_the_command_line_reports_the_same_with_the_scans_beside(tmp_path: Path) -> None:
    """The worker for one spec scans a big YAML text in a second process; without a worker
    (`--timeout 0 --max-memory 0`) the scans run in the one process: same report."""
    from conftest import run_cli

    spec = tmp_path / "big.yaml"
    paths = "".join(f"  /things{i}:\n    get:\n      responses:\n        '200':\n"
                    f"          description: ok {i}\n" for i in range(14_000))
    spec.write_text("openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\npaths:\n" + paths)
    assert spec.stat().st_size > yaml_fast._SCAN_BESIDE_FROM

    def run(*extra: str) -> Any:
        out = run_cli("check", "--format", "json", *extra, str(spec))
        assert out.returncode == 1, out.stderr
        data = json.loads(out.stdout)
        data.pop("generated_at", None)
        return data

    supervised = run()
    assert supervised == run("--timeout", "0", "--max-memory", "0")
    assert supervised["gates"] and "docs/undocumented-operation" in json.dumps(supervised)

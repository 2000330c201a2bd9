"""Unit tests for the hardening requirements of docs/hardening.md that are not a single case:
R7 (symlinks), R9 (pointer decoding, case 38), R10 (cycles, 05-09 and 36), R13 (no spec
pattern on a backtracking engine), R14 (every exception has an exit code), R23 (config loads
no code, no network), R24 (hermetic: proxies ignored) and R26 (static bans)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .cases import CASES, c36, c38_text
from .conftest import run_gatekeeper

from gatekeeper import load
from gatekeeper.errors import InputError, SpecError

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = [ROOT / "gatekeeper", ROOT / "gates", ROOT / "reports"]


def _sources(suffixes=(".py",)):
    for base in PRODUCT:
        for path in sorted(base.rglob("*")):
            if path.suffix in suffixes or any(path.name.endswith(s) for s in suffixes):
                if "__pycache__" not in path.parts:
                    yield path


# --------------------------------------------------------------------------- R7


def _outside_target(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("X:\n  type: string\n  description: SECRET-OUTSIDE\n")
    return outside


HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"


def test_r7_symlinked_file_pointing_outside_is_refused(tmp_path, socket_guard):
    outside = _outside_target(tmp_path)
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside / "secret.yaml", root / "inside.yaml")
    (root / "spec.yaml").write_text(HEAD + "components: {schemas: {A: {$ref: 'inside.yaml#/X'}}}\n")
    with pytest.raises(SpecError) as err:
        load(str(root / "spec.yaml"))
    assert "leaves the spec folder" in str(err.value)
    assert "SECRET-OUTSIDE" not in str(err.value)


def test_r7_symlinked_folder_pointing_outside_is_refused(tmp_path, socket_guard):
    outside = _outside_target(tmp_path)
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside, root / "shared")
    (root / "spec.yaml").write_text(HEAD + "components: {schemas: {A: {$ref: 'shared/secret.yaml#/X'}}}\n")
    with pytest.raises(SpecError, match="leaves the spec folder"):
        load(str(root / "spec.yaml"))


def test_r7_symlink_inside_the_root_is_fine(tmp_path, socket_guard):
    root = tmp_path / "repo"
    (root / "defs").mkdir(parents=True)
    (root / "defs" / "real.yaml").write_text("X: {type: string}\n")
    os.symlink(root / "defs" / "real.yaml", root / "alias.yaml")
    (root / "spec.yaml").write_text(HEAD + "components: {schemas: {A: {$ref: 'alias.yaml#/X'}}}\n")
    assert load(str(root / "spec.yaml")).ref_count == 1


def test_r7_ref_root_widens_but_still_fences(tmp_path, socket_guard):
    repo = tmp_path / "repo"
    (repo / "api").mkdir(parents=True)
    (repo / "common.yaml").write_text("X: {type: string}\n")
    (repo / "api" / "spec.yaml").write_text(HEAD + "components: {schemas: {A: {$ref: '../common.yaml#/X'}}}\n")
    with pytest.raises(SpecError, match="leaves the spec folder"):
        load(str(repo / "api" / "spec.yaml"))
    assert load(str(repo / "api" / "spec.yaml"), ref_root=str(repo)).ref_count == 1
    (repo / "api" / "spec.yaml").write_text(HEAD + "components: {schemas: {A: {$ref: '../../etc/passwd'}}}\n")
    with pytest.raises(SpecError, match="leaves the spec folder"):
        load(str(repo / "api" / "spec.yaml"), ref_root=str(repo))


@pytest.mark.parametrize("ref, problem", [
    ("file:///etc/passwd", "file: URIs"),
    ("FILE:///etc/passwd", "file: URIs"),
    ("/etc/passwd", "absolute paths"),
    ("//127.0.0.1/x.yaml", "network-path"),
    ("python://gatekeeper/../../x", "unsupported reference scheme python"),
    ("jar:file:///x!/y", "unsupported reference scheme jar"),
    ("HTTPS://127.0.0.1/x.yaml", "remote references"),
    ("../../../../../../../../etc/passwd", "leaves the spec folder"),
    ("..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", "leaves the spec folder"),
])
def test_r7_refused_refs_open_nothing(tmp_path, monkeypatch, socket_guard, ref, problem):
    opened: list[str] = []
    real_open = open

    def spy(file, *args, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        opened.append(str(file))
        return real_open(file, *args, **kw)

    (tmp_path / "spec.yaml").write_text(HEAD + f"components: {{schemas: {{A: {{$ref: '{ref}#/X'}}}}}}\n")
    monkeypatch.setattr("builtins.open", spy)
    with pytest.raises(SpecError, match=re.escape(problem)) as err:
        load(str(tmp_path / "spec.yaml"))
    assert opened == [str(tmp_path / "spec.yaml")], opened
    assert "spec.yaml:4:" in str(err.value) and "(at #/components/schemas/A)" in str(err.value)


# --------------------------------------------------------------------------- R9


def test_r9_case_38_picks_the_right_targets(tmp_path, socket_guard):
    (tmp_path / "spec.yaml").write_text(c38_text())
    spec = load(str(tmp_path / "spec.yaml"))
    refs = spec.raw["x-refs"]
    want = {"space": "space target", "slash": "slash-named target",
            "tilde-one": "decoy, never chosen"}
    for name, description in want.items():
        value, ptr = spec.resolve(refs[name], spec.root.join("x-refs", name))
        assert value["description"] == description, (name, ptr)
    by_path = {op.path: op for op in spec.operations}
    for path, kind in (("/a/b", "string"), ("/t~x", "integer"), ("/{id}", "boolean")):
        schema = by_path[path].responses["200"].content["application/json"].schema
        assert schema["type"] == kind, path


@pytest.mark.parametrize("ref", ["#/components/schemas/~2", "#/components/schemas/~",
                                 "#/components/schemas/a~"])
def test_r9_invalid_tilde_escape_is_an_error(tmp_path, socket_guard, ref):
    (tmp_path / "spec.yaml").write_text(HEAD + f"components: {{schemas: {{a: {{}}, r: {{$ref: '{ref}'}}}}}}\n")
    with pytest.raises(SpecError, match="invalid '~' escape") as err:
        load(str(tmp_path / "spec.yaml"))
    assert len(str(err.value)) < 2048


def test_r9_unresolvable_message_is_short_and_never_embeds_the_document(tmp_path):
    big = "x" * 100_000
    (tmp_path / "spec.yaml").write_text(HEAD + f"x-big: '{big}'\n"
                                        "components: {schemas: {R: {$ref: '#/components/schemas/" + "N" * 5000
                                        + "'}}}\n")
    with pytest.raises(SpecError) as err:
        load(str(tmp_path / "spec.yaml"))
    assert len(str(err.value).encode()) < 2048
    assert "unresolvable $ref" in str(err.value) and "spec.yaml:5:" in str(err.value)


# --------------------------------------------------------------------------- R10


@pytest.mark.parametrize("cid, members", [
    ("05", ["schemas/A"]), ("06", ["schemas/A", "schemas/B", "schemas/C"]),
    ("07", ["schemas/Cat", "schemas/Pet"]),
    ("08", ["#/components/schemas/B", "08_circular_crossfile_other.yaml#/X"]),
])
def test_r10_cycles_are_named(tmp_path, socket_guard, cid, members):
    CASES[cid](tmp_path, 0)
    with pytest.raises(SpecError) as err:
        load(str(tmp_path / "spec.yaml"))
    text = str(err.value)
    assert "circular" in text and " -> " in text
    for member in members:
        assert member in text


def test_r10_recursion_through_structure_is_legal(tmp_path, socket_guard):
    CASES["09"](tmp_path, 0)
    spec = load(str(tmp_path / "spec.yaml"))
    tree, ptr = spec.schemas["Tree"]
    walked = list(spec.walk_schema(tree, ptr))
    assert len(walked) < 10  # recursion kept as a reference, never unrolled


def test_r10_long_chain_and_hop_cap(tmp_path, socket_guard):
    c36(tmp_path, 0)
    spec = load(str(tmp_path / "spec.yaml"))
    assert len(spec.operations) == 5000
    value, ptr = spec.schemas["C0"]
    assert ptr.tokens == ("components", "schemas", "C200")
    chain = "".join(f"  C{i}: {{$ref: '#/x-c/C{i + 1}'}}\n" for i in range(1100))
    (tmp_path / "spec.yaml").write_text(HEAD + "x-c:\n" + chain + "  C1100: {type: string}\n")
    with pytest.raises(SpecError, match="chain longer than 1000 hops"):
        load(str(tmp_path / "spec.yaml"))


def test_r10_refs_per_spec_are_resolved_iteratively(tmp_path, socket_guard):
    """A 5000-link chain through `items` (legal recursion shape) needs no Python recursion."""
    depth = 200  # under the default depth limit of 256
    nested = "x-n: " + "{items: " * depth + "{type: string}" + "}" * depth + "\n"
    (tmp_path / "spec.yaml").write_text(HEAD + nested)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(150)  # any recursive walk over the document would now fail
    try:
        load(str(tmp_path / "spec.yaml"))
    finally:
        sys.setrecursionlimit(old)


# --------------------------------------------------------------------------- R5


@pytest.mark.parametrize("version, leaf", [("3.1.0", {"type": "string"}), ("3.0.3", {"type": 5}),
                                           ("2.0", {"type": "string"})])
def test_r5_every_gate_survives_nesting_just_under_the_limit(tmp_path, socket_guard, version,
                                                             leaf):
    """Depth 256 is the loader's limit; every walker must cope with what passes it."""
    import json

    from gatekeeper import Config, run
    from gatekeeper.registry import all_gates

    schema = leaf
    for _ in range(120):  # two nesting levels per schema: ~245 with the path around it
        schema = {"type": "array", "description": "level", "items": schema}
    if version == "2.0":
        doc = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {
            "get": {"responses": {"200": {"description": "ok", "schema": schema}}}}}}
    else:
        doc = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {"/x": {
            "get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": schema}}}}}}}}
    (tmp_path / "spec.json").write_text(json.dumps(doc))
    spec = load(str(tmp_path / "spec.json"))
    report = run(spec, all_gates(), Config(), raise_errors=True)
    assert not [f for f in report.findings if f.rule == "gatekeeper/rule-crashed"]


# --------------------------------------------------------------------------- R13


SPEC_PATTERN_READ = re.compile(r"""(get\(\s*["']pattern["']|\[\s*["']pattern["']\s*\])""")
RE_ON_DATA = re.compile(
    r"""\bre\.(search|match|fullmatch|finditer|findall|sub|split)\(\s*(?!r?["'])""")


#: `re` calls on patterns that do not come from the spec (file, line), each with its reason.
TRUSTED_RE = {
    # `patterns` are the patternProperties of OpenAPI's own JSON Schema (error.schema), e.g.
    # `^x-`, not text from the document under check.
    ("gates/validity.py", "if k not in allowed and not any(re.search(p, str(k)) for p in "
                          "patterns)]"),
}


def test_r13_spec_patterns_are_never_run_on_a_backtracking_engine():
    """Files that read a schema's `pattern` may only match it with `regex` and a timeout."""
    offenders = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        if not SPEC_PATTERN_READ.search(text):
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if (path.relative_to(ROOT).as_posix(), line.strip()) in TRUSTED_RE:
                continue
            if RE_ON_DATA.search(line) and "re.escape" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
        if re.search(r"\bregex\.(search|match|fullmatch)\(", text) and "timeout=" not in text:
            offenders.append(f"{path.relative_to(ROOT)}: regex used without timeout=")
    assert not offenders, "spec patterns matched without a time limit:\n" + "\n".join(offenders)


def test_r13_case_28_in_process_all_gates(tmp_path, socket_guard):
    import signal

    from gatekeeper import Config, run
    from gatekeeper.registry import all_gates

    CASES["28"](tmp_path, 0)
    spec = load(str(tmp_path / "spec.yaml"))

    def too_slow(*_):  # noqa: ANN002, ANN202
        raise TimeoutError("a gate spent over 5 s on catastrophic patterns")

    old = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(5)
    try:
        report = run(spec, all_gates(), Config(), raise_errors=True)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert report.spec.operations == 1


def test_r13_spec_patterns_run_with_a_time_limit():
    import time

    from gatekeeper.patterns import backtracking_risk, search

    start = time.perf_counter()
    assert search("^(a|aa)+$", "a" * 60 + "!") is None  # timed out, reported as such
    # Hang detection only: without the limit this match takes about 10^12 steps (hours);
    # with it, a fraction of a second that a busy shared runner may stretch many times.
    assert time.perf_counter() - start < 30.0
    assert search("^[a-z]+$", "abc") is True and search("^[a-z]+$", "ABC") is False
    assert search("(", "x") is False  # invalid for `regex`: no match, no exception
    for slow in ("^(a+)+$", "^(a|a)*$", "^(a|aa)+$", "(.*a){12}", "^(\\w+\\s?)*$"):
        assert backtracking_risk(slow), slow
    for fine in ("^[a-z]+$", "^\\d{3}-\\d{4}$", "^([a-z0-9]+\\.)*[a-z]+$", "(ab|cd)+",
                 "^(\\d+,)*\\d+$", "(?<=a)b", "[", "a{2,3}"):
        assert backtracking_risk(fine) is None, fine


# --------------------------------------------------------------------------- R14


@pytest.mark.parametrize("exc", [
    RecursionError("maximum recursion depth exceeded"),
    MemoryError(),
    ValueError("Exceeds the limit (4300 digits) for integer string conversion"),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    KeyError("paths"),
])
def test_r14_every_exception_has_an_exit_code(tmp_path, monkeypatch, capsys, exc):
    from gatekeeper import cli, spec as spec_module

    def boom(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise exc

    (tmp_path / "spec.yaml").write_text(HEAD)
    monkeypatch.setattr(spec_module, "load", boom)
    monkeypatch.setattr(sys, "argv", ["gatekeeper", "check", str(tmp_path / "spec.yaml")])
    with pytest.raises(SystemExit) as code:
        cli.main()
    err = capsys.readouterr().err
    assert code.value.code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    # R12: a MemoryError in the spec's worker is the memory limit's message
    assert ("--max-memory" if isinstance(exc, MemoryError) else "--debug") in err


def test_r14_input_errors_are_one_line(tmp_path, socket_guard):
    for cid in ("01", "03", "12", "16", "17", "19", "29", "30", "33", "37"):
        folder = tmp_path / cid
        folder.mkdir()
        case = CASES[cid](folder, 0)
        with pytest.raises(InputError) as err:
            load(str(folder / case.main))
        assert err.value.exit_code == 2
        assert "\n" not in str(err.value) and len(str(err.value)) < 2048, cid


# --------------------------------------------------------------------------- R23


def test_r23_config_loading_imports_nothing_and_stays_offline(tmp_path, socket_guard):
    from gatekeeper.config import load_config

    (tmp_path / "gatekeeper.toml").write_text(
        'fail-on = "error"\nselect = ["validity", "docs"]\n'
        '[gates.docs]\nfail-under = 90\n[rules]\n"docs/undocumented-tag" = "off"\n')
    load_config(str(tmp_path / "gatekeeper.toml"))  # warm the lazily imported parts
    before = set(sys.modules)
    cfg = load_config(str(tmp_path / "gatekeeper.toml"))
    assert set(sys.modules) - before == set()
    assert cfg.select == ("validity", "docs")


@pytest.mark.parametrize("text", [
    'plugins = ["os"]\n',
    'rules-path = "evil.py"\n',
    '[gates.docs]\nfunctions = "https://127.0.0.1/x.js"\n',
    'extends = "https://127.0.0.1/ruleset.yaml"\n',
])
def test_r23_no_config_key_loads_code(tmp_path, socket_guard, text):
    from gatekeeper.config import load_config
    from gatekeeper.engine import validate_config
    from gatekeeper.registry import all_gates

    gates = all_gates()
    (tmp_path / "gatekeeper.toml").write_text(text)
    before = set(sys.modules)
    with pytest.raises(InputError):  # unknown keys, and gate options, are checked
        validate_config(load_config(str(tmp_path / "gatekeeper.toml")), gates)
    assert {m for m in set(sys.modules) - before if not m.startswith("difflib")} == set()


def test_r23_config_module_has_no_code_loading_calls():
    text = (ROOT / "gatekeeper" / "config.py").read_text()
    for banned in ("importlib", "__import__", "eval(", "exec(", "urlopen", "requests", "httpx"):
        assert banned not in text, banned


# --------------------------------------------------------------------------- R24


def test_r24_proxy_variables_are_ignored(tmp_path, guard_dir, recorder):
    proxy = f"http://127.0.0.1:{recorder.port}"
    env = {"HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "ALL_PROXY": proxy, "http_proxy": proxy,
           "https_proxy": proxy, "NETRC": str(tmp_path / "netrc"),
           "REQUESTS_CA_BUNDLE": str(tmp_path / "nope.pem")}
    (tmp_path / "netrc").write_text("machine 127.0.0.1 login x password GK-NETRC\n")
    recorder.clear()
    for cid in ("09", "10", "11", "34"):
        folder = tmp_path / cid
        folder.mkdir()
        case = CASES[cid](folder, recorder.port)
        run = run_gatekeeper(["check", case.main], cwd=folder, guard_dir=guard_dir,
                             port=recorder.port, env=env)
        assert run.code in case.codes, run.stderr
        assert not run.guard
    assert recorder.hits == [], f"R24 the canary recorded {recorder.hits}"


def test_r24_no_library_env_switches_in_lint_paths():
    for path in _sources():
        if "live" in path.parts:
            continue  # the live audit has --trust-env, off by default, tested there
        text = _code_only(path.read_text(encoding="utf-8"))
        reads = re.search(r"""(environ(\.get)?\(|environ\[|getenv\()\s*["']"""
                          r"(HTTPS?_PROXY|ALL_PROXY|NO_PROXY|REQUESTS_CA_BUNDLE|NETRC|"
                          r"OPENAPI_SPEC_VALIDATOR_)", text, re.I)
        assert reads is None, f"{path.relative_to(ROOT)} reads {reads.group()}"
        assert not re.search(r"^\s*(import|from) netrc\b", text, re.M), path


# --------------------------------------------------------------------------- R26


def _code_only(text: str) -> str:
    """The source with comments and docstrings blanked (line numbers kept)."""
    import tokenize

    lines = text.splitlines(keepends=True)
    blank: list[tuple[tuple[int, int], tuple[int, int]]] = []
    prev = tokenize.NEWLINE
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.COMMENT or (
                tok.type == tokenize.STRING and prev in (tokenize.NEWLINE, tokenize.INDENT,
                                                         tokenize.DEDENT, tokenize.NL)):
            blank.append((tok.start, tok.end))
        if tok.type not in (tokenize.COMMENT, tokenize.NL):
            prev = tok.type
    for (sl, sc), (el, ec) in reversed(blank):
        for ln in range(sl, el + 1):
            line = lines[ln - 1]
            a = sc if ln == sl else 0
            b = ec if ln == el else len(line.rstrip("\n"))
            lines[ln - 1] = line[:a] + " " * (b - a) + line[b:]
    return "".join(lines)


def _calls(text: str, name: str):
    """(line number, call text up to its closing parenthesis) of each `name(` call."""
    for m in re.finditer(re.escape(name) + r"\(", text):
        depth, i = 0, m.end() - 1
        while i < len(text):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                break
            i += 1
        yield text.count("\n", 0, m.start()) + 1, text[m.start():i + 1]


def test_r26_static_bans():
    problems = []
    for path in _sources((".py",)):
        rel = path.relative_to(ROOT)
        code = _code_only(path.read_text(encoding="utf-8"))
        for n, call in _calls(code, "yaml.load"):
            if "SafeLoader" not in call and "CSafeLoader" not in call:
                problems.append(f"{rel}:{n}: yaml.load without SafeLoader")
        for banned in ("UnsafeLoader", "FullLoader", "yaml.unsafe_load", "yaml.full_load"):
            if banned in code:
                problems.append(f"{rel}: {banned}")
        for n, call in _calls(code, "Environment"):
            if "autoescape=True" not in call:
                problems.append(f"{rel}:{n}: jinja2 Environment without autoescape=True")
        if "select_autoescape" in code:
            problems.append(f"{rel}: select_autoescape (selection by extension)")
        for lib in ("requests", "httpx"):
            if not re.search(rf"^\s*import {lib}\b", code, re.M):
                continue  # a local variable of that name (a dict), not the library
            for verb in ("get", "post", "put", "delete", "head", "request"):
                for n, call in _calls(code, f"{lib}.{verb}"):
                    if "timeout=" not in call:
                        problems.append(f"{rel}:{n}: {lib}.{verb} without timeout=")
        for n, call in _calls(code, "jsonschema.validate"):
            if "registry=" not in call:
                problems.append(f"{rel}:{n}: jsonschema.validate without registry=")
        for banned in ("from_string(", "Template("):
            if banned in code and "jinja" in code.lower():
                problems.append(f"{rel}: jinja {banned} (templates come from files only)")
        # Markup() only over escaped text: the enclosing function must escape.
        for n, _call in _calls(code, "Markup"):
            body = code.splitlines()[:n]
            start = max(i for i, line in enumerate(body) if re.match(r"\s*def ", line))
            text = "\n".join(body[start:])
            # or Markdown rendered with raw HTML off, which escapes every tag in the text
            markdown = "_markdown().render(" in text and '"html": False' in code
            if "escape(" not in text and not markdown:
                problems.append(f"{rel}:{n}: Markup() over text that is not escaped")
    for path in _sources((".j2", ".html")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\|\s*safe\b(?!_)", line):
                problems.append(f"{path.relative_to(ROOT)}:{n}: |safe in a template")
            if "autoescape false" in line:
                problems.append(f"{path.relative_to(ROOT)}:{n}: autoescape off")
    assert not problems, "\n".join(problems)


def test_r26_ruff_s506_s701():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install ruff)")
    proc = subprocess.run([ruff, "check", "--no-cache", "--select", "S506,S701",
                           "--isolated", *(str(p) for p in PRODUCT if p.exists())],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_r26_the_grep_catches_what_it_bans(tmp_path):
    """The ban list itself works: a file with each banned construct is caught."""
    bad = ('import yaml, requests, jinja2, jsonschema\n'
           'yaml.load(open("x"))\nrequests.get("https://x")\n'
           'jinja2.Environment(loader=None)\njsonschema.validate(1, {})\n')
    found = []
    for n, call in _calls(bad, "yaml.load"):
        found.append("yaml") if "SafeLoader" not in call else None
    for n, call in _calls(bad, "requests.get"):
        found.append("requests") if "timeout=" not in call else None
    for n, call in _calls(bad, "Environment"):
        found.append("jinja") if "autoescape=True" not in call else None
    for n, call in _calls(bad, "jsonschema.validate"):
        found.append("jsonschema") if "registry=" not in call else None
    assert found == ["yaml", "requests", "jinja", "jsonschema"]
    assert "yaml.load" not in _code_only('"""yaml.load(x)"""\nx = 1  # yaml.load(y)\n')

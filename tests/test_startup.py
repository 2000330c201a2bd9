"""The lean start-up of ``gatekeeper check`` (about 70 ms per spec, whole process: benchmarks/README.md, "Start-up").

What the start-up leaves out must not change what a user sees: records behave as the
dataclasses they replace, `cleandoc` and `options_of` agree with `inspect`, and the small-JSON
path (standard library instead of orjson) locates findings exactly where orjson's does.
"""

from __future__ import annotations

import inspect
import json
import pickle
import subprocess
import sys

import pytest

from gatekeeper import loader
from gatekeeper.gate import NO_DEFAULT, cleandoc, options_of
from gatekeeper.registry import builtin_gates
from gatekeeper.report import Finding, Location, Metric, Report, Severity, SpecInfo
from gatekeeper.spec import load

from conftest import SAMPLES


def test_a_json_spec_is_checked_without_yaml_dataclasses_inspect_or_tomllib(tmp_path):
    import yaml

    spec = tmp_path / "petstore.json"
    spec.write_text(json.dumps(yaml.safe_load((SAMPLES / "petstore.yaml").read_text())))
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "gatekeeper", "check", "-q",
                          str(spec)], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    modules = {line.split("|")[-1].strip() for line in out.stderr.splitlines()
               if line.startswith("import time:")}
    assert "gatekeeper.loader" in modules
    # Each is imported on the way of a plain check only by mistake; CONTRIBUTING.md,
    # "Start-up", says why each is kept off it and what to use instead.
    avoid = {
        "yaml": "a JSON spec needs no YAML parser: import it inside the YAML branch",
        "gatekeeper.yaml_exact": "only YAML specs need it: import it where YAML is read",
        "dataclasses": "use gatekeeper.record.Record (dataclasses cost ~18 ms per process)",
        "inspect": "use gatekeeper.gate.cleandoc / options_of (inspect pulls in ast, dis)",
        "tomllib": "a run without a config file reads no TOML: import it in load_config",
        "statistics": "import it inside the function that computes the figure",
        "difflib": "import it where a 'did you mean' is built (error paths only)",
        "orjson": "small JSON specs use the standard library: import orjson for large ones",
        "gatekeeper.baseline": "import it only when --baseline or a baseline file is used",
        "hashlib": "fingerprints use CPython's _sha1 (hashlib loads OpenSSL, ~3 ms)",
    }
    found = {name: why for name, why in avoid.items() if name in modules}
    assert not found, ("a plain check of a JSON spec imported modules it should not "
                       "(each costs start-up time on every run; see CONTRIBUTING.md, "
                       f"'Start-up'): {found}")


def test_cleandoc_matches_inspect_on_every_rule_and_metric():
    docs = []
    for gate in builtin_gates():
        docs += [r.check.__doc__ or "" for r in gate.rules]
        if gate.metric is not None:
            docs.append(gate.metric.__doc__ or "")
    docs += ["", "one line", "  first\n\n    body\n      indented\n\n", "\tx\n\ty\n"]
    assert len(docs) > 80
    for doc in docs:
        assert cleandoc(doc) == inspect.cleandoc(doc)


def _options_by_inspect(fn):
    signature = getattr(fn, "__gatekeeper_options__", None)
    if signature is not None:
        return dict(signature)
    return {name: NO_DEFAULT if p.default is inspect.Parameter.empty else p.default
            for name, p in inspect.signature(fn).parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY}


def test_options_of_matches_inspect_on_every_rule_and_metric():
    seen = 0
    for gate in builtin_gates():
        for fn in [r.check for r in gate.rules] + ([gate.metric] if gate.metric else []):
            assert options_of(fn) == _options_by_inspect(fn), fn.__name__
            seen += 1
    assert seen > 80

    def no_default(spec, *, required, optional=3):
        return iter(())

    assert options_of(no_default) == {"required": NO_DEFAULT, "optional": 3}


def test_pagination_rules_take_the_gate_wide_options():
    pagination = next(g for g in builtin_gates() if g.name == "pagination")
    for r in pagination.rules:
        assert "item_array_names" in r.options and "exempt" in r.options, r.id


def _finding(line: int, rule: str = "docs/x") -> Finding:
    return Finding(Location("a.yaml", line, 1), rule, Severity.ERROR, "m", "#/x")


def test_records_compare_sort_hash_pickle_and_replace_like_dataclasses():
    a, b = _finding(3), _finding(1)
    assert sorted([a, b]) == [b, a] and a != b and a == _finding(3)
    assert len({a, _finding(3), b}) == 2
    assert pickle.loads(pickle.dumps(a)) == a
    moved = a.replace(location=Location("a.yaml", 9, 2))
    assert moved.location.line == 9 and moved.rule == a.rule and a.location.line == 3
    with pytest.raises(TypeError, match="no field nope"):
        a.replace(nope=1)
    assert repr(Location("f", 1, 2)) == "Location(file='f', line=1, column=2)"
    # payload fields take no part in equality, as field(compare=False) did
    assert Metric(0.5, "x", details={"a": [1]}) == Metric(0.5, "x", details={})
    info = SpecInfo("p", "t", "1", "3.1.0", 0)
    report = Report("1", info, (), (), sections={"live": {}})
    assert report == Report("1", info, (), ()) and report.replace(sections={}).sections == {}
    assert Location("f", 1, 1).__eq__(object()) is NotImplemented


@pytest.mark.parametrize("name", ["showcase.yaml", "parity/bookings.swagger2.yaml"])
def test_small_json_locates_findings_as_orjson_does(tmp_path, monkeypatch, name):
    import yaml

    data = yaml.safe_load((SAMPLES / name).read_text())
    data.setdefault("info", {})["x-note"] = "naïve – non-ASCII ✓"
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")

    def findings():
        import gatekeeper

        report = gatekeeper.run(load(str(spec)), builtin_gates(), gatekeeper.Config())
        return [(f.rule, f.pointer, f.location.line, f.location.column) for f in
                report.findings]

    small = findings()
    doc = loader.load_document(str(spec), "x", loader.Limits())
    assert doc._json_members[loader._COMPACT][3] is loader._std_dumps
    monkeypatch.setattr(loader, "SMALL_JSON", 0)  # every text is "big": orjson
    doc = loader.load_document(str(spec), "x", loader.Limits())
    import orjson

    assert doc._json_members[loader._COMPACT][3] is orjson.dumps
    assert findings() == small and len(small) > 3


def test_the_validity_helper_finds_what_the_check_itself_finds():
    from functools import partial

    from gatekeeper.orchestration.isolation import WorkerLimits
    from gatekeeper.gate import gates_with_helpers
    from gatekeeper.orchestration.helper_process import HelperProcess, adopt_helpers, run_helper
    from gatekeeper.loader import Limits
    from gates import validity

    checked = 0
    for sample in sorted((SAMPLES / "validity").glob("*.yaml")):
        if not HelperProcess.worthwhile(str(sample), 1 << 20):
            pytest.skip("one core: the helper is not used")
        helper = HelperProcess("validity", str(sample),
                               partial(run_helper, "validity", str(sample), Limits(), None),
                               WorkerLimits(timeout=30))
        helper.start()
        try:
            spec = load(str(sample))
            adopt_helpers(spec, str(sample))
            assert gates_with_helpers(spec) == {"validity": helper}
            found = validity._helper_result(spec)
        finally:
            helper.stop()
        assert found is not None, sample.name
        assert found == validity._schema_errors(load(str(sample))), sample.name
        checked += bool(found)
    assert checked >= 2  # samples with schema errors went through the helper


def test_the_gates_with_a_helper_are_those_the_command_line_starts_early():
    import gates

    declared = {g.name for g in gates.BUILTIN_GATES if g.helper is not None}
    assert declared == set(gates.WITH_HELPER), (
        "gates.WITH_HELPER must name exactly the built-in gates whose Gate declares `helper`: "
        "the command line starts their helper processes before it imports any gate")


def test_check_output_is_the_same_with_the_helper_and_in_process(tmp_path):
    spec = str(SAMPLES / "validity" / "schema-violation.yaml")

    def run(*extra):
        out = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--format", "json",
                              *extra, spec], capture_output=True, text=True, timeout=120,
                             check=False)
        data = json.loads(out.stdout)
        data.pop("generated_at")
        return out.returncode, data

    supervised = run()
    in_process = run("--timeout", "0", "--max-memory", "0")  # no worker, no helper
    assert supervised == in_process and supervised[0] == 1
    validity = next(g for g in supervised[1]["gates"] if g["name"] == "validity")
    assert len(validity["findings"]) == 2


def test_a_spec_that_does_not_load_stops_the_helper(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {\n")
    out = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "-q", str(bad)],
                         capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr

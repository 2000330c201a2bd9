"""Reading rulesets as Spectral does: extends, rule switches, aliases, formats, overrides,
documentationUrl, and JavaScript functions that are never run."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from tests.style.conftest import SPEC, lint_files


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


BASE = """\
rules:
  op-summary:
    description: Operations have a summary
    given: "$.paths[*][*]"
    then: {field: summary, function: truthy}
  op-description:
    description: Operations have a description
    recommended: false
    given: "$.paths[*][*]"
    then: {field: description, function: truthy}
"""


def rules_of(found):
    return sorted({(rule, severity) for rule, _p, _l, severity, _m in found})


def test_extends_local_files_nested_and_cycle_safe(tmp_path) -> None:
    write(tmp_path, "base/base.yaml", BASE + "extends: ../top.yaml\n")  # a cycle back
    top = write(tmp_path, "top.yaml", """\
        extends: ./base/base.yaml
        rules:
          op-summary: error
    """)
    spec = write(tmp_path, "spec.yaml", SPEC.replace("      summary: List pets\n", ""))
    assert rules_of(lint_files(spec, [top])) == [("style/op-summary", "error")]


def test_a_rule_reused_through_a_yaml_merge_key_may_override_what_it_merges(tmp_path) -> None:
    """Published rulesets define one rule with an anchor and reuse it with ``<<: *anchor``,
    overriding its severity or message: a key written beside a merge key is not a duplicate
    (as Spectral reads it); a key written twice still is."""
    ruleset = write(tmp_path, "r.yaml", """\
        rules:
          op-summary: &op
            description: Operations have a summary
            severity: warn
            given: "$.paths[*][*]"
            then: {field: summary, function: truthy}
          op-summary-error:
            <<: *op
            severity: error
            message: Summaries are required
    """)
    spec = write(tmp_path, "spec.yaml", SPEC.replace("      summary: List pets\n", ""))
    found = lint_files(spec, [ruleset])
    assert rules_of(found) == [("style/op-summary", "warning"),
                               ("style/op-summary-error", "error")]
    assert any(m == "Summaries are required" for *_, m in found)
    twice = write(tmp_path, "twice.yaml", ruleset.read_text() + "    severity: info\n")
    from gates.style.ruleset import load_ruleset
    from gatekeeper import ConfigError

    import pytest

    with pytest.raises(ConfigError, match="duplicate key 'severity'"):
        load_ruleset(str(twice), allow_remote=())


def test_extends_asyncapi_adds_nothing_to_openapi(tmp_path) -> None:
    """A guide for both kinds of API extends `spectral:asyncapi` too: the AsyncAPI rules are
    scoped to AsyncAPI documents, so on an OpenAPI spec the ruleset is the rest of it."""
    write(tmp_path, "base.yaml", BASE)
    top = write(tmp_path, "top.yaml", "extends: [./base.yaml, [spectral:asyncapi, all], "
                                      "spectral:arazzo]\n")
    spec = write(tmp_path, "spec.yaml", SPEC.replace("      summary: List pets\n", ""))
    assert rules_of(lint_files(spec, [top])) == [("style/op-summary", "warning")]


def test_extends_with_all_recommended_and_off(tmp_path) -> None:
    write(tmp_path, "base.yaml", BASE)
    spec = write(tmp_path, "spec.yaml", SPEC.replace("      summary: List pets\n", ""))
    found = {}
    for mode in ("all", "recommended", "off"):
        top = write(tmp_path, f"{mode}.yaml", f"extends: [[./base.yaml, {mode}]]\n")
        found[mode] = rules_of(lint_files(spec, [top]))
    assert found["all"] == [("style/op-description", "warning"), ("style/op-summary", "warning")]
    assert found["recommended"] == [("style/op-summary", "warning")]
    assert found["off"] == []


def test_rules_switch_inherited_rules_on_and_off(tmp_path) -> None:
    write(tmp_path, "base.yaml", BASE)
    spec = write(tmp_path, "spec.yaml", SPEC.replace("      summary: List pets\n", ""))
    top = write(tmp_path, "top.yaml", """\
        extends: [[./base.yaml, off]]
        rules:
          op-description: true
          op-summary: hint
    """)
    assert rules_of(lint_files(spec, [top])) == [("style/op-description", "warning"),
                                                 ("style/op-summary", "info")]
    top = write(tmp_path, "top2.yaml", "extends: ./base.yaml\nrules:\n  op-summary: false\n")
    assert lint_files(spec, [top]) == []


def test_merged_rule_keeps_what_it_does_not_override(tmp_path) -> None:
    write(tmp_path, "base.yaml", BASE)
    spec = write(tmp_path, "spec.yaml", SPEC.replace("      summary: List pets\n", ""))
    top = write(tmp_path, "top.yaml", """\
        extends: ./base.yaml
        rules:
          op-summary:
            given: "$.paths[*][*]"
            then: {field: summary, function: truthy}
            severity: error
            message: "{{property}} is missing"
    """)
    assert lint_files(spec, [top]) == [
        ("style/op-summary", "/paths/~1pets/get", 7, "error", "get.summary is missing")]


def test_inherited_rule_redefined_without_given_or_then_is_refused(tmp_path) -> None:
    """Spectral 6.16.3 refuses the same file: `top.yaml:3:14 — the rule must have at least
    "given" and "then" properties`; a severity alone is written `op-summary: error`."""
    from gatekeeper import ConfigError

    write(tmp_path, "base.yaml", BASE)
    spec = write(tmp_path, "spec.yaml", SPEC)
    top = write(tmp_path, "top.yaml", """\
        extends: ./base.yaml
        rules:
          op-summary:
            severity: error
            message: "{{property}} is missing"
    """)
    with pytest.raises(ConfigError, match=r"top\.yaml:3: rule `op-summary` needs `given` "
                                          r"\(.*write `op-summary: warn`\)"):
        lint_files(spec, [top])


def test_aliases_plain_and_per_format(tmp_path) -> None:
    ruleset = write(tmp_path, "r.yaml", """\
        aliases:
          Operation: ["$.paths[*][get,put,post,delete]"]
          Schemas:
            targets:
              - formats: [oas2]
                given: ["$.definitions[*]"]
              - formats: [oas3]
                given: ["$.components.schemas[*]"]
        formats: [oas2, oas3]
        rules:
          op-id:
            given: "#Operation.operationId"
            then: {function: pattern, functionOptions: {match: "^get"}}
          schema-description:
            given: "#Schemas"
            then: {field: description, function: truthy}
    """)
    spec = write(tmp_path, "spec.yaml", SPEC)
    found = lint_files(spec, [ruleset])
    assert [(r, p) for r, p, *_ in found] == [
        ("style/op-id", "/paths/~1pets/get/operationId"),
        ("style/schema-description", "/components/schemas/Pet"),
        ("style/schema-description", "/components/schemas/Tag")]


def test_rule_formats_and_unrecognized_format(tmp_path) -> None:
    ruleset = write(tmp_path, "r.yaml", """\
        rules:
          swagger-only:
            formats: [oas2]
            given: $.info
            then: {field: contact, function: truthy}
    """)
    spec = write(tmp_path, "spec.yaml", SPEC)
    assert lint_files(spec, [ruleset]) == [
        ("style/unrecognized-format", "", 1, "warning",
         "The provided document does not match any of the registered formats "
         "[OpenAPI 2.0 (Swagger)]")]


def test_overrides_by_file_glob_and_pointer(tmp_path) -> None:
    write(tmp_path, "base.yaml", BASE)
    ruleset = write(tmp_path, ".spectral.yaml", """\
        extends: ./base.yaml
        overrides:
          - files: ["legacy/**/*.yaml"]
            rules:
              op-summary: "off"
          - files: ["api.yaml#/paths/~1pets/get"]
            rules:
              op-summary: error
    """)
    text = SPEC.replace("      summary: List pets\n", "")
    legacy = write(tmp_path, "legacy/v1/api.yaml", text)
    api = write(tmp_path, "api.yaml", text)
    other = write(tmp_path, "other.yaml", text)
    # Spectral matches a glob without "/" against the file's name (minimatch's matchBase), so
    # `api.yaml#...` applies to legacy/v1/api.yaml too, where it turns the rule back on at
    # that pointer only (Spectral 6.16.3 on the same files: one error, at /paths/~1pets/get)
    assert [(r, p, s) for r, p, _l, s, _m in lint_files(legacy, [ruleset])] == [
        ("style/op-summary", "/paths/~1pets/get", "error")]
    assert rules_of(lint_files(api, [ruleset])) == [("style/op-summary", "error")]
    assert rules_of(lint_files(other, [ruleset])) == [("style/op-summary", "warning")]


@pytest.mark.parametrize(("glob", "path", "matches"), [
    # each answer is minimatch's with matchBase, as Spectral 6.16.3 calls it
    ("spec.yaml", "legacy/spec.yaml", True), ("*.yaml", "../specs/a.yaml", True),
    ("*.yaml", ".hidden.yaml", False), ("**/*.yaml", "x/.hidden.yaml", False),
    ("*.{yaml,json}", "spec.json", True), ("apis/v[0-9].yaml", "apis/v1.yaml", True),
    ("!apis/*.yaml", "other/v1.yaml", True), ("!apis/*.yaml", "apis/v1.yaml", False),
    ("+(a|b).yaml", "a.yaml", True), ("a/*.yaml", "a/b/c.yaml", False),
    ("legacy/*.yaml", "legacy/x/spec.yaml", False), ("*.yaml", "a.YAML", False),
])
def test_override_globs_read_as_minimatch_reads_them(glob: str, path: str,
                                                     matches: bool) -> None:
    from gates.style.ruleset import glob_match

    assert glob_match(path, glob) is matches


def test_override_turns_a_disabled_rule_on(tmp_path) -> None:
    """A file override that gives a rule the ruleset leaves off a severity runs it for those
    files; a pointer override runs a rule switched off, at that pointer only (both as
    Spectral 6.16.3 reports on the same files)."""
    write(tmp_path, "base.yaml", BASE)
    ruleset = write(tmp_path, ".spectral.yaml", """\
        extends: ./base.yaml
        rules:
          op-summary: "off"
        overrides:
          - files: ["legacy/*.yaml"]
            rules:
              op-description: error
          - files: ["*.yaml#/paths/~1pets"]
            rules:
              op-summary: info
    """)
    legacy = write(tmp_path, "legacy/api.yaml", SPEC.replace("      summary: List pets\n", ""))
    api = write(tmp_path, "api.yaml", SPEC.replace("      summary: List pets\n", ""))
    assert rules_of(lint_files(legacy, [ruleset])) == [("style/op-description", "error"),
                                                      ("style/op-summary", "info")]
    assert rules_of(lint_files(api, [ruleset])) == [("style/op-summary", "info")]


def test_javascript_function_is_reported_once_and_the_rest_runs(tmp_path) -> None:
    ruleset = write(tmp_path, "r.yaml", """\
        functionsDir: custom
        rules:
          custom-a:
            given: $.paths[*]
            then: {function: myCheck}
          info-contact:
            given: $.info
            then: {field: contact, function: truthy}
    """)
    write(tmp_path, "custom/myCheck.js", "export default () => [];\n")
    spec = write(tmp_path, "spec.yaml", SPEC)
    found = lint_files(spec, [ruleset])
    assert [(r, s) for r, _p, _l, s, _m in found] == [("style/custom-a", "info"),
                                                      ("style/info-contact", "warning")]
    message = found[0][4]
    assert "custom-a" in message and "myCheck" in message and "not run" in message


def test_documentation_url_and_description_reach_explain_and_sarif(tmp_path, cli) -> None:
    ruleset = write(tmp_path, "r.yaml", """\
        documentationUrl: https://style.example.com/rules
        rules:
          info-contact:
            description: Every API names a contact
            given: $.info
            then: {field: contact, function: truthy}
    """)
    result = cli("explain", "style/info-contact", "--ruleset", str(ruleset), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Every API names a contact" in result.stdout
    assert "https://style.example.com/rules#info-contact" in result.stdout


def _package_with_check_paths(tmp_path, source: str) -> dict[str, str]:
    """An installed-looking package whose `check_paths` (`source`) is registered as
    `checkPaths` under the entry point; the environment that puts it on the path."""
    package = tmp_path / "site"
    write(package, "acme_style/__init__.py", source)
    write(package, "acme_style-1.0.dist-info/METADATA",
          "Metadata-Version: 2.1\nName: acme-style\nVersion: 1.0\n")
    write(package, "acme_style-1.0.dist-info/entry_points.txt",
          "[gatekeeper.spectral_functions]\ncheckPaths = acme_style:check_paths\n")
    return {"PYTHONPATH": os.pathsep.join([str(package), os.environ.get("PYTHONPATH", "")])}


def test_a_python_function_from_the_entry_point_runs_in_place_of_javascript(tmp_path,
                                                                            cli) -> None:
    env = _package_with_check_paths(tmp_path, """\
        from gates.style.api import Result


        def check_paths(target, options, ctx):
            for path in target or {}:
                if not path.startswith(options["prefix"]):
                    yield Result(f"{path} does not start with {options['prefix']}",
                                 (*ctx.path, path))
    """)
    ruleset = write(tmp_path, "r.yaml", """\
        functions: [checkPaths]
        rules:
          paths-prefixed:
            given: $.paths
            then: {function: checkPaths, functionOptions: {prefix: /v1}}
    """)
    spec = write(tmp_path, "spec.yaml", SPEC)
    result = cli("check", str(spec), "--ruleset", str(ruleset), "--select", "style",
                 "--format", "json", env=env)
    style = next(g for g in json.loads(result.stdout)["gates"]
                 if g["name"] == "style")
    assert [(f["rule"], f["pointer"], f["message"]) for f in style["findings"]] == [
        ("style/paths-prefixed", "#/paths/~1pets", "/pets does not start with /v1")]


def test_messages_name_the_route_and_print_the_path_as_spectral_does() -> None:
    """tests/style/cases/missing-through-ref, with the messages `spectral lint` 6.16.3 gives
    (copied from its output): a field missing on a schema reached through a reference is
    named by the route the match took, {{path}} is a percent-encoded URI fragment, and a
    `then` with a `message` of its own or a rule with an `x-` key is accepted."""
    from pathlib import Path

    case = Path(__file__).parent / "cases" / "missing-through-ref"
    found = {(p, m) for _r, p, _l, _s, m in lint_files(case / "spec.yaml",
                                                       [case / "ruleset.yaml"])}
    assert found == {
        ("/paths/~1pets~1{pet id}/get",
         '#/paths/~1pets~1%7Bpet%20id%7D/get: "get.summary" property must be truthy'),
        ("/paths/~1tags~1[all]~1é/get/summary",
         '#/paths/~1tags~1%5Ball%5D~1%C3%A9/get/summary: "summary" property must be truthy'),
        ("/components/schemas/TagList",
         '#/components/schemas/TagList "TagList.maxLength" property must be defined'),
        ("/components/schemas/TagList",
         '#/components/schemas/TagList "TagList" property must be defined'),
        ("/components/schemas/Target",
         '#/components/schemas/Target "Target.maxLength" property must be defined'),
        ("/components/schemas/Target",
         '#/components/schemas/Target "Target" property must be defined'),
        ("/components/schemas/Direct",
         '#/components/schemas/Direct "Direct.maxLength" property must be defined'),
    }


def test_an_invalid_jsonpath_in_field_is_refused_with_its_line(tmp_path) -> None:
    """It was compiled on first use, and its error stopped every rule of the ruleset."""
    from gatekeeper import ConfigError

    ruleset = write(tmp_path, "r.yaml", """\
        rules:
          bad:
            given: "$.info"
            then: {field: "$.paths[?(@ =~ 1)]", function: truthy}
    """)
    with pytest.raises(ConfigError, match=r"r\.yaml:4: rule `bad`: invalid JSONPath in `field`"):
        lint_files(write(tmp_path, "spec.yaml", SPEC), [ruleset])


def test_a_python_function_that_raises_fails_its_rule_and_the_rest_runs(tmp_path, cli) -> None:
    """One rule's function raising (a port with a bug, a document it did not expect) is an
    error finding of that rule; before, it stopped every rule of the ruleset."""
    env = _package_with_check_paths(tmp_path, """\
        def check_paths(target, options, ctx):
            raise KeyError("prefix")
    """)
    ruleset = write(tmp_path, "r.yaml", """\
        functions: [checkPaths]
        rules:
          paths-prefixed:
            given: $.paths
            then: {function: checkPaths}
          info-contact:
            given: $.info
            then: {field: contact, function: truthy}
    """)
    spec = write(tmp_path, "spec.yaml", SPEC)
    result = cli("check", str(spec), "--ruleset", str(ruleset), "--select", "style",
                 "--format", "json", env=env)
    assert result.returncode == 1, result.stderr
    style = next(g for g in json.loads(result.stdout)["gates"] if g["name"] == "style")
    found = {f["rule"]: (f["severity"], f["message"]) for f in style["findings"]}
    assert set(found) == {"style/paths-prefixed", "style/info-contact"}
    severity, message = found["style/paths-prefixed"]
    assert severity == "error"
    assert "rule `paths-prefixed` crashed at #/paths: KeyError: 'prefix'" in message
    assert found["style/info-contact"][0] == "warning"

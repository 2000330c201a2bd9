"""`--base REF` against real git repositories with a spec history (acceptance 1)."""

from __future__ import annotations

import json

import pytest

from gatekeeper import Config, load, run
from gatekeeper.orchestration.compare import run_check
from gatekeeper.errors import InputError
from gatekeeper.registry import all_gates

from compare.gitrepo import Repo

CONFIG = Config(select=("docs", "compat"))

V1 = """
openapi: 3.1.0
info:
  title: Pets
  version: 1.0.0
  description: A pet store.
paths:
  /pets:
    get:
      summary: List pets
      responses:
        "200":
          description: The pets.
  /pets/{petId}:
    get:
      parameters:
        - name: petId
          in: path
          required: true
          description: The pet's id.
          schema: {type: integer}
      responses:
        "200":
          description: The pet.
"""

# The change: GET /pets/{petId} gets a summary (fixed), POST /pets arrives bare (new); the
# file is also re-indented and its paths reordered, which must change nothing else.
V2 = """
openapi: 3.1.0
info:
    title: Pets
    version: 1.1.0
    description: A pet store.
paths:
    /pets/{petId}:
        get:
            summary: Get a pet
            parameters:
              - {name: petId, in: path, required: true, description: The pet's id.,
                 schema: {type: integer}}
            responses:
                "200": {description: The pet.}
    /pets:
        post:
            responses:
                "201": {description: Created.}
        get:
            summary: List pets
            responses:
                "200": {description: The pets.}
"""


def _keys(items):
    return {(f["rule"], f["pointer"]) for f in items}


def _all(section, kind):
    return [f for g in section["gates"] for f in g[kind]]


@pytest.fixture
def repo(tmp_path):
    r = Repo(tmp_path / "repo")
    r.commit("v1", {"api/openapi.yaml": V1})
    r.commit("v2", {"api/openapi.yaml": V2})
    return r


def test_base_ref_new_fixed_and_deltas(repo, monkeypatch):
    monkeypatch.chdir(repo.root)
    spec = load("api/openapi.yaml")
    report = run_check(spec, "api/openapi.yaml", all_gates(), CONFIG, base="HEAD~1",
                       raise_errors=True)
    c = report.sections["compare"]
    assert c["base"] == "HEAD~1" and c["base_found"]
    assert _keys(_all(c, "new")) == {("docs/undocumented-operation", "#/paths/~1pets/post")}
    assert _keys(_all(c, "fixed")) == {("docs/undocumented-operation",
                                        "#/paths/~1pets~1{petId}/get")}
    assert _keys(_all(c, "unchanged")) == {("docs/below-threshold", "#"),
                                           ("docs/category-below-floor", "#")}
    assert c["counts"] == {"new": 1, "fixed": 1, "unchanged": 2}
    # metric deltas agree with independent runs of each version
    before = run(load("api/openapi.yaml"), all_gates(), CONFIG).gate("docs").metric.value
    docs = next(g for g in c["gates"] if g["name"] == "docs")
    assert docs["metric_after"] == round(before * 100, 2)
    base_alone = _run_text(repo.root, V1)
    assert docs["metric_before"] == round(base_alone * 100, 2)
    assert docs["metric_delta"] == round(docs["metric_after"] - docs["metric_before"], 2)
    assert c["coverage"]["delta"] == docs["metric_delta"]
    assert c["breaking"] == []  # adding an operation breaks nothing
    json.dumps(report.to_dict(), allow_nan=False)
    assert repo.status() == ""  # the working tree was never touched


def _run_text(folder, text):
    import tempfile
    import textwrap

    with tempfile.TemporaryDirectory(dir=folder.parent) as tmp:
        path = f"{tmp}/openapi.yaml"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(textwrap.dedent(text).lstrip("\n"))
        return run(load(path), all_gates(), CONFIG).gate("docs").metric.value


PET_V1 = """
type: object
description: A pet.
required: [id, name]
properties:
  id: {type: integer, description: The pet's unique id.}
  name: {type: string, description: The pet's name.}
  tag: {type: string}
"""

# only the referenced file changes: `tag` documented (fixed), `name` loses its description
# (new), `id` removed (breaking)
PET_V2 = """
type: object
description: A pet.
required: [name]
properties:
  name: {type: string}
  tag: {type: string, description: A free-form label.}
"""

ROOT_SPEC = """
openapi: 3.0.3
info:
  title: Pets
  version: 1.0.0
  description: A pet store.
paths:
  /pets/{petId}:
    get:
      summary: Get a pet
      parameters:
        - name: petId
          in: path
          required: true
          description: The pet's id.
          schema: {type: integer}
      responses:
        "200":
          description: The pet.
          content:
            application/json:
              schema:
                $ref: "schemas/pet.yaml"
"""


def test_multi_file_only_referenced_file_changed(tmp_path, monkeypatch):
    repo = Repo(tmp_path / "multi")
    repo.commit("v1", {"api/openapi.yaml": ROOT_SPEC, "api/schemas/pet.yaml": PET_V1,
                       "other/unrelated.txt": "x\n"})
    repo.commit("v2", {"api/schemas/pet.yaml": PET_V2})
    repo.write("api/schemas/pet.yaml", PET_V2 + "  # an uncommitted edit\n")  # dirty tree
    monkeypatch.chdir(repo.root)
    report = run_check(load("api/openapi.yaml"), "api/openapi.yaml", all_gates(), CONFIG,
                       base="main~1", raise_errors=True)
    c = report.sections["compare"]
    assert {(f["rule"], f["pointer"], f["file"]) for f in _all(c, "new")} == {
        ("docs/undocumented-property", "schemas/pet.yaml#/properties/name",
         "api/schemas/pet.yaml")}
    fixed = _all(c, "fixed")
    assert {(f["rule"], f["pointer"]) for f in fixed} == {
        ("docs/undocumented-property", "schemas/pet.yaml#/properties/tag")}
    assert fixed[0]["file"] == "main~1:api/schemas/pet.yaml"  # base locations say where
    docs = next(g for g in c["gates"] if g["name"] == "docs")
    assert docs["metric_before"] is not None and docs["metric_delta"] is not None
    breaking = {(f["rule"], f["file"]) for f in c["breaking"]}
    assert breaking == {("compat/response-property-removed", "api/schemas/pet.yaml")}
    assert "main~1:api/schemas/pet.yaml" in c["breaking"][0]["message"]
    assert not report.passed
    assert repo.status() == "M api/schemas/pet.yaml"  # still just the user's own edit


def test_spec_new_at_base(tmp_path, monkeypatch):
    repo = Repo(tmp_path / "fresh")
    repo.commit("readme", {"README.md": "hi\n"})
    repo.commit("spec", {"openapi.yaml": V1})
    monkeypatch.chdir(repo.root)
    report = run_check(load("openapi.yaml"), "openapi.yaml", all_gates(), CONFIG,
                       base="HEAD~1", new_only=True)
    c = report.sections["compare"]
    assert not c["base_found"] and c["counts"]["unchanged"] == 0 and c["counts"]["new"] == 3
    assert not report.passed  # with no base, everything is new, so new-only still fails


def test_unknown_ref_and_not_a_repo(tmp_path, monkeypatch, repo):
    monkeypatch.chdir(repo.root)
    with pytest.raises(InputError, match="unknown git ref"):
        run_check(load("api/openapi.yaml"), "api/openapi.yaml", all_gates(), CONFIG,
                  base="no-such-branch")
    outside = tmp_path / "plain"
    outside.mkdir()
    (outside / "s.yaml").write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
                                    "paths: {}\n")
    with pytest.raises(InputError, match="not inside a git repository"):
        run_check(load(str(outside / "s.yaml")), str(outside / "s.yaml"), all_gates(),
                  CONFIG, base="HEAD")


def test_cli_new_only_and_ratchet(repo, cli):
    # new-only: the old findings (below threshold, operation floor) are existing; the bare
    # POST /pets is new, so the check still fails ...
    proc = cli("check", "api/openapi.yaml", "--base", "HEAD~1", "--select", "docs",
               "--new-only", "--fail-on", "warning", "--format", "json", cwd=repo.root)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    docs = next(g for g in data["gates"] if g["name"] == "docs")
    assert {f["rule"] for f in docs["findings"]} == {"docs/undocumented-operation"}
    assert {f["waived"] for f in docs["waived"]} == {"existing: in base"}
    # ... and once the new operation is documented, only old problems remain: it passes
    text = (repo.root / "api/openapi.yaml").read_text()
    (repo.root / "api/openapi.yaml").write_text(text.replace(
        "        post:\n", "        post:\n            summary: Add a pet\n"))
    proc = cli("check", "api/openapi.yaml", "--base", "HEAD~1", "--select", "docs",
               "--new-only", "--fail-on", "warning", cwd=repo.root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "compare with HEAD~1: 0 new, 3 fixed, 0 unchanged" in proc.stdout


GOOD = """
openapi: 3.1.0
info: {{title: Pets, version: 1.0.0, description: A pet store.}}
paths:
  /pets:
    get:
      summary: List pets
      parameters:
{params}
      responses:
        "200": {{description: The pets.}}
"""


def _params(n, undocumented=0):
    return "\n".join(f"        - {{name: p{i}, in: query, schema: {{type: string}}"
                     + ("}" if i < undocumented else f", description: Filter {i}.}}")
                     for i in range(n))


def test_ratchet_fails_a_drop_above_threshold(tmp_path, cli):
    repo = Repo(tmp_path / "ratchet")
    repo.commit("v1", {"openapi.yaml": GOOD.format(params=_params(40))})
    repo.commit("v2", {"openapi.yaml": GOOD.format(params=_params(40, undocumented=1))})
    args = ("check", "openapi.yaml", "--base", "HEAD~1", "--select", "docs", "--fail-on",
            "error", "--format", "json")
    plain = cli(*args, cwd=repo.root)
    assert plain.returncode == 0, plain.stdout  # still above the 95 % threshold
    proc = cli(*args, "--ratchet", cwd=repo.root)
    data = json.loads(proc.stdout)
    docs = next(g for g in data["gates"] if g["name"] == "docs")
    assert "docs/metric-dropped" in {f["rule"] for f in docs["findings"]}, data
    assert docs["metric"]["value"] >= 0.95 and proc.returncode == 1
    assert data["sections"]["compare"]["ratchet_dropped"][0]["gate"] == "docs"
    (repo.root / "gatekeeper.toml").write_text("ratchet = true\n[gates.docs]\n"
                                               "ratchet-tolerance = 5\n")
    proc = cli(*args, cwd=repo.root)
    data = json.loads(proc.stdout)
    assert data["sections"]["compare"]["ratchet"] is True
    assert data["sections"]["compare"]["ratchet_dropped"] == []

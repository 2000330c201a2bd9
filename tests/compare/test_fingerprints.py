"""Fingerprints survive reformatting the YAML, moving operations around and renaming the file
(acceptance 3): by rule, pointer fragment and normalised subject, never by line."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import yaml

from gatekeeper import Config, load, run
from gatekeeper.orchestration.compare import run_check
from gatekeeper.engine import fingerprint
from gatekeeper.pointer import Pointer
from gatekeeper.registry import all_gates

from conftest import SAMPLES

SHOWCASE = SAMPLES / "showcase.yaml"


def _fps(path: Path) -> Counter:
    report = run(load(str(path)), all_gates(), Config())
    return Counter((f.rule, f.fingerprint) for g in report.gates for f in g.findings)


def _moved(data: dict) -> dict:
    out = dict(reversed(list(data.items())))
    for key in ("paths", "webhooks", "definitions"):
        if isinstance(out.get(key), dict):
            out[key] = {p: (dict(reversed(list(item.items()))) if isinstance(item, dict)
                            else item) for p, item in reversed(list(out[key].items()))}
    comps = out.get("components")
    if isinstance(comps, dict):
        out["components"] = {k: dict(reversed(list(v.items()))) if isinstance(v, dict) else v
                             for k, v in reversed(list(comps.items()))}
    return out


def test_reformatted_and_moved(tmp_path: Path) -> None:
    original = _fps(SHOWCASE)
    assert len(original) >= 5
    data = yaml.safe_load(SHOWCASE.read_text(encoding="utf-8"))
    block = tmp_path / "block.yaml"
    block.write_text("# reformatted\n\n\n" + yaml.safe_dump(_moved(data), sort_keys=False,
                                                            indent=4, width=60),
                     encoding="utf-8")
    as_json = tmp_path / "flow.json"
    as_json.write_text(json.dumps(_moved(data), indent=1), encoding="utf-8")
    assert _fps(block) == original
    assert _fps(as_json) == original


def test_renamed_file_same_content(tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / "renamed-api.yaml"
    moved.parent.mkdir()
    moved.write_text(SHOWCASE.read_text(encoding="utf-8"), encoding="utf-8")
    assert _fps(moved) == _fps(SHOWCASE)
    report = run_check(load(str(moved)), str(moved), all_gates(), Config(),
                       base_file=str(SHOWCASE))
    c = report.sections["compare"]
    assert c["counts"]["new"] == 0 and c["counts"]["fixed"] == 0
    assert c["counts"]["unchanged"] > 0 and c["breaking"] == []


def test_parameter_reorder_keeps_identity() -> None:
    ptr = Pointer("", ("paths", "/pets", "get", "parameters", "0"))
    other = Pointer("", ("paths", "/pets", "get", "parameters", "3"))
    assert fingerprint("r/x", ptr, "parameter a (query)") == \
        fingerprint("r/x", other, "parameter a (query)")
    assert fingerprint("r/x", ptr, "parameter a (query)") != \
        fingerprint("r/x", ptr, "parameter b (query)")
    # without a subject the index is all there is to tell items apart
    assert fingerprint("r/x", ptr, None) != fingerprint("r/x", other, None)
    # status codes are not list indices
    resp = Pointer("", ("paths", "/p", "get", "responses", "200"))
    resp2 = Pointer("", ("paths", "/p", "get", "responses", "201"))
    assert fingerprint("r/x", resp, "s") != fingerprint("r/x", resp2, "s")
    # whitespace in subjects is normalised; the file name is not part of it
    assert fingerprint("r/x", ptr, "parameter  a\n(query)") == \
        fingerprint("r/x", Pointer("a.yaml", ptr.tokens), "parameter a (query)")

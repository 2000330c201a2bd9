"""The terminal view as a user reads it: the terminal's width, `-q`, `NO_COLOR`, minified
JSON locations, repeated texts, the errors-and-warnings view, waived findings, help and usage
errors."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SAMPLES, run_cli

SHOWCASE = str(SAMPLES / "showcase.yaml")


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_lines_fit_the_terminal_width(columns):
    proc = run_cli("check", SHOWCASE, env={"COLUMNS": str(columns)})
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) > 40
    too_long = [line for line in lines if len(line) > columns]
    assert too_long == [], too_long[:3]
    assert "FAILED  score 23.4/100" in proc.stdout


def test_without_a_terminal_lines_are_not_wrapped():
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", SHOWCASE],
                          capture_output=True, text=True, env={**env, "NO_COLOR": "1"},
                          timeout=120)
    assert max(len(line) for line in proc.stdout.splitlines()) > 100  # logs keep whole lines


def test_quiet_prints_the_summary_and_no_count_of_hidden_findings():
    proc = run_cli("check", SHOWCASE, "-q")
    assert "more findings" not in proc.stdout
    assert "[error]" not in proc.stdout
    assert proc.stdout.splitlines()[0].startswith(SHOWCASE)


def _in_a_terminal(env: dict[str, str]) -> str:
    main, replica = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", SHOWCASE, "-q"],
                              stdout=replica, stderr=subprocess.DEVNULL, timeout=120,
                              env={**{k: v for k, v in os.environ.items() if k != "NO_COLOR"},
                                   **env})
        assert proc.returncode == 1
        os.close(replica)
        out = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        return out.decode("utf-8", "replace")
    finally:
        os.close(main)


def test_empty_no_color_keeps_colour_and_a_value_turns_it_off():
    assert "\x1b[" in _in_a_terminal({})
    assert "\x1b[" in _in_a_terminal({"NO_COLOR": ""})
    assert "\x1b[" not in _in_a_terminal({"NO_COLOR": "1"})


def test_minified_json_findings_show_where_they_are(tmp_path):
    doc = yaml.safe_load((SAMPLES / "showcase.yaml").read_text(encoding="utf-8"))
    spec = tmp_path / "min.json"
    spec.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    proc = run_cli("check", str(spec), "--select", "docs")
    lines = [line for line in proc.stdout.splitlines() if line.startswith(f"{spec}:")]
    assert lines and all(line.split()[0].startswith(f"{spec}:1:") for line in lines)
    assert any("(at GET /books > parameters > 0)" in line for line in lines), lines[:5]
    assert all("(at " in line for line in lines if int(line.split()[0].split(":")[-1]) > 120)


def test_property_findings_name_their_schema():
    proc = run_cli("check", SHOWCASE, "--select", "docs", "--format", "json")
    messages = [f["message"] for g in json.loads(proc.stdout)["gates"] for f in g["findings"]
                if f["rule"] == "docs/undocumented-property"]
    assert "`property id` of schema `Book` has no description" in messages
    assert "`property code` of schema `Error` has no description" in messages
    assert any(m.startswith("`property data` in the schema at `GET /authors/{authorId}/books > "
                            "responses > 200") for m in messages), messages


REPEATED = """
openapi: 3.0.3
info: {title: Rep, version: 1.0.0, description: Repeats.}
paths:
""" + "".join(f"""  /items{i}:
    get:
      summary: Items {i}
      parameters:
        - {{name: limit, in: query, schema: {{type: integer}}}}
      responses: {{"200": {{description: OK}}}}
""" for i in range(7))


def test_repeated_finding_texts_are_counted_not_repeated(tmp_path):
    spec = tmp_path / "rep.yaml"
    spec.write_text(REPEATED, encoding="utf-8")
    proc = run_cli("check", str(spec), "--select", "docs")
    same = [line for line in proc.stdout.splitlines()
            if "`parameter limit (query)` has no description" in line
            and line.startswith(str(spec))]
    assert len(same) == 3, proc.stdout
    assert ("... 4 more docs/undocumented-parameter findings with the same message: "
            "`parameter limit (query)` has no description") in proc.stdout
    data = json.loads(run_cli("check", str(spec), "--select", "docs", "--format", "json").stdout)
    assert sum(1 for g in data["gates"] for f in g["findings"]
               if f["rule"] == "docs/undocumented-parameter") == 7  # reports keep them all


def test_quiet_on_a_folder_is_a_compact_portfolio(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.yaml").write_text(
            (SAMPLES / "showcase.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    proc = run_cli("check", str(tmp_path), "-q")
    assert "Gate  " not in proc.stdout and "Structural validity" not in proc.stdout
    assert proc.stdout.count("a.yaml") == 1 and "3 specs" in proc.stdout
    assert len(proc.stdout.splitlines()) <= 8


def test_min_severity_shows_errors_and_warnings_only():
    full = run_cli("check", SHOWCASE)
    view = run_cli("check", SHOWCASE, "--min-severity", "warning")
    assert view.returncode == full.returncode == 1
    assert "[info]" in full.stdout and "[info]" not in view.stdout
    assert "[warning]" in view.stdout and "[error]" in view.stdout
    assert "19 findings below warning not listed" in view.stdout
    assert full.stdout.splitlines()[-1] == view.stdout.splitlines()[-1]  # same verdict line
    errors = run_cli("check", SHOWCASE, "--min-severity", "error")
    assert "[warning]" not in errors.stdout and "[error]" in errors.stdout
    bad = run_cli("check", SHOWCASE, "--min-severity", "loud")
    assert bad.returncode == 2 and "--min-severity must be error, warning or info" in bad.stderr


def test_debug_adds_the_traceback_to_a_load_error(tmp_path):
    spec = tmp_path / "broken.yaml"
    spec.write_text("openapi: 3.0.3\ninfo: [\n", encoding="utf-8")
    plain = run_cli("check", str(spec))
    debug = run_cli("check", str(spec), "--debug")
    assert plain.returncode == debug.returncode == 2
    assert "Traceback" not in plain.stderr and len(plain.stderr.splitlines()) == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert plain.stderr.splitlines()[0] in debug.stderr


def test_waived_findings_can_be_listed(tmp_path):
    text = (SAMPLES / "showcase.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "w.yaml"
    spec.write_text(text.replace("info:\n", "x-gatekeeper-ignore: [docs/missing-info-description]"
                                 "\ninfo:\n", 1), encoding="utf-8")
    hidden = run_cli("check", str(spec))
    shown = run_cli("check", str(spec), "--show-waived")
    assert "waived (" not in hidden.stdout
    assert "waived (1):" in shown.stdout
    line = next(line for line in shown.stdout.splitlines() if "missing-info-description" in line)
    assert "waived: x-gatekeeper-ignore" in line


@pytest.mark.parametrize("command", ["check", "rules", "explain", "audit", "baseline",
                                     "changed"])
def test_help_has_no_python_types_and_dash_h_works(command):
    proc = run_cli(command, "-h")
    assert proc.returncode == 0, proc.stderr
    assert "Usage: gatekeeper " + command in proc.stdout
    for python_type in ("<list[", "<str>", "<int>", "<float>", "<bool>"):
        assert python_type not in proc.stdout, (python_type, proc.stdout)
    assert run_cli("-h").returncode == 0


def test_unknown_flag_is_one_line():
    proc = run_cli("check", SHOWCASE, "--frobnicate")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("gatekeeper check: No such option: --frobnicate")
    assert "gatekeeper check --help" in proc.stderr

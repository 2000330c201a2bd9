"""Every case of the hostile list (cases.py, 01 to 42; guarantees G1-G10 in docs/hardening.md) against the real CLI.

Each case is run in a subprocess with the socket guard installed and the loopback recorder
listening, and must meet G1 to G10 plus the row of its case.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from .cases import CASES, LIVE_CASES, Case
from .conftest import CANARY_SECRET, Run, hang_bound

BAD_CHARS = re.compile("[\x00\x07\x1b\x80-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
FORGED_LINE = re.compile(r"^\s*(::|##\[|##vso\[)", re.M)
EXTRA_FORMATS = {"sarif": "report.sarif", "junit": "report.xml", "html": "report.html"}


def _strict_json(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=refuse)


def _available_formats() -> list[str]:
    from gatekeeper.reporters import REPORTERS

    return [f for f in EXTRA_FORMATS if f in REPORTERS]


def check_common(run: Run, case: Case, folder: Path, outputs: list[str]) -> None:
    """G1 to G8 and G10 for one run; `outputs` holds the report files it wrote."""
    label = f"{' '.join(run.args)}: exit {run.code}\nstderr: {run.stderr[:1500]}"
    # G1
    # The budget holds the CPU time the check used, which a busy machine does not stretch;
    # wall time only has to stay under the hang bound (see hang_bound).
    assert run.cpu <= case.seconds, f"G1 used {run.cpu:.1f} s of CPU ({label})"
    assert run.seconds <= hang_bound(case.seconds), \
        f"G1 took {run.seconds:.1f} s of wall time: a hang? ({label})"
    assert run.rss_mb <= case.rss_mb, f"G1 peak RSS {run.rss_mb:.0f} MB ({label})"
    # G2
    assert "Traceback (most recent call last)" not in run.stderr, label
    assert run.code in (0, 1, 2), f"G2 undocumented exit code ({label})"
    # G3
    if run.code == 2:
        lines = run.stderr.splitlines()
        assert lines, label
        first = lines[0]
        assert first.startswith(case.main + ":"), f"G3 first line must name {case.main}: {first}"
        if case.located:
            assert re.search(r"^[^ ]+:\d+|#/", first), f"G3 no line or pointer: {first}"
        assert all(len(line.encode()) < 2048 for line in lines), "G3 error line over 2 KB"
        assert len(run.stderr.encode()) < 32 * 1024, "G3 error output too long"
    # G4 (recorder checked by the caller) and the in-child socket guard
    assert not run.guard, f"G4 connect() attempted: {run.guard}"
    # G5, G10
    texts = [run.stdout, run.stderr] + outputs
    for text in texts:
        assert "root:x:0:" not in text, "G5 /etc/passwd disclosed"
        assert CANARY_SECRET not in text, "G5 environment secret disclosed"
        assert "CANARY-REMOTE-CONTENT" not in text, "G5 remote content disclosed"
        # (a payload's own `file:///etc/passwd` may be quoted back; runner paths may not)
        assert not re.search(r"file:///(?!etc/passwd)", text), "G10 file:// URI in output"
        assert str(folder) not in text, "G10 absolute runner path in output"
    # G6
    for where in (folder, folder / "sub", Path.cwd()):
        assert not (where / "gatekeeper_pwned_marker").exists(), "G6 code execution"
    # G8
    for name, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        bad = BAD_CHARS.search(text)
        assert bad is None, f"G8 control character {bad.group()!r} in {name}"


def _findings(report: dict) -> list[tuple]:
    return sorted((f["rule"], f["line"], f["column"], f["pointer"], f["message"])
                  for g in report["gates"] for f in g["findings"])


def _validate_extra(fmt: str, text: str) -> None:
    if fmt == "sarif":
        data = _strict_json(text)
        assert data.get("version") == "2.1.0", "G7 SARIF version"
        schemas = [Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"]
        if schemas[0].is_file():
            import jsonschema
            import referencing

            schema = json.loads(schemas[0].read_text())
            cls = jsonschema.validators.validator_for(schema)
            cls(schema, registry=referencing.Registry()).validate(data)
    elif fmt == "junit":
        import xml.etree.ElementTree as ET  # noqa: S405 - our own output, strict parse

        ET.fromstring(text)
    elif fmt == "html":
        from html.parser import HTMLParser

        class Scan(HTMLParser):
            """Every payload of the suite carries `alert(`: it must never be markup."""

            def __init__(self) -> None:
                super().__init__()
                self.bad: list[str] = []
                self.in_script = False

            def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN202
                self.in_script = tag == "script"
                for key, value in attrs:
                    value = (value or "").strip().lower()
                    if key in ("href", "src", "action", "formaction") and value.startswith(
                            ("javascript:", "data:text", "vbscript:")):
                        self.bad.append(f"<{tag} {key}={value[:40]}>")
                    if "alert(" in value or key.startswith("on") and "alert" in value:
                        self.bad.append(f"<{tag} {key}={value[:40]}>")

            def handle_endtag(self, tag):  # noqa: ANN001, ANN202
                if tag == "script":
                    self.in_script = False

            def handle_data(self, data):  # noqa: ANN001, ANN202
                if self.in_script and "alert(" in data:
                    self.bad.append("<script> with spec text")

        scan = Scan()
        scan.feed(text)
        assert not scan.bad, f"G7 HTML carries spec markup: {scan.bad[:5]}"
        assert "{{ 7*7 }}" in text or "7*7" not in text


def _report_args(folder: Path) -> tuple[list[str], dict[str, Path]]:
    paths = {"json": folder / "report.json", "github": folder / "annotations.txt",
             **{f: folder / name for f, name in EXTRA_FORMATS.items()}}
    args = []
    for fmt, path in paths.items():
        args += ["--report", f"{fmt}={path}"]
    return args, paths


def _check_annotations(text: str) -> None:
    """gatekeeper's own workflow commands only; spec text never starts a line (G8)."""
    for line in text.splitlines():
        if line.startswith(("##[", "##vso[")):
            raise AssertionError(f"G8 forged CI command in annotations: {line[:80]!r}")
        if line.startswith("::"):
            assert re.match(r"^::(error|warning|notice)( [^:]*)?::", line), \
                f"G8 forged workflow command: {line[:80]!r}"


@pytest.mark.parametrize("cid", sorted(CASES))
def test_hostile_case(cid, tmp_path, gk, recorder):
    folder = tmp_path / "case"
    folder.mkdir()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    case = CASES[cid](folder, recorder.port)
    recorder.clear()
    base = ["check", case.main, *case.args]
    bound = hang_bound(case.seconds)  # never below the wall allowance of the case

    # Run 1: terminal view plus every report format at once.
    report_args, paths = _report_args(out_dir)
    term = gk([*base, *report_args], cwd=folder, timeout=bound)
    written = {fmt: p.read_text(encoding="utf-8") for fmt, p in paths.items() if p.exists()}
    check_common(term, case, folder, list(written.values()))
    assert term.code in case.codes, f"row: exit {term.code}, want {sorted(case.codes)}\n" \
        f"{term.stderr[:1000]}{term.stdout[-1000:]}"
    forged = FORGED_LINE.search(term.stdout + "\n" + term.stderr)
    assert forged is None, f"G8 output line starts with {forged.group()!r}"

    # Row: messages
    if term.code == 2:
        first = term.stderr.splitlines()[0]
        for pattern in case.message:
            assert re.search(pattern, first), f"row: {pattern!r} not in first line {first!r}"
    else:
        for pattern in case.message:
            assert re.search(pattern, term.stdout + term.stderr), f"row: {pattern!r} missing"
    for pattern in case.each_line:
        assert re.search(pattern, term.stderr), f"row: {pattern!r} not in stderr"
    for literal in case.stdout_literal:
        assert literal in term.stdout, f"row: {literal!r} not printed literally"

    # G7: every report that was written is well formed
    reports = []
    if "json" in written and term.code != 2:
        data = _strict_json(written["json"])
        reports.append(data)
        if case.json_check:
            case.json_check(data)
    for fmt in EXTRA_FORMATS:
        if written.get(fmt):
            _validate_extra(fmt, written[fmt])
    if written.get("github"):
        _check_annotations(written["github"])

    # G9: a second run gives the same exit code and findings (JSON on stdout this time)
    again = gk([*base, "--format", "json"], cwd=folder, timeout=bound)
    check_common(again, case, folder, [])
    assert again.code == term.code, "G9 exit code differs between runs"
    if reports:
        assert _findings(reports[0]) == _findings(_strict_json(again.stdout)), \
            "G9 findings differ"

    # G8 in GitHub Actions: gatekeeper's own workflow commands only, spec text stays inert
    if case.extra.get("ci"):
        summary = tmp_path / "step-summary.md"
        run = gk(base, cwd=folder, timeout=bound,
                 env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
        check_common(run, case, folder, [summary.read_text() if summary.exists() else ""])
        _check_annotations(run.stdout)
        _check_annotations(run.stderr)
        assert run.code == term.code

    # Row extras
    if case.control:
        run = gk([*base, "--select", "validity", "--select", "docs"], cwd=folder, timeout=bound)
        check_common(run, case, folder, [])
        assert run.code == 0, f"control case must pass: {run.stdout[-1500:]}{run.stderr}"
    if "also" in case.extra:
        run = gk(["check", case.extra["also"], "--select", "validity"], cwd=folder, timeout=bound)
        assert run.code == 0, run.stderr + run.stdout
    if "same_as" in case.extra:
        run = gk(["check", case.extra["same_as"], "--format", "json"], cwd=folder, timeout=bound)
        assert run.code == term.code
        copy = [f[:3] + f[4:] for f in _findings(_strict_json(run.stdout))]
        assert copy == [f[:3] + f[4:] for f in _findings(reports[0])], "UTF-16 != UTF-8 copy"
    if "count" in case.extra:
        refused = [line for line in term.stderr.splitlines() if "refused" in line]
        assert len(refused) == case.extra["count"], term.stderr
    if case.seconds_fast is not None:
        fastest = min(term.cpu, again.cpu)
        assert fastest <= case.seconds_fast, f"row: used {fastest:.2f} s of CPU"

    # G4
    assert recorder.hits == [], f"G4 the canary recorded {recorder.hits}"


def test_case_list_is_complete():
    # 39-41 run in test_live_cases.py, 42 in test_big.py
    numbers = {cid.split("-")[0] for cid in CASES} | set(LIVE_CASES) | {"42"}
    assert numbers == {f"{i:02d}" for i in range(1, 43)}, sorted(numbers)


def test_os_facts():
    assert os.name == "posix", "the hostile suite measures RSS with os.wait4"

"""``gatekeeper check`` read without typer (`gatekeeper.cli._plain_check`) means what the
typer app reads: for every command line the plain reader takes, the `CheckOptions` are the
ones the typer app would have built; every other command line goes to the typer app."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatekeeper import cli, cli_app
from gatekeeper.orchestration.options import CHECK_OPTIONS

from conftest import SAMPLES, run_cli


def _typer_reading(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict | None:
    """The `CheckOptions` values the typer app builds for `argv`, or None if it refuses it."""
    seen: list[dict] = []
    monkeypatch.setattr(cli_app, "check_command", lambda opts: seen.append(opts.values()))
    try:
        cli_app.click_command()(args=argv, standalone_mode=False, prog_name="gatekeeper")
    except Exception:  # noqa: BLE001 - click's usage errors: the typer app refused
        return None
    return seen[0] if seen else None


def _plain_reading(argv: list[str]) -> dict | None:
    from gatekeeper.orchestration.options import CheckOptions

    values = cli._plain_check(argv)
    return None if values is None else CheckOptions(**values).values()


def _same(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict | None:
    plain = _plain_reading(argv)
    if plain is not None:
        typer_values = _typer_reading(argv, monkeypatch)
        assert typer_values is not None, f"the typer app refuses {argv}; the plain reader took it"
        typer_values["fmt"] = getattr(typer_values["fmt"], "value", typer_values["fmt"])
        assert plain == typer_values, argv
    return plain


@pytest.mark.parametrize("argv", [
    ["check", "spec.yaml"],
    ["check", "a.yaml", "b.json", "-q", "--format", "json"],
    ["check", "--format=sarif", "spec.yaml", "-o", "out.sarif"],
    ["check", "spec.yaml", "--ruleset", ".spectral.yaml", "--ruleset", "more.yaml"],
    ["check", "spec.yaml", "--output=report.json", "--format", "json", "--ruleset=auto"],
    ["check", "spec.yaml", "--select", "docs,auth", "--extend-select", "examples",
     "--ignore", "pagination"],
    ["check", "spec.yaml", "-j", "3", "--timeout", "0", "--max-memory", "0"],
    ["check", "spec.yaml", "--timeout", "2.5", "--new-only", "--no-ratchet"],
    ["check", "spec.yaml", "--all-findings", "--ratchet", "--base", "origin/main"],
    ["check", "spec.yaml", "--allow-unsafe-methods", "--live", "http://127.0.0.1:1"],
    ["check", "spec.yaml", "--report", "html=x.html", "--report", "sarif=y.sarif",
     "--config", "gk.toml", "--fail-on", "error", "--debug", "--show-waived"],
    ["check", "spec.yaml", "-o", "first.json", "-o", "second.json"],  # the last one wins
    ["check", "spec.yaml", "-o", "-"],
])
def test_the_plain_reader_takes_these_and_reads_them_as_typer_does(argv, monkeypatch):
    assert _same(argv, monkeypatch) is not None


@pytest.mark.parametrize("argv", [
    ["check"], ["check", "--help"], ["check", "-h"], ["rules"], ["check", "--", "-spec.yaml"],
    ["check", "spec.yaml", "-qo", "x.json"], ["check", "spec.yaml", "--format", "nonesuch"],
    ["check", "spec.yaml", "--jobs", "0"], ["check", "spec.yaml", "--timeout", "-1"],
    ["check", "spec.yaml", "--timeout", "soon"], ["check", "spec.yaml", "--quiet=yes"],
    ["check", "spec.yaml", "--output"], ["check", "spec.yaml", "--outpt", "x"],
    ["check", "spec.yaml", "--max-depth", "1_000"], ["check", ""], ["check", "spec.yaml", "-"],
])
def test_anything_else_goes_to_the_typer_app(argv, monkeypatch):
    assert _same(argv, monkeypatch) is None


def _spellings() -> list[tuple[str, str]]:
    out = []
    for option in CHECK_OPTIONS:
        for flag in option.flags:
            for spelling in flag.split("/"):
                out.append((spelling, option.kind))
    return out


_VALUES = {
    "str": st.text(string.ascii_letters + "./:=_-", min_size=0, max_size=8),
    "strs": st.text(string.ascii_letters + ",.=", min_size=0, max_size=8),
    "int": st.sampled_from(["0", "1", "2", "17", "-1", "x", "+3", "08"]),
    "float": st.sampled_from(["0", "0.5", "2", "1e3", "-1", "nan", "inf", "x", " 1"]),
    "format": st.sampled_from(["json", "sarif", "terminal", "JSON", "html", "nope"]),
    "bool": st.just(""),
}


@st.composite
def _command_lines(draw: st.DrawFn) -> list[str]:
    argv = ["check"]
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()):
            argv.append(draw(st.sampled_from(["spec.yaml", "b.json", "-", "apis/"])))
            continue
        spelling, kind = draw(st.sampled_from(_spellings()))
        value = draw(_VALUES[kind])
        if kind == "bool":
            argv.append(spelling)
        elif draw(st.booleans()) and spelling.startswith("--"):
            argv.append(f"{spelling}={value}")
        else:
            argv += [spelling, value]
    return argv


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(argv=_command_lines())
def test_random_command_lines_read_the_same(argv):
    with pytest.MonkeyPatch.context() as monkeypatch:
        _same(argv, monkeypatch)


def test_a_check_with_an_output_file_and_a_ruleset_does_not_import_typer(tmp_path):
    import subprocess
    import sys

    ruleset = tmp_path / ".spectral.yaml"
    ruleset.write_text("extends: spectral:oas\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "gatekeeper", "check",
                          str(SAMPLES / "petstore.yaml"), "--ruleset", str(ruleset),
                          "--format", "json", "-o", str(tmp_path / "r.json")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode in (0, 1), out.stderr[-1000:]
    assert (tmp_path / "r.json").read_text().startswith("{")
    modules = {line.split("|")[-1].strip() for line in out.stderr.splitlines()
               if line.startswith("import time:")}
    assert modules and "typer" not in modules and "gatekeeper.cli_app" not in modules


def test_help_and_bad_values_still_get_typer_s_messages():
    shown = run_cli("check", "--help")
    assert shown.returncode == 0 and "--ruleset" in shown.stdout
    bad = run_cli("check", str(SAMPLES / "petstore.yaml"), "--jobs", "0")
    assert bad.returncode == 2 and "--jobs" in bad.stderr

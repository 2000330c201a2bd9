"""R12: each spec is loaded and checked in a forked worker with a memory limit and a timeout;
the plain ``check FILE... [-q]`` path starts without typer, the live gate or jsonschema."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from conftest import SAMPLES, run_cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the worker needs fork")


def _big_spec(folder: Path, operations: int = 40_000) -> Path:
    """A valid OpenAPI 3.0 document of about 15 MB: far more than a second of work. Written
    piece by piece: a pytest worker that held it would inflate the peak RSS that later tests
    measure on their children (Linux counts the pre-exec memory of a child)."""
    path = folder / "big.json"
    with path.open("w") as fh:
        fh.write('{"openapi": "3.0.3", "info": {"title": "Big", "version": "1.0.0"}, "paths": {')
        for i in range(operations):
            item = {"get": {
                "operationId": f"getThing{i}", "summary": f"Get thing {i}",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Thing"}}}}}}}
            fh.write(("," if i else "") + json.dumps(f"/things{i}/{{id}}") + ": "
                     + json.dumps(item, indent=1))
        fh.write('}, "components": {"schemas": {"Thing": {"type": "object", "properties": '
                 '{"id": {"type": "string", "description": "The id"}}}}}}')
    return path


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    return _big_spec(tmp_path_factory.mktemp("big"))


def test_timeout_ends_the_check_with_exit_2_naming_the_stage(big):
    start = time.monotonic()
    out = run_cli("check", "-q", "--timeout", "1", str(big), timeout=60)
    elapsed = time.monotonic() - start
    assert out.returncode == 2, out.stderr
    line = out.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line, line
    assert "exceeded 1 s (raise it with --timeout)" in line, line
    assert line.split(": ")[-1].split()[0] in ("loading", "checking"), line
    assert elapsed < 15, elapsed  # one second of work, then the worker is killed


def test_memory_limit_gives_the_memory_message(big):
    out = run_cli("check", "-q", "--max-memory", "200MB", str(big), timeout=60)
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().endswith(
        "ran out of memory (limit 200 MB; raise it with --max-memory)"), out.stderr
    assert "Traceback" not in out.stderr


def test_one_spec_over_the_limit_does_not_stop_the_others(big):
    out = run_cli("check", "-q", "-j", "2", "--timeout", "1", str(big),
                  str(SAMPLES / "petstore.yaml"), timeout=60)
    assert out.returncode == 2, out.stderr
    assert "exceeded 1 s" in out.stderr
    assert "petstore.yaml" in out.stdout and "1 could not be loaded" in out.stdout


def test_memory_error_in_the_worker_is_one_line(tmp_path, monkeypatch, capsys):
    from gatekeeper import cli
    from gatekeeper import spec as spec_module

    def boom(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise MemoryError

    monkeypatch.setattr(spec_module, "load", boom)  # the forked worker inherits it
    monkeypatch.setattr(sys, "argv", ["gatekeeper", "check", str(SAMPLES / "petstore.yaml")])
    with pytest.raises(SystemExit) as code:
        cli.main()
    err = capsys.readouterr().err
    assert code.value.code == 2
    assert err.strip().endswith("ran out of memory (limit 4 GB; raise it with --max-memory)"), err


def test_limits_are_validated():
    out = run_cli("check", "--timeout", "-1", str(SAMPLES / "petstore.yaml"))
    assert out.returncode == 2 and "--timeout" in out.stderr
    out = run_cli("check", "--max-memory", "lots", str(SAMPLES / "petstore.yaml"))
    assert out.returncode == 2 and "--max-memory: cannot read 'lots'" in out.stderr
    out = run_cli("check", "-q", "--timeout", "0", "--max-memory", "0",
                  str(SAMPLES / "petstore.yaml"))
    assert out.returncode == 0, out.stderr


def test_library_run_stays_in_process(monkeypatch):
    import os

    import gatekeeper

    def no_fork() -> int:
        raise AssertionError("gatekeeper.run must not fork")

    monkeypatch.setattr(os, "fork", no_fork)
    from gatekeeper.registry import builtin_gates

    report = gatekeeper.run(gatekeeper.load(str(SAMPLES / "petstore.yaml")), builtin_gates(),
                            gatekeeper.Config())
    assert report.passed


@pytest.mark.parametrize("flags", [["-q"], ["--format", "json"], ["--format=sarif", "-q"]])
def test_plain_check_imports_no_typer_live_gate_or_jsonschema(flags):
    import subprocess

    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "gatekeeper", "check", *flags,
                          str(SAMPLES / "petstore.yaml")], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    modules = {line.split("|")[-1].strip() for line in out.stderr.splitlines()
               if line.startswith("import time:")}
    assert modules, out.stderr[:500]
    for banned in ("typer", "click", "gatekeeper.live", "gatekeeper.live.gate", "jsonschema",
                   "openapi_spec_validator", "gatekeeper.cli_app"):
        assert banned not in modules, banned


@pytest.mark.parametrize("fmt", [[], ["--format", "json"], ["--format=markdown"],
                                 ["--format", "sarif"]])
def test_plain_path_and_typer_path_print_the_same(tmp_path, fmt):
    spec = str(SAMPLES / "showcase.yaml")
    plain = run_cli("check", spec, *fmt)
    # `+256`, the default depth, in a spelling only the typer app reads (gatekeeper.cli)
    typer_path = run_cli("check", spec, *fmt, "--max-depth", "+256")
    assert (plain.returncode, plain.stdout, plain.stderr) == (
        typer_path.returncode, typer_path.stdout, typer_path.stderr)
    unknown = run_cli("check", spec, "--format", "nonesuch")  # the typer app explains
    assert unknown.returncode == 2 and "nonesuch" in unknown.stderr
    missing = str(tmp_path / "missing.yaml")
    plain = run_cli("check", "-q", missing)
    typer_path = run_cli("check", "-q", missing, "--fail-on", "error")
    assert plain.returncode == typer_path.returncode == 2
    assert plain.stderr == typer_path.stderr and "not found" in plain.stderr


def test_plugin_prescan_finds_a_declared_entry_point_group(tmp_path, monkeypatch):
    from gatekeeper.registry import _may_have_plugins

    dist = tmp_path / "some_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "entry_points.txt").write_text("[gatekeeper.gates]\nmine = some_plugin:GATE\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert _may_have_plugins()
    (dist / "entry_points.txt").write_text("[console_scripts]\nx = y:z\n")
    assert not _may_have_plugins()
    zipped = tmp_path / "lib.zip"
    zipped.write_bytes(b"PK")
    monkeypatch.setattr(sys, "path", [str(tmp_path), str(zipped)])
    assert _may_have_plugins()  # a zip on the path: importlib.metadata decides


_NOISE = r"""
import os, sys
from gatekeeper.orchestration.isolation import WorkerLimits, supervise

def child(end):
    def run():
        os.write(2, b"thread '<unnamed>' panicked at instance.rs: PyObject pointer is null\n")
        print("Exception ignored in: <generator object at 0x1>", file=sys.stderr, flush=True)
        if end == "memory":
            raise MemoryError
        if end == "abort":
            os.abort()  # C code that cannot allocate aborts
        return 1
    return run

code = supervise(child(sys.argv[1]), WorkerLimits(timeout=60, max_memory=1 << 32), "spec.yaml")
sys.exit(code)
"""


@pytest.mark.parametrize("end", ["memory", "abort", "exit"])
def test_what_a_worker_wrote_as_it_failed_is_not_printed(end):
    """Under --max-memory the interpreter and extensions write stacks and panics as they
    fail; the command prints its one-line error alone. A worker that ends on its own has
    its standard error passed on whole."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", _NOISE, end], capture_output=True, text=True,
                         timeout=120, check=False)
    if end == "exit":
        assert out.returncode == 1
        assert "panicked" in out.stderr and "Exception ignored" in out.stderr
        return
    assert out.returncode == 2
    assert out.stderr == "spec.yaml: ran out of memory (limit 4 GB; raise it with " \
                         "--max-memory)\n", out.stderr


_LOUD = r"""
import os, sys
from gatekeeper.orchestration.isolation import WorkerLimits, supervise

def run():
    for i in range(20000):  # about 1.4 MB: far more than a pipe holds
        os.write(2, b"line %06d of what the worker wrote on its way out\n" % i)
    return 0

sys.exit(supervise(run, WorkerLimits(timeout=60, max_memory=1 << 32), "spec.yaml"))
"""


def test_a_worker_s_long_stderr_is_passed_on_whole():
    import subprocess

    out = subprocess.run([sys.executable, "-c", _LOUD], capture_output=True, text=True,
                         timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-500:]
    lines = out.stderr.splitlines()
    assert len(lines) == 20000 and lines[-1].startswith("line 019999"), lines[-3:]

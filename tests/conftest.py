"""Shared fixtures. Every network connection a test makes must go to loopback."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_specs"
SHARED = Path(os.environ.get("GATEKEEPER_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"


def make_spec(tmp_path: Path, text: str, name: str = "spec.yaml"):
    """Write `text` to a file and load it as a Spec (for inline cases)."""
    from gatekeeper import load

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load(str(path))


@pytest.fixture
def spec_from_text(tmp_path):
    return lambda text, name="spec.yaml": make_spec(tmp_path, text, name)


def run_cli(*args: str, cwd: str | os.PathLike | None = None, env: dict | None = None,
            timeout: float = 120):
    """Run the real CLI in a subprocess; returns CompletedProcess (text mode)."""
    import subprocess

    # COLUMNS only when a test sets it: the terminal view wraps to it
    inherited = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    full_env = {**inherited, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "gatekeeper", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def cli():
    return run_cli


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(),
                                  reason=f"shared corpus not found at {CORPUS}")


def interruptible() -> None:
    """``preexec_fn`` for a child that a test presses Ctrl-C on: SIGINT back to its default.

    A shell starts background jobs with SIGINT ignored, and a Python started with SIGINT
    ignored leaves it ignored (it raises KeyboardInterrupt only where the parent did not
    change SIGINT). A test suite run from such a job (a CI script started with ``&``) would
    otherwise send Ctrl-C to a process that cannot hear it; a terminal's Ctrl-C reaches a
    foreground process whose SIGINT is at its default, which is what the tests mean.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def unknown_keys(record, path: str = "") -> list[str]:
    """The keys of a typed section (`gatekeeper.sections`), at any depth, that its records do
    not declare: a key a stage writes must be a field of the record that reads it."""
    from gatekeeper.sections import SectionRecord

    found = [f"{path}.{key}" for key in record.extra]
    for name, _read, _default in record._fields:
        value = getattr(record, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, SectionRecord):
                found += unknown_keys(item, f"{path}.{name}")
    return found

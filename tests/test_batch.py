"""`gatekeeper check` on many specs: inputs, the process pool, the summary, exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from gatekeeper.orchestration.inputs import expand_inputs, looks_like_openapi

REPO = Path(__file__).resolve().parent.parent
PETSTORE = REPO / "sample_specs" / "petstore.yaml"
SHOWCASE = REPO / "sample_specs" / "showcase.yaml"


def _tree(tmp: Path) -> Path:
    (tmp / "apis" / "sub").mkdir(parents=True)
    (tmp / "apis" / "node_modules").mkdir()
    shutil.copy(PETSTORE, tmp / "apis" / "pets.yaml")
    shutil.copy(SHOWCASE, tmp / "apis" / "sub" / "show.yaml")
    shutil.copy(PETSTORE, tmp / "apis" / "node_modules" / "skipped.yaml")
    (tmp / "apis" / "fragment.yaml").write_text("type: object\nproperties: {}\n")
    (tmp / "apis" / "sorted.json").write_text(
        '{"components": {"x": "' + "y" * 5000 + '"}, "info": {"title": "t", "version": "1"},'
        ' "openapi": "3.0.3", "paths": {}}')
    (tmp / "apis" / "broken.yaml").write_text("openapi: 3.0.3\ninfo: [\n")
    return tmp / "apis"


def test_folders_are_searched_for_specs_by_their_first_bytes(tmp_path):
    folder = _tree(tmp_path)
    found = [Path(p).relative_to(folder).as_posix() for p in expand_inputs([str(folder)])]
    assert found == ["broken.yaml", "pets.yaml", "sorted.json", "sub/show.yaml"]
    assert not looks_like_openapi(str(folder / "fragment.yaml"))


def test_globs_files_and_duplicates(tmp_path):
    folder = _tree(tmp_path)
    got = expand_inputs([str(folder / "pets.yaml"), str(folder / "**" / "*.yaml"),
                         str(folder / "fragment.yaml"), str(folder / "missing.yaml")])
    names = [Path(p).name for p in got]
    # an explicit file is always checked; a glob keeps specs only; each file once
    assert names == ["pets.yaml", "broken.yaml", "skipped.yaml", "show.yaml", "fragment.yaml",
                     "missing.yaml"]


def _check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gatekeeper", "check", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_portfolio_summary_and_exit_codes(tmp_path):
    folder = _tree(tmp_path)
    out = _check("-q", "-j", "2", "apis", "--report", f"html={tmp_path / 'p.html'}",
                 cwd=tmp_path)
    assert out.returncode == 2, out.stderr  # a spec could not be loaded
    assert "broken.yaml:3" in out.stderr and "Traceback" not in out.stderr
    table = out.stdout[out.stdout.index("spec "):]
    assert "verdict" in table and "score" in table
    rows = {line.split()[0]: line for line in table.splitlines() if "apis/" in line}
    assert rows["apis/pets.yaml"].split()[-1] == "pass"
    assert rows["apis/sub/show.yaml"].split()[-1] == "FAIL"
    assert "ERROR" in rows["apis/broken.yaml"]
    assert "4 specs: 1 passed, 2 failed, 1 could not be loaded" in out.stdout
    assert (tmp_path / "p.html").is_file()

    assert _check("-q", str(folder / "pets.yaml"), str(folder / "sub"), cwd=tmp_path
                  ).returncode == 1
    assert _check("-q", "-j", "1", str(folder / "pets.yaml"), str(folder / "sorted.json"),
                  cwd=tmp_path).returncode in (0, 1)

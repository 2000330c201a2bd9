"""Spectral as the oracle of the style gate: run the real Spectral CLI and gatekeeper on the same
(ruleset, spec) pairs and reduce both outputs to finding sets of (rule name, JSON path,
severity), severities as Spectral numbers them (0 error, 1 warn, 2 info, 3 hint).

Spectral's CLI is found at $GATEKEEPER_SPECTRAL, else in the benchmark cache
(`~/.cache/gatekeeper-bench/spectral/node_modules/.bin/spectral`, installed by `.ci/run`, or
`~/.cache/gatekeeper-bench/peers/...`, where `benchmarks/bench_peers.py`'s peers are).
Its output is cached per (Spectral version, ruleset files, spec bytes) under
`~/.cache/gatekeeper-bench/spectral-results/` (or $GATEKEEPER_SPECTRAL_RESULTS): a rerun never
starts Node. Specs that share a ruleset run in one Spectral process (Node's start-up dominates
small specs); a batch Spectral cannot finish in time, or stops on with "Cannot read properties
of ..." (a ruleset's filter that throws on some document), is split, and a spec that alone
exceeds the limit or stops Spectral is recorded as such (and its case skipped with that
reason).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

CACHE = Path(os.environ.get("GATEKEEPER_CACHE", Path.home() / ".cache" / "gatekeeper-bench"))
SPECTRAL_VERSION = "6.16.3"
#: Spectral diagnostics that are not ruleset rules: its parser's and resolver's findings about
#: the file itself (gatekeeper's loader and validity gate report those).
NOT_RULES = {"parser", "invalid-ref", "unrecognized-format"}
SEVERITY = {"error": 0, "warn": 1, "warning": 1, "info": 2, "hint": 3}
#: Seconds one Spectral process may take (a batch, or one spec on its own).
LIMIT = float(os.environ.get("GATEKEEPER_SPECTRAL_TIMEOUT", "180"))


def spectral_command() -> list[str] | None:
    """The command that runs Spectral's CLI, or None (with `why_missing` saying why)."""
    explicit = os.environ.get("GATEKEEPER_SPECTRAL")
    if explicit:
        binary = Path(explicit)
    else:  # `.ci/run`'s install, else the one `benchmarks/bench_peers.py` installs
        binary = next((CACHE / folder / "node_modules" / ".bin" / "spectral"
                       for folder in ("spectral", "peers")
                       if (CACHE / folder / "node_modules" / ".bin" / "spectral").exists()),
                      CACHE / "spectral" / "node_modules" / ".bin" / "spectral")
    if not binary.exists() or shutil.which("node") is None:
        return None
    return [str(binary)]


def why_missing() -> str:
    if shutil.which("node") is None:
        return "node is not installed (the differential tests need Spectral's CLI)"
    return (f"Spectral's CLI is not installed: npm install --prefix {CACHE / 'spectral'} "
            f"@stoplight/spectral-cli@{SPECTRAL_VERSION} (or set GATEKEEPER_SPECTRAL)")


def results_dir() -> Path:
    path = Path(os.environ.get("GATEKEEPER_SPECTRAL_RESULTS", CACHE / "spectral-results"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _ruleset_files(ruleset: Path) -> list[Path]:
    """The ruleset and the local files it extends (their contents key the cache)."""
    import yaml

    seen: list[Path] = []
    stack = [ruleset.resolve()]
    while stack:
        path = stack.pop()
        if path in seen or not path.exists():
            continue
        seen.append(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except Exception:  # noqa: BLE001 - a broken ruleset still keys the cache by its bytes
            continue
        extends = data.get("extends") if isinstance(data, dict) else None
        items = extends if isinstance(extends, list) else [extends]
        for item in items:
            name = item[0] if isinstance(item, list) and item else item
            if isinstance(name, str) and not name.startswith(("spectral:", "http")):
                stack.append((path.parent / name).resolve())
    return seen


def _key(ruleset: Path, spec: Path) -> str:
    digest = hashlib.sha256(SPECTRAL_VERSION.encode())
    for path in _ruleset_files(ruleset):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(b"\0spec\0" + spec.suffix.encode() + spec.read_bytes())
    return digest.hexdigest()[:32]


def _run(command: list[str], ruleset: Path, specs: list[Path]) -> dict[Path, list] | str | None:
    """Spectral's raw results per spec for one batch, None when it did not finish, or the
    error with which it stopped on a spec (a filter that throws on one document, such as an
    unguarded `@.type` meeting a `null`, stops the whole run)."""
    try:
        done = subprocess.run([*command, "lint", "-r", str(ruleset), *map(str, specs), "-f",
                               "json", "--quiet", "--ignore-unknown-format"],
                              capture_output=True, text=True, timeout=LIMIT)
    except subprocess.TimeoutExpired:
        return None
    out = done.stdout.strip()
    stopped = (done.stderr or out).strip()
    if done.returncode == 2 and stopped.startswith("Error running Spectral!") \
            and "Error #1: Cannot read properties of" in stopped:
        return stopped.splitlines()[-1]
    if done.returncode not in (0, 1) or not out.startswith("["):
        raise RuntimeError(f"spectral failed on {ruleset.name} (exit {done.returncode}): "
                           f"{(done.stderr or out)[-500:]}")
    by_spec: dict[Path, list] = {spec.resolve(): [] for spec in specs}
    for item in json.loads(out):
        source = Path(item.pop("source", None) or "").resolve()
        if source in by_spec:  # findings in the spec itself, not in files it references
            item.pop("range", None)
            by_spec[source].append(item)
    return by_spec


def _store(path: Path, value: object) -> None:
    """Write one cache entry atomically (pytest-xdist workers may share the folder)."""
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    os.replace(tmp, path)


def spectral_results(ruleset: Path, specs: list[Path]) -> dict[Path, list | str]:
    """Spectral's raw results for each spec (cached), or a string saying why there are none."""
    command = spectral_command()
    assert command is not None, why_missing()
    store = results_dir()
    found: dict[Path, list | str] = {}
    todo: list[Path] = []
    same: dict[str, list[Path]] = {}  # specs with the same bytes: Spectral runs one of them
    for spec in specs:
        key = _key(ruleset, spec)
        cached = store / f"{key}.json"
        if cached.exists():
            found[spec] = json.loads(cached.read_text(encoding="utf-8"))
        else:
            if key not in same:
                todo.append(spec)
            same.setdefault(key, []).append(spec)

    def batch(group: list[Path]) -> None:
        if not group:
            return
        out = _run(command, ruleset, group)
        if out is None or isinstance(out, str):
            if len(group) == 1:
                found[group[0]] = f"Spectral did not finish within {LIMIT:.0f} s" \
                    if out is None else f"Spectral stopped on this spec: {out}"
                _store(store / f"{_key(ruleset, group[0])}.json", found[group[0]])
                return
            half = len(group) // 2
            batch(group[:half])
            batch(group[half:])
            return
        for spec in group:
            found[spec] = out[spec.resolve()]
            _store(store / f"{_key(ruleset, spec)}.json", found[spec])

    for start in range(0, len(todo), 40):
        batch(todo[start:start + 40])
    for copies in same.values():
        for spec in copies[1:]:
            found[spec] = found[copies[0]]
    return found


def spectral_set(raw: list, spec: Path) -> set[tuple[str, tuple[str, ...], int]]:
    """Spectral's findings; its `hint` compares as `info`, gatekeeper's lowest severity (a
    documented difference, docs/style.md)."""
    return {(item["code"], tuple(str(p) for p in item["path"]), min(int(item["severity"]), 2))
            for item in raw if item["code"] not in NOT_RULES}


def _decode(pointer: str) -> tuple[str, ...]:
    from urllib.parse import unquote

    text = pointer[1:] if pointer.startswith("#") else pointer
    if text in ("", "/"):
        return ()
    return tuple(unquote(part).replace("~1", "/").replace("~0", "~")
                 for part in text[1:].split("/"))


def spectral_messages(raw: list) -> dict[tuple[str, tuple[str, ...]], set[str]]:
    """Spectral's messages by (rule, path)."""
    out: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for item in raw:
        if item["code"] not in NOT_RULES:
            key = (item["code"], tuple(str(p) for p in item["path"]))
            out.setdefault(key, set()).add(item["message"])
    return out


def gatekeeper_sets(ruleset: Path, specs: list[Path], messages: dict | None = None
                    ) -> dict[Path, set | str]:
    """gatekeeper's style findings per spec (one `gatekeeper check` run for the batch); with
    `messages`, also their messages by (rule, path) per spec, put there."""
    found: dict[Path, set | str] = {}
    for start in range(0, len(specs), 60):
        group = specs[start:start + 60]
        done = subprocess.run(
            [sys.executable, "-m", "gatekeeper", "check", *map(str, group), "--ruleset",
             str(ruleset), "--select", "style", "--format", "json", "-j", "2",
             # no per-spec time limit: on a loaded runner a large spec may take longer than
             # the default, and this comparison is about findings (the run's hang bound is
             # the subprocess timeout)
             "--timeout", "0"],
            capture_output=True, text=True, timeout=900, env={**os.environ, "NO_COLOR": "1"})
        try:  # exit 2 with a report: some specs could not be checked (they have no report)
            data = json.loads(done.stdout)
        except ValueError:
            data = None
        if done.returncode not in (0, 1, 2) or data is None:
            for spec in group:
                found[spec] = f"gatekeeper exited {done.returncode}: {done.stderr.strip()[-800:]}"
            continue
        reports = data.get("reports", [data]) if isinstance(data, dict) else data
        by_file = {}
        for report in reports:
            spec_info = report.get("spec") or {}
            name = spec_info.get("path") or spec_info.get("file") or ""
            by_file[Path(name).resolve()] = report
        for spec in group:
            report = by_file.get(spec.resolve())
            if report is None or report.get("error"):
                found[spec] = f"gatekeeper could not check the spec: {(report or {}).get('error')}"
                continue
            items = set()
            said: dict[tuple[str, tuple[str, ...]], set[str]] = {}
            for gate in report.get("gates", []):
                for finding in gate.get("findings", []):
                    rule = finding.get("rule", "")
                    if not rule.startswith("style/"):
                        continue
                    file = finding.get("file")
                    if file and Path(file).resolve() != spec.resolve():
                        continue
                    name, path = rule[len("style/"):], _decode(finding.get("pointer", "#"))
                    items.add((name, path, SEVERITY.get(finding.get("severity"), -1)))
                    said.setdefault((name, path), set()).add(finding.get("message", ""))
            found[spec] = items
            if messages is not None:
                messages[spec] = said
    return found


def describe(extra: set, missing: set, limit: int = 15) -> str:
    lines = []
    for label, items in (("only gatekeeper", extra), ("only Spectral", missing)):
        for rule, path, severity in sorted(items)[:limit]:
            lines.append(f"  {label}: {rule} {'/'.join(path) or '(root)'} severity={severity}")
        if len(items) > limit:
            lines.append(f"  {label}: ... {len(items) - limit} more")
    return "\n".join(lines)

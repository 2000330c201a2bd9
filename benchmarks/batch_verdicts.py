"""Do two batch JSON reports give the same verdicts? Spec by spec, without loading either file.

    python benchmarks/batch_verdicts.py BEFORE.json AFTER.json

Compares, for every spec: the verdict, the score, each gate's verdict and metric, the
finding counts and the findings' fingerprints (with their rules). The files are read one
report at a time (`gatekeeper.merge.iter_json_reports`), so two 500 MB reports compare in
little memory. Exit 0 when everything matches, else 1 with the first differences.
"""

from __future__ import annotations

import hashlib
import sys

from gatekeeper.merge import iter_json_reports


def _digest(report: dict) -> tuple:
    findings = hashlib.sha256()
    for g in report["gates"]:
        for f in sorted((f["rule"], f["fingerprint"], f.get("waived") or "")
                        for f in (*g["findings"], *g["waived"])):
            findings.update(repr(f).encode())
    gates = tuple((g["name"], g["passed"], None if g["metric"] is None else g["metric"]["value"])
                  for g in report["gates"])
    return (report["passed"], report["score"], gates, tuple(sorted(report["summary"].items())),
            findings.hexdigest())


def verdicts(path: str) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    for kind, value in iter_json_reports(path):
        if kind == "report":
            out[value["spec"]["path"]] = _digest(value)
        elif kind == "not_checked":
            out[value["path"]] = ("not checked",)
    return out


def main() -> int:
    before, after = verdicts(sys.argv[1]), verdicts(sys.argv[2])
    only_before = sorted(set(before) - set(after))
    only_after = sorted(set(after) - set(before))
    differ = sorted(p for p in set(before) & set(after) if before[p] != after[p])
    passed = sum(1 for v in after.values() if v[0] is True)
    print(f"{len(before)} specs before, {len(after)} after; {passed} passed after; "
          f"{len(differ)} differ; {len(only_before)} only before; {len(only_after)} only after")
    for path in differ[:10]:
        print(f"  {path}:\n    before {before[path]}\n    after  {after[path]}")
    for path in only_before[:10]:
        print(f"  only before: {path} {before[path][:1]}")
    for path in only_after[:10]:
        print(f"  only after: {path} {after[path][:1]}")
    return 1 if differ or only_before or only_after else 0


if __name__ == "__main__":
    sys.exit(main())

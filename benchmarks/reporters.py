"""Time every reporter on reports of 1k, 10k and 100k findings: each must be linear.

    python benchmarks/reporters.py [--sizes 1000,10000,100000] [--runs 3] [--specs 1]

The reports are synthetic but shaped like real ones: findings spread over the gates and rules
of the shipped catalogue, all three severities, a few files, messages and pointers of real
length, some waived, some sharing a fingerprint (the same check on two parameters of one
operation). ``--one-rule`` gives every finding the same rule, the shape of a generated spec
where one check fires on every operation. ``--specs N`` splits the findings over N specs of one run (the portfolio form of
each format). Prints, per format, the best of ``--runs`` CPU times (``time.process_time``:
other processes on a shared machine disturb it far less than wall time) and the ratio of
each size to the one before: about 10 for linear growth, about 100 for quadratic.
"""

from __future__ import annotations

import argparse
import time

from gatekeeper.registry import all_gates
from gatekeeper.report import Finding, GateResult, Location, Report, RuleInfo, Severity, SpecInfo
from gatekeeper.reporters import REPORTERS
from gatekeeper.outputs import render_for

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.INFO)


def catalogue() -> list[RuleInfo]:
    rules = []
    for gate in all_gates():
        for rule in gate.rules:
            rules.append(RuleInfo(id=rule.id, gate=gate.name, severity=rule.severity,
                                  summary=rule.summary, docs=rule.docs))
    return rules


def synthetic_reports(findings: int, specs: int = 1, one_rule: bool = False) -> list[Report]:
    rules = catalogue()
    if one_rule:  # every finding of one rule, as on a generated spec (one message x 10,000)
        rules = [r for r in rules if r.id == "docs/undocumented-property"] or rules[:1]
    gates = sorted({r.gate for r in rules})
    reports = []
    per_spec = max(1, findings // specs)
    for s in range(specs):
        path = f"apis/service-{s}/openapi.yaml"
        by_gate: dict[str, list[Finding]] = {g: [] for g in gates}
        for i in range(per_spec):
            rule = rules[i % len(rules)]
            op = i // 7
            pointer = f"#/paths/~1resources{op}~1{{id}}/get/parameters/{i % 3}"
            by_gate[rule.gate].append(Finding(
                Location(path if i % 5 else f"apis/service-{s}/shared/schemas.yaml",
                         10 + i, 5 + i % 11),
                rule.id, SEVERITIES[i % len(SEVERITIES)],
                f"`GET /resources{op}/{{id}}` parameter `p{i % 3}` has no description "
                f"(finding {i} of a synthetic report)", pointer, gate=rule.gate,
                waived="x-gatekeeper-ignore" if i % 97 == 0 else None,
                # every third pair shares a fingerprint, as real findings can
                fingerprint=f"{rule.id}|#/paths/~1resources{op}~1{{id}}/get/parameters/N"
                            f"|{i // 2 if i % 3 == 0 else i}"))
        results = tuple(GateResult(name=g, title=g.title(), description="", findings=tuple(fs),
                                   metric=None, threshold=None,
                                   passed=not any(f.severity is Severity.ERROR for f in fs))
                        for g, fs in by_gate.items())
        rules_of_run = tuple(catalogue())
        reports.append(Report(tool_version="bench", spec=SpecInfo(
            path=path, title=f"Service {s}", api_version="1.0.0", openapi_version="3.1.0",
            operations=per_spec // 7 + 1), gates=results, rules=rules_of_run))
    return reports


def best_cpu(fn, runs: int) -> float:  # noqa: ANN001
    import gc

    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--specs", type=int, default=1)
    parser.add_argument("--formats", default=",".join(REPORTERS))
    parser.add_argument("--one-rule", action="store_true",
                        help="every finding of one rule (the shape of a generated spec)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = [f for f in args.formats.split(",") if f]
    runs = {n: synthetic_reports(n, args.specs, args.one_rule) for n in sizes}
    print(f"{'format':<10}" + "".join(f"{n:>12,}" for n in sizes) + "   growth per 10x")
    for name in formats:
        times = []
        for n in sizes:
            reports = runs[n]
            if name == "terminal":
                from gatekeeper.reporters.terminal import render

                def fn(reports=reports) -> None:  # noqa: ANN001
                    for r in reports:
                        render(r)
            else:
                def fn(reports=reports, name=name) -> None:  # noqa: ANN001
                    render_for(name, reports)
            times.append(best_cpu(fn, args.runs))
        growth = " ".join(f"{b / a:5.1f}x" if a > 0 else "  n/a" for a, b in zip(times, times[1:]))
        print(f"{name:<10}" + "".join(f"{t:>11.3f}s" for t in times) + f"   {growth}",
              flush=True)


if __name__ == "__main__":
    main()

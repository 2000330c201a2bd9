"""Compare a spec with its base: what the change made better or worse.

`check_against_base` runs the gates on the head spec (with ``spec.base`` set, so a gate that
compares the two, ``Gate(compares_base=True)``, sees both) and the others on the base, then:

* sorts findings into new, fixed and unchanged by `Finding.fingerprint` (a multiset: two
  equal findings in the head and one in the base make one new);
* with `new_only`, waives the unchanged ones (``waived = "existing: in base"``) so only new
  findings fail;
* with `ratchet`, adds a ``<gate>/metric-dropped`` error when a gate's metric fell below the
  base by more than the gate's ``ratchet-tolerance`` (percentage points, default 0);
* applies a baseline file (`gatekeeper.baseline`);
* stores everything, JSON-safe, in ``report.sections["compare"]`` for the reporters.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence

from gatekeeper.config import Config
from gatekeeper.engine import run
from gatekeeper.gate import Gate
from gatekeeper.report import Finding, GateResult, Report, RuleInfo, Severity

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CompareOptions", "check_against_base", "diff", "gate_settings", "options_from"]

EXISTING = "existing: in base"


def _gate_definitions() -> dict[str, Gate]:
    """The registered gates by name: what each declares for comparisons (`Gate`)."""
    from gatekeeper.registry import all_gates

    return {g.name: g for g in all_gates()}


def _compares_base(name: str, definitions: dict[str, Gate]) -> bool:
    gate = definitions.get(name)
    return gate is not None and gate.compares_base


class CompareOptions:
    def __init__(self, *, base_label: str | None = None, new_only: bool = False,
                 ratchet: bool = False, tolerances: dict[str, float] | None = None,
                 baseline: str | None = None, today: Any = None) -> None:
        self.base_label = base_label
        self.new_only = new_only
        self.ratchet = ratchet
        self.tolerances = tolerances or {}
        self.baseline = baseline
        self.today = today


def gate_settings(config: Config) -> dict[str, dict[str, Any]]:
    """Per-gate keys the engine does not read (``ratchet-tolerance``), from the config file."""
    if not config.source or not os.path.isfile(config.source):
        return {}
    import tomllib

    try:
        with open(config.source, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    if os.path.basename(config.source) == "pyproject.toml":
        data = data.get("tool", {}).get("gatekeeper", {})
    gates = data.get("gates", {})
    return {k: v for k, v in gates.items() if isinstance(v, dict)} if isinstance(gates, dict) \
        else {}


def options_from(config: Config, *, base_label: str | None, new_only: bool | None,
                 ratchet: bool | None, baseline: str | None) -> CompareOptions:
    """Flags over config keys (``new-only``, ``ratchet``, ``baseline``, ratchet tolerances)."""
    s = config.settings
    tolerances = {}
    for name, table in gate_settings(config).items():
        tol = table.get("ratchet-tolerance")
        if tol is not None:
            if not isinstance(tol, (int, float)) or isinstance(tol, bool) or tol < 0:
                from gatekeeper.errors import ConfigError

                raise ConfigError(f"{config.source}: `gates.{name}.ratchet-tolerance` must be a "
                                  f"number of percentage points >= 0")
            tolerances[name] = float(tol)
    if baseline is None and isinstance(s.get("baseline"), str) and s["baseline"]:
        baseline = s["baseline"]
        if config.source and not os.path.isabs(baseline):
            baseline = os.path.join(os.path.dirname(os.path.abspath(config.source)), baseline)
    return CompareOptions(
        base_label=base_label,
        new_only=bool(s.get("new-only", False)) if new_only is None else new_only,
        ratchet=bool(s.get("ratchet", False)) if ratchet is None else ratchet,
        tolerances=tolerances, baseline=baseline)


def _counted(report: Report) -> dict[str, list[Finding]]:
    """Findings per gate that a comparison looks at (waived in-spec ones excluded)."""
    out: dict[str, list[Finding]] = {}
    for g in report.gates:
        out[g.name] = [f for f in g.findings
                       if f.waived is None or f.waived.startswith(("baseline", "existing"))]
    return out


def _split(before: list[Finding], after: list[Finding]
           ) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """(new, fixed, unchanged) by fingerprint, as multisets."""
    left = Counter(f.fingerprint for f in before)
    new, unchanged = [], []
    for f in after:
        if left[f.fingerprint] > 0:
            left[f.fingerprint] -= 1
            unchanged.append(f)
        else:
            new.append(f)
    right = Counter(f.fingerprint for f in after)
    fixed = []
    for f in before:
        if right[f.fingerprint] > 0:
            right[f.fingerprint] -= 1
        else:
            fixed.append(f)
    return new, fixed, unchanged


def _pct(g: GateResult | None) -> float | None:
    return None if g is None or g.metric is None else round(g.metric.value * 100, 2)


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(b - a, 2)


def diff(base: Report | None, head: Report) -> dict[str, Any]:
    """The ``compare`` section (before any new-only or ratchet decisions)."""
    definitions = _gate_definitions()
    before = _counted(base) if base is not None else {}
    after = _counted(head)
    gates = []
    totals = Counter()
    for g in head.gates:
        if _compares_base(g.name, definitions):
            continue
        bg = base.gate(g.name) if base is not None else None
        new, fixed, unchanged = _split(before.get(g.name, []), after.get(g.name, []))
        totals.update(new=len(new), fixed=len(fixed), unchanged=len(unchanged))
        gates.append({
            "name": g.name, "title": g.title,
            "metric_label": g.metric.label if g.metric else None,
            "metric_before": _pct(bg), "metric_after": _pct(g),
            "metric_delta": _delta(_pct(bg), _pct(g)),
            "threshold": None if g.threshold is None else round(g.threshold * 100, 2),
            "passed_before": bg.passed if bg is not None else None,
            "counts": {"new": len(new), "fixed": len(fixed), "unchanged": len(unchanged)},
            "new": [f.to_dict() for f in new], "fixed": [f.to_dict() for f in fixed],
            "unchanged": [f.to_dict() for f in unchanged],
        })
    judges = [g for g in head.gates if _compares_base(g.name, definitions)]
    breaking = [f.to_dict() for g in judges for f in g.findings]
    score_b = base.score if base is not None else None
    section: dict[str, Any] = {
        "base": None, "head": head.spec.path, "base_found": base is not None,
        "score": {"before": score_b, "after": head.score, "delta": _delta(score_b, head.score)},
    }
    for name, gate in definitions.items():
        if gate.compare_metric:
            m_b = _pct(base.gate(name)) if base is not None else None
            m_a = _pct(head.gate(name))
            section[gate.compare_metric] = {"before": m_b, "after": m_a, "delta": _delta(m_b, m_a)}
    section.update({
        "gates": gates,
        "counts": {"new": totals["new"], "fixed": totals["fixed"],
                   "unchanged": totals["unchanged"]},
        "breaking": breaking,
        "breaking_blocking": sum(1 for g in judges for f in g.active_findings
                                 if f.severity is Severity.ERROR),
    })
    return section


def _mark_existing(head: Report, base: Report | None) -> Report:
    from gatekeeper.baseline import regate

    before = _counted(base) if base is not None else {}
    definitions = _gate_definitions()
    gates = []
    for g in head.gates:
        if base is None or _compares_base(g.name, definitions):
            gates.append(g)
            continue
        left = Counter(f.fingerprint for f in before.get(g.name, []))
        findings = []
        for f in g.findings:
            if f.waived is None and left[f.fingerprint] > 0:
                left[f.fingerprint] -= 1
                f = f.replace(waived=EXISTING)
            findings.append(f)
        gates.append(regate(g, findings, head.fail_on))
    return head.replace(gates=tuple(gates))


def _ratchet(head: Report, base: Report | None, tolerances: dict[str, float]
             ) -> tuple[Report, list[dict[str, Any]]]:
    from gatekeeper.baseline import regate

    if base is None:
        return head, []
    gates, dropped, infos = [], [], []
    for g in head.gates:
        bg = base.gate(g.name)
        if g.metric is None or bg is None or bg.metric is None:
            gates.append(g)
            continue
        tol = tolerances.get(g.name, 0.0)
        b, a = bg.metric.value * 100, g.metric.value * 100
        if a < b - tol - 1e-9:
            rule_id = f"{g.name}/metric-dropped"
            msg = (f"{g.metric.label} dropped from {b:.1f} % to {a:.1f} % "
                   f"(ratchet tolerance {tol:g} points)")
            from gatekeeper.engine import fingerprint
            from gatekeeper.pointer import Pointer

            loc = next((f.location for f in g.findings), None)
            if loc is None:
                from gatekeeper.report import Location

                loc = Location(head.spec.path, 1, 1)
            finding = Finding(location=loc.replace(line=1, column=1), rule=rule_id,
                              severity=Severity.ERROR, message=msg, pointer="#", gate=g.name,
                              fingerprint=fingerprint(rule_id, Pointer(""), rule_id))
            gates.append(regate(g, (*g.findings, finding), head.fail_on))
            dropped.append({"gate": g.name, "before": round(b, 2), "after": round(a, 2),
                            "tolerance": tol})
            infos.append(RuleInfo(
                id=rule_id, gate=g.name, severity=Severity.ERROR,
                summary=f"The {g.title.lower()} metric dropped below the base",
                docs=f"## What it does\nWith `ratchet = true`, fails the `{g.name}` gate when "
                     f"its metric is lower than on the base by more than "
                     f"`[gates.{g.name}] ratchet-tolerance` percentage points.\n\n"
                     "## Why is this bad?\nQuality should not slide one pull request at a "
                     "time, even while it is still above the threshold."))
        else:
            gates.append(g)
    return head.replace(gates=tuple(gates), rules=(*head.rules, *infos)), dropped


def check_against_base(spec: Any, base_spec: Any | None, gates: Sequence[Gate], config: Config,
                       options: CompareOptions, *, raise_errors: bool = False,
                       base_error: str | None = None) -> Report:
    """Run the gates on `spec` compared with `base_spec` (None: the spec is new)."""
    from gatekeeper.baseline import apply_baseline, read_baseline

    spec.base = base_spec
    head = run(spec, gates, config, raise_errors=raise_errors)
    base = None
    if base_spec is not None:
        base_gates = [g for g in gates if not g.compares_base]
        base = run(base_spec, base_gates, config, raise_errors=raise_errors)
    baseline_entries = None
    if options.baseline:
        baseline_entries = read_baseline(options.baseline)
        head = apply_baseline(head, baseline_entries, source=options.baseline,
                              today=options.today)
        if base is not None:
            base = apply_baseline(base, baseline_entries, source=options.baseline,
                                  today=options.today)
    section = diff(base, head)
    section["base"] = options.base_label
    if base_error:
        section["base_error"] = base_error
    if options.new_only:
        head = _mark_existing(head, base)
    dropped: list[dict[str, Any]] = []
    if options.ratchet:
        head, dropped = _ratchet(head, base, options.tolerances)
    section.update(new_only=options.new_only, ratchet=options.ratchet, ratchet_dropped=dropped)
    if base_spec is not None:
        for gate in _gate_definitions().values():
            if gate.base_facts is not None:
                section.update(gate.base_facts(base_spec, spec))
    section["passed"] = head.passed
    return head.replace(sections={**head.sections, "compare": section})


def apply_baseline_only(report: Report, path: str, today: Any = None) -> Report:
    from gatekeeper.baseline import apply_baseline, read_baseline

    return apply_baseline(report, read_baseline(path), source=path, today=today)


def run_check(spec: Any, path: str, gates: Sequence[Gate], config: Config, *, limits: Any = None,
              ref_root: str | None = None, base: str | None = None,
              base_file: str | None = None, new_only: bool | None = None,
              ratchet: bool | None = None, baseline: str | None = None,
              raise_errors: bool = False, today: Any = None) -> Report:
    """What ``gatekeeper check`` does for one spec: a plain run, or a comparison with
    ``--base REF`` / ``--base-file``, then the baseline."""
    from gatekeeper.errors import ConfigError, InputError, SpecError
    from gatekeeper.spec import load

    if base is not None and base_file is not None:
        raise ConfigError("give either --base or --base-file, not both")
    opts = options_from(config, base_label=base or base_file, new_only=new_only,
                        ratchet=ratchet, baseline=baseline)
    opts.today = today
    if base is None and base_file is None:
        report = run(spec, gates, config, raise_errors=raise_errors)
        if opts.baseline:
            report = apply_baseline_only(report, opts.baseline, today=today)
        return report
    base_error = None
    base_spec = None
    if base_file is not None:
        if not os.path.isfile(base_file):
            raise InputError(f"--base-file: {base_file}: file not found")
        try:
            base_spec = load(base_file, limits=limits)
        except SpecError as exc:
            base_error = str(exc).splitlines()[0]
    else:
        from gatekeeper.gitsource import load_at_ref

        try:
            base_spec = load_at_ref(base, path, limits=limits, ref_root=ref_root)
        except SpecError as exc:
            base_error = str(exc).splitlines()[0]
    return check_against_base(spec, base_spec, gates, config, opts, raise_errors=raise_errors,
                              base_error=base_error)

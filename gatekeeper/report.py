"""The one report model every reporter reads.

Reporters are pure functions ``render(report) -> str``. Ordering, grouping, percentages and
the overall verdict are properties of this model, computed here once and tested once, never in
a reporter or a template.
"""

from __future__ import annotations

import math
from itertools import chain
from operator import attrgetter
from enum import StrEnum

from gatekeeper.record import Record

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "SCHEMA_VERSION",
    "Finding",
    "GateResult",
    "Location",
    "Metric",
    "MetricPart",
    "Report",
    "RuleInfo",
    "Severity",
    "SpecInfo",
]

#: A spec's outcome (`Report.outcome`).
OUTCOME_PASSED, OUTCOME_FAILED, OUTCOME_ERROR = "passed", "failed", "error"

#: Version of the JSON report contract (``gatekeeper/schemas/report.schema.json``).
SCHEMA_VERSION = 1


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls(text.strip().lower())


_RANK = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1}


class Location(Record):
    """1-based line and column in a file named relative to where the user ran the check."""

    __slots__ = ("file", "line", "column")

    def __init__(self, file: str, line: int, column: int) -> None:
        self.file = file
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Finding(Record):
    """One violation as reported. Sorted by location, then rule, severity and message.

    ``waived``: why the finding does not count: ``None`` when it counts, else e.g.
    ``"x-gatekeeper-ignore"`` or ``"baseline: <reason>"``. ``fingerprint``: a stable identity
    for comparing runs: rule + pointer + normalised subject, never a line. ``extra``: optional
    extra facts (e.g. a reproduction for live findings); JSON-safe values only."""

    __slots__ = ("location", "rule", "severity", "message", "pointer", "gate", "waived",
                 "fingerprint", "extra")

    def __init__(self, location: Location, rule: str, severity: Severity, message: str,
                 pointer: str, gate: str = "", waived: str | None = None,
                 fingerprint: str = "", extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.location = location
        self.rule = rule
        self.severity = severity
        self.message = message
        self.pointer = pointer
        self.gate = gate
        self.waived = waived
        self.fingerprint = fingerprint
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "gate": self.gate,
            "severity": str(self.severity),
            "message": self.message,
            "pointer": self.pointer,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "fingerprint": self.fingerprint,
        }
        if self.waived is not None:
            data["waived"] = self.waived
        if self.extra:
            data["extra"] = dict(self.extra)
        return data


#: `Finding`'s own order (its location's file, line and column, then the other fields in
#: declaration order) as one flat tuple built in C: sorting through `Finding.__lt__` and
#: `Location.__lt__` cost 0.11 s of Autotask's 25,000 findings.
FINDING_ORDER = attrgetter("location.file", "location.line", "location.column", "rule",
                           "severity", "message", "pointer", "gate", "waived", "fingerprint",
                           "extra")


class MetricPart(Record):
    """One category of a composite metric, e.g. ``operations 9/10`` with weight 0.30."""

    __slots__ = ("name", "passed", "total", "weight")

    def __init__(self, name: str, passed: int, total: int, weight: float = 1.0) -> None:
        self.name = name
        self.passed = passed
        self.total = total
        self.weight = weight

    @property
    def ratio(self) -> float:
        return 1.0 if self.total == 0 else self.passed / self.total


class Metric(Record):
    """A ratio in [0, 1] with what it was computed from. Never a penalty count.

    ``details``: lists of elements behind the ratio, e.g. ``{"undocumented": [...]}``."""

    __slots__ = ("value", "label", "passed", "total", "breakdown", "details")
    _not_compared = ("details",)

    def __init__(self, value: float, label: str, passed: int | None = None,
                 total: int | None = None, breakdown: tuple[MetricPart, ...] = (),
                 details: dict[str, Any] | None = None) -> None:
        self.value = value
        self.label = label
        self.passed = passed
        self.total = total
        self.breakdown = breakdown
        self.details = {} if details is None else details

    @classmethod
    def ratio(cls, passed: int, total: int, label: str, **details: Any) -> Metric:
        value = 1.0 if total == 0 else passed / total
        return cls(value=value, label=label, passed=passed, total=total, details=details)

    @property
    def percent(self) -> float:
        return round(self.value * 100, 1)


class RuleInfo(Record):
    __slots__ = ("id", "gate", "severity", "summary", "docs", "enabled", "options")
    _not_compared = ("options",)

    def __init__(self, id: str, gate: str, severity: Severity, summary: str, docs: str,
                 enabled: bool = True, options: dict[str, Any] | None = None) -> None:
        self.id = id
        self.gate = gate
        self.severity = severity
        self.summary = summary
        self.docs = docs
        self.enabled = enabled
        self.options = {} if options is None else options

    @property
    def anchor(self) -> str:
        return "rule-" + self.id.replace("/", "-")


class GateResult(Record):
    __slots__ = ("name", "title", "description", "findings", "metric", "threshold", "passed",
                 "mandatory", "weight")

    def __init__(self, name: str, title: str, description: str, findings: tuple[Finding, ...],
                 metric: Metric | None, threshold: float | None, passed: bool,
                 mandatory: bool = False, weight: float = 1.0) -> None:
        self.name = name
        self.title = title
        self.description = description
        self.findings = findings
        self.metric = metric
        self.threshold = threshold
        self.passed = passed
        self.mandatory = mandatory
        self.weight = weight

    @property
    def active_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.waived is None)

    @property
    def waived_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.waived is not None)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.active_findings if f.severity is severity)

    def to_dict(self) -> dict[str, Any]:
        metric = None
        if self.metric is not None:
            m = self.metric
            metric = {
                "label": m.label,
                "value": _finite(m.value),
                "threshold": self.threshold,
                "passed": m.passed,
                "total": m.total,
                "breakdown": [
                    {"name": p.name, "passed": p.passed, "total": p.total,
                     "weight": _finite(p.weight), "ratio": _finite(p.ratio)}
                    for p in m.breakdown
                ],
                "details": _json_safe(m.details),
            }
        return {
            "name": self.name,
            "title": self.title,
            "passed": self.passed,
            "mandatory": self.mandatory,
            "weight": self.weight,
            "metric": metric,
            "findings": [f.to_dict() for f in self.active_findings],
            "waived": [f.to_dict() for f in self.waived_findings],
        }


class SpecInfo(Record):
    __slots__ = ("path", "title", "api_version", "openapi_version", "operations", "files")

    def __init__(self, path: str, title: str, api_version: str, openapi_version: str,
                 operations: int, files: int = 1) -> None:
        self.path = path
        self.title = title
        self.api_version = api_version
        self.openapi_version = openapi_version
        self.operations = operations
        self.files = files


class Report(Record):
    """``sections``: results of other stages (``"live"``, ``"compare"``) keyed by name;
    JSON-safe data, written as is under ``"sections"`` in the JSON report. Their shapes are
    in docs/report-format.md; read them through the typed views of `gatekeeper.sections`
    (`compare_section`, `baseline_section`, `live.live_section`, `load.load_section`).

    ``error``: why the spec could not be checked (it could not be loaded, its worker ran out
    of time or memory), else None. Such a report has no gates and never passes; every
    reporter shows it with its reason (`outcome`, docs/reports-in-ci.md)."""

    __slots__ = ("tool_version", "spec", "gates", "rules", "fail_on", "fail_under",
                 "generated_at", "sections", "error")
    _not_compared = ("sections",)

    def __init__(self, tool_version: str, spec: SpecInfo, gates: tuple[GateResult, ...],
                 rules: tuple[RuleInfo, ...], fail_on: Severity = Severity.ERROR,
                 fail_under: float | None = None, generated_at: str | None = None,
                 sections: dict[str, Any] | None = None, error: str | None = None) -> None:
        self.tool_version = tool_version
        self.spec = spec
        self.gates = gates
        self.rules = rules
        self.fail_on = fail_on
        self.fail_under = fail_under
        self.generated_at = generated_at
        self.sections = {} if sections is None else sections
        self.error = error

    @classmethod
    def unchecked(cls, path: str, reason: str, *, tool_version: str | None = None) -> Report:
        """The report of a spec that could not be checked: `reason` is its one-line error."""
        if tool_version is None:
            from gatekeeper.version import __version__ as tool_version
        return cls(tool_version=tool_version,
                   spec=SpecInfo(path=path, title="", api_version="", openapi_version="",
                                 operations=0, files=0),
                   gates=(), rules=(), error=reason or f"{path}: could not be checked")

    @property
    def outcome(self) -> str:
        """``"passed"``, ``"failed"`` or ``"error"`` (the spec could not be checked)."""
        if self.error is not None:
            return OUTCOME_ERROR
        return OUTCOME_PASSED if self.passed else OUTCOME_FAILED

    @property
    def below_fail_under(self) -> bool:
        """Whether the score is under ``fail_under`` (a failure of its own, beside gates)."""
        score = self.score
        return self.fail_under is not None and score is not None and score < self.fail_under

    def new_fingerprints(self) -> frozenset[str]:
        """Fingerprints of the findings a comparison with a base (``--base``) found new;
        empty without one."""
        from gatekeeper.sections import compare_section  # read by reporters, not by checks

        compare = compare_section(self)
        return compare.new_fingerprints() if compare is not None else frozenset()

    def prioritised_findings(self) -> list[Finding]:
        """The active findings, new ones first, then by severity (errors first), then in
        `FINDING_ORDER`: the order for places that show only the first N (annotations, the
        pull-request summary, code scanning)."""
        new = self.new_fingerprints()
        return sorted(self.findings, key=lambda f: (f.fingerprint not in new if new else False,
                                                    -f.severity.rank))

    @property
    def score(self) -> float | None:
        """Weight-averaged metric of the gates that have one, in percent (0 to 100)."""
        scored = [g for g in self.gates if g.metric is not None and g.weight > 0]
        if not scored:
            return None
        total_weight = sum(g.weight for g in scored)
        value = sum(g.metric.value * g.weight for g in scored) / total_weight  # type: ignore[union-attr]
        return round(value * 100, 1)

    @property
    def passed(self) -> bool:
        if self.error is not None:
            return False
        if not all(g.passed for g in self.gates):
            return False
        return not self.below_fail_under

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(sorted((f for g in self.gates for f in g.active_findings),
                            key=FINDING_ORDER))

    @property
    def waived(self) -> tuple[Finding, ...]:
        return tuple(sorted((f for g in self.gates for f in g.waived_findings),
                            key=FINDING_ORDER))

    def severity_counts(self) -> dict[str, int]:
        # Counting needs no sorted list; `list.count` finds each severity at C speed: 3.6 ms
        # of Graph beta's 38k findings, where a `str` and a dict update each took 13 ms.
        active = [f.severity for g in self.gates for f in g.findings if f.waived is None]
        return {str(s): active.count(s) for s in Severity}

    def gate(self, name: str) -> GateResult | None:
        return next((g for g in self.gates if g.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report's data. Metric details and sections that are strict JSON already
        are the report's own objects, not copies (`_json_safe`): read them, do not change
        them."""
        data = self._to_dict()
        if self.error is not None:  # only then: the reports of checked specs stay as they were
            data["outcome"] = OUTCOME_ERROR
            data["error"] = self.error
        return data

    def _to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "gatekeeper", "version": self.tool_version},
            "generated_at": self.generated_at,
            "spec": {
                "path": self.spec.path,
                "title": self.spec.title,
                "api_version": self.spec.api_version,
                "openapi_version": self.spec.openapi_version,
                "operations": self.spec.operations,
                "files": self.spec.files,
            },
            "passed": self.passed,
            "score": self.score,
            "fail_on": str(self.fail_on),
            "fail_under": self.fail_under,
            "summary": self.severity_counts(),
            "gates": [g.to_dict() for g in self.gates],
            "sections": _json_safe(self.sections),
        }


def _finite(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


def _json_safe(value: Any) -> Any:
    """Strict-JSON view of nested data: non-finite floats become strings (R17), tuples lists,
    keys str. `value` itself when it is such a view already (`_is_json_safe`): the caller
    reads it and must not change it.

    Speed: copying the gates' metric details node by node took 56 to 62 ms of Graph beta's
    report (85k values), 13 to 15 of GitHub's and 16 to 20 of Stripe's; looking at them
    level by level and giving them back takes 10 to 15, 2.5 and 4 ms (process time)."""
    return value if _is_json_safe(value) else _json_safe_copy(value)


def _json_safe_copy(value: Any) -> Any:
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, dict):
        return {str(k): _json_safe_copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe_copy(v) for v in value]
    return value


#: `_json_safe_copy` changes the values of these types and their subclasses (floats: when
#: not finite); it keeps every other value as it is.
_COPIED = (dict, list, tuple, float)
#: Types `_is_json_safe` reads past without a look at their subclasses.
_KEPT, _STR = frozenset({str, int, bool, type(None), dict, list, float}), frozenset({str})
#: Deeper data is copied, and so meets the recursion limit as it always did (a cycle, too).
_SAFE_LEVELS = 200


def _is_json_safe(value: Any) -> bool:
    """Whether `_json_safe_copy(value)` would equal `value`, with the same types throughout:
    dicts keyed by exact str, lists, finite exact floats, leaves of no type derived from
    `_COPIED`. One level of the tree at a time, typed at C speed as `reporters.json` does."""
    level = [value]
    for _ in range(_SAFE_LEVELS):
        if not level:
            return True
        kinds = set(map(type, level))
        if any(issubclass(kind, _COPIED) for kind in kinds - _KEPT):
            return False
        if float in kinds and not all(map(math.isfinite, [v for v in level if type(v) is float])):
            return False
        dicts = [v for v in level if type(v) is dict] if dict in kinds else []
        if not set(map(type, chain.from_iterable(dicts))) <= _STR:
            return False
        lists = [v for v in level if type(v) is list] if list in kinds else []
        level = [*chain.from_iterable(map(dict.values, dicts)), *chain.from_iterable(lists)]
    return False

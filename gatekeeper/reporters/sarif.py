"""SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, GitLab): built as data, serialised with
strict JSON (R17). Rules come from ``report.rules`` (summary, docs, default level); each result
carries its region and, in ``properties``, its JSON pointer and gate. Waived findings are kept
as results with a suppression, so code scanning shows them as dismissed instead of new."""

from __future__ import annotations

import json
from urllib.parse import quote

from gatekeeper.report import Finding, Report, RuleInfo, Severity, _json_safe

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["SARIF_SCHEMA", "render", "render_many", "to_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/gatekeeper-openapi/"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    """A relative URI reference for a spec path (R18: never ``file://``)."""
    return quote(path.replace("\\", "/"), safe="/:@!$&'()*+,;=-._~")


def _rule(info: RuleInfo) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": info.id,
        "name": "".join(part.title() for part in info.id.split("/", 1)[-1].split("-")),
        "shortDescription": {"text": info.summary or info.id},
        "defaultConfiguration": {"level": _LEVEL[info.severity], "enabled": info.enabled},
        "properties": {"gate": info.gate, "tags": [info.gate]},
    }
    if info.docs:
        rule["fullDescription"] = {"text": info.summary or info.id}
        rule["help"] = {"text": info.docs, "markdown": info.docs}
    return rule


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "level": _LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(f.location.file)},
                "region": {"startLine": max(1, f.location.line),
                           "startColumn": max(1, f.location.column)},
            },
            "logicalLocations": [{"fullyQualifiedName": f.pointer, "kind": "member"}],
        }],
        "properties": {"pointer": f.pointer, "gate": f.gate},
    }
    if f.rule in index:
        result["ruleIndex"] = index[f.rule]
    if f.fingerprint:
        result["partialFingerprints"] = {"gatekeeperFingerprint/v1": f.fingerprint}
    if f.extra:
        result["properties"]["extra"] = dict(f.extra)
    if f.waived is not None:
        result["suppressions"] = [{"kind": "inSource" if f.waived == "x-gatekeeper-ignore"
                                   else "external", "justification": f.waived}]
    return result


def _run(reports: list[Report]) -> dict[str, Any]:
    rules: dict[str, RuleInfo] = {}
    for report in reports:
        for info in report.rules:
            rules.setdefault(info.id, info)
    for report in reports:  # findings of rules outside the catalogue (e.g. a crashed rule)
        for g in report.gates:
            for f in g.findings:
                if f.rule not in rules:
                    rules[f.rule] = RuleInfo(id=f.rule, gate=f.gate or g.name,
                                             severity=f.severity, summary=f.rule, docs="")
    catalogue = list(rules.values())
    index = {r.id: i for i, r in enumerate(catalogue)}
    results = []
    artifacts: dict[str, None] = {}
    for report in reports:
        artifacts.setdefault(_uri(report.spec.path), None)
        for f in sorted(f for g in report.gates for f in g.findings):
            results.append(_result(f, index))
    version = reports[0].tool_version if reports else ""
    return {
        "tool": {"driver": {"name": "gatekeeper", "version": version,
                            "informationUri": INFORMATION_URI,
                            "rules": [_rule(r) for r in catalogue]}},
        "artifacts": [{"location": {"uri": uri}} for uri in artifacts],
        "results": results,
        "invocations": [{"executionSuccessful": True}],
        "properties": {"specs": [{"path": r.spec.path, "passed": r.passed,
                                  "score": _json_safe(r.score),
                                  "gates": {g.name: g.passed for g in r.gates}}
                                 for r in reports]},
    }


def to_sarif(reports: list[Report]) -> dict[str, Any]:
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [_run(reports)]}


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def render(report: Report, **_: object) -> str:
    return _dump(to_sarif([report]))


def render_many(reports: list[Report]) -> str:
    return _dump(to_sarif(list(reports)))

"""SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, GitLab): built as data, serialised with
strict JSON (R17). Rules come from ``report.rules`` (summary, docs, default level); each result
carries its region and, in ``properties``, its JSON pointer and gate. Waived findings are kept
as results with a suppression, so code scanning shows them as dismissed instead of new.

Artifact URIs are relative to the repository root (`repository_root`) through the
``SRCROOT`` base id; ``partialFingerprints`` are unique per finding and stable across runs
(`unique_fingerprints`). A run keeps at most `MAX_RESULTS` results, new and most severe
first, and says in a notification how many it left out. A spec that could not be checked is
an error notification with its reason, and the invocation is then not successful."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from gatekeeper.report import FINDING_ORDER, Finding, Report, RuleInfo, Severity, _json_safe

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["MAX_RESULTS", "SARIF_SCHEMA", "render", "render_many", "repository_root", "to_sarif",
           "unique_fingerprints"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/gatekeeper-openapi/"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


#: The base every artifact URI is relative to; its absolute location is never written
#: (code scanning maps it to the checkout; no runner path leaks into the report).
SRCROOT = "SRCROOT"
#: Results kept per run: GitHub code scanning shows at most 5,000 of a run (new and most
#: severe first here, so the cut drops the least useful; docs/reports-in-ci.md).
MAX_RESULTS = 5000


def repository_root(environ: dict[str, str] | None = None, cwd: str | None = None) -> str:
    """``$GITHUB_WORKSPACE`` when set, else the nearest folder above the working directory
    with a ``.git``, else the working directory."""
    env = os.environ if environ is None else environ
    start = os.path.abspath(cwd or os.getcwd())
    if env.get("GITHUB_WORKSPACE"):
        return os.path.abspath(env["GITHUB_WORKSPACE"])
    folder = start
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return start
        folder = parent


def _uri(path: str, root: str | None = None) -> str:
    """A URI reference relative to `root` (the repository root) for a spec path as typed
    (relative to the working directory, absolute, with ``../``; R18: never ``file://``).
    Colons are escaped: ``a:b.yaml`` is a file name, not a URI with scheme ``a``."""
    return quote(_relative(path, root), safe="/@!$&'()*+,;=-._~")


def _relative(path: str, root: str | None) -> str:
    """`path` relative to `root`, with ``/`` separators."""
    if root is not None:
        path = os.path.relpath(os.path.abspath(path), root)
    path = path.replace("\\", "/")
    return path[2:] if path.startswith("./") else path


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


def _result(f: Finding, index: dict[str, int], uri: str, fingerprint: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "level": _LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri, "uriBaseId": SRCROOT},
                "region": {"startLine": max(1, f.location.line),
                           "startColumn": max(1, f.location.column)},
            },
            "logicalLocations": [{"fullyQualifiedName": f.pointer, "kind": "member"}],
        }],
        "properties": {"pointer": f.pointer, "gate": f.gate},
    }
    if f.rule in index:
        result["ruleIndex"] = index[f.rule]
    if fingerprint:
        result["partialFingerprints"] = {"gatekeeperFingerprint/v1": fingerprint}
    if f.extra:
        result["properties"]["extra"] = dict(f.extra)
    if f.waived is not None:
        result["suppressions"] = [{"kind": "inSource" if f.waived == "x-gatekeeper-ignore"
                                   else "external", "justification": f.waived}]
    return result


def unique_fingerprints(findings: list[Finding]) -> dict[int, str]:
    """``id(finding) -> fingerprint``, unique within the spec and stable across runs.

    `Finding.fingerprint` names a finding by rule, pointer pattern and subject, so that it
    survives moves and renumbering; two findings can share one (the same check on two
    parameters of one operation). The first of a group, in pointer order, keeps it; the
    others get ``:2``, ``:3``... in that order, which depends on the spec, never on the run."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.fingerprint:
            groups.setdefault((f.location.file, f.fingerprint), []).append(f)
    out: dict[int, str] = {}
    for (_, fingerprint), group in groups.items():
        if len(group) > 1:
            group.sort(key=lambda f: (f.pointer, f.message, f.location.line, f.location.column))
        for n, f in enumerate(group, start=1):
            out[id(f)] = fingerprint if n == 1 else f"{fingerprint}:{n}"
    return out


def _notification(report: Report, root: str) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": report.error or "could not be checked"},
        "descriptor": {"id": "gatekeeper/could-not-be-checked"},
        "locations": [{"physicalLocation": {"artifactLocation": {
            "uri": _uri(report.spec.path, root), "uriBaseId": SRCROOT}}}],
    }


def _run(reports: list[Report], max_results: int = MAX_RESULTS) -> dict[str, Any]:
    root = repository_root()
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
    # Every finding of the run, the most useful first: new, then errors, then the rest;
    # waived ones last. The cut (`max_results`) drops from the end.
    ranked: list[tuple[tuple[int, int, int], int, Finding, Report]] = []
    fingerprints: dict[int, str] = {}
    for n, report in enumerate(reports):
        new = report.new_fingerprints()
        everything = sorted((f for g in report.gates for f in g.findings), key=FINDING_ORDER)
        fingerprints.update(unique_fingerprints(everything))
        for i, f in enumerate(everything):
            ranked.append(((f.waived is not None, f.fingerprint not in new if new else 0,
                            -f.severity.rank), n * 10**9 + i, f, report))
    ranked.sort(key=lambda item: (item[0], item[1]))
    kept = ranked[:max_results] if max_results else ranked
    kept.sort(key=lambda item: item[1])  # the kept results in the report's own order
    uris: dict[str, str] = {}

    def uri(path: str) -> str:
        if path not in uris:
            uris[path] = _uri(path, root)
        return uris[path]

    results = [_result(f, index, uri(f.location.file), fingerprints.get(id(f), ""))
               for _, _, f, _ in kept]
    artifacts: dict[str, None] = {}
    for report in reports:
        artifacts.setdefault(uri(report.spec.path), None)
    notifications = [_notification(r, root) for r in reports if r.error is not None]
    left_out = len(ranked) - len(kept)
    if left_out:
        by_level: dict[str, int] = {}
        for _, _, f, _ in ranked[len(kept):]:
            by_level[str(f.severity)] = by_level.get(str(f.severity), 0) + 1
        counts = ", ".join(f"{n} {s}" for s, n in sorted(by_level.items()))
        notifications.append({"level": "note", "message": {"text": (
            f"{left_out} of {len(ranked)} findings left out ({counts}): a run keeps the "
            f"{len(kept)} newest and most severe; the JSON report has all of them")},
            "descriptor": {"id": "gatekeeper/results-left-out"}})
    invocation: dict[str, Any] = {"executionSuccessful": not any(r.error is not None
                                                                for r in reports)}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    version = reports[0].tool_version if reports else ""
    specs = []
    for r in reports:
        entry: dict[str, Any] = {"path": _relative(r.spec.path, root), "passed": r.passed,
                                 "score": _json_safe(r.score),
                                 "gates": {g.name: g.passed for g in r.gates}}
        if r.error is not None:
            entry.update(outcome=r.outcome, error=r.error)
        specs.append(entry)
    return {
        "tool": {"driver": {"name": "gatekeeper", "version": version,
                            "informationUri": INFORMATION_URI,
                            "rules": [_rule(r) for r in catalogue]}},
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The repository root"}}},
        "artifacts": [{"location": {"uri": u, "uriBaseId": SRCROOT}} for u in artifacts],
        "results": results,
        "invocations": [invocation],
        "properties": {"specs": specs},
    }


def to_sarif(reports: list[Report], max_results: int = MAX_RESULTS) -> dict[str, Any]:
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [_run(reports, max_results)]}


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def render(report: Report, **_: object) -> str:
    return _dump(to_sarif([report]))


def render_many(reports: list[Report]) -> str:
    return _dump(to_sarif(list(reports)))

"""GitLab Code Quality report (the CodeClimate subset GitLab reads): a JSON array of issues,
one per active finding, each with a stable fingerprint (rule + pointer identity, never a
line) so merge requests show what is new and what was fixed. A spec that could not be
checked is a ``blocker`` issue with its reason."""

from __future__ import annotations

import hashlib
import json

from gatekeeper.report import Finding, Report, Severity

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["render", "render_many", "to_code_quality"]

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _issue(f: Finding, seen: dict[str, int]) -> dict[str, Any]:
    identity = f.fingerprint or f"{f.rule}|{f.pointer}|{f.message}"
    key = f"{f.location.file}|{identity}"
    n = seen.get(key, 0)
    seen[key] = n + 1
    digest = hashlib.sha256(f"{key}|{n}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return {
        "type": "issue",
        "check_name": f.rule,
        "description": f"{f.rule}: {f.message}",
        "categories": ["Style"],
        "severity": _SEVERITY[f.severity],
        "fingerprint": digest,
        "location": {"path": f.location.file.replace("\\", "/"),
                     "lines": {"begin": max(1, f.location.line)}},
    }


def _unchecked(report: Report) -> dict[str, Any]:
    """A spec that could not be checked: a blocker naming the reason."""
    path = report.spec.path.replace("\\", "/")
    return {
        "type": "issue",
        "check_name": "gatekeeper/could-not-be-checked",
        "description": f"gatekeeper/could-not-be-checked: {report.error}",
        "categories": ["Bug Risk"],
        "severity": "blocker",
        "fingerprint": hashlib.sha256(f"{path}|could-not-be-checked".encode(
            "utf-8", "surrogatepass")).hexdigest()[:32],
        "location": {"path": path, "lines": {"begin": 1}},
    }


def to_code_quality(reports: list[Report]) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    return [_unchecked(r) for r in reports if r.error is not None] + [
        _issue(f, seen) for r in reports for f in r.findings]


def _dump(data: list[dict[str, Any]]) -> str:
    return json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def render(report: Report, **_: object) -> str:
    return _dump(to_code_quality([report]))


def render_many(reports: list[Report]) -> str:
    return _dump(to_code_quality(list(reports)))

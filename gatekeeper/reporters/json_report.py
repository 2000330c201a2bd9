"""The JSON report: the public, versioned contract (gatekeeper/schemas/report.schema.json)."""

from __future__ import annotations

import json

from gatekeeper.report import Report


def render(report: Report, **_: object) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, allow_nan=False,
                      ensure_ascii=False) + "\n"


def render_many(reports: list[Report]) -> str:
    """Several specs in one run: a list under ``reports`` plus the overall verdict."""
    data = {"schema_version": 1, "passed": all(r.passed for r in reports),
            "reports": [r.to_dict() for r in reports]}
    return json.dumps(data, indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False) + "\n"

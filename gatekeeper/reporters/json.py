"""The JSON report: the public, versioned contract (gatekeeper/schemas/report.schema.json)."""

from __future__ import annotations

import json
import re

from gatekeeper.report import Report

# Characters JSON may carry raw but terminals act on (DEL, C1 such as CSI U+009B, bidi
# controls, line separators): written as \uXXXX escapes, which decode to the same text (G8).
_INERT = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _inert(text: str) -> str:
    return _INERT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render(report: Report, **_: object) -> str:
    return _inert(json.dumps(report.to_dict(), indent=2, sort_keys=True, allow_nan=False,
                             ensure_ascii=False)) + "\n"


def render_many(reports: list[Report]) -> str:
    """Several specs in one run: a list under ``reports`` plus the overall verdict."""
    data = {"schema_version": 1, "passed": all(r.passed for r in reports),
            "reports": [r.to_dict() for r in reports]}
    return _inert(json.dumps(data, indent=2, sort_keys=True, allow_nan=False,
                             ensure_ascii=False)) + "\n"

"""Reporters: each module has ``render(report) -> str``. Looked up by name, imported lazily so
that the engine never pays for what a run does not print."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from gatekeeper.report import Report

#: format name -> module under gatekeeper.reporters
REPORTERS: dict[str, str] = {
    "terminal": "terminal",
    "json": "json_report",
    "html": "html",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
    "gitlab": "gitlab",
}


def get(name: str) -> Callable[..., str]:
    module = importlib.import_module(f"gatekeeper.reporters.{REPORTERS[name]}")
    return module.render


def render(name: str, report: Report, **options) -> str:
    return get(name)(report, **options)


def render_many(name: str, reports: list[Report]) -> str:
    """Several specs in one output: each format's own ``render_many`` (the HTML portfolio,
    one SARIF run, one JUnit document...), else the single renders concatenated."""
    module = importlib.import_module(f"gatekeeper.reporters.{REPORTERS[name]}")
    many = getattr(module, "render_many", None)
    if many is not None:
        return many(list(reports))
    return "".join(module.render(r) for r in reports)

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
}


def get(name: str) -> Callable[..., str]:
    module = importlib.import_module(f"gatekeeper.reporters.{REPORTERS[name]}")
    return module.render


def render(name: str, report: Report, **options) -> str:
    return get(name)(report, **options)

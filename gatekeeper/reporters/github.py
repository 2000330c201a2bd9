"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per
active finding, printed automatically when ``GITHUB_ACTIONS=true``.

Every value is escaped the way the Actions runner unescapes it (``%``, CR, LF, and in
properties also ``:`` and ``,``), after `terminal_safe`, so spec text can neither end the
command early nor start a line of its own (a forged ``::error::`` or ``::add-mask::`` stays
inside the message: CVE-2020-15228, reliability.md T11).
"""

from __future__ import annotations

from gatekeeper.report import Finding, Report, Severity
from gatekeeper.reporters.text import terminal_safe

__all__ = ["annotation", "render", "render_many"]

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return terminal_safe(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    props = (f"file={_prop(f.location.file)},line={f.location.line},col={f.location.column},"
             f"title={_prop(f.rule)}")
    return f"::{_LEVEL[f.severity]} {props}::{_data(f.message)} ({_data(f.pointer)})"


def render(report: Report, **_: object) -> str:
    lines = [annotation(f) for f in report.findings]
    return "".join(line + "\n" for line in lines)


def render_many(reports: list[Report]) -> str:
    return "".join(render(r) for r in reports)

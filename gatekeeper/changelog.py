"""A changelog for API consumers: every change between two versions of a spec, grouped by
operation, each with its level (breaking, potentially breaking, informational).

`build_changelog` runs the backward-compatibility gate (every rule of it, including the
informational ones `check` leaves out) on the head with the base attached, and groups its
findings by the operation they concern (``extra["operation"]``; document-wide changes such
as servers go under "API"). The renderers turn one `Changelog` into terminal text,
Markdown (breaking changes first, under `MARKDOWN_BUDGET` characters so it fits a pull
request comment), JSON and a self-contained HTML page.
"""

from __future__ import annotations

import html
import json
import re

from gatekeeper.config import Config
from gatekeeper.engine import run
from gatekeeper.record import Record
from gatekeeper.report import Severity

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FORMATS", "MARKDOWN_BUDGET", "Change", "Changelog", "build_changelog",
           "render_changelog"]

#: The gate whose findings are the changes (looked up by name among the installed gates).
FORMATS = ("terminal", "markdown", "json", "html")
#: GitHub refuses comments over 65,536 characters; stay well under.
MARKDOWN_BUDGET = 60_000
DOCUMENT = "API"  # the group of changes that concern no single operation

_LEVELS = {Severity.ERROR: "breaking", Severity.WARNING: "potentially breaking",
           Severity.INFO: "informational"}
_TITLES = {Severity.ERROR: "Breaking changes", Severity.WARNING: "Potentially breaking changes",
           Severity.INFO: "Other changes"}
_BASE_NOTE = re.compile(r" \(base: [^()]*(?:\([^()]*\)[^()]*)*\)")


class Change(Record):
    """One change: its level, the rule that found it, the operation, what changed, where."""

    __slots__ = ("severity", "rule", "operation", "message", "location", "base_location")

    def __init__(self, severity: Severity, rule: str, operation: str, message: str,
                 location: str, base_location: str) -> None:
        self.severity = severity
        self.rule = rule
        self.operation = operation
        self.message = message
        self.location = location
        self.base_location = base_location

    @property
    def level(self) -> str:
        return _LEVELS[self.severity]

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "severity": str(self.severity), "rule": self.rule,
                "operation": self.operation, "message": self.message,
                "location": self.location, "base_location": self.base_location}


class Changelog(Record):
    __slots__ = ("base", "head", "changes", "breaking_only", "bumped")

    def __init__(self, base: str, head: str, changes: tuple[Change, ...],
                 breaking_only: bool = False, bumped: str | None = None) -> None:
        self.base = base
        self.head = head
        self.changes = changes  # sorted: worst level first, then operation, then message
        self.breaking_only = breaking_only
        self.bumped = bumped  # how the major version went up, if it did

    def count(self, severity: Severity) -> int:
        return sum(1 for c in self.changes if c.severity is severity)

    def groups(self, severity: Severity | None = None) -> list[tuple[str, list[Change]]]:
        """(operation, its changes) in order: operations with breaking changes first."""
        out: dict[str, list[Change]] = {}
        for c in self.changes:
            if severity is None or c.severity is severity:
                out.setdefault(c.operation, []).append(c)
        return sorted(out.items(), key=lambda kv: (-max(c.severity.rank for c in kv[1]),
                                                   kv[0] == DOCUMENT, kv[0]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base, "head": self.head, "breaking_only": self.breaking_only,
            "major_bump": self.bumped,
            "summary": {_LEVELS[s]: self.count(s) for s in _LEVELS},
            "operations": [{"operation": op, "changes": [c.to_dict() for c in changes]}
                           for op, changes in self.groups()],
        }


def build_changelog(base_spec: Any, head_spec: Any, config: Config, gates: Any, *,
                    base_label: str, head_label: str, breaking_only: bool = False) -> Changelog:
    """Compare `head_spec` with `base_spec` using the gate among `gates` that compares specs
    with their base (``Gate(compares_base=True)``: the backward-compatibility gate); every
    rule runs, with the levels and options of `config` (its ``[gates.<name>]`` and ``[rules]``).
    `breaking_only`: keep breaking and potentially breaking changes only."""
    gate = next((g for g in gates if g.compares_base), None)
    if gate is None:
        from gatekeeper.errors import ConfigError

        raise ConfigError("`gatekeeper diff` needs a gate that compares specs with their base "
                          "(the backward-compatibility gate is missing)")
    every_rule = tuple(r.id for r in gate.rules if not config.rule(r.id).off)
    cfg = config.replace(select=every_rule, extend_select=(), ignore=())
    head_spec.base = base_spec
    result = run(head_spec, [gate], cfg).gate(gate.name)
    levels = {r.id: cfg.rule(r.id).severity or r.severity for r in gate.rules}
    changes = []
    for f in result.findings if result is not None else ():
        extra = dict(f.extra)
        severity = f.severity
        if "allowed_by" in extra:  # a major version bump made it info: say what it is
            severity = Severity(extra["level"]) if extra.get("level") else levels[f.rule]
        if f.waived is not None or (breaking_only and severity is Severity.INFO):
            continue
        message = _BASE_NOTE.sub("", f.message, count=1).split("; allowed by the major")[0]
        changes.append(Change(severity, f.rule, extra.get("operation") or DOCUMENT, message,
                              str(f.location),
                              extra.get("base", "")))
    changes.sort(key=lambda c: (-c.severity.rank, c.operation, c.message))
    bumped = next((dict(f.extra)["allowed_by"] for f in (result.findings if result else ())
                   if "allowed_by" in dict(f.extra)), None)
    return Changelog(base_label, head_label, tuple(changes), breaking_only, bumped)


# ---------------------------------------------------------------------- renderers


def render_changelog(changelog: Changelog, fmt: str) -> str:
    return {"terminal": _terminal, "markdown": _markdown, "json": _json,
            "html": _html}[fmt](changelog)


def _summary(log: Changelog) -> str:
    parts = [f"{log.count(s)} {_LEVELS[s]}" for s in _LEVELS
             if not (log.breaking_only and s is Severity.INFO)]
    return ", ".join(parts) + (f" (allowed by the major version bump: {log.bumped})"
                               if log.bumped else "")


def _terminal(log: Changelog) -> str:
    lines = [f"Changes from {log.base} to {log.head}: {_summary(log)}"]
    if not log.changes:
        lines.append("No changes that concern API consumers.")
    for op, changes in log.groups():
        lines.append("")
        lines.append(op)
        for c in changes:
            lines.append(f"  {str(c.severity):<8} {c.message}  [{c.rule}]")
            lines.append(f"           at {c.location}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Markdown-safe inline text (code spans kept; HTML and table pipes neutralised)."""
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def _markdown(log: Changelog) -> str:
    head = [f"# API changelog: `{_md(log.base)}` → `{_md(log.head)}`", "",
            f"**{_summary(log)}**", ""]
    if not log.changes:
        head.append("No changes that concern API consumers.")
        return "\n".join(head) + "\n"
    body: list[str] = []
    size = sum(len(x) + 1 for x in head)
    room = MARKDOWN_BUDGET - 400  # keep space for the closing note
    shown = 0
    for severity, title in _TITLES.items():
        groups = log.groups(severity)
        if not groups:
            continue
        block = [f"## {title} ({log.count(severity)})", ""]
        if size + sum(len(x) + 1 for x in block) > room:
            break
        body += block
        size += sum(len(x) + 1 for x in block)
        full = False
        for op, changes in groups:
            title_line = [f"### {_md(op)}", ""]
            if size + sum(len(x) + 1 for x in title_line) > room:
                full = True
                break
            body += title_line
            size += sum(len(x) + 1 for x in title_line)
            for c in changes:
                line = f"- {_md(c.message)} `{c.rule}`"
                if size + len(line) + 1 > room:
                    full = True
                    break
                body.append(line)
                size += len(line) + 1
                shown += 1
            body.append("")
            size += 1
            if full:
                break
        if full:
            break
    if shown < len(log.changes):
        body.append(f"_… {len(log.changes) - shown} more change(s) not shown here: run "
                    f"`gatekeeper diff --format json` for the full list._")
    return "\n".join(head + body).rstrip("\n") + "\n"


def _json(log: Changelog) -> str:
    return json.dumps(log.to_dict(), indent=2, ensure_ascii=False) + "\n"


_CSS = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #ddd}
ul{list-style:none;padding-left:0}li{margin:.35rem 0}
.lvl{display:inline-block;min-width:11rem;font-size:.8rem;font-weight:600}
.error{color:#b00020}.warning{color:#9a6700}.info{color:#555}
code{background:#f4f4f4;padding:0 .2rem}.where{color:#777;font-size:.8rem;margin-left:11rem}"""


def _html_text(text: str) -> str:
    """Escape, then show `code` spans as <code>."""
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", html.escape(text, quote=True))


def _html(log: Changelog) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>API changelog: {html.escape(log.base)} to {html.escape(log.head)}</title>",
           f"<style>{_CSS}</style></head><body>",
           f"<h1>API changelog: <code>{html.escape(log.base)}</code> → "
           f"<code>{html.escape(log.head)}</code></h1>",
           f"<p><strong>{html.escape(_summary(log))}</strong></p>"]
    if not log.changes:
        out.append("<p>No changes that concern API consumers.</p>")
    for op, changes in log.groups():
        out.append(f"<h2>{html.escape(op)}</h2><ul>")
        for c in changes:
            sev = str(c.severity)
            out.append(f'<li><span class="lvl {sev}">{html.escape(c.level)}</span>'
                       f"{_html_text(c.message)} <small>{html.escape(c.rule)}</small>"
                       f'<div class="where">{html.escape(c.location)}</div></li>')
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"

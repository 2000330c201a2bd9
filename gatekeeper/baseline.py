"""Baseline files: findings a team has accepted, each with who accepted it, why and until when.

A baseline is a YAML file written by ``gatekeeper baseline SPEC``::

    version: 1
    entries:
      - rule: docs/undocumented-operation
        fingerprint: 3f1c0a9d52e4b7a1
        pointer: "#/paths/~1legacy/get"
        spec: api/openapi.yaml
        message: "`GET /legacy` has neither a summary nor a description"
        reason: legacy endpoint, removed in v3
        owner: team-payments
        expires: 2026-06-30

Entries match findings by `fingerprint` (rule + pointer fragment + normalised subject, never a
line), so they survive unrelated edits. A matching entry waives its finding
(``waived = "baseline: <reason>"``) until its `expires` date has passed; an expired entry waives
nothing and is reported; an entry that matches no finding is reported as stale.
"""

from __future__ import annotations

import datetime as dt
import os

from gatekeeper.errors import ConfigError
from gatekeeper.record import Record
from gatekeeper.report import FINDING_ORDER, Finding, GateResult, Report, Severity

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Entry", "apply_baseline", "read_baseline", "regate", "write_baseline"]

BASELINE_VERSION = 1


class Entry(Record):
    __slots__ = ("rule", "fingerprint", "pointer", "spec", "message", "reason", "owner", "expires")

    def __init__(self, rule: str, fingerprint: str, pointer: str = "", spec: str = "",
                 message: str = "", reason: str = "", owner: str = "",
                 expires: dt.date | None = None) -> None:
        self.rule = rule
        self.fingerprint = fingerprint
        self.pointer = pointer
        self.spec = spec
        self.message = message
        self.reason = reason
        self.owner = owner
        self.expires = expires

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "fingerprint": self.fingerprint,
                               "pointer": self.pointer}
        for key in ("spec", "message", "reason", "owner"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.expires is not None:
            out["expires"] = self.expires.isoformat()
        return out


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f"{where}: `expires` must be a date like 2026-12-31, got "
                          f"{str(value)[:40]!r}") from None


def read_baseline(path: str) -> list[Entry]:
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("entries", []), list):
        raise ConfigError(f"{path}: a baseline is a mapping with an `entries` list")
    out = []
    for i, raw in enumerate(data.get("entries") or []):
        where = f"{path}: entries[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("fingerprint"), str) \
                or not isinstance(raw.get("rule"), str):
            raise ConfigError(f"{where}: each entry needs a `rule` and a `fingerprint`")
        unknown = set(raw) - {"rule", "fingerprint", "pointer", "spec", "message", "reason",
                              "owner", "expires"}
        if unknown:
            raise ConfigError(f"{where}: unknown key `{sorted(unknown)[0]}`")
        out.append(Entry(rule=raw["rule"], fingerprint=raw["fingerprint"],
                         pointer=str(raw.get("pointer") or ""), spec=str(raw.get("spec") or ""),
                         message=str(raw.get("message") or ""),
                         reason=str(raw.get("reason") or ""), owner=str(raw.get("owner") or ""),
                         expires=_date(raw.get("expires"), where)))
    return out


def write_baseline(path: str, reports: list[Report], *, reason: str = "", owner: str = "",
                   expires: dt.date | None = None, keep: list[Entry] | None = None) -> list[Entry]:
    """Write every counting finding of `reports` as an entry; entries of `keep` that still
    match keep their reason, owner and expiry."""
    import yaml

    previous = {(e.spec, e.fingerprint): e for e in keep or ()}
    by_fp = {e.fingerprint: e for e in keep or ()}
    entries: list[Entry] = []
    seen: set[tuple[str, str]] = set()
    for report in reports:
        for f in _all(report):
            if f.waived is not None and not f.waived.startswith("baseline"):
                continue
            key = (report.spec.path, f.fingerprint)
            if key in seen:
                continue
            seen.add(key)
            old = previous.get(key) or by_fp.get(f.fingerprint)
            entries.append(Entry(
                rule=f.rule, fingerprint=f.fingerprint, pointer=f.pointer,
                spec=report.spec.path, message=f.message,
                reason=old.reason if old and old.reason else reason,
                owner=old.owner if old and old.owner else owner,
                expires=old.expires if old and old.expires else expires))
    data = {"version": BASELINE_VERSION, "entries": [e.to_dict() for e in entries]}
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("# gatekeeper baseline: accepted findings. Give each a reason, an owner and an\n"
                 "# expiry date; expired entries stop waiving their finding.\n")
        yaml.safe_dump(data, fh, sort_keys=False, allow_unicode=True, width=100)
    return entries


def _all(report: Report) -> list[Finding]:
    return sorted((f for g in report.gates for f in g.findings), key=FINDING_ORDER)


def regate(gate: GateResult, findings: list[Finding] | tuple[Finding, ...],
           fail_on: Severity) -> GateResult:
    """The gate result with new findings and its verdict recomputed as the engine does."""
    ordered = tuple(sorted(findings, key=FINDING_ORDER))
    failing = any(f.waived is None and f.severity.rank >= fail_on.rank for f in ordered)
    return gate.replace(findings=ordered, passed=not failing)


def apply_baseline(report: Report, entries: list[Entry], *, source: str = "",
                   today: dt.date | None = None) -> Report:
    """Waive the findings that unexpired entries match; report the entries that waived
    something (``waivers``), expired and stale entries in ``report.sections["baseline"]``."""
    today = today or dt.date.today()
    specs = {e.spec for e in entries if e.spec}
    mine = [e for e in entries if len(specs) <= 1 or not e.spec or e.spec == report.spec.path]
    by_fp: dict[str, Entry] = {}
    for e in mine:
        by_fp.setdefault(e.fingerprint, e)
    used: set[str] = set()
    expired: dict[str, dict[str, Any]] = {}
    waivers: dict[str, dict[str, Any]] = {}
    gates = []
    waived_count = 0
    for g in report.gates:
        findings = []
        for f in g.findings:
            e = by_fp.get(f.fingerprint)
            if e is not None and f.waived is None:
                used.add(e.fingerprint)
                if e.expired(today):
                    expired[e.fingerprint] = {**e.to_dict(), "file": f.location.file,
                                              "line": f.location.line}
                    f = f.replace(extra=(*f.extra, ("baseline", f"expired {e.expires}")))
                else:
                    f = f.replace(waived=f"baseline: {e.reason or 'accepted'}")
                    waived_count += 1
                    waivers.setdefault(e.fingerprint, {**e.to_dict(), "file": f.location.file,
                                                       "line": f.location.line})
            elif e is not None:
                used.add(e.fingerprint)
            findings.append(f)
        gates.append(regate(g, findings, report.fail_on))
    ran = {g.name for g in report.gates}  # entries of gates that did not run are not stale
    stale = [e.to_dict() for e in mine
             if e.fingerprint not in used and e.rule.split("/", 1)[0] in ran]
    section = {"file": source, "entries": len(mine), "waived": waived_count,
               "expired": list(expired.values()), "stale": stale, "today": today.isoformat(),
               "waivers": list(waivers.values())}
    sections = {**report.sections, "baseline": section}
    return report.replace(gates=tuple(gates), sections=sections)

"""What every compat rule shares: pairing base and head, version bumps, the finding itself."""

from __future__ import annotations

import datetime as _dt
import re

from gatekeeper import Operation, Pointer, Severity, Spec, Violation, parse_date

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Once", "base_of", "inline", "major_bumped", "op_key", "operation_pairs",
           "param_template", "today_of", "violation"]

PARAM = re.compile(r"\{[^}/]*\}")
_URL_VERSION = re.compile(r"(?:^|/)v(\d+)(?:[._-]\d+)*(?:beta\d*|alpha\d*)?(?=/|$)", re.I)
_MAJOR = re.compile(r"^\s*v?(\d+)")


def base_of(spec: Spec) -> Spec | None:
    base = getattr(spec, "base", None)
    return base if isinstance(base, Spec) else None


def today_of(today: str) -> _dt.date:
    """The `today` gate option (an ISO date, for reproducible runs), else the UTC date."""
    return parse_date(today) or _dt.datetime.now(_dt.timezone.utc).date()


# ---------------------------------------------------------------------- versions


def _major(text: str) -> int | None:
    m = _MAJOR.match(text or "")
    return int(m.group(1)) if m else None


def _url_major(spec: Spec) -> int | None:
    found = []
    for s in spec.servers:
        path = re.sub(r"^[a-z]+://[^/]*", "", s.url, flags=re.I)
        m = _URL_VERSION.search(path)
        if m:
            found.append(int(m.group(1)))
    if not found:
        for p in spec.paths:
            m = _URL_VERSION.search(str(p))
            if m:
                found.append(int(m.group(1)))
    return max(found) if found else None


def major_bumped(base: Spec, head: Spec) -> str | None:
    """How the major version went up (``"info.version 1.2.0 to 2.0.0"``), else None."""
    b, h = _major(base.api_version), _major(head.api_version)
    if b is not None and h is not None and h > b:
        return f"info.version {base.api_version} to {head.api_version}"
    b, h = _url_major(base), _url_major(head)
    if b is not None and h is not None and h > b:
        return f"URL version v{b} to v{h}"
    return None


# ---------------------------------------------------------------------- pairing


def param_template(path: str) -> str:
    """The path with its parameter names blanked: ``/pets/{id}`` and ``/pets/{petId}`` match."""
    return PARAM.sub("{}", path)


def op_key(op: Operation) -> tuple[str, str, str]:
    return op.kind, op.method, param_template(op.path)


def operation_pairs(spec: Spec) -> list[tuple[Operation, Operation, Spec]]:
    """(base operation, head operation, base spec) for every operation present in both."""
    def build() -> list[tuple[Operation, Operation, Spec]]:
        base = base_of(spec)
        if base is None:
            return []
        head_ops = {op_key(op): op for op in spec.operations}
        # two paths may differ only in parameter names: the same spelling wins
        exact = {(op.kind, op.method, op.path): op for op in spec.operations}
        out = []
        for old in base.operations:
            new = exact.get((old.kind, old.method, old.path)) or head_ops.get(op_key(old))
            if new is not None:
                out.append((old, new, base))
        return out
    return spec.memo("compat-operation-pairs", build)


def violation(spec: Spec, base: Spec, pointer: Pointer, base_pointer: Pointer, message: str,
              subject: str, severity: Severity | None = None,
              operation: str | None = None) -> Violation:
    """A finding at the head element `pointer`, naming the base location; downgraded to
    ``info`` when the major version went up (the rule's level otherwise, or `severity`).
    `operation`: the label of the operation it concerns (``extra["operation"]``, which the
    changelog groups by)."""
    where = str(base.location(base_pointer))
    bumped = spec.memo("compat-bumped", lambda: major_bumped(base, spec))
    text = f"{message} (base: {where})"
    extra = (("base", where), ("base_pointer", str(base_pointer)))
    if bumped:
        # the changelog still shows what the change is without the bump
        extra += (("allowed_by", bumped), ("level", str(severity) if severity else ""))
        severity = Severity.INFO
        text += f"; allowed by the major version bump ({bumped})"
    if operation:
        extra += (("operation", operation),)
    return Violation(pointer, text, subject=subject, severity=severity, extra=extra)


class Once:
    """Report a change once per written location, however many operations reach it."""

    def __init__(self) -> None:
        self.seen: set[tuple[Pointer, str]] = set()

    def __call__(self, pointer: Pointer, what: str) -> bool:
        key = (pointer, what)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def inline(value: Any) -> str:
    """A short rendering of a value for a message."""
    text = repr(value) if not isinstance(value, str) else value
    return f"`{text[:60]}`"


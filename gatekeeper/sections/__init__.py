"""Typed views of ``Report.sections``: the results other stages attach to a report.

A stage stores its result in ``report.sections[name]`` as JSON-safe data (the JSON report
writes it under ``"sections"``, and `gatekeeper.merge` reads it back from there). This package
declares the shape of the known sections as records, so that a reporter reads named,
typed fields instead of probing dicts:

* ``"compare"`` (`CompareSection`, written by `gatekeeper.orchestration.compare`),
* ``"baseline"`` (`BaselineSection`, written by `gatekeeper.baseline`),
* ``"live"`` (`gatekeeper.sections.live.LiveSection`, written by `gatekeeper.live`),
* ``"load"`` (`gatekeeper.sections.load.LoadSection`, written by `gatekeeper.loadtest`).

`SectionRecord.from_json` is tolerant: a missing key takes the field's default, a value of
the wrong kind becomes the default of its kind (an empty list, dict or record), and keys the
record does not know are kept. `SectionRecord.to_json` gives back the same keys in the same
order, so ``to_json(from_json(d)) == d`` for every section gatekeeper writes
(tests/test_sections.py). Findings inside a section stay in their JSON form
(`Finding.to_dict`): plain dicts.

Records, not dataclasses: see `gatekeeper.record` (start-up cost). The live and load records
are in modules of their own, kept off a plain ``gatekeeper check``: the terminal reporter
imports this module on every run but those two only for a report that has one of the
sections, and importing them (21 record classes) costs about 2.7 ms of CPU per process
(1.7 ms live, 1 ms load; measured with ``time.process_time`` on the project machine, bytecode
cached).
"""

from __future__ import annotations

from gatekeeper.record import Record

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any, Callable

    from gatekeeper.report import Report

__all__ = ["BaselineSection", "CompareGate", "CompareSection", "Counts", "Delta",
           "RatchetDrop", "SectionRecord", "baseline_section", "compare_section"]


def _any(value: Any) -> Any:
    return value


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in _list(value) if isinstance(v, dict)]


def _none() -> None:
    return None


def _false() -> bool:
    return False


def _zero() -> int:
    return 0


class SectionRecord(Record):
    """A record read from (and written back to) one JSON object.

    A subclass lists its fields in ``__slots__`` followed by ``"keys"`` and ``"extra"``, and
    in ``_fields`` as ``(name, read, default)``: ``read`` turns the JSON value into the
    field's value (a record class reads with its `from_json`), ``default`` makes the value of
    a missing key. ``keys``: the JSON object's keys in order; ``extra``: the values of the
    keys the record does not know."""

    __slots__ = ()
    _not_compared = ("keys", "extra")
    _fields: tuple[tuple[str, Callable[[Any], Any], Callable[[], Any]], ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        values = dict(zip(self.__slots__, args))
        values.update(kwargs)
        for name, _read, default in self._fields:
            setattr(self, name, values[name] if name in values else default())
        keys = values.get("keys")
        self.keys = tuple(name for name, _r, _d in self._fields) if keys is None else keys
        self.extra = values.get("extra") or {}

    @classmethod
    def from_json(cls, data: Any) -> Any:
        """The record of a JSON object (anything else reads as an empty object)."""
        if not isinstance(data, dict):
            data = {}
        values: dict[str, Any] = {}
        for name, read, default in cls._fields:
            if name in data:
                value = data[name]
                values[name] = (read.from_json(value)  # type: ignore[attr-defined]
                                if isinstance(read, type) else read(value))
            else:
                values[name] = default()
        known = {name for name, _r, _d in cls._fields}
        return cls(**values, keys=tuple(data),
                   extra={k: v for k, v in data.items() if k not in known})

    def to_json(self) -> dict[str, Any]:
        """The JSON object: the keys it was read with, in their order."""
        known = {name for name, _r, _d in self._fields}
        return {k: (_to_json(getattr(self, k)) if k in known else self.extra[k])
                for k in self.keys}

    def given(self) -> bool:
        """False for a record read from an empty JSON object, or from something that is not
        an object (or left at a `_blank` default): what ``if section.get(key):`` tested on
        the dict."""
        return bool(self.keys)


def _to_json(value: Any) -> Any:
    if isinstance(value, SectionRecord):
        return value.to_json()
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    return value


def _records(cls: type) -> Callable[[Any], list[Any]]:
    return lambda value: [cls.from_json(v) for v in _list(value)]  # type: ignore[attr-defined]


def _blank(cls: type) -> Callable[[], Any]:
    """The default of a record field whose key may be missing: the record of ``{}`` (every
    field at its default, `SectionRecord.given` false)."""
    return lambda: cls.from_json({})  # type: ignore[attr-defined]


class Counts(SectionRecord):
    """How many findings are new (not on the base), fixed (only on the base), unchanged."""

    __slots__ = ("new", "fixed", "unchanged", "keys", "extra")
    _fields = (("new", _any, _zero), ("fixed", _any, _zero), ("unchanged", _any, _zero))
    if TYPE_CHECKING:
        new: int
        fixed: int
        unchanged: int


class Delta(SectionRecord):
    """A number on the base (``before``), on the head (``after``) and ``after - before``
    (None when either is missing)."""

    __slots__ = ("before", "after", "delta", "keys", "extra")
    _fields = (("before", _any, _none), ("after", _any, _none), ("delta", _any, _none))
    if TYPE_CHECKING:
        before: float | None
        after: float | None
        delta: float | None


class CompareGate(SectionRecord):
    """One gate compared with the base: its metric (percent) before and after, and its
    findings split into new, fixed and unchanged (each a `Finding.to_dict`)."""

    __slots__ = ("name", "title", "metric_label", "metric_before", "metric_after",
                 "metric_delta", "threshold", "passed_before", "counts", "new", "fixed",
                 "unchanged", "keys", "extra")
    _fields = (("name", _any, str), ("title", _any, str), ("metric_label", _any, _none),
               ("metric_before", _any, _none), ("metric_after", _any, _none),
               ("metric_delta", _any, _none), ("threshold", _any, _none),
               ("passed_before", _any, _none), ("counts", Counts, Counts),
               ("new", _dicts, list), ("fixed", _dicts, list), ("unchanged", _dicts, list))
    if TYPE_CHECKING:
        name: str
        title: str
        metric_label: str | None
        metric_before: float | None
        metric_after: float | None
        metric_delta: float | None
        threshold: float | None
        passed_before: bool | None
        counts: Counts
        new: list[dict[str, Any]]
        fixed: list[dict[str, Any]]
        unchanged: list[dict[str, Any]]


class RatchetDrop(SectionRecord):
    """A gate whose metric fell below the base by more than its tolerance (``ratchet``)."""

    __slots__ = ("gate", "before", "after", "tolerance", "keys", "extra")
    _fields = (("gate", _any, str), ("before", _any, _none), ("after", _any, _none),
               ("tolerance", _any, _none))
    if TYPE_CHECKING:
        gate: str
        before: float | None
        after: float | None
        tolerance: float | None


class CompareSection(SectionRecord):
    """``sections["compare"]``: the head spec checked against a base (``--base``,
    ``--base-file``, ``gatekeeper changed``). docs/report-format.md describes each key.

    ``coverage``, ``breaking``, ``breaking_blocking`` and ``major_bump`` are written by gates
    that compare with the base; they are absent (None, empty) when no such gate ran."""

    __slots__ = ("head", "base", "base_found", "base_error", "deleted", "score", "coverage",
                 "gates", "counts", "breaking", "breaking_blocking", "major_bump", "new_only",
                 "ratchet", "ratchet_dropped", "passed", "keys", "extra")
    _fields = (("head", _any, _none), ("base", _any, _none), ("base_found", _any, _false),
               ("base_error", _any, _none), ("deleted", _any, _false),
               ("score", Delta, Delta), ("coverage", Delta, _none),
               ("gates", _records(CompareGate), list), ("counts", Counts, Counts),
               ("breaking", _dicts, list), ("breaking_blocking", _any, _zero),
               ("major_bump", _any, _none), ("new_only", _any, _false),
               ("ratchet", _any, _false), ("ratchet_dropped", _records(RatchetDrop), list),
               ("passed", _any, _none))
    if TYPE_CHECKING:
        head: str | None
        base: str | None
        base_found: bool
        base_error: str | None
        deleted: bool
        score: Delta
        coverage: Delta | None
        gates: list[CompareGate]
        counts: Counts
        breaking: list[dict[str, Any]]
        breaking_blocking: int
        major_bump: str | None
        new_only: bool
        ratchet: bool
        ratchet_dropped: list[RatchetDrop]
        passed: bool | None

    def new_fingerprints(self) -> frozenset[str]:
        """Fingerprints of the findings that are not on the base."""
        return frozenset(f.get("fingerprint", "") for g in self.gates for f in g.new)


class BaselineSection(SectionRecord):
    """``sections["baseline"]``: what a baseline file (``--baseline``) did. Each entry of
    ``waivers`` (entries that waived a finding), ``expired`` and ``stale`` (entries that
    matched nothing) is the entry's JSON form; ``waivers`` and ``expired`` add the ``file``
    and ``line`` of the finding."""

    __slots__ = ("file", "entries", "waived", "expired", "stale", "today", "waivers", "keys",
                 "extra")
    _fields = (("file", _any, str), ("entries", _any, _zero), ("waived", _any, _zero),
               ("expired", _dicts, list), ("stale", _dicts, list), ("today", _any, str),
               ("waivers", _dicts, list))
    if TYPE_CHECKING:
        file: str
        entries: int
        waived: int
        expired: list[dict[str, Any]]
        stale: list[dict[str, Any]]
        today: str
        waivers: list[dict[str, Any]]


def compare_section(report: Report) -> CompareSection | None:
    """The typed ``compare`` section of `report`, None when it has none (no base)."""
    data = report.sections.get("compare")
    return CompareSection.from_json(data) if data and isinstance(data, dict) else None


def baseline_section(report: Report) -> BaselineSection | None:
    """The typed ``baseline`` section of `report`, None when it has none (no baseline)."""
    data = report.sections.get("baseline")
    return BaselineSection.from_json(data) if data and isinstance(data, dict) else None

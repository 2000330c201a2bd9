"""A batch's per-spec summaries, worst-first order, totals and shards (docs/ci-matrix.md).

A batch over thousands of specs keeps one `SpecSummary` per spec (verdict, per-gate verdicts,
score, counts), never the full reports: those are streamed to their outputs as they arrive
(`gatekeeper.stream`). The portfolio table, the HTML portfolio page and the exit code are
built from the summaries.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence

from gatekeeper.errors import ConfigError
from gatekeeper.record import Record

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["DETAIL_LIMIT", "GateSummary", "SpecSummary", "Totals", "parse_shard",
           "select_shard", "worst_first"]

#: Up to this many specs, the HTML portfolio and the Markdown summary show each spec in full.
DETAIL_LIMIT = 100

PASSED, FAILED, NOT_CHECKED = "passed", "failed", "not checked"


class GateSummary(Record):
    __slots__ = ("name", "title", "passed", "metric")

    def __init__(self, name: str, title: str, passed: bool, metric: float | None) -> None:
        self.name = name
        self.title = title
        self.passed = passed
        self.metric = metric


class SpecSummary(Record):
    """What the portfolio needs of one spec. ``index``: its place among the batch's inputs;
    ``error``: why it could not be checked (then it has no gates)."""

    __slots__ = ("index", "path", "title", "outcome", "error", "score", "operations",
                 "openapi_version", "counts", "gates", "report_file")

    def __init__(self, index: int, path: str, title: str, outcome: str, error: str | None,
                 score: float | None, operations: int, openapi_version: str,
                 counts: dict[str, int], gates: tuple[GateSummary, ...],
                 report_file: str | None = None) -> None:
        self.index = index
        self.path = path
        self.title = title
        self.outcome = outcome
        self.error = error
        self.score = score
        self.operations = operations
        self.openapi_version = openapi_version
        self.counts = counts
        self.gates = gates
        self.report_file = report_file

    @classmethod
    def of_report(cls, index: int, report: Any) -> SpecSummary:
        return cls(index=index, path=report.spec.path, title=report.spec.title,
                   outcome=PASSED if report.passed else FAILED, error=None, score=report.score,
                   operations=report.spec.operations,
                   openapi_version=report.spec.openapi_version,
                   counts=report.severity_counts(),
                   gates=tuple(GateSummary(g.name, g.title, g.passed,
                                           None if g.metric is None else g.metric.value)
                               for g in report.gates))

    @classmethod
    def of_error(cls, index: int, path: str, error: str) -> SpecSummary:
        return cls(index=index, path=path, title="", outcome=NOT_CHECKED, error=error,
                   score=None, operations=0, openapi_version="",
                   counts={"error": 0, "warning": 0, "info": 0}, gates=())

    @property
    def passed(self) -> bool:
        return self.outcome == PASSED

    @property
    def checked(self) -> bool:
        return self.error is None

    def gate(self, name: str) -> GateSummary | None:
        return next((g for g in self.gates if g.name == name), None)

    @property
    def failed_gates(self) -> tuple[str, ...]:
        return tuple(g.name for g in self.gates if not g.passed)


def worst_first(summaries: Iterable[SpecSummary]) -> list[SpecSummary]:
    """Specs that could not be checked, then failed specs, then passed ones; within each,
    lowest score first (no score counts as lowest), then most errors and warnings, then path."""
    rank = {NOT_CHECKED: 0, FAILED: 1, PASSED: 2}
    return sorted(summaries, key=lambda s: (
        rank[s.outcome], -1.0 if s.score is None else s.score, -s.counts.get("error", 0),
        -s.counts.get("warning", 0), s.path))


class Totals(Record):
    __slots__ = ("specs", "passed", "failed", "not_checked")

    def __init__(self, specs: int = 0, passed: int = 0, failed: int = 0,
                 not_checked: int = 0) -> None:
        self.specs = specs
        self.passed = passed
        self.failed = failed
        self.not_checked = not_checked

    @classmethod
    def of(cls, summaries: Iterable[SpecSummary]) -> Totals:
        totals = cls()
        for s in summaries:
            totals.add(s)
        return totals

    def add(self, summary: SpecSummary) -> None:
        self.specs += 1
        if summary.outcome == PASSED:
            self.passed += 1
        elif summary.outcome == FAILED:
            self.failed += 1
        else:
            self.not_checked += 1

    @property
    def exit_code(self) -> int:
        """As for one spec: 2 if any spec could not be checked, else 1 if any failed, else 0."""
        return 2 if self.not_checked else 1 if self.failed else 0


# ---------------------------------------------------------------------- shards


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``: the second of three shards."""
    index, sep, count = text.strip().partition("/")
    try:
        k, n = int(index), int(count)
    except ValueError:
        k = n = 0
    if not sep or n < 1 or not 1 <= k <= n:
        raise ConfigError(f"--shard takes K/N with 1 <= K <= N (e.g. --shard 2/3); got {text!r}")
    return k, n


def _shard_key(path: str) -> bytes:
    """Where a spec sits on the shard ring: a hash of its path as given (forward slashes,
    no leading ``./``), the same on every runner of a CI matrix."""
    name = path.replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).digest()


def _size(path: str) -> int:
    try:
        return max(1, os.path.getsize(path))
    except OSError:
        return 1


def shard_numbers(paths: Sequence[str], count: int) -> list[int]:
    """The shard (0-based) of each path, of `count` shards.

    The specs are laid out in the order of a hash of their path, each taking as much room as
    its file size; shard k takes the specs whose middle falls in the k-th of `count` equal
    parts. So every shard gets about the same number of bytes (within one spec), the choice
    depends on nothing but the paths and sizes (not on the order of the inputs nor on the
    runner), and adding or removing a spec only moves specs that sit at a boundary."""
    order = sorted(range(len(paths)), key=lambda i: (_shard_key(paths[i]), paths[i]))
    sizes = [_size(p) for p in paths]
    total = sum(sizes) or 1
    numbers = [0] * len(paths)
    before = 0
    for i in order:
        numbers[i] = min(count - 1, (2 * before + sizes[i]) * count // (2 * total))
        before += sizes[i]
    return numbers


def select_shard(paths: Sequence[str], index: int, count: int) -> list[str]:
    """The paths of shard `index` (1-based) of `count`, in input order."""
    numbers = shard_numbers(paths, count)
    return [p for p, n in zip(paths, numbers) if n == index - 1]

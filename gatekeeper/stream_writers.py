"""The spool that keeps a batch's output pieces on disk, the interface of a format's batch
writer (`_Writer`), and the writers of the formats whose batch output is the specs' pieces
merged in input order: JSON, SARIF, JUnit, GitLab Code Quality, GitHub annotations and the
plain concatenation of each spec's output (`ConcatWriter`). `gatekeeper.stream` puts them
to work (`gatekeeper.stream.writer_for`, `gatekeeper.stream.BatchOutputs`) and holds the
writers of the portfolio pages, which depend on the size of the batch.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any, BinaryIO

    from gatekeeper.portfolio import SpecSummary

__all__ = ["ConcatWriter", "GithubWriter", "GitlabWriter", "JsonWriter", "JunitWriter",
           "RenderAllWriter", "SarifWriter", "Spool"]

class Spool:
    """Pieces of text keyed by a spec's index, kept in a temporary file, read back in index
    order."""

    def __init__(self) -> None:
        self.file: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 - closed in `close`
        self.where: dict[int, tuple[int, int]] = {}
        self.end = 0

    def put(self, index: int, text: str) -> None:
        data = text.encode("utf-8")
        self.file.seek(self.end)
        self.file.write(data)
        self.where[index] = (self.end, len(data))
        self.end += len(data)

    def __len__(self) -> int:
        return len(self.where)

    def pieces(self) -> Any:
        """Each piece's text, in index order."""
        self.file.flush()
        for index in sorted(self.where):
            offset, size = self.where[index]
            self.file.seek(offset)
            yield self.file.read(size).decode("utf-8")

    def close(self) -> None:
        self.file.close()


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.split("\n"))


# ---------------------------------------------------------------------- one writer per format


class _Writer:
    """One output format. Each report is turned into its `piece` (which may run in the
    worker that checked the spec: it reads nothing but the report, its index among the
    inputs and the writer's settings) and the piece is `absorb`-ed here as it arrives;
    `finish` writes the output into `out`."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.spool = Spool()

    def piece(self, index: int, report: Any) -> Any:
        raise NotImplementedError

    def absorb(self, summary: SpecSummary, piece: Any) -> None:
        if piece is not None:
            self.spool.put(summary.index, piece)

    def add(self, summary: SpecSummary, report: Any) -> None:
        """`piece` and `absorb` in one (a report that could not be checked: None)."""
        self.absorb(summary, None if report is None else self.piece(summary.index, report))

    def finish(self, out: Any, summaries: Sequence[SpecSummary], extra: dict[str, Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.spool.close()


def _rule_dict(info: Any) -> dict[str, Any]:
    return {"id": info.id, "gate": info.gate, "severity": str(info.severity),
            "summary": info.summary, "docs": info.docs, "enabled": info.enabled}


class JsonWriter(_Writer):
    """``{"passed": ..., "reports": [...], "schema_version": 1}`` as
    `gatekeeper.reporters.json.render_many` writes it, streamed, plus ``rules``: the
    rule catalogue of the run (what ``gatekeeper merge`` needs to rebuild SARIF and JUnit).
    A spec that could not be checked is a report of its own (``outcome`` ``error`` and the
    reason), as in the single-run JSON; a shard is named under ``shard`` when it applies."""

    def __init__(self, total: int) -> None:
        super().__init__(total)
        self.rules: dict[str, tuple[int, dict[str, Any]]] = {}
        self.catalogue_key: tuple[str, ...] | None = None

    def piece(self, index: int, report: Any) -> Any:
        from gatekeeper.reporters.json import _inert

        text = json.dumps(report.to_dict(), indent=2, sort_keys=True, allow_nan=False,
                          ensure_ascii=False)
        return _indent(_inert(text), "    "), [_rule_dict(info) for info in report.rules]

    def absorb(self, summary: SpecSummary, piece: Any) -> None:
        if piece is None:
            return
        text, rules = piece
        for rule in rules:
            known = self.rules.get(rule["id"])
            if known is None or summary.index < known[0]:
                self.rules[rule["id"]] = (summary.index, rule)
        self.spool.put(summary.index, text)

    def finish(self, out: Any, summaries: Sequence[SpecSummary], extra: dict[str, Any]) -> None:
        from gatekeeper.reporters.json import _inert

        head: dict[str, Any] = {"schema_version": 1,
                                "passed": all(s.passed for s in summaries),
                                "reports": [],
                                "rules": [r for _, r in sorted(self.rules.values(),
                                                               key=lambda kv: kv[0])]}
        if extra.get("shard"):
            head["shard"] = extra["shard"]
        text = _inert(json.dumps(head, indent=2, sort_keys=True, allow_nan=False,
                                 ensure_ascii=False)) + "\n"
        before, after = text.split('\n  "reports": []', 1)
        out.write(before + '\n  "reports": [')
        first = True
        for piece in self.spool.pieces():
            out.write(("\n" if first else ",\n") + piece)
            first = False
        out.write(("]" if first else "\n  ]") + after)


class SarifWriter(_Writer):
    """One SARIF run over every spec, as `gatekeeper.reporters.sarif.render_many` writes it:
    each report's results are spooled with their rank (new first, then by severity, waived
    last); the rule catalogue (each rule in the order of its first appearance) and the number
    of results per rank are kept, so the run's cap on results (`sarif.MAX_RESULTS`, the
    lowest ranks dropped first) is applied when the run is written, without holding the
    results. A spec that could not be checked is an error notification."""

    def __init__(self, total: int) -> None:
        super().__init__(total)
        self.rules: dict[str, tuple[tuple[int, int, int], Any]] = {}
        self.version = ""
        self.first_index = -1
        self.specs: dict[int, dict[str, Any]] = {}
        self.notifications: dict[int, dict[str, Any]] = {}
        self.per_rank: dict[tuple[int, ...], int] = {}
        self.levels: dict[tuple[int, ...], dict[str, int]] = {}

    def piece(self, index: int, report: Any) -> Any:
        from gatekeeper.report import FINDING_ORDER, RuleInfo, _json_safe
        from gatekeeper.reporters.sarif import (_notification, _relative, _result, _uri,
                                                repository_root, unique_fingerprints)

        root = repository_root()
        rules: dict[str, tuple[tuple[int, int], Any]] = {}
        for pos, info in enumerate(report.rules):
            rules.setdefault(info.id, ((0, pos), info))
        pos = 0
        for g in report.gates:
            for f in g.findings:
                if f.rule not in rules:
                    rules[f.rule] = ((1, pos), RuleInfo(id=f.rule, gate=f.gate or g.name,
                                                        severity=f.severity, summary=f.rule,
                                                        docs=""))
                pos += 1
        new = report.new_fingerprints()
        everything = sorted((f for g in report.gates for f in g.findings), key=FINDING_ORDER)
        fingerprints = unique_fingerprints(everything)
        uris: dict[str, str] = {}
        results = []
        for f in everything:
            rank = (int(f.waived is not None), int(f.fingerprint not in new) if new else 0,
                    -f.severity.rank)
            if f.location.file not in uris:
                uris[f.location.file] = _uri(f.location.file, root)
            results.append([list(rank), str(f.severity),
                            _result(f, {}, uris[f.location.file], fingerprints.get(id(f), ""))])
        spec: dict[str, Any] = {"path": _relative(report.spec.path, root), "passed": report.passed,
                                "score": _json_safe(report.score),
                                "gates": {g.name: g.passed for g in report.gates}}
        notification = None
        if report.error is not None:
            spec.update(outcome=report.outcome, error=report.error)
            notification = _notification(report, root)
        return (json.dumps(results, allow_nan=False, ensure_ascii=False), list(rules.values()),
                spec, report.tool_version, _uri(report.spec.path, root), notification)

    def absorb(self, summary: SpecSummary, piece: Any) -> None:
        if piece is None:
            return
        results, rules, spec, version, artifact, notification = piece
        index = summary.index
        if self.first_index < 0 or index < self.first_index:
            self.first_index, self.version = index, version
        for (phase, pos), info in rules:
            key = (phase, index, pos)
            known = self.rules.get(info.id)
            if known is None or key < known[0]:
                self.rules[info.id] = (key, info)
        for rank, level, _ in json.loads(results):
            key = tuple(rank)
            self.per_rank[key] = self.per_rank.get(key, 0) + 1
            levels = self.levels.setdefault(key, {})
            levels[level] = levels.get(level, 0) + 1
        self.spool.put(index, results)
        self.specs[index] = {**spec, "_artifact": artifact}
        if notification is not None:
            self.notifications[index] = notification

    def _cut(self) -> tuple[tuple[int, ...] | None, int, int, dict[str, int]]:
        """The rank from which results are dropped, how many of that rank are kept, how
        many are kept in all, and the dropped results by level."""
        from gatekeeper.reporters.sarif import MAX_RESULTS

        room = MAX_RESULTS
        dropped: dict[str, int] = {}
        cut: tuple[int, ...] | None = None
        keep_at_cut = 0
        for rank in sorted(self.per_rank):
            count = self.per_rank[rank]
            if cut is None and count <= room:
                room -= count
                continue
            if cut is None:
                cut, keep_at_cut = rank, room
                room = 0  # the dropped ones of this rank are counted by level on output
                continue
            for level, n in self.levels[rank].items():
                dropped[level] = dropped.get(level, 0) + n
        kept = MAX_RESULTS - room if cut is not None else sum(self.per_rank.values())
        return cut, keep_at_cut, kept, dropped

    def finish(self, out: Any, summaries: Sequence[SpecSummary], extra: dict[str, Any]) -> None:
        from gatekeeper.reporters.sarif import INFORMATION_URI, SARIF_SCHEMA, SRCROOT, _dump, _rule

        catalogue = [info for _, info in sorted(self.rules.values(), key=lambda kv: kv[0])]
        index = {r.id: i for i, r in enumerate(catalogue)}
        specs = [self.specs[i] for i in sorted(self.specs)]
        artifacts = list(dict.fromkeys(s.pop("_artifact") for s in specs))
        cut, keep_at_cut, kept, dropped = self._cut()
        notifications = [self.notifications[i] for i in sorted(self.notifications)]
        placeholder = {"level": "note", "message": {"text": ""}, "descriptor": {
            "id": "gatekeeper/results-left-out"}} if cut is not None else None
        if placeholder is not None:
            notifications.append(placeholder)
        invocation: dict[str, Any] = {"executionSuccessful": not self.notifications}
        if notifications:
            invocation["toolExecutionNotifications"] = notifications
        run: dict[str, Any] = {
            "tool": {"driver": {"name": "gatekeeper", "version": self.version,
                                "informationUri": INFORMATION_URI,
                                "rules": [_rule(r) for r in catalogue]}},
            "originalUriBaseIds": {SRCROOT: {"description": {"text": "The repository root"}}},
            "artifacts": [{"location": {"uri": uri, "uriBaseId": SRCROOT}} for uri in artifacts],
            "results": [],
            "invocations": [invocation],
            "properties": {"specs": specs},
        }
        # The left-out note needs the levels of the dropped results at the cut rank: count
        # them while writing, then write the run's tail (which holds the note) last.
        head, tail = _dump({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}).split(
            '\n      "results": []', 1)
        out.write(head + '\n      "results": [')
        first = True
        seen_at_cut = 0
        for piece in self.spool.pieces():
            for rank, level, result in json.loads(piece):
                rank = tuple(rank)
                if cut is not None and rank > cut:
                    continue
                if cut is not None and rank == cut:
                    seen_at_cut += 1
                    if seen_at_cut > keep_at_cut:
                        dropped[level] = dropped.get(level, 0) + 1
                        continue
                if result["ruleId"] in index:
                    result = _with_rule_index(result, index[result["ruleId"]])
                text = json.dumps(result, indent=2, allow_nan=False, ensure_ascii=False)
                out.write(("\n" if first else ",\n") + _indent(text, "        "))
                first = False
        out.write("]" if first else "\n      ]")
        if placeholder is not None:
            total = sum(self.per_rank.values())
            counts = ", ".join(f"{n} {s}" for s, n in sorted(dropped.items()))
            placeholder["message"]["text"] = (
                f"{total - kept} of {total} findings left out ({counts}): a run keeps the "
                f"{kept} newest and most severe; the JSON report has all of them")
            tail = _dump({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}).split(
                '\n      "results": []', 1)[1]
        out.write(tail)


def _with_rule_index(result: dict[str, Any], rule_index: int) -> dict[str, Any]:
    """`result` with ``ruleIndex`` where `gatekeeper.reporters.sarif._result` puts it."""
    out: dict[str, Any] = {}
    for key, value in result.items():
        out[key] = value
        if key == "properties":
            out["ruleIndex"] = rule_index
    return out


class JunitWriter(_Writer):
    """One ``<testsuites>`` document: each report's suites are spooled, the totals written
    in the root element at the end (`gatekeeper.reporters.junit`)."""

    def __init__(self, total: int) -> None:
        super().__init__(total)
        self.tests = self.failures = self.errors = 0

    def piece(self, index: int, report: Any) -> Any:
        import xml.etree.ElementTree as ET

        from gatekeeper.reporters.junit import (_fail_under_suite, _suite, _unchecked_suite,
                                                xml_safe)

        root = ET.Element("testsuites")
        where = f" ({report.spec.path})" if self.total > 1 else ""
        tests = failures = errors = 0
        if report.error is not None:
            _unchecked_suite(root, report, xml_safe(f"gatekeeper{where}"),
                             xml_safe(f"gatekeeper{where}"))
            tests, errors = 1, 1
        for g in report.gates:
            t, f = _suite(root, report, g, xml_safe(f"{g.name}{where}"),
                          f"gatekeeper.{g.name}{where}")
            tests += t
            failures += f
        if report.error is None and report.fail_under is not None and report.score is not None:
            failures += _fail_under_suite(root, report, xml_safe(f"fail-under{where}"),
                                          xml_safe(f"gatekeeper.fail-under{where}"))
            tests += 1
        if not len(root):
            return None
        ET.indent(root, space="  ")
        text = ET.tostring(root, encoding="unicode")
        return text[text.index("\n") + 1:text.rindex("\n")], tests, failures, errors

    def absorb(self, summary: SpecSummary, piece: Any) -> None:
        if piece is None:
            return
        text, tests, failures, errors = piece
        self.tests += tests
        self.failures += failures
        self.errors += errors
        self.spool.put(summary.index, text)

    def finish(self, out: Any, summaries: Sequence[SpecSummary], extra: dict[str, Any]) -> None:
        head = (f'<testsuites name="gatekeeper" tests="{self.tests}" '
                f'failures="{self.failures}" errors="{self.errors}" time="0"')
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + head)
        if not len(self.spool):
            out.write(" />\n")
            return
        out.write(">\n")
        for piece in self.spool.pieces():
            out.write(piece + "\n")
        out.write("</testsuites>\n")


class GitlabWriter(_Writer):
    """GitLab Code Quality: one JSON array of issues (`gatekeeper.reporters.gitlab`). An
    issue's fingerprint counts the issues with the same key before it in input order, so the
    fingerprints are set when the array is written, in that order."""

    def piece(self, index: int, report: Any) -> Any:
        from gatekeeper.reporters.gitlab import _issue, _unchecked

        issues = []
        if report.error is not None:
            issue = _unchecked(report)
            issues.append([f"{report.spec.path}|could-not-be-checked", issue])
        for f in report.findings:
            identity = f.fingerprint or f"{f.rule}|{f.pointer}|{f.message}"
            issues.append([f"{f.location.file}|{identity}", _issue(f, {})])
        return json.dumps(issues, allow_nan=False, ensure_ascii=False) if issues else None

    def finish(self, out: Any, summaries: Sequence[SpecSummary], extra: dict[str, Any]) -> None:
        import hashlib

        seen = _DigestCounts()
        first = True
        for piece in self.spool.pieces():
            for key, issue in json.loads(piece):
                n = seen.get(key, 0)
                seen[key] = n + 1
                issue["fingerprint"] = hashlib.sha256(
                    f"{key}|{n}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
                text = json.dumps(issue, indent=2, allow_nan=False, ensure_ascii=False)
                out.write(("[\n" if first else ",\n") + _indent(text, "  "))
                first = False
        out.write("[]\n" if first else "\n]\n")


class _DigestCounts(dict):  # type: ignore[type-arg]
    """The count per key that keeps GitLab fingerprints unique, keyed by an 8-byte digest of
    the key: one entry per finding of the whole batch, so kept small."""

    @staticmethod
    def _key(key: str) -> bytes:
        import hashlib

        return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(self._key(key), default)

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(self._key(key), value)


class ConcatWriter(_Writer):
    """Formats whose batch output is each spec's output in turn (GitHub annotations, the
    terminal view)."""

    def __init__(self, total: int, render: Callable[[Any], str], sep: str = "",
                 tail: Callable[[Sequence[SpecSummary]], str] | None = None) -> None:
        super().__init__(total)
        self.render = render
        self.sep = sep
        self.tail = tail

    def piece(self, index: int, report: Any) -> Any:
        return self.render(report)

    def finish(self, out: Any, summaries: Sequence[SpecSummary], extra: dict[str, Any]) -> None:
        for i, piece in enumerate(self.spool.pieces()):
            out.write((self.sep if i else "") + piece)
        if self.tail is not None:
            out.write(self.tail(summaries))


class GithubWriter(_Writer):
    """GitHub annotations as `gatekeeper.reporters.github.render_many` writes them for the
    whole batch: specs that could not be checked first, then findings new and most severe
    first across every spec, at most `github.MAX_ANNOTATIONS` lines, info left out, and a
    notice saying what was left out. Each spec's lines are spooled with their rank; the
    lines are written rank by rank, so no more than the cap is read back."""

    def __init__(self, total: int) -> None:
        super().__init__(total)
        self.unchecked = Spool()
        self.per_rank: dict[tuple[int, int], int] = {}
        self.hidden_info = 0

    def piece(self, index: int, report: Any) -> Any:
        from gatekeeper.report import Severity
        from gatekeeper.reporters.github import annotation, unchecked_annotation

        new = report.new_fingerprints()
        lines = []
        hidden = 0
        for f in report.prioritised_findings():
            if f.severity is Severity.INFO:
                hidden += 1
                continue
            rank = (int(f.fingerprint not in new) if new else 0, -f.severity.rank)
            lines.append([list(rank), annotation(f)])
        first = unchecked_annotation(report) if report.error is not None else None
        return json.dumps(lines, ensure_ascii=False), hidden, first

    def absorb(self, summary: SpecSummary, piece: Any) -> None:
        if piece is None:
            return
        lines, hidden, first = piece
        self.hidden_info += hidden
        for rank, _ in json.loads(lines):
            key = (rank[0], rank[1])
            self.per_rank[key] = self.per_rank.get(key, 0) + 1
        self.spool.put(summary.index, lines)
        if first is not None:
            self.unchecked.put(summary.index, first)

    def finish(self, out: Any, summaries: Sequence[SpecSummary], extra: dict[str, Any]) -> None:
        from gatekeeper.reporters.github import MAX_ANNOTATIONS, _data

        written = 0
        for line in self.unchecked.pieces():
            out.write(line + "\n")
            written += 1
        room = max(0, MAX_ANNOTATIONS - written)
        shown = sum(self.per_rank.values())
        for rank in sorted(self.per_rank):
            if room <= 0:
                break
            for piece in self.spool.pieces():
                for line_rank, line in json.loads(piece):
                    if (line_rank[0], line_rank[1]) != rank:
                        continue
                    out.write(line + "\n")
                    room -= 1
                    if room <= 0:
                        break
                if room <= 0:
                    break
        over_cap = shown - min(max(0, MAX_ANNOTATIONS - written), shown)
        if over_cap or self.hidden_info:
            parts = [f"{over_cap} more error and warning findings (over the cap of "
                     f"{MAX_ANNOTATIONS})"] if over_cap else []
            if self.hidden_info:
                parts.append(f"{self.hidden_info} info findings")
            out.write(f"::notice title=gatekeeper::{_data(' and '.join(parts))} not annotated; "
                      "the SARIF, JSON and HTML reports list every finding\n")

    def close(self) -> None:
        super().close()
        self.unchecked.close()


class RenderAllWriter(_Writer):
    """A format with no streaming writer of its own (a reporter module added without one):
    every report is kept whole in the spool (pickled; the spool is a temporary file, so not in
    memory), and at the end the module's ``render_many(reports)`` writes the document, or,
    without one, each report's ``render`` in turn. Costs a batch's reports read back at once:
    a format that must serve thousands of specs gets a streaming writer in `writer_for`."""

    def __init__(self, total: int, module: Any) -> None:
        super().__init__(total)
        self.module = module

    def piece(self, index: int, report: Any) -> Any:
        import pickle

        # latin-1 maps every byte to one character and back: the spool keeps text
        return pickle.dumps(report).decode("latin-1")

    def finish(self, out: Any, summaries: Sequence[SpecSummary], extra: dict[str, Any]) -> None:
        import pickle

        # our own workers' pickles, from a temporary file this process created
        from gatekeeper.reporters import render_many_of

        reports = [pickle.loads(piece.encode("latin-1")) for piece in self.spool.pieces()]
        out.write(render_many_of(self.module, reports))

"""A batch's outputs, written as reports arrive, so that memory does not grow with the specs.

Each output format has a writer that turns one report into its piece of the output the
moment the report arrives (from a worker, or from a shard's JSON in ``gatekeeper merge``) and
appends it to a spool file on disk; the report is then dropped. When the batch ends, the
writer puts the head (which needs the totals: the verdict, the counts, SARIF's rule
catalogue), the pieces in input order and the tail into the target file. Only the per-spec
summaries (`gatekeeper.portfolio.SpecSummary`) and small per-format state stay in memory.

For a batch of up to `DETAIL_LIMIT` specs the HTML portfolio and the Markdown summary carry
every spec's full section, as they always did; past it, the table of specs only (a page or
a comment with thousands of full sections is unusable), and the HTML rows link to the
per-spec reports of ``--report-dir``.

The spool, the writers' interface and the writers of the formats that do not depend on the
size of the batch are in `gatekeeper.stream_writers`; the writers of the Markdown summary
and the HTML portfolio page are here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence

from gatekeeper.errors import ConfigError
from gatekeeper.portfolio import DETAIL_LIMIT, SpecSummary, Totals, worst_first
from gatekeeper.record import Record
from gatekeeper.stream_writers import (
    ConcatWriter,
    GithubWriter,
    GitlabWriter,
    JsonWriter,
    JunitWriter,
    RenderAllWriter,
    SarifWriter,
    Spool,
    _Writer,
)

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["DETAIL_LIMIT", "BatchOutputs", "ConcatWriter", "Spool", "Target", "report_file_name",
           "writer_for"]

#: Rows of the Markdown portfolio table past `DETAIL_LIMIT` (a comment has a size limit).
MARKDOWN_ROWS = 50


# ---------------------------------------------------------------------- the portfolio pages


class MarkdownWriter(_Writer):
    """The Markdown summary: for a batch of up to `DETAIL_LIMIT` specs, every spec's section
    (what `gatekeeper.reporters.markdown.render_many` writes: the headline, then each spec
    with 50 findings listed, or 10, or none, the most that fits `markdown.MAX_CHARS`, cut
    there if even that is too long); else a portfolio table of the worst `MARKDOWN_ROWS`
    specs with the totals. Each spec's section is spooled at the three sizes."""

    ROWS = (50, 10, 0)

    def __init__(self, total: int) -> None:
        super().__init__(total)
        self.compare = Spool()
        self.sized = [Spool() for _ in self.ROWS]
        self.lengths = [0 for _ in self.ROWS]
        self.tail_length = 0
        self.detailed = total <= DETAIL_LIMIT

    def piece(self, index: int, report: Any) -> Any:
        if not self.detailed:
            return None
        from gatekeeper.reporters._pr_summary import compare_sections
        from gatekeeper.reporters.html import markdown_environment
        from gatekeeper.reporters.markdown import _load_lines

        template = markdown_environment().get_template("summary.md.j2")
        sections = [template.render(reports=[report], max_findings=rows) for rows in self.ROWS]
        return sections, compare_sections([report]) + _load_lines([report])

    def absorb(self, summary: SpecSummary, piece: Any) -> None:
        if piece is None:
            return
        sections, tail = piece
        for n, text in enumerate(sections):
            self.sized[n].put(summary.index, text)
            self.lengths[n] += len(text)
        self.compare.put(summary.index, tail)
        self.tail_length += len(tail)

    def finish(self, out: Any, summaries: Sequence[SpecSummary], extra: dict[str, Any]) -> None:
        if not self.detailed:
            out.write(markdown_portfolio(summaries))
            return
        from gatekeeper.reporters._pr_summary import MAX_CHARS, cap

        head = ""
        if len(summaries) > 1:
            passed = sum(1 for s in summaries if s.passed)
            unchecked = sum(1 for s in summaries if not s.checked)
            head = (f"# {'✅' if passed == len(summaries) else '❌'} gatekeeper: "
                    f"{len(summaries)} specs, {passed} passed, "
                    f"{len(summaries) - passed - unchecked} failed"
                    + (f", {unchecked} could not be checked" if unchecked else "") + "\n\n")
        tail = self.tail_length
        for n, length in enumerate(self.lengths):
            if len(head) + length + tail <= MAX_CHARS or n == len(self.ROWS) - 1:
                break
        if len(head) + self.lengths[n] + tail <= MAX_CHARS:
            out.write(head)
            for piece in self.sized[n].pieces():
                out.write(piece)
            for piece in self.compare.pieces():
                out.write(piece)
            return
        text = head + "".join(self.sized[n].pieces()) + "".join(self.compare.pieces())
        out.write(cap(text, MAX_CHARS))  # bounded: at most what fits in a comment, plus a note

    def close(self) -> None:
        super().close()
        self.compare.close()
        for spool in self.sized:
            spool.close()


def markdown_portfolio(summaries: Sequence[SpecSummary], rows: int = MARKDOWN_ROWS) -> str:
    from gatekeeper.reporters.html import markdown_environment

    template = markdown_environment().get_template("portfolio.md.j2")
    ordered = worst_first(summaries)
    return template.render(totals=Totals.of(summaries), rows=ordered[:rows],
                           more=max(0, len(ordered) - rows))


class HtmlWriter(_Writer):
    """The HTML portfolio page (`gatekeeper.reporters.html.render_portfolio_page`): the table
    from the summaries, worst first; each spec's full section (spooled as it arrives) for a
    batch of up to `DETAIL_LIMIT` specs."""

    def __init__(self, total: int) -> None:
        super().__init__(total)
        self.detailed = total <= DETAIL_LIMIT
        self.meta: tuple[int, str, str | None] | None = None

    def piece(self, index: int, report: Any) -> Any:
        section = None
        if self.detailed and report.error is None:
            from gatekeeper.reporters.html import render_spec_section

            section = render_spec_section(report, index + 1)
        return section, report.tool_version, report.generated_at

    def absorb(self, summary: SpecSummary, piece: Any) -> None:
        if piece is None:
            return
        section, version, generated_at = piece
        if self.meta is None or summary.index < self.meta[0]:
            self.meta = (summary.index, version, generated_at)
        if section is not None:
            self.spool.put(summary.index, section)

    def finish(self, out: Any, summaries: Sequence[SpecSummary], extra: dict[str, Any]) -> None:
        from gatekeeper.reporters.html import render_portfolio_page

        _, version, generated = self.meta or (0, "", None)
        links = extra.get("links") or {}
        before, after = render_portfolio_page(
            summaries, version=version, generated_at=generated,
            detailed=self.detailed and bool(len(self.spool)), links=links,
            shard=extra.get("shard"))
        out.write(before)
        for piece in self.spool.pieces():
            out.write(piece)
        out.write(after)


def writer_for(name: str, total: int) -> _Writer:
    if name == "json":
        return JsonWriter(total)
    if name == "sarif":
        return SarifWriter(total)
    if name == "junit":
        return JunitWriter(total)
    if name == "markdown":
        return MarkdownWriter(total)
    if name == "html":
        return HtmlWriter(total)
    if name == "gitlab":
        return GitlabWriter(total)
    if name == "github":
        return GithubWriter(total)
    from gatekeeper.reporters import REPORTERS, module_of

    if name not in REPORTERS:
        raise ConfigError(f"no batch writer for the {name} format")
    # a reporter module without a streaming writer above: its render_many over every report
    return RenderAllWriter(total, module_of(name))


# ---------------------------------------------------------------------- per-spec files

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+=,-]+")


def report_file_name(path: str) -> str:
    """Where a spec's report goes under ``--report-dir``: its path relative to the working
    folder (or, outside it, its absolute path without the root), each part made safe,
    with ``.json``: ``apis/pets.yaml`` -> ``apis/pets.yaml.json``. The same for every shard
    of a CI matrix."""
    rel = os.path.relpath(os.path.abspath(path))
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        rel = os.path.splitdrive(os.path.abspath(path))[1].lstrip("\\/")
    parts = [_UNSAFE.sub("_", part) for part in re.split(r"[\\/]+", rel) if part]
    parts = [p if p not in (".", "..") else "_" for p in parts] or ["spec"]
    return "/".join(parts) + ".json"


# ---------------------------------------------------------------------- all of a batch's outputs


class Target:
    """Where one output goes: a file (``path``; ``append`` to add to it) or a stream;
    ``writer``: one of the caller's own instead of the format's; ``on_error``: called with
    the `OSError` of a file that cannot be written (default: a `ConfigError`)."""

    __slots__ = ("name", "path", "append", "writer", "on_error")

    def __init__(self, name: str, path: Any, *, append: bool = False, writer: Any = None,
                 on_error: Callable[[OSError], None] | None = None) -> None:
        self.name = name
        self.path = path
        self.append = append
        self.writer = writer
        self.on_error = on_error


class Digest(Record):
    """What a worker sends back for a spec in place of its report (`BatchOutputs.digest`)."""

    __slots__ = ("summary", "pieces", "failure")

    def __init__(self, summary: SpecSummary, pieces: list[Any], failure: str | None) -> None:
        self.summary = summary
        self.pieces = pieces
        self.failure = failure


class BatchOutputs:
    """Every output of a batch run. ``add`` each spec's report (or error) as it arrives,
    then ``finish``: writes the files, returns the summaries in input order.

    `targets`: ``(format, path)`` pairs (``--report``) or `Target` objects (a stream, a
    file to append to, a writer of one's own); `report_dir`: a folder for one JSON report
    per spec; `shard`: ``"K/N"`` to record."""

    def __init__(self, targets: Sequence[Any], total: int, *,
                 report_dir: str | None = None, shard: str | None = None) -> None:
        self.total = total
        self.targets = [t if isinstance(t, Target) else Target(t[0], t[1]) for t in targets]
        self.writers = [t.writer or writer_for(t.name, total) for t in self.targets]
        self.report_dir = report_dir
        self.shard = shard
        self.summaries: list[SpecSummary] = []
        self.totals = Totals()

    def digest(self, index: int, report: Any) -> Digest:
        """What the outputs need of one report: its summary, each writer's piece, and (with
        a report folder) the report written to its file. Runs in the worker that checked
        the spec, so the report itself never travels to this process."""
        summary = SpecSummary.of_report(index, report)
        pieces = [writer.piece(index, report) for writer in self.writers]
        failure = None
        if self.report_dir is not None:
            failure = self._write_spec_report(summary, report)
        return Digest(summary, pieces, failure)

    def absorb(self, digest: Digest) -> SpecSummary:
        """Take in a spec's `digest` as it arrives."""
        if digest.failure is not None:
            raise ConfigError(digest.failure)
        summary = digest.summary
        for writer, piece in zip(self.writers, digest.pieces):
            writer.absorb(summary, piece)
        self.summaries.append(summary)
        self.totals.add(summary)
        return summary

    def add(self, index: int, path: str, report: Any = None, error: str | None = None
            ) -> SpecSummary:
        """A spec's report (or, when it could not be checked, its error) in this process."""
        if report is not None:
            return self.absorb(self.digest(index, report))
        from gatekeeper.report import Report

        # Every format shows a spec that could not be checked, with its reason: its outputs
        # are rendered from the report of an unchecked spec, like any other report's.
        unchecked = Report.unchecked(path, error or f"{path}: could not be checked")
        pieces = [writer.piece(index, unchecked) for writer in self.writers]
        return self.absorb(Digest(SpecSummary.of_error(index, path, unchecked.error or ""),
                                  pieces, None))

    def _write_spec_report(self, summary: SpecSummary, report: Any) -> str | None:
        """Write the report under `report_dir`; the error, if it could not be written."""
        from gatekeeper.reporters import render

        name = report_file_name(summary.path)
        target = os.path.join(self.report_dir or ".", *name.split("/"))
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(render("json", report))
        except OSError as exc:
            return f"--report-dir: cannot write {target}: {exc.strerror or exc}"
        summary.report_file = name
        return None

    def finish(self) -> list[SpecSummary]:
        """Write every target; returns the summaries in input order."""
        self.summaries.sort(key=lambda s: s.index)
        try:
            for target, writer in zip(self.targets, self.writers):
                name, path = target.name, target.path
                extra: dict[str, Any] = {"shard": self.shard}
                if name == "html" and self.report_dir is not None:
                    extra["links"] = _links(self.summaries, self.report_dir,
                                            path if isinstance(path, str) else ".")
                if not isinstance(path, str):  # a stream
                    writer.finish(path, self.summaries, extra)
                    path.flush()
                    continue
                try:
                    with open(path, "a" if target.append else "w", encoding="utf-8",
                              newline="\n") as fh:
                        writer.finish(fh, self.summaries, extra)
                except OSError as exc:
                    if target.on_error is not None:
                        target.on_error(exc)
                        continue
                    raise ConfigError(f"cannot write the {name} report to {path}: "
                                      f"{exc.strerror or exc}") from None
        finally:
            self.close()
        return self.summaries

    def close(self) -> None:
        for writer in self.writers:
            writer.close()


def _links(summaries: Sequence[SpecSummary], report_dir: str, page: str) -> dict[int, str]:
    """Each spec's ``--report-dir`` file, relative to the HTML page that links to it."""
    base = os.path.dirname(os.path.abspath(page))
    out = {}
    for s in summaries:
        if s.report_file:
            target = os.path.join(os.path.abspath(report_dir), *s.report_file.split("/"))
            out[s.index] = os.path.relpath(target, base).replace(os.sep, "/")
    return out

"""Writing the reports a run was asked for (``--report FORMAT=PATH``) and the GitHub Actions
extras (annotations on the log, the Markdown summary appended to ``$GITHUB_STEP_SUMMARY``).

Only paths the user named are written, exactly those (no folder is created); a path that is
one of the specs being checked, named twice, a folder, or in a folder that does not exist or
cannot be written, is refused before anything runs (`check_writable`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Collection, Sequence

from gatekeeper.errors import ConfigError
from gatekeeper.report import Report
from gatekeeper.reporters import REPORTERS, module_of, render, render_many
from gatekeeper.safe_text import utf8, write_text

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["REPORT_FORMATS", "check_writable", "encoded_for", "github_actions",
           "parse_report_args", "render_for", "write_reports"]

#: Formats ``--report`` accepts (the terminal view always prints on stdout).
REPORT_FORMATS = tuple(name for name in REPORTERS if name != "terminal")


def parse_report_args(values: Sequence[str] | None,
                      inputs: Sequence[str] = ()) -> list[tuple[str, str]]:
    """``["html=scorecard.html", ...]`` -> ``[("html", "scorecard.html"), ...]``."""
    targets: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    specs = {os.path.realpath(p) for p in inputs}
    for value in values or ():
        name, sep, path = value.partition("=")
        name = name.strip().lower()
        if not sep or not name or not path.strip():
            raise ConfigError(f"--report takes FORMAT=PATH (e.g. html=scorecard.html); got "
                              f"{value!r}")
        if name not in REPORT_FORMATS:
            raise ConfigError(f"--report: unknown format {name!r}; use one of "
                              f"{', '.join(REPORT_FORMATS)}")
        real = os.path.realpath(path)
        if real in seen:
            raise ConfigError(f"--report {name}={path}: the {seen[real]} report already "
                              "writes that file")
        check_writable(path, f"--report {name}={path}", specs)
        seen[real] = name
        targets.append((name, path))
    return targets


def check_writable(path: str, label: str, specs: Collection[str] = ()) -> None:
    """Refuse, before any spec is checked, an output path that cannot be written: a spec
    being checked (`specs`: their real paths), a folder, a file in a folder that does not
    exist, or a place without write permission. Nothing is created or truncated here."""
    if specs and os.path.realpath(path) in specs:
        raise ConfigError(f"{label}: that is a spec being checked; refusing to overwrite it")
    if os.path.isdir(path):
        raise ConfigError(f"{label}: is a folder; name a file")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        shown = os.path.dirname(path) or "."
        raise ConfigError(f"{label}: the folder {shown} does not exist; create it or name "
                          "another path")
    if os.path.exists(path):
        if not os.access(path, os.W_OK):
            raise ConfigError(f"{label}: the file is not writable")
    elif not os.access(folder, os.W_OK | os.X_OK):
        shown = os.path.dirname(path) or "."
        raise ConfigError(f"{label}: cannot create a file in {shown} (permission denied)")


def render_for(name: str, reports: Sequence[Report]) -> str:
    """One format over the run: the single-spec form for one spec, else the combined one
    (the HTML portfolio, one SARIF run, one JUnit document, ...)."""
    if len(reports) == 1:
        return render(name, reports[0])
    return render_many(name, list(reports))


def encoded_for(name: str, reports: Sequence[Report]) -> bytes:
    """`render_for` as the UTF-8 bytes to write. A format whose module renders bytes itself
    (``render_bytes``: JSON, from orjson's bytes) is neither decoded nor encoded again on the
    way out (Graph beta's 32 MB report: 0.22 -> 0.135 s of CPU to render and write)."""
    direct = getattr(module_of(name), "render_bytes", None) if len(reports) == 1 else None
    if direct is not None:
        return direct(reports[0])
    return utf8(render_for(name, reports))


def write_reports(reports: Sequence[Report], targets: Sequence[tuple[str, str]], *,
                  redact: Callable[[str], str] | None = None) -> None:
    if not reports:  # no spec could be loaded: the error lines say why, no empty report
        return
    for name, path in targets:
        if redact is None:
            blob = encoded_for(name, reports)
        else:
            blob = utf8(redact(render_for(name, reports)))
        try:
            with open(path, "wb") as fh:
                fh.write(blob)
        except OSError as exc:
            raise ConfigError(f"cannot write the {name} report to {path}: "
                              f"{exc.strerror or exc}") from None


def github_actions(reports: Sequence[Report], *, environ: dict[str, str] | None = None,
                   stream: TextIO | None = None,
                   redact: Callable[[str], str] | None = None) -> bool:
    """When ``GITHUB_ACTIONS=true``: print the annotations and append the Markdown summary to
    ``$GITHUB_STEP_SUMMARY``. Returns whether it did anything."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS", "").lower() != "true" or not reports:
        return False
    from gatekeeper.reporters import github, markdown

    annotations = github.render_many(list(reports))
    summary = markdown.render_many(list(reports))
    if redact is not None:
        annotations, summary = redact(annotations), redact(summary)
    out = stream if stream is not None else sys.stdout
    write_text(out, annotations)
    out.flush()
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            with open(summary_path, "a", encoding="utf-8", newline="\n") as fh:
                write_text(fh, summary + "\n")
        except OSError as exc:
            sys.stderr.write(f"gatekeeper: cannot append to $GITHUB_STEP_SUMMARY: "
                             f"{exc.strerror or exc}\n")
    return True

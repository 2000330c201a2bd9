"""``gatekeeper check`` over many specs: workers check, this process streams the outputs.

Each report goes to every output the moment its worker hands it back
(`gatekeeper.stream.BatchOutputs`) and is dropped; only per-spec summaries stay, so the
memory of this process does not grow with the number of specs. A spec that could not be
checked prints its one-line error on stderr as it happens.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["batch_targets", "check_batch"]


def batch_targets(*, fmt: str, output: str | None, quiet: bool, color: bool,
                  report_targets: Sequence[tuple[str, str]], pr_summary: str | None,
                  total: int, environ: dict[str, str] | None = None) -> list[Any]:
    """Every output of a batch: the ``--format`` view (``-o`` or stdout), the ``--report``
    files, ``--pr-summary``, and on GitHub Actions the annotations and the step summary."""
    from gatekeeper.batch import portfolio_table
    from gatekeeper.reporters import _pr_summary, render
    from gatekeeper.stream import ConcatWriter, Target

    main_out: Any = output if output else sys.stdout
    targets: list[Any] = []
    if fmt != "terminal":  # a document format: the same as `--report FMT=`, to -o or stdout
        targets.append(Target(fmt, main_out))
    else:
        def terminal(report: Any) -> str:
            if quiet:  # -q on many specs: the portfolio table alone
                return ""
            return render("terminal", report, color=color) + "\n"

        def table(summaries: Any) -> str:
            return "\n" + portfolio_table(summaries)

        targets.append(Target("terminal", main_out,
                              writer=ConcatWriter(total, terminal, tail=table)))
    targets += [Target(name, path) for name, path in report_targets]
    if pr_summary:
        targets.append(Target("pr-summary", pr_summary,
                              writer=ConcatWriter(total, _pr_summary.render, sep="\n")))
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS", "").lower() == "true":
        stream = sys.stderr if fmt != "terminal" and not output else sys.stdout
        targets.append(Target("github", stream))
        summary_path = env.get("GITHUB_STEP_SUMMARY")
        if summary_path:
            def cannot(exc: OSError) -> None:
                sys.stderr.write(f"gatekeeper: cannot append to $GITHUB_STEP_SUMMARY: "
                                 f"{exc.strerror or exc}\n")

            from gatekeeper.stream import MarkdownWriter

            class StepSummary(MarkdownWriter):  # the summary plus a blank line, as for one spec
                def finish(self, out: Any, summaries: Any, extra: Any) -> None:
                    if any(s.checked for s in summaries):
                        super().finish(out, summaries, extra)
                        out.write("\n")

            targets.append(Target("markdown", summary_path, append=True,
                                  writer=StepSummary(total), on_error=cannot))
    return targets


def check_batch(paths: Sequence[str], check: Any, *, targets: Sequence[Any], jobs: int | None,
                worker: Any, progress: str, report_dir: str | None, shard: str | None,
                debug: bool) -> int:
    """Check every path, stream every output, print the errors; the batch's exit code."""
    from gatekeeper.batch import run_batch
    from gatekeeper.safe_text import terminal_safe
    from gatekeeper.stream import BatchOutputs

    outputs = BatchOutputs(targets, len(paths), report_dir=report_dir, shard=shard)
    try:
        def arrived(index: int, outcome: Any) -> None:
            if outcome.digest is not None:
                outputs.absorb(outcome.digest)
                return
            if outcome.report is None:
                sys.stderr.write("\n".join(terminal_safe(line) for line in
                                           (outcome.error or "").split("\n")) + "\n")
            outputs.add(index, outcome.path, report=outcome.report, error=outcome.error)

        run_batch(paths, check, arrived, jobs=jobs, progress=progress, raise_errors=debug,
                  worker_limits=worker, digest=outputs.digest)
    except BaseException:
        outputs.close()
        raise
    outputs.finish()
    return outputs.totals.exit_code

"""``gatekeeper diff BASE HEAD``: the changelog between two versions of a spec.

BASE and HEAD are each a spec file, or a git ref resolved as ``check --base`` does (the
spec as committed at that ref, read without touching the working tree). A ref needs to
know which file: ``REF:path/to/openapi.yaml``, or ``--spec path``, or the other argument
when that one is a file (``gatekeeper diff main api/openapi.yaml``).
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from gatekeeper.errors import InputError
from gatekeeper.safe_text import write_text

__all__ = ["diff"]


class DiffFormat(str, Enum):
    terminal = "terminal"
    markdown = "markdown"
    json = "json"
    html = "html"


def _split_ref(arg: str) -> tuple[str, str | None]:
    """``REF:path`` into (ref, path); a plain ref into (ref, None)."""
    ref, sep, path = arg.partition(":")
    return (ref, path) if sep and ref and path else (arg, None)


def _resolve(arg: str, other: str, spec_path: str | None, which: str, limits: object,
             ref_root: str | None) -> object:
    from gatekeeper.gitsource import load_at_ref
    from gatekeeper.spec import load

    if os.path.isfile(arg):
        return load(arg, limits=limits, ref_root=ref_root)
    if ":" not in arg and arg.lower().endswith((".yaml", ".yml", ".json")):
        # Looks like a spec file, not a git ref: say so, rather than a git error about the
        # other argument.
        raise InputError(f"{which} {arg}: file not found; give an existing spec file or a git "
                         f"ref (`REF:path/to/openapi.yaml`)")
    ref, path = _split_ref(arg)
    path = path or spec_path or (other if os.path.isfile(other) else None)
    if path is None:
        raise InputError(f"{which} {arg!r}: not a file; to read it as a git ref, name the spec "
                         f"as `{arg}:path/to/openapi.yaml` or with --spec PATH")
    spec = load_at_ref(ref, path, limits=limits, ref_root=ref_root)
    if spec is None:
        raise InputError(f"{which} {arg!r}: {path} does not exist at {ref}")
    return spec


def diff(
    base: Annotated[str, typer.Argument(help="The earlier version: a spec file or a git ref.",
                                        show_default=False)],
    head: Annotated[str, typer.Argument(help="The later version: a spec file or a git ref.",
                                        show_default=False)],
    spec: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--spec", metavar="PATH", help="The spec file to read at a git ref (when BASE or HEAD "
        "is a ref and the other is not that file).")] = None,
    fmt: Annotated[DiffFormat, typer.Option(
        "--format", "-f", help="terminal, markdown (breaking first, under 60,000 characters), "
        "json or html.")] = DiffFormat.terminal,
    breaking_only: Annotated[bool, typer.Option(
        "--breaking-only", help="Only breaking and potentially breaking changes.")] = False,
    fail_on: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--fail-on", help="Exit 1 when a change has this level or worse: error (breaking), "
        "warning (potentially breaking) or info. Default: always exit 0.")] = None,
    output: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--output", "-o", help="Write the changelog to this file instead of stdout.")] = None,
    config: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--config", help="Config file (its [gates.compat] options and [rules] levels apply); "
        "default: found by walking up.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Print what changed between two versions of an API for its consumers: every change,
    grouped by operation, with its level (breaking, potentially breaking, informational)."""
    from gatekeeper.changelog import build_changelog, render_changelog
    from gatekeeper.config import discover, load_config
    from gatekeeper.errors import ConfigError
    from gatekeeper.registry import gates_for
    from gatekeeper.report import Severity

    threshold = None
    if fail_on is not None:
        try:
            threshold = Severity(fail_on)
        except ValueError:
            raise ConfigError(f"--fail-on must be error, warning or info; got {fail_on!r}") \
                from None
    cfg = load_config(config if config else discover())
    ref_root = cfg.settings.get("ref-root")
    base_spec = _resolve(base, head, spec, "BASE", None, ref_root)
    head_spec = _resolve(head, base, spec, "HEAD", None, ref_root)
    log = build_changelog(base_spec, head_spec, cfg, gates_for(cfg), base_label=base,
                          head_label=head, breaking_only=breaking_only)
    text = render_changelog(log, fmt.value)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            write_text(fh, text)
    else:
        write_text(sys.stdout, text)
    failed = threshold is not None and any(c.severity.rank >= threshold.rank
                                           for c in log.changes)
    raise typer.Exit(1 if failed else 0)

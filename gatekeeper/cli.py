"""The command line: ``gatekeeper check | rules | explain | audit | baseline | ...``.

Exit codes: 0 every gate passed, 1 a gate failed, 2 the input or configuration could not be
used (or gatekeeper itself failed). Errors are one line on stderr; ``--debug`` adds the
traceback (`gatekeeper.orchestration.failures`).

This module does not import typer: the plain form ``check FILE... [-q] [--format NAME]`` (what
CI runs most) calls `gatekeeper.orchestration.check.check_command` directly; every other
command line goes through the typer app in `gatekeeper.cli_app` (``gatekeeper.cli.app`` still names it).
"""

from __future__ import annotations

import os
import sys

from gatekeeper.orchestration.failures import Exit, guarded

_guarded = guarded  # the name tests and older callers use
__all__ = ["Exit", "entry", "main"]


def __getattr__(name: str) -> object:  # the typer app and its commands, imported on demand
    if name in ("app", "check", "rules_cmd", "explain", "audit", "baseline_cmd", "Format"):
        from gatekeeper import cli_app

        return getattr(cli_app, name)
    if name in ("check_command", "prepare", "Prepared"):
        from gatekeeper.orchestration import check

        return getattr(check, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _plain_check(args: list[str]) -> tuple[list[str], bool, str] | None:
    """``check FILE... [-q] [--format NAME]``, the forms CI runs most: call `check_command`
    with its own defaults without importing typer and the options it declares (0.1-0.2 s of
    start-up, more than half of a median spec's whole check; benchmarks/README.md). Anything
    else (``--help``, other commands and flags, an unknown format) goes through the typer app,
    which explains."""
    if len(args) < 2 or args[0] != "check":
        return None
    rest, quiet, fmt = list(args[1:]), False, "terminal"
    files: list[str] = []
    while rest:
        arg = rest.pop(0)
        if arg in ("-q", "--quiet"):
            quiet = True
        elif arg == "--format" and rest:
            fmt = rest.pop(0)
        elif arg.startswith("--format="):
            fmt = arg.partition("=")[2]
        elif arg.startswith("-") or not arg:
            return None
        else:
            files.append(arg)
    from gatekeeper.reporters import REPORTERS

    if not files or fmt not in REPORTERS:
        return None
    return files, quiet, fmt


def main() -> None:
    """Console entry point: turns every failure into one line and an exit code."""
    debug = "--debug" in sys.argv
    if not debug:  # library warnings (regex syntax in a spec, deprecations) are not findings
        import warnings

        warnings.simplefilter("ignore")

    plain = _plain_check(sys.argv[1:])

    def command() -> object:
        if plain:
            from gatekeeper.orchestration.check import CheckOptions, check_command

            return check_command(CheckOptions(specs=plain[0], quiet=plain[1], fmt=plain[2]))
        from gatekeeper.cli_app import click_command

        return click_command()(standalone_mode=False, prog_name="gatekeeper")

    try:
        code = guarded(command, debug)
    except MemoryError:
        sys.stderr.write("gatekeeper: out of memory\n")
        code = 2
    if plain and _FAST_EXIT["on"]:
        # The plain check leaves nothing to finalise (the supervised child did the work):
        # skip the interpreter's teardown, about 2 ms of every run.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


_FAST_EXIT = {"on": False}


def entry() -> None:
    """The console script and ``python -m gatekeeper``: `main` (which library callers and
    tests call, and which always raises `SystemExit`), exiting fast after a plain check."""
    _FAST_EXIT["on"] = True
    main()

"""The command line: ``gatekeeper check | rules | explain | audit | baseline | ...``.

Exit codes: 0 every gate passed, 1 a gate failed, 2 the input or configuration could not be
used (or gatekeeper itself failed). Errors are one line on stderr; ``--debug`` adds the
traceback (`gatekeeper.orchestration.failures`).

This module does not import typer: a ``check`` command line in the spellings click accepts for
the options `CHECK_OPTIONS` declares (what CI runs) calls
`gatekeeper.orchestration.check.check_command` directly; every other command line goes through
the typer app in `gatekeeper.cli_app` (``gatekeeper.cli.app`` still names it).
"""

from __future__ import annotations

import os
import sys

from gatekeeper.orchestration.failures import Exit, guarded

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from collections.abc import Container

    from gatekeeper.orchestration.options import Option

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


def _plain_check(args: list[str]) -> dict[str, object] | None:
    """``check FILE... [OPTION...]`` read without typer: the `CheckOptions` values, or None
    when the typer app must read the command line.

    Importing typer and building the ``check`` command's 60 options cost 0.3 to 0.4 s of
    every run (median corpus spec, whole process: 0.21 s read here, 0.60 s through typer;
    benchmarks/README.md, "Start-up"), more than the check itself. So the options declared
    in `CHECK_OPTIONS` are read here in the spellings click accepts (``--name VALUE``,
    ``--name=VALUE``, ``-o VALUE``, flags, ``--on/--off`` pairs, repeated options), and
    anything else goes to the typer app, which explains or refuses: ``--help``, other
    commands, unknown or bundled flags, ``--``, a value that does not convert or starts with
    ``-``, an unknown ``--format``. `tests/test_cli_plain.py` holds the two readings equal."""
    if len(args) < 2 or args[0] != "check":
        return None
    from gatekeeper.orchestration.options import CHECK_OPTIONS
    from gatekeeper.reporters import REPORTERS

    flags: dict[str, tuple[Option, bool | None]] = {}  # spelling -> (option, flag value)
    for option in CHECK_OPTIONS:
        for spelling in option.flags:
            on, _, off = spelling.partition("/")
            flags[on] = (option, True if option.kind == "bool" else None)
            if off:
                flags[off] = (option, False)
    values: dict[str, object] = {}
    files: list[str] = []
    rest = args[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        i += 1
        if not arg.startswith("-"):
            files.append(arg)
            continue
        name, equals, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        found = flags.get(name)
        if found is None:
            return None  # --help, --, -qo, a typo: typer's message
        option, flag = found
        if flag is not None:
            if equals:
                return None
            values[option.name] = flag
            continue
        if equals:
            text = inline
        elif i < len(rest):
            text, i = rest[i], i + 1
        else:
            return None
        value = _plain_value(option, text, REPORTERS)
        if value is None:
            return None
        if option.kind == "strs":
            values.setdefault(option.name, []).append(value)
        else:
            values[option.name] = value
    if not files or "" in files:
        return None
    values["specs"] = files
    return values


def _plain_value(option: Option, text: str, formats: Container[str]) -> object:
    """`text` as `option`'s value, or None where typer must decide (it explains)."""
    if text.startswith("-") and text != "-":
        return None
    kind = option.kind
    if kind == "format":
        return text if text in formats else None
    if kind == "int":
        if not text.isdecimal() or not text.isascii():
            return None
        number = int(text)
        low = option.settings.get("min")
        return None if low is not None and number < low else number
    if kind == "float":
        try:
            number = float(text)
        except ValueError:
            return None
        return number if text.strip() == text and number == number else None
    return text


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

            return check_command(CheckOptions(**plain))
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

"""How a command ends: `Exit` with a code, and `guarded`, which turns every failure into
one line on stderr and an exit code (2: the input or configuration could not be used, or
gatekeeper itself failed; 130: interrupted). The traceback too with ``--debug``."""

from __future__ import annotations

import sys

from gatekeeper.errors import InputError

__all__ = ["Exit", "echo", "guarded", "safe"]


class Exit(Exception):
    """End the command with this exit code (typer's ``Exit`` without importing typer)."""

    def __init__(self, exit_code: int = 0) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


def echo(text: str, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def safe(text: str) -> str:
    from gatekeeper.safe_text import terminal_safe

    return "\n".join(terminal_safe(line) for line in text.split("\n"))


def guarded(command: object, debug: bool) -> int:
    """Run `command` (returns an exit code or raises `Exit`); every failure becomes one line
    on stderr and an exit code (the traceback too with ``--debug``). A `MemoryError` is left
    to the supervisor, which names the limit."""
    try:
        code = command()  # type: ignore[operator]
    except Exit as exc:
        return exc.exit_code
    except InputError as exc:
        if debug:
            import traceback

            traceback.print_exc()
        sys.stderr.write(safe(str(exc)) + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("gatekeeper: interrupted\n")
        return 130
    except MemoryError:
        raise
    except Exception as exc:  # click usage errors and anything unexpected
        if type(exc).__name__ == "Abort":
            return 130
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click usage errors
            if type(exc).__name__ == "NoArgsIsHelpError" or not hasattr(exc, "format_message"):
                exc.show()  # `gatekeeper` alone: the help
                return 2
            ctx = getattr(exc, "ctx", None)
            where = ctx.command_path if ctx is not None else "gatekeeper"
            sys.stderr.write(f"{where}: {safe(exc.format_message())} "
                             f"(see `{where} --help`)\n")
            return 2
        if debug:  # the traceback, and still the "could not run" code, never 1 (gate failed)
            import traceback

            traceback.print_exc()
            return 2
        sys.stderr.write(f"gatekeeper: internal error: {type(exc).__name__}: "
                         f"{safe(str(exc))[:300]} (run with --debug for the traceback)\n")
        return 2
    return code if isinstance(code, int) else 0

"""The built-in gates, in report order. Third-party gates come from the entry point group
``gatekeeper.gates`` (see `gatekeeper.registry`).

`BUILTIN_GATES` imports the gate modules on first use, so that one gate module can be
imported alone with `gate` (a helper process of the command line needs only its own gate).
"""

from __future__ import annotations

__all__ = ["BUILTIN_GATES", "WITH_HELPER", "gate"]

_ORDER = ("validity", "docs", "errors", "auth", "pagination", "versioning", "compat",
          "operations", "ratelimit", "idempotency", "examples",
          "bounds", "naming", "deprecation", "style")

#: The gates above whose `Gate` declares ``helper`` (a costly part computed in a helper
#: process beside the check). The command line starts those processes before it imports any
#: gate, so it reads this list instead of the gates (tests/test_startup.py holds the two to
#: each other): add a gate here when you give it a helper.
WITH_HELPER = ("validity",)


def gate(name: str) -> object:
    """The built-in gate `name` (its module's ``GATE``), importing that module alone."""
    import importlib

    if name not in _ORDER:
        raise KeyError(f"no built-in gate {name!r}")
    return importlib.import_module(f"gates.{name}").GATE


def __getattr__(name: str) -> object:
    if name != "BUILTIN_GATES":
        raise AttributeError(f"module 'gates' has no attribute {name!r}")
    import importlib

    value = tuple(importlib.import_module(f"gates.{module}").GATE for module in _ORDER)
    globals()["BUILTIN_GATES"] = value
    return value

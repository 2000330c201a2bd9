"""The built-in gates, in report order. Third-party gates come from the entry point group
``gatekeeper.gates`` (see `gatekeeper.registry`).

`BUILTIN_GATES` imports the gate modules on first use, so that one gate module can be
imported alone (the validity helper process of the command line needs only `gates.validity`).
"""

from __future__ import annotations

__all__ = ["BUILTIN_GATES"]

_ORDER = ("validity", "docs", "errors", "auth", "pagination", "versioning", "compat",
          "operations", "ratelimit", "idempotency", "examples",
          "bounds", "naming", "deprecation", "style")


def __getattr__(name: str) -> object:
    if name != "BUILTIN_GATES":
        raise AttributeError(f"module 'gates' has no attribute {name!r}")
    import importlib

    value = tuple(importlib.import_module(f"gates.{module}").GATE for module in _ORDER)
    globals()["BUILTIN_GATES"] = value
    return value

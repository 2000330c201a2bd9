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
#: process beside the check), with when that process pays. The command line starts early
#: helpers before it imports any gate, so it reads this table instead of the gates
#: (tests/test_startup.py holds the two to each other): add a gate here when you give it a
#: helper. ``max_bytes``: the largest root file worth it (an early helper loads its own copy
#: of the spec, a helper forked after the load copies every page of it that it touches: both
#: cost more than the part saves beyond); ``setting``: the configuration setting without
#: which the gate has nothing to compute; ``after_load``: forked by the check's process once
#: it has loaded the spec, sharing it, instead of started early with its own copy (True;
#: ``"yaml"``: when the root file is not JSON, whose load costs an early helper little; a
#: number: when the root file is larger than that many bytes). In order of precedence: after
#: the load one helper at most is forked, the first in this order, and none while an early
#: one before it runs (the second core has room for one helper's work). Measured
#: reasons: "Helper processes" and "A ruleset's helper forked after the load" in
#: benchmarks/README.md.
WITH_HELPER: dict[str, dict[str, object]] = {
    # a Spectral ruleset: its walks (Stripe's 4 MB with `extends: spectral:oas`: 0.35 s) on
    # the check's own loaded YAML, parsed once (0.18 s); a JSON root loads so cheaply that
    # an early helper's own copy costs less than the shared pages' faults (GitHub's 5.7 MB,
    # where the walks are the longer path); beyond 16 MB the pages a helper copies count
    # more (Graph beta's 47 MB: about 600 MB in all)
    "style": {"setting": "ruleset", "max_bytes": 16 * 1024 * 1024, "after_load": "yaml"},
    # the official schema check: about 15 ms of a 75 ms check of the median spec, started
    # early so that it overlaps the check's imports; past 1 MiB forked after the load when
    # the ruleset's helper does not take the second core (an own copy of Stripe's 4 MB would
    # cost 0.3 s of CPU to save 0.05 s: importing jsonschema-rs, compiling the schema and
    # the check itself)
    "validity": {"max_bytes": 16 * 1024 * 1024, "after_load": 1024 * 1024},
}


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

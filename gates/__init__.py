"""The built-in gates, in report order. Third-party gates come from the entry point group
``gatekeeper.gates`` (see `gatekeeper.registry`)."""

from __future__ import annotations

from gates import auth, compat, docs, errors, validity

BUILTIN_GATES = (
    validity.GATE,
    docs.GATE,
    errors.GATE,
    auth.GATE,
    compat.GATE,
)

__all__ = ["BUILTIN_GATES"]

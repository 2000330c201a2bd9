"""The built-in gates, in report order. Third-party gates come from the entry point group
``gatekeeper.gates`` (see `gatekeeper.registry`)."""

from __future__ import annotations

from gates import (
    auth,
    compat,
    docs,
    errors,
    operations,
    pagination,
    ratelimit,
    validity,
    versioning,
)

BUILTIN_GATES = (
    validity.GATE,
    docs.GATE,
    errors.GATE,
    auth.GATE,
    pagination.GATE,
    versioning.GATE,
    compat.GATE,
    operations.GATE,
    ratelimit.GATE,
)

__all__ = ["BUILTIN_GATES"]

"""The gates a configuration file may name besides the static ones: the live audit's and the
load test's. One config file serves every command, so each command passes these to
`gatekeeper.registry.validate` and `configurable_gates` (the registry names no live module)."""

from __future__ import annotations

__all__ = ["catalogues"]


def catalogues() -> tuple[object, ...]:
    """The live audit's and the load test's gates, as a configuration file may set them."""
    from gatekeeper.live.gate import live_gate_catalogue
    from gatekeeper.loadtest.gate import perf_gate_catalogue

    return (live_gate_catalogue(), perf_gate_catalogue())

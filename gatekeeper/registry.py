"""Which gates exist: the built-in tuple in `gates.BUILTIN_GATES`, plus third-party gates
from the entry point group ``gatekeeper.gates`` (loaded lazily, each checked)."""

from __future__ import annotations

from functools import cache

from gatekeeper.errors import ConfigError
from gatekeeper.gate import Gate

__all__ = ["all_gates", "builtin_gate", "builtin_gates", "configurable_gates", "find_rule",
           "gates_for", "helper_gates", "validate"]

ENTRY_POINT_GROUP = "gatekeeper.gates"


def builtin_gates() -> tuple[Gate, ...]:
    from gates import BUILTIN_GATES

    return BUILTIN_GATES


def builtin_gate(name: str) -> Gate:
    """The built-in gate `name`, importing its module alone (not every gate)."""
    from gates import gate

    return gate(name)


def helper_gates() -> dict[str, dict[str, object]]:
    """The built-in gates that declare `Gate.helper`, with when their helper process pays,
    known without importing any gate (the command line starts their helper processes first:
    see `gatekeeper.orchestration.helper_process`)."""
    from gates import WITH_HELPER

    return WITH_HELPER


def _may_have_plugins() -> bool:
    """False only when no installed distribution declares the group: every `sys.path` entry
    is a folder (or missing) and no ``*.dist-info``/``*.egg-info`` in them names it in its
    ``entry_points.txt``. Much cheaper than importing `importlib.metadata` (about 15 ms of a
    0.17 s check)."""
    import os
    import sys

    marker = f"[{ENTRY_POINT_GROUP}]"
    for entry in sys.path:
        folder = entry or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):
                return True  # a zip or egg file: let importlib.metadata read it
            continue
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    with open(os.path.join(folder, name, "entry_points.txt"),
                              encoding="utf-8", errors="replace") as fh:
                        if marker in fh.read():
                            return True
                except OSError:
                    continue
    return False


@cache
def plugin_gates() -> tuple[Gate, ...]:
    if not _may_have_plugins():
        return ()
    from importlib.metadata import entry_points

    builtin = {g.name for g in builtin_gates()}
    found: list[Gate] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        where = f"{ep.dist.name if ep.dist else '?'}[{ep.name}]"
        try:
            gate = ep.load()
        except Exception as exc:  # a broken plugin must not look like a broken spec
            raise ConfigError(f"gate plugin {where} failed to load: {exc}") from None
        if not isinstance(gate, Gate):
            raise ConfigError(f"gate plugin {where} is not a gatekeeper.Gate")
        if gate.name in builtin:
            raise ConfigError(f"gate plugin {where} reuses the built-in gate name {gate.name!r}")
        bad = [r.id for r in gate.rules if not r.id.startswith(gate.name + "/")]
        if bad:
            raise ConfigError(f"gate plugin {where}: rule ids must start with "
                              f"'{gate.name}/': {', '.join(bad)}")
        found.append(gate)
    return tuple(found)


def all_gates() -> tuple[Gate, ...]:
    return builtin_gates() + plugin_gates()


def gates_for(config) -> tuple[Gate, ...]:
    """`all_gates`, each gate that declares `Gate.configure` replaced by the gate it returns
    for `config` (rules read from files the configuration names)."""
    return _configured(all_gates(), config)


def _configured(gates: tuple[Gate, ...], config) -> tuple[Gate, ...]:
    if config is None or not any(g.configure is not None for g in gates):
        return gates
    return tuple(g.configure(config) if g.configure is not None else g for g in gates)


def find_rule(rule_id: str, config=None):
    for gate in gates_for(config) if config is not None else all_gates():
        for r in gate.rules:
            if r.id == rule_id:
                return gate, r
        if rule_id == gate.below_threshold_rule and gate.metric is not None:
            return gate, None
    return None


def configurable_gates(config=None, extra=()) -> tuple[Gate, ...]:
    """Every gate a config file may name: the static gates plus the `extra` catalogues the
    command passes in (the live audit's and the load test's gates:
    `gatekeeper.orchestration.catalogues`).

    One config file serves every command (`check` with or without ``--live``, `audit`,
    `baseline`, `rules`, `explain`), so each of them accepts settings for any of these gates,
    whether or not it runs them."""
    return (*_configured(all_gates(), config), *extra)


def validate(config, extra=None) -> None:
    """Reject unknown gates, rules and options in `config` against the static gates and the
    catalogues ``extra()`` returns (see `configurable_gates`).

    `extra` is called only when the static gates alone reject the config (it names a live
    rule, or it has a real mistake, reported with the full catalogue)."""
    from gatekeeper.engine import validate_config

    gates = gates_for(config)
    try:
        validate_config(config, gates)
    except ConfigError:
        if extra is None:
            raise
        validate_config(config, (*gates, *extra()))

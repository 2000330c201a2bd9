"""Configuration: ``gatekeeper.toml`` or ``[tool.gatekeeper]`` in ``pyproject.toml``.

Found by walking up from the working folder (the first file that has gatekeeper settings
wins); ``--config PATH`` pins one. Flags override the file. Every key is checked: an unknown
key is an error with a "did you mean". No key loads code (R23): the file is data only.

Shape::

    fail-on = "error"                       # lowest severity that fails a gate
    fail-under = 80                         # optional overall score threshold, 0-100
    select = ["validity", "docs"]           # gate names or rule ids; default: recommended rules
    extend-select = ["docs/undocumented-server"]
    ignore = ["docs/undocumented-tag"]
    ruleset = [".spectral.yaml"]            # rule files a gate reads (relative to this file);
                                            # "auto": the one found in the working folder

    [gates.docs]                            # in pyproject: [tool.gatekeeper.gates.docs]
    fail-under = 95                         # the gate's metric threshold, percent
    weight = 1                              # weight in the overall score
    operation-text = "either"               # any option of the gate's rules or metric

    [rules]
    "docs/undocumented-operation" = "error"                     # a severity, or "off"
    "auth/public-write-operation" = { severity = "error", allow = ["POST /login"] }
"""

from __future__ import annotations

import os

from gatekeeper.errors import ConfigError
from gatekeeper.record import Record
from gatekeeper.report import Severity

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["Config", "GateConfig", "RuleConfig", "discover", "load_config"]

#: Top-level keys. Other stages (compare, baseline, live) add theirs here.
TOP_LEVEL_KEYS = {
    "fail-on", "fail-under", "select", "extend-select", "ignore", "gates", "rules",
    "max-file-size", "max-nodes", "max-depth", "ref-root", "baseline", "new-only",
    "ratchet", "live", "load", "timeout", "max-memory", "ruleset", "ruleset-allow-remote",
}
GATE_KEYS = {"fail-under", "weight", "enabled", "ratchet-tolerance"}
SEVERITY_WORDS = ("error", "warning", "info", "off")


class RuleConfig(Record):
    __slots__ = ("severity", "off", "options")

    def __init__(self, severity: Severity | None = None, off: bool = False,
                 options: dict[str, Any] | None = None) -> None:
        self.severity = severity
        self.off = off
        self.options = {} if options is None else options


class GateConfig(Record):
    """``fail_under`` is in percent."""

    __slots__ = ("fail_under", "weight", "enabled", "options")

    def __init__(self, fail_under: float | None = None, weight: float | None = None,
                 enabled: bool = True, options: dict[str, Any] | None = None) -> None:
        self.fail_under = fail_under
        self.weight = weight
        self.enabled = enabled
        self.options = {} if options is None else options


class Config(Record):
    """``settings``: the other top-level keys, as written."""

    __slots__ = ("fail_on", "fail_under", "select", "extend_select", "ignore", "gates", "rules",
                 "settings", "source")

    def __init__(self, fail_on: Severity = Severity.ERROR, fail_under: float | None = None,
                 select: tuple[str, ...] | None = None, extend_select: tuple[str, ...] = (),
                 ignore: tuple[str, ...] = (), gates: dict[str, GateConfig] | None = None,
                 rules: dict[str, RuleConfig] | None = None,
                 settings: dict[str, Any] | None = None, source: str | None = None) -> None:
        self.fail_on = fail_on
        self.fail_under = fail_under
        self.select = select
        self.extend_select = extend_select
        self.ignore = ignore
        self.gates = {} if gates is None else gates
        self.rules = {} if rules is None else rules
        self.settings = {} if settings is None else settings
        self.source = source

    def selects_gate(self, name: str) -> bool:
        """Whether the gate `name` runs: enabled, not ignored, and selected when ``select``
        names anything."""
        if not self.gate(name).enabled or name in self.ignore:
            return False
        if self.select is None:
            return True
        return any(s == name or s.startswith(name + "/")
                   for s in (*self.select, *self.extend_select))

    def gate(self, name: str) -> GateConfig:
        return self.gates.get(name, GateConfig())

    def rule(self, rule_id: str) -> RuleConfig:
        return self.rules.get(rule_id, RuleConfig())


def _may_configure(text: bytes) -> bool:
    """Whether a pyproject.toml may hold a ``tool.gatekeeper`` table: the key ``gatekeeper``
    (bare or quoted) followed by what every TOML spelling of that table puts after it: ``]``
    (``[tool.gatekeeper]``), ``.`` (``[tool.gatekeeper.gates.docs]``,
    ``tool.gatekeeper.fail-on = ...``) or ``=`` (``gatekeeper = {...}`` under ``[tool]``).
    A file that only names the package (``"gatekeeper-openapi>=0.1"``) is not parsed:
    tomllib's import and parse took 11 to 14 ms of a run started in such a project."""
    if b"gatekeeper" not in text:
        return False
    import re

    return re.search(rb"""gatekeeper["']?[ \t]*[.=\]]""", text) is not None


def discover(start: str | None = None) -> str | None:
    """The nearest ``gatekeeper.toml`` or ``pyproject.toml`` with ``[tool.gatekeeper]``."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(folder, "gatekeeper.toml")
        if os.path.isfile(candidate):
            return candidate
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as fh:
                    text = fh.read()
            except OSError:
                text = b""
            if _may_configure(text):  # tomllib is imported only when it may be ours
                import tomllib

                try:
                    if "gatekeeper" in tomllib.loads(text.decode("utf-8")).get("tool", {}):
                        return candidate
                except (UnicodeDecodeError, tomllib.TOMLDecodeError):
                    pass
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def load_config(path: str | None) -> Config:
    """Parse and validate the shape of a config file (`None`: defaults)."""
    if path is None:
        return Config()
    import tomllib

    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("gatekeeper", {})
        prefix = "tool.gatekeeper."
    else:
        prefix = ""
    return from_mapping(data, source=path, prefix=prefix)


def from_mapping(data: dict[str, Any], *, source: str = "<config>", prefix: str = "") -> Config:
    def fail(msg: str) -> ConfigError:
        return ConfigError(f"{source}: {msg}")

    unknown(data, TOP_LEVEL_KEYS, source, prefix)
    fail_on = Severity.ERROR
    if "fail-on" in data:
        fail_on = parse_severity(data["fail-on"], f"{prefix}fail-on", source, allow_off=False)
    fail_under = data.get("fail-under")
    if fail_under is not None and not _is_percent(fail_under):
        raise fail(f"`{prefix}fail-under` must be a number from 0 to 100, got {fail_under!r}")
    select = data.get("select")
    if select is not None:
        select = tuple(_str_list(select, f"{prefix}select", source))
    extend = tuple(_str_list(data.get("extend-select", []), f"{prefix}extend-select", source))
    ignore = tuple(_str_list(data.get("ignore", []), f"{prefix}ignore", source))

    gates: dict[str, GateConfig] = {}
    raw_gates = data.get("gates", {})
    if not isinstance(raw_gates, dict):
        raise fail(f"`{prefix}gates` must be a table")
    for name, table in raw_gates.items():
        if not isinstance(table, dict):
            raise fail(f"`{prefix}gates.{name}` must be a table")
        fu = table.get("fail-under")
        if fu is not None and not _is_percent(fu):
            raise fail(f"`{prefix}gates.{name}.fail-under` must be a number from 0 to 100")
        weight = table.get("weight")
        if weight is not None and (not isinstance(weight, (int, float)) or weight < 0):
            raise fail(f"`{prefix}gates.{name}.weight` must be a number >= 0")
        enabled = table.get("enabled", True)
        if not isinstance(enabled, bool):
            raise fail(f"`{prefix}gates.{name}.enabled` must be true or false")
        options = {k.replace("-", "_"): v for k, v in table.items() if k not in GATE_KEYS}
        gates[name] = GateConfig(fail_under=fu, weight=weight, enabled=enabled, options=options)

    rules: dict[str, RuleConfig] = {}
    raw_rules = data.get("rules", {})
    if not isinstance(raw_rules, dict):
        raise fail(f"`{prefix}rules` must be a table")
    for rule_id, value in raw_rules.items():
        where = f"{prefix}rules.\"{rule_id}\""
        if isinstance(value, str):
            sev = parse_severity(value, where, source)
            rules[rule_id] = RuleConfig(severity=sev, off=sev is None)
        elif isinstance(value, dict):
            sev = None
            off = False
            if "severity" in value:
                sev = parse_severity(value["severity"], where + ".severity", source)
                off = sev is None
            options = {k.replace("-", "_"): v for k, v in value.items() if k != "severity"}
            rules[rule_id] = RuleConfig(severity=sev, off=off, options=options)
        else:
            raise fail(f"`{where}` must be a severity string or a table")
    settings = {k: v for k, v in data.items()
                if k not in {"fail-on", "fail-under", "select", "extend-select", "ignore",
                             "gates", "rules"}}
    if "ruleset" in settings:  # files named relative to the config file's folder
        names = _str_list(settings["ruleset"], f"{prefix}ruleset", source)
        folder = os.path.dirname(os.path.abspath(source)) if os.path.isfile(source) else None
        settings["ruleset"] = [n if n == "auto" or folder is None else os.path.join(folder, n)
                               for n in names]
    if "ruleset-allow-remote" in settings:
        settings["ruleset-allow-remote"] = _str_list(settings["ruleset-allow-remote"],
                                                     f"{prefix}ruleset-allow-remote", source)
    return Config(fail_on=fail_on, fail_under=fail_under, select=select, extend_select=extend,
                  ignore=ignore, gates=gates, rules=rules, settings=settings, source=source)


def parse_severity(value: Any, where: str, source: str, *, allow_off: bool = True
                   ) -> Severity | None:
    words = SEVERITY_WORDS if allow_off else SEVERITY_WORDS[:3]
    if not isinstance(value, str) or value.lower() not in words:
        raise ConfigError(f"{source}: `{where}` must be one of {', '.join(words)}; got {value!r}")
    return None if value.lower() == "off" else Severity(value.lower())


def unknown(data: dict[str, Any], allowed: set[str] | dict[str, Any], source: str,
            prefix: str = "") -> None:
    for key in data:
        if key not in allowed:
            hint = did_you_mean(key, allowed)
            raise ConfigError(f"{source}: unknown key `{prefix}{key}`{hint}")


def did_you_mean(word: str, choices: Any) -> str:
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def _is_percent(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 100


def _str_list(value: Any, where: str, source: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: `{where}` must be a list of strings")
    return value


def stage_settings(table: Any, flags: Mapping[str, Any], keys: Mapping[str, tuple[str, Any]],
                   *, section: str, source: str, hint: str, invalid: str = "has an invalid value",
                   check: Any = None) -> dict[str, Any]:
    """A stage's options (``[live]``, ``[load]``): the config table, then the flags given
    (by key name; None means not given), each converted to its field. `keys` maps a key to
    ``(field, converter)``; `check` may reject a value (ValueError) before it is converted.
    An unknown key or a bad value is a `ConfigError` naming `source`; `hint` says what is
    a flag only."""
    from collections.abc import Mapping

    table = table or {}
    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: `{section}` must be a table")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in keys:
            raise ConfigError(f"{source}: unknown key `{section}.{key}`"
                              f"{did_you_mean(key, keys)}; {hint}")
        values[key] = value
    for key in keys:
        if flags.get(key) is not None:
            values[key] = flags[key]
    fields: dict[str, Any] = {}
    for key, value in values.items():
        name, convert = keys[key]
        try:
            if check is not None:
                check(value)
            fields[name] = convert(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{source}: `{section}.{key}` {invalid} {value!r}") from None
    return fields


def with_rulesets(config: Config, rulesets: list[str] | None) -> Config:
    """`config` with the rule files of ``--ruleset`` (relative to the working folder; "auto":
    the one found there) in place of those of the config file."""
    if not rulesets:
        return config
    return config.replace(settings={**config.settings, "ruleset": [
        r if r == "auto" else os.path.abspath(r) for r in rulesets]})

"""gatekeeper: a quality gate for OpenAPI documents.

The public API for gate authors and for using gatekeeper as a library. Importing it pulls in
no CLI, terminal, template or HTTP library (a test holds us to that).
"""

from __future__ import annotations

# Names are imported on first use (PEP 562): `import gatekeeper` alone, as the command line's
# supervisor process does before it forks the worker that checks the spec (R12), stays cheap.
#
# For gate authors (gates import nothing else from gatekeeper; tests/test_architecture.py
# holds them to it):
# - the authoring API: `Gate`, `rule`, `Violation`, `Severity`, `Metric`, `MetricPart`, and
#   `helper_result` (what a gate's helper process computed, see `Gate.helper`);
# - the index a rule reads: `Spec` and its records (`Operation`, `Parameter`, `RequestBody`,
#   `Response`, `MediaType`, `Header`, `SecurityScheme`, `Server`), `Pointer`, and the
#   readings several gates share: `is_json_media`, `error_responses`, `is_error_code`,
#   `schema_types`, `is_health_endpoint`, `is_well_known_auth_endpoint`, and
#   `SCHEMA_CHILD_KEYS`, the keywords `Spec.walk_schemas` follows;
# - lifecycle readings (`x-deprecated`, `Sunset`, stability levels): `is_deprecated`,
#   `replacement`, `parse_date`, `sunset_date`, `deprecation_date`, `stability_level`,
#   `stability_rank`;
# - spec-provided regular expressions, handled safely: `pattern_search` (with a timeout),
#   `backtracking_risk`; and `well_formed`, spec text without the lone surrogates a JSON
#   spec may escape (for engines and encoders that take UTF-8 only);
# - jsonschema validators as the gates build them: `in_instance_order` (errors in the same
#   order on every run), `extra_properties` (the names such a validator checks first), and
#   `registered_validator` (a schema among others in a reference registry crawled once);
# - `Record`, the slotted value-object base the index uses (cheaper than dataclasses);
# - JSON pointers beside `Pointer`: `parse_fragment`, `escape`, `PointerError`;
# - reading a file of rule definitions under the same safety rules as specs (positions kept,
#   duplicate keys and unsafe YAML tags refused, size budget): `load_document` with `Limits`;
#   a remote one only under an allowed https prefix: `fetch_document` (`RemoteRefused`, a
#   `SpecError`, when it is not, with nothing fetched); and `did_you_mean`, the hint for a
#   misspelt key in such a file.
_HOME = {
    "Config": "config", "did_you_mean": "config", "discover": "config", "load_config": "config",
    "run": "engine",
    "ConfigError": "errors", "InputError": "errors", "SpecError": "errors",
    "Gate": "gate", "Rule": "gate", "Violation": "gate", "helper_result": "gate", "rule": "gate",
    "deprecation_date": "lifecycle", "is_deprecated": "lifecycle", "parse_date": "lifecycle",
    "replacement": "lifecycle", "stability_level": "lifecycle", "stability_rank": "lifecycle",
    "sunset_date": "lifecycle",
    "Limits": "loader", "load_document": "loader",
    "backtracking_risk": "patterns", "pattern_search": "patterns",
    "well_formed": "safe_text",
    "Pointer": "pointer", "PointerError": "pointer", "escape": "pointer",
    "parse_fragment": "pointer",
    "Record": "record",
    "extra_properties": "json_schema", "in_instance_order": "json_schema",
    "registered_validator": "json_schema",
    "RemoteRefused": "remote", "fetch_document": "remote",
    "Finding": "report", "GateResult": "report", "Location": "report", "Metric": "report",
    "MetricPart": "report", "Report": "report", "RuleInfo": "report", "Severity": "report",
    "SpecInfo": "report",
    "Header": "index.records", "MediaType": "index.records", "Operation": "index.records",
    "Parameter": "index.records", "RequestBody": "index.records", "Response": "index.records",
    "SecurityScheme": "index.records", "Server": "index.records",
    "error_responses": "index.readings", "is_error_code": "index.readings",
    "is_health_endpoint": "index.readings", "is_json_media": "index.readings",
    "is_well_known_auth_endpoint": "index.readings", "schema_types": "index.readings",
    "Spec": "spec", "load": "spec",
    "SCHEMA_CHILD_KEYS": "schema_walk",
    "__version__": "version",
}


def __getattr__(name: str) -> object:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'gatekeeper' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"gatekeeper.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


__all__ = sorted(_HOME)  # the public names are those `_HOME` places

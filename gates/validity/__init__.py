"""Structural validity: the document is a well-formed Swagger 2.0 / OpenAPI 3.x description.

Validation uses the official OpenAPI JSON Schemas that gatekeeper ships (gatekeeper/schemas/,
with every Schema Object of a 3.1/3.2 document checked against its dialect, see
`gates.validity.schemas`), run on the in-memory document that gatekeeper has already loaded
and whose references it has already checked. No resolver is involved: a ref-following
validator would open files and URLs and apply spec `pattern`s to `default` values with a
backtracking engine. The rules the specification states only in prose (unique tag names and
operationIds, Swagger 2.0 parameter rules, response codes, ...) are in
`gates.validity.prose`; see docs/validity.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gatekeeper import Gate, Severity, Spec, Violation, rule

from . import helped, schemas
from .messages import (causes, describe, describe_fast, is_name_error, short as _short,
                       unexpected_fields)
from .prose import RULES as PROSE_RULES
from .prose import schema_walk, schema_walk_all_operations

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

_TEMPLATE = re.compile(r"\{([^{}/]+)\}")


#: Above this size, error details come from the fast validator alone (see _schema_errors).
DETAIL_LIMIT = 5 * 1024 * 1024


def document_dialect(spec: Spec) -> str | None:
    """The dialect Schema Objects of a 3.1/3.2 document are checked against by default: its
    `jsonSchemaDialect`, else the OpenAPI dialect of its version; None for a dialect
    gatekeeper does not know (left unchecked, see `unknown_dialect`)."""
    if spec.version not in schemas.OAS_DIALECT:
        return None
    declared = spec.raw.get("jsonSchemaDialect")
    if declared is None or not isinstance(declared, str):
        return spec.version
    return schemas.dialect_of(declared)


def _rs_validator(version: str, dialect: str | None = "default") -> Any:
    """jsonschema-rs's compiled validator of the shipped schema (None without jsonschema-rs);
    `dialect` "default" means the version's own OpenAPI dialect."""
    if dialect == "default":
        dialect = version if version in schemas.OAS_DIALECT else None
    return schemas.rs_validator(version, dialect)


def _fast_validator(version: str, dialect: str | None) -> Any:
    """jsonschema-rs when installed (fast enough for 50 MB documents), else jsonschema."""
    validator = _rs_validator(version, dialect)
    if validator is not None:
        return _RsValidator(validator)
    return schemas.detail_validator(version, dialect)


class _RsError:
    """The fields of a jsonschema error that the fast path reads."""

    __slots__ = ("message", "absolute_path", "instance")

    def __init__(self, error: Any) -> None:
        self.message = str(getattr(error, "message", error))
        self.absolute_path = list(getattr(error, "instance_path", ()) or ())
        self.instance = getattr(error, "instance", None)


class _RsValidator:
    def __init__(self, validator: Any) -> None:
        self._validator = validator

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def iter_errors(self, instance: Any) -> Iterator[_RsError]:
        for error in self._validator.iter_errors(instance):
            yield _RsError(error)


def _schema_errors(spec: Spec) -> list[tuple[tuple[str, ...], str]]:
    def compute() -> list[tuple[tuple[str, ...], str]]:
        found = _helper_result(spec)  # computed by the helper process, if it succeeded
        if found is not None:
            return found
        document, moved = _with_path_items_inlined(spec)
        dialect = document_dialect(spec)
        fast = _fast_validator(spec.version, dialect)
        if fast.is_valid(document):
            return []
        detailed = len(spec.documents[""].text) <= DETAIL_LIMIT
        validator = schemas.detail_validator(spec.version, dialect) if detailed else fast
        if detailed:  # the slow validator sees only the named entries that failed
            document = _failing_entries(document, [e.absolute_path for e in
                                                   fast.iter_errors(document)])
        leaves = []
        for error in validator.iter_errors(document):
            leaves.extend(causes(error) if detailed else [error])
            if len(leaves) >= 500:
                break
        # A failing keyword discards what it evaluated, so `unevaluatedProperties` then lists
        # fields that are fine (`example` beside the `not` that forbids it with `examples`):
        # on an object with another error, that error alone is the cause.
        faulted = {tuple(map(str, e.absolute_path)) for e in leaves
                   if getattr(e, "validator", None) != "unevaluatedProperties"}
        out = []
        for leaf in leaves:
            tokens = tuple(str(p) for p in leaf.absolute_path)
            kind = getattr(leaf, "validator", None)
            if kind == "unevaluatedProperties" and tokens in faulted:
                continue
            if kind in ("additionalProperties", "unevaluatedProperties"):
                extra = unexpected_fields(leaf)  # located at the first field at fault
                tokens = (*tokens, str(extra[0])) if extra else tokens
            elif detailed and is_name_error(leaf) and isinstance(leaf.instance, str):
                tokens = (*tokens, leaf.instance)
            for depth in (3, 2):  # errors inside an inlined path item or operation
                if tokens[:depth] in moved:
                    tokens = (moved[tokens[:depth]], *tokens[depth:])
                    break
            out.append((tokens, describe(leaf) if detailed else
                        describe_fast(leaf.message, leaf.instance)))
        return out

    return spec.memo("validity.schema_errors", compute)


# ---------------------------------------------------------------------- helper process
# The schema check is the one part of a small spec's check that needs a large library:
# importing jsonschema-rs and compiling the official schema take about 15 ms, a fifth of a
# whole `gatekeeper check` of the median spec (and a spec with schema errors also imports
# jsonschema for the details). The gate therefore declares it as its `Gate.helper`: the
# command line may compute it in a helper process beside the check (gatekeeper.orchestration.helper_process),
# and the engine then runs this gate last, so that the helper's work overlaps with every
# other gate. A batch compiles the schemas once before it forks its workers (`Gate.warm_up`).


def _helper(spec: Spec) -> bytes:
    """In the helper process: the schema errors of `spec` and its schema walk, marshalled
    (`helped`)."""
    return helped.encode(_schema_errors(spec), schema_walk(spec))


def _warm_up() -> None:
    for version in ("2.0", "3.0", "3.1"):
        _rs_validator(version)


def _helper_result(spec: Spec) -> list[tuple[tuple[Any, ...], str]] | None:
    return helped.schema_errors(spec)


#: Top-level maps of named entries (paths, definitions, ...) whose entries the schema checks
#: one by one: dropping an entry cannot change what is reported about another.
_NAMED_MAPS = frozenset({"paths", "webhooks", "definitions", "parameters", "responses",
                         "securityDefinitions"})


def _failing_entries(document: Any, error_paths: list[list[Any]]) -> Any:
    """`document` with only the named entries that hold an error of the fast validator: the
    path items, webhooks and 2.0 definitions/parameters/responses, and the components by kind
    and name. Everything else at the top level (info, servers, tags, ...) is kept whole, and
    so is a map that has an error of its own. The pure-Python validator then spends its time
    on the failing subtrees only (DigitalOcean, sagemaker: most of the document is valid)."""
    if not isinstance(document, dict):
        return document
    keep: dict[Any, set[Any] | None] = {}  # top key -> names to keep (None: keep all)
    kinds: dict[Any, set[Any] | None] = {}  # components kind -> names (None: keep all)
    whole_components = False
    for path in error_paths:
        path = list(path)
        if not path:
            continue
        top = path[0]
        if top in _NAMED_MAPS:
            if len(path) == 1:
                keep[top] = None
            elif keep.get(top, set()) is not None:
                keep.setdefault(top, set()).add(path[1])
        elif top == "components":
            if len(path) <= 2:
                whole_components = whole_components or len(path) == 1
                if len(path) == 2:
                    kinds[path[1]] = None
            elif kinds.get(path[1], set()) is not None:
                kinds.setdefault(path[1], set()).add(path[2])
    out = dict(document)
    for top in _NAMED_MAPS:
        value = document.get(top)
        if isinstance(value, dict) and keep.get(top, set()) is not None:
            names = keep.get(top, set())
            out[top] = {k: v for k, v in value.items() if k in names}
    components = document.get("components")
    if isinstance(components, dict) and not whole_components:
        pruned = {}
        for kind, entries in components.items():
            names = kinds.get(kind, set())
            if names is None or not isinstance(entries, dict):
                pruned[kind] = entries
            elif names:
                pruned[kind] = {k: v for k, v in entries.items() if k in names}
        out["components"] = pruned
    return out


def _with_path_items_inlined(spec: Spec) -> tuple[Any, dict[tuple[str, ...], Any]]:
    """The root document with `$ref`'d path items and operations replaced by their targets.

    Multi-file specs (DigitalOcean's, for one) reference whole operations from other files;
    validating the root alone would flag every such `$ref`. Returns the view and a map from
    the inlined nodes' view tokens to (file, tokens) where they are really written."""
    raw = spec.raw
    paths = raw.get("paths")
    moved: dict[tuple[str, ...], Any] = {}
    if not isinstance(paths, dict) or not any(
            isinstance(item, dict) and ("$ref" in item or any(
                isinstance(v, dict) and "$ref" in v for v in item.values()))
            for item in paths.values()):
        return raw, moved
    new_paths = {}
    for path, item in paths.items():
        resolved, where = spec.resolve(item, spec.root.join("paths", path))
        if isinstance(resolved, dict):
            if where.file or where.tokens != ("paths", path):
                moved[("paths", path)] = where
            copy = dict(resolved)
            for key, value in resolved.items():
                if isinstance(value, dict) and "$ref" in value:
                    op, op_where = spec.resolve(value, where / key)
                    copy[key] = op
                    moved[("paths", path, key)] = op_where
            resolved = copy
        new_paths[path] = resolved
    return {**raw, "paths": new_paths}, moved


@rule("validity/schema-violation", severity=Severity.ERROR)
def schema_violation(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Validates the document against the official OpenAPI JSON Schema for its version
    (Swagger 2.0, OpenAPI 3.0, 3.1 or 3.2). In 3.1 and 3.2 documents every Schema Object is
    also checked against its JSON Schema dialect: the Schema Object's `$schema`, else the
    document's `jsonSchemaDialect`, else the OpenAPI dialect (JSON Schema 2020-12 plus
    `discriminator`, `xml`, `externalDocs`, `example`). The message names the field at
    fault and ends with its JSON pointer.

    ## Why is this bad?
    Tools that read the document (code generators, gateways, documentation portals) may
    reject it or, worse, read it differently from what the authors meant.

    ## Example
    ```yaml
    paths:
      /pets:
        get:
          responses:
            200:
              content: {}      # a response needs a `description`
    ```
    Use instead:
    ```yaml
            200:
              description: The pets
    ```
    """
    for tokens, message in _schema_errors(spec):
        if tokens and not isinstance(tokens[0], str):  # (Pointer, *rest) of an inlined node
            pointer = tokens[0].join(*tokens[1:])
        else:
            pointer = spec.root.join(*tokens)
        where = (f"{pointer.file}#" if pointer.file else "") + (pointer.fragment[1:] or "/")
        yield Violation(pointer, f"{message} (at {_short(where, 400)})", subject=message)


@rule("validity/path-parameter-mismatch", severity=Severity.ERROR)
def path_parameter_mismatch(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Checks that every `{name}` in a path template has a matching `in: path` parameter on the
    operation (or its path item), and that every path parameter appears in the template.

    ## Why is this bad?
    A client cannot build the URL of an operation whose template variables are undeclared,
    and a declared path parameter missing from the template can never be sent.

    ## Example
    ```yaml
    /pets/{petId}:
      get:
        parameters: []        # petId is never declared
    ```
    Use instead:
    ```yaml
    /pets/{petId}:
      get:
        parameters:
          - {name: petId, in: path, required: true, schema: {type: string}}
    ```
    """
    # The template's names once per path, and nothing more for an operation that declares
    # them all and no other: 0.049 -> 0.044 s of CPU on Graph beta (22,361 operations).
    templates: dict[str, set[str]] = {}
    for op in spec.in_paths():
        names = templates.get(op.path)
        if names is None:
            names = templates[op.path] = set(_TEMPLATE.findall(op.path))
        declared = {p.name for p in op.parameters if p.location == "path"}
        if declared == names:
            continue
        for name in sorted(names - declared):
            yield Violation(op.pointer, f"`{op.label}` does not declare the path parameter "
                                        f"`{name}`", subject=f"{op.label} {name}")
        for p in op.parameters:
            if p.location == "path" and p.name not in names:
                yield Violation(p.use_pointer, f"path parameter `{p.name}` of `{op.label}` is "
                                               f"not in the path template",
                                subject=f"{op.label} {p.name}")


@rule("validity/unquoted-version", severity=Severity.WARNING)
def unquoted_version(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an `openapi` or `swagger` field written as a number (`swagger: 2.0`).

    ## Why is this bad?
    YAML reads `2.0` as a floating-point number, and `3.10` would read as `3.1`. The field
    must be a string; many tools reject the document.

    ## Example
    ```yaml
    swagger: 2.0
    ```
    Use instead:
    ```yaml
    swagger: "2.0"
    ```
    """
    for tokens, message in spec.notes:
        yield Violation(spec.root.join(*tokens), message)


@rule("validity/missing-ref-file", severity=Severity.ERROR)
def missing_ref_file(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Reports a `$ref` to a file that does not exist next to the spec. The referenced part is
    left opaque (the rest of the document is still checked) instead of stopping the run.

    ## Why is this bad?
    Every tool that reads the spec fails on it; typically the file was renamed or not
    committed, or the spec was copied without its companions.

    ## Example
    ```yaml
    schema: {$ref: './common.json#/definitions/Error'}   # common.json is not there
    ```
    Use instead: commit the referenced file, or fix the path.
    """
    for ptr, ref in spec.missing_refs:
        yield Violation(ptr, f"$ref `{ref[:200]}` points to a file that does not exist",
                        subject=ref)


#: A JSON escape that spells a printable ASCII character (`\u0070` is `p`).
_ASCII_ESCAPE = re.compile(r"\\u00[2-7]")


def _may_have_pattern(spec: Spec) -> bool:
    """False only when no mapping in any document can have a `pattern` key: a JSON text
    writes it as `"pattern"` or with a `\\u00XX` escape, a YAML text as `pattern` or with
    a backslash escape. A few milliseconds of text search instead of the schema walk."""
    for doc in spec.documents.values():
        text = doc.text
        if doc.is_json:
            if '"pattern"' in text or _ASCII_ESCAPE.search(text):
                return True
        elif "pattern" in text or "\\" in text:
            return True
    return False


def _schemas_with_patterns(spec: Spec) -> Iterator[tuple[dict[str, Any], Any]]:
    """Every schema (once) that carries a string `pattern`, with where it is written."""
    if not _may_have_pattern(spec):  # the walk visits every schema: 40 ms on Autotask
        return
    yield from schema_walk_all_operations(spec)  # one walk over all roots (Stripe: 60x)


@rule("validity/catastrophic-pattern", severity=Severity.WARNING)
def catastrophic_pattern(spec: Spec, *, max_evaluations: int = 200) -> Iterator[Violation]:
    """## What it does
    Flags a schema `pattern` with nested or overlapping repetition (`^(a+)+$`,
    `^(a|aa)+$`), and a `pattern` whose check against the schema's own `example` or
    `default` did not finish within 100 ms. Patterns are inspected, never run on a
    backtracking engine without a time limit.

    ## Why is this bad?
    Validators, gateways and generated clients match the pattern against every request.
    With nested repetition a short input of 30 characters can take seconds to minutes of
    CPU (ReDoS), which takes the service or the CI job down.

    ## Example
    ```yaml
    name: {type: string, pattern: '^(a+)+$'}
    ```
    Use instead:
    ```yaml
    name: {type: string, pattern: '^a+$'}
    ```

    ## Options
    `max-evaluations` (200): at most this many example/default checks per spec.
    """
    from gatekeeper import backtracking_risk, pattern_search as search

    budget = max_evaluations
    for schema, ptr in _schemas_with_patterns(spec):
        pattern = schema["pattern"]
        risk = backtracking_risk(pattern)
        if risk:
            yield Violation(ptr / "pattern", f"pattern `{_short(pattern)}` may backtrack "
                                             f"catastrophically: {risk}", subject=pattern)
            continue
        for key in ("example", "default"):
            value = schema.get(key)
            if isinstance(value, str) and budget > 0:
                budget -= 1
                if search(pattern, value) is None:
                    yield Violation(ptr / "pattern", f"pattern `{_short(pattern)}` not "
                                    f"evaluated against its `{key}`: exceeded 100 ms "
                                    "(possible catastrophic backtracking)", subject=pattern)
                    break


GATE = Gate(
    "validity",
    title="Structural validity",
    rules=(schema_violation, path_parameter_mismatch, missing_ref_file, unquoted_version,
           catastrophic_pattern, *PROSE_RULES),
    metric=None,
    description=__doc__.split("\n")[0],
    mandatory=True,
    weight=0,
    helper=_helper,
    warm_up=_warm_up,
)

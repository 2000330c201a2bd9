"""jsonschema validators built the way the gates need them: the same errors, in the same
order, on every run, and no repeated work per reference.

**Order.** jsonschema (4.x) checks a schema-valued ``additionalProperties`` by iterating a
*set* of the instance's extra property names. A set of strings is ordered by their hashes,
and Python salts string hashes per process (``PYTHONHASHSEED``), so with two or more bad
extra properties the first error (what a rule reports, what ``best_match`` picks among
equals) named a different property from one run to the next: a finding's pointer and
fingerprint changed between two runs of the same check, and a baseline stopped matching.
`in_instance_order` gives a class that checks the extra properties in the instance's own
order (the order they were written; Ajv, Spectral's validator, does the same), and defers
every other case to the class's own keyword function. The extra names (`extra_properties`)
are computed as jsonschema computes them: not in ``properties``, not matched by any
``patternProperties`` regex (``re.search``).

**References.** jsonschema adds a validator's root schema to its reference registry
uncrawled, and the `referencing` library crawls an uncrawled registry again on every anchor
lookup it cannot answer (each ``$dynamicRef: "#meta"`` of the OpenAPI 3.1 and 3.2 schemas),
keeping nothing: an invalid 480 KB 3.1 spec took 6,000 crawls of the OpenAPI schema and
47 s. `registered_validator` registers every schema in a registry crawled once and gives
the validator a root that only refers to the one to validate against.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


def extra_properties(instance: dict, schema: dict) -> Iterator[Any]:
    """The names of `instance` that `schema`'s ``additionalProperties`` applies to (not in
    ``properties``, matched by no ``patternProperties`` regex), in the instance's order:
    the first is the one Ajv names where jsonschema's message lists them sorted."""
    properties = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    for name in instance:
        if name in properties or (patterns and re.search(patterns, name)):
            continue
        yield name


@functools.cache
def in_instance_order(cls: Any) -> Any:
    """`cls` (a jsonschema validator class) with ``additionalProperties`` checked in the
    instance's key order when its value is a schema. Cached: one class per base class."""
    from jsonschema import validators

    original = cls.VALIDATORS.get("additionalProperties")
    if original is None:
        return cls

    def additional_properties(validator: Any, value: Any, instance: Any,
                              schema: Any) -> Iterator[Any]:
        if validator.is_type(value, "object") and validator.is_type(instance, "object"):
            for name in extra_properties(instance, schema):
                yield from validator.descend(instance[name], value, path=name)
        else:  # `false`, or not an object: jsonschema's own words (its lists are sorted)
            yield from original(validator, value, instance, schema)

    return validators.extend(cls, {"additionalProperties": additional_properties})


def registered_validator(cls: Any, root_uri: str, resources: Iterable[tuple[str, Any]],
                         **options: Any) -> Any:
    """A `cls` validator of the schema registered as `root_uri`, one of `resources` ((uri,
    contents) pairs, read as JSON Schema 2020-12 unless their ``$schema`` says otherwise),
    beside the JSON Schema meta-schemas, in a registry crawled once. `options`: the
    validator's other arguments (``format_checker``)."""
    from jsonschema_specifications import REGISTRY
    from referencing import Resource
    from referencing.jsonschema import DRAFT202012

    registry = REGISTRY.with_resources(
        (uri.rstrip("#"), Resource.from_contents(contents, default_specification=DRAFT202012))
        for uri, contents in resources).crawl()
    return cls({"$ref": root_uri.rstrip("#")}, registry=registry, **options)


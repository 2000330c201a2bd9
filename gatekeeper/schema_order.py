"""jsonschema validator classes whose errors come in the same order on every run.

jsonschema (4.x) checks a schema-valued ``additionalProperties`` by iterating a *set* of the
instance's extra property names. A set of strings is ordered by their hashes, and Python
salts string hashes per process (``PYTHONHASHSEED``), so with two or more bad extra
properties the first error (what a rule reports, what ``best_match`` picks among equals)
named a different property from one run to the next: a finding's pointer and fingerprint
changed between two runs of the same check, and a baseline stopped matching.

`in_instance_order` gives a class that checks the extra properties in the instance's own
order (the order they were written; Ajv, Spectral's validator, does the same), and defers
every other case to the class's own keyword function. The extra names are computed as
jsonschema computes them: not in ``properties``, not matched by any ``patternProperties``
regex (``re.search``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any


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

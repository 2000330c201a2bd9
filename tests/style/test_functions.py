"""Spectral's core functions, each with its options: the findings and messages Spectral 6.16.3
gives on the same ruleset and spec (checked by hand against `spectral lint`)."""

from __future__ import annotations

import pytest

from tests.style.conftest import SPEC

INFO = """\
openapi: 3.1.0
info:
  title: Pets
  version: "1.0"
  x-count: 5
  x-list: [b, a, c]
  x-consts: [ONE-TWO, one-two, THREE_FOUR]
  x-flag: true
paths:
  /pets:
    get:
      description: A long description
      responses:
        '200':
          description: ok
"""


def rule(given: str, function: str, options: str = "", field: str = "", extra: str = "") -> str:
    lines = ["rules:", "  r:", f'    given: "{given}"', extra, "    then:"]
    if field:
        lines.append(f'      field: "{field}"')
    lines.append(f"      function: {function}")
    if options:
        lines.append(f"      functionOptions: {options}")
    return "\n".join(line for line in lines if line) + "\n"


def messages(found):
    return [(pointer, message) for _rule, pointer, _line, _sev, message in found]


def test_alphabetical_on_arrays_objects_and_keyed_by(lint) -> None:
    assert messages(lint(rule("$.info.x-list", "alphabetical"), INFO)) == [
        ("/info/x-list/0", '"b" must be placed after "a"')]
    assert messages(lint(rule("$", "alphabetical", field="info"), INFO)) == [
        ("/info/x-list", '"x-list" must be placed after "x-consts"')]
    spec = SPEC.replace("paths:", "tags: [{name: b}, {name: a}]\npaths:")
    assert messages(lint(rule("$", "alphabetical", "{keyedBy: name}", field="tags"), spec)) == [
        ("/tags", "properties must follow the alphabetical order")]


def test_casing_types_digits_and_separators(lint) -> None:
    found = lint(rule("$.info.x-consts[*]", "casing",
                      '{type: macro, separator: {char: "-"}}'), INFO)
    assert messages(found) == [("/info/x-consts/1", "must be macro case")]
    found = lint(rule("$.paths[*][*].operationId", "casing",
                      "{type: camel, disallowDigits: true}"),
                 SPEC.replace("listPets", "listPets2"))
    assert messages(found) == [("/paths/~1pets/get/operationId", "must be camel case")]
    found = lint(rule("$.paths", "casing", '{type: kebab, separator: {char: "/", '
                      "allowLeading: true}}", field="@key"), SPEC.replace("/pets", "/Pets"))
    assert messages(found) == [("/paths/~1Pets", "must be kebab case")]
    # an empty separator char separates nothing (Spectral's schema allows it)
    found = lint(rule("$.info.x-consts[*]", "casing", '{type: macro, separator: {char: ""}}'),
                 INFO)
    assert [pointer for pointer, _ in messages(found)] == ["/info/x-consts/0", "/info/x-consts/1"]
    for kind in ("flat", "pascal", "cobol", "snake"):
        assert lint(rule("$.info.title", "casing", f"{{type: {kind}}}"),
                    SPEC.replace("title: Pets", "title: x y"))


def test_defined_and_undefined(lint) -> None:
    found = lint(rule("$.paths[*][*]", "defined", field="description"), SPEC)
    assert messages(found) == [("/paths/~1pets/get", '"get.description" property must be defined')]
    found = lint(rule("$.paths[*][*]", "undefined", field="summary"), SPEC)
    assert messages(found) == [("/paths/~1pets/get/summary", '"summary" property must be undefined')]


def test_enumeration_keeps_types_apart(lint) -> None:
    found = lint(rule("$.info.x-count", "enumeration", '{values: [1, 2, "5"]}'), INFO)
    assert messages(found) == [("/info/x-count",
                                '5 must be equal to one of the allowed values: 1, 2, "5"')]


def test_truthy_and_falsy(lint) -> None:
    found = lint(rule("$", "falsy", field="info.x-flag"), INFO)
    assert messages(found) == [("/info/x-flag", '"x-flag" property must be falsy')]
    found = lint(rule("$.info", "truthy", field="contact"), INFO)
    assert messages(found) == [("/info", '"info.contact" property must be truthy')]


def test_length_over_strings_numbers_arrays_and_objects(lint) -> None:
    assert messages(lint(rule("$.info.x-count", "length", "{max: 3}"), INFO)) == [
        ("/info/x-count", '"x-count" property must be shorter than 3')]
    assert messages(lint(rule("$.info", "length", "{max: 2}"), INFO)) == [
        ("/info", '"info" property must be shorter than 2')]
    assert messages(lint(rule("$.info.x-list", "length", "{min: 4}"), INFO)) == [
        ("/info/x-list", '"x-list" property must be longer than 4')]
    found = lint(rule("$.info.title", "length", "{min: 50}",
                      extra='    message: "{{value}} is {{error}}; {{description}}"\n'
                            "    description: title length"), INFO)
    assert messages(found) == [("/info/title",
                                'Pets is "title" property must be longer than 50; title length')]


def test_pattern_match_not_match_and_flags(lint) -> None:
    assert not lint(rule("$.info.title", "pattern", '{match: "/^pets$/i"}'), INFO)
    found = lint(rule("$.info.title", "pattern", '{match: "^x", notMatch: "ets"}'), INFO)
    assert messages(found) == [("/info/title", '"Pets" must match the pattern "^x"'),
                               ("/info/title", '"Pets" must not match the pattern "ets"')]


def test_schema_with_dialect_and_all_errors(lint) -> None:
    options = ("{allErrors: true, dialect: draft2020-12, schema: {type: object, properties: "
               "{x-count: {type: string}, x-list: {type: array, maxItems: 1}}}}")
    assert messages(lint(rule("$.info", "schema", options), INFO)) == [
        ("/info/x-count", '"x-count" property type must be string'),
        ("/info/x-list", '"x-list" property must not have more than 1 items')]
    one = options.replace("allErrors: true, ", "")
    assert len(lint(rule("$.info", "schema", one), INFO)) == 1
    found = lint(rule("$.paths[*][*].responses[*]", "schema",
                      "{schema: {type: object, required: [headers]}}"), SPEC)
    assert messages(found) == [("/paths/~1pets/get/responses/200",
                                '"200" property must have required property "headers"')]


def test_schema_names_the_first_unexpected_property_as_written(lint) -> None:
    """jsonschema's message lists the extra properties sorted; Spectral (ajv) names the first
    one written: `x-list` here, where the sorted list starts with `x-consts`."""
    options = "{schema: {type: object, properties: {title: {}, version: {}}, " \
              "additionalProperties: false}}"
    assert messages(lint(rule("$.info", "schema", options), INFO.replace(
        "  x-count: 5\n", "").replace("  x-flag: true\n", ""))) == [
        ("/info", 'Property "x-list" is not expected to be here')]


WORDS_SPEC = """\
openapi: 3.1.0
info:
  title: Pets
  version: "1.0"
  x-list: [b, a, c, a, b]
  x-nums: [1, 2, 1.0]
  x-kind: strng
  x-map:
    a/b: 5
paths: {}
"""


def test_schema_messages_in_spectrals_words(lint) -> None:
    """What `spectral lint` 6.16.3 printed for these rules on this spec, word for word: an
    array item is "Item at index N", an enum names the closest value, duplicate items name
    the two indices ajv finds (its scan differs with scalar `items` types), a failed `oneOf`
    reports each branch's error and says none matched, and a property is named by its JSON
    pointer token (`a~1b`)."""
    def words(field: str, schema: str):
        return messages(lint(rule("$.info", "schema", f"{{schema: {schema}}}", field), WORDS_SPEC))

    assert words("x-list", "{type: array, items: {type: object}}") == [
        ("/info/x-list/0", "Item at index 0 must be object")]
    assert words("x-kind", "{enum: [string, number, boolean]}") == [
        ("/info/x-kind", '"x-kind" property must be equal to one of the allowed values: '
                         '"string", "number", "boolean". Did you mean "string"?')]
    assert words("x-list", "{type: array, uniqueItems: true}") == [
        ("/info/x-list", '"x-list" property must not have duplicate items '
                         '(items ## 0 and 4 are identical)')]
    assert words("x-list", "{type: array, items: {type: string}, uniqueItems: true}") == [
        ("/info/x-list", '"x-list" property must not have duplicate items '
                         '(items ## 3 and 1 are identical)')]
    assert words("x-nums", "{type: array, uniqueItems: true}") == [
        ("/info/x-nums", '"x-nums" property must not have duplicate items '
                         '(items ## 0 and 2 are identical)')]
    assert sorted(words("x-kind", "{oneOf: [{type: integer}, {type: boolean}]}")) == [
        ("/info/x-kind", '"x-kind" property must match exactly one schema in oneOf. None of '
                         "the schemas matched, see the other errors reported for this value"),
        ("/info/x-kind", '"x-kind" property type must be boolean'),
        ("/info/x-kind", '"x-kind" property type must be integer')]
    assert words("x-map", "{type: object, additionalProperties: {type: string}}") == [
        ("/info/x-map/a~1b", '"a~1b" property type must be string')]


def test_xor_and_or(lint) -> None:
    assert messages(lint(rule("$.info", "xor", "{properties: [title, version]}"), INFO)) == [
        ("/info", 'Just one of "title" and "version" must be defined')]
    assert messages(lint(rule("$.info", "xor", "{properties: [a, b]}"), INFO)) == [
        ("/info", 'At least one of "a" or "b" must be defined')]
    assert messages(lint(rule("$.info", "or", "{properties: [a, b, c, d, e]}"), INFO)) == [
        ("/info", 'At least one of "a" or "b" or "c" or 2 other properties must be defined')]
    assert not lint(rule("$.info", "or", "{properties: [a, title]}"), INFO)


def test_unreferenced_reusable_object(lint) -> None:
    spec = SPEC + "    Orphan: {type: string}\n"
    found = lint(rule("$.components.schemas", "unreferencedReusableObject",
                      '{reusableObjectsLocation: "#/components/schemas"}'), spec)
    assert messages(found) == [("/components/schemas/Orphan",
                                "Potential orphaned reusable object has been detected")]


def test_typed_enum(lint) -> None:
    spec = SPEC.replace("Tag:\n      type: string",
                        "Tag:\n      type: string\n      enum: [a, 1]")
    found = lint(rule("$..[?(@ && @.enum)]", "typedEnum"), spec)
    assert messages(found) == [("/components/schemas/Tag/enum/1", 'Enum value 1 must be "string".')]


def test_field_forms_key_jsonpath_and_dotted(lint) -> None:
    found = lint(rule("$.paths", "pattern", '{notMatch: "^/pets$"}', field="@key"), INFO)
    assert messages(found) == [("/paths/~1pets", 'Object{} must not match the pattern "^/pets$"')]
    found = lint(rule("$.paths[*]", "length", "{max: 5}", field="$..description"), INFO)
    assert messages(found) == [("/paths/~1pets/get/description",
                                '"description" property must be shorter than 5')]


def test_missing_field_through_a_path_item_ref_is_named_as_spectral_names_it(lint) -> None:
    """A field missing under an operation reached through a path item `$ref` is placed where
    the operation is written and named from there, as `spectral lint` 6.16.3 prints it."""
    spec = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get: {responses: {"200": {description: ok}}}
  /pets:
    $ref: "#/components/pathItems/Pets"
components:
  pathItems:
    Pets:
      get: {responses: {"200": {description: ok}}}
"""
    assert messages(lint(rule("$.paths[*][get]", "truthy", field="summary"), spec)) == [
        ("/components/pathItems/Pets/get", '"get.summary" property must be truthy'),
        ("/paths/~1a/get", '"get.summary" property must be truthy')]


def test_schema_errors_pruned_and_merged_as_spectral_does(lint) -> None:
    """Spectral's `schema` function passes ajv's errors through @stoplight/better-ajv-errors:
    an error of only `enum`s at a place with a sibling error is dropped, several `enum` errors
    at one place become one with every allowed value. `spectral lint` 6.16.3's words."""
    def words(schema: str, field: str = ""):
        return messages(lint(rule("$.info", "schema", f"{{allErrors: true, schema: {schema}}}",
                                  field), WORDS_SPEC))

    assert words("{properties: {x-kind: {enum: [strong, weak]}, x-list: {maxItems: 2}}}") == [
        ("/info/x-list", '"x-list" property must not have more than 2 items')]
    assert words("{allOf: [{enum: [strung, a]}, {enum: [b, a, stronk]}]}", "x-kind") == [
        ("/info/x-kind", '"x-kind" property must be equal to one of the allowed values: '
                         '"strung", "a", "b", "stronk". Did you mean "strung"?')]


def test_schema_errors_under_keys_spectral_cannot_place_are_dropped_as_there(lint) -> None:
    """@stoplight/better-ajv-errors files an error by the ASCII word keys of its path; an
    error whose path has none (`é`, `~x`) is dropped. `spectral lint` 6.16.3 reports only
    `ok` here, and so does gatekeeper: the same findings, documented in docs/style.md."""
    spec = WORDS_SPEC.replace("  x-map:\n    a/b: 5\n", '  x-map:\n    "é": 5\n    "~x": 7\n'
                                                        "    ok: 6\n")
    assert messages(lint(rule("$.info", "schema", "{allErrors: true, schema: {type: object, "
                              "additionalProperties: {type: string}}}", "x-map"), spec)) == [
        ("/info/x-map/ok", '"ok" property type must be string')]


@pytest.mark.parametrize("number, text", [
    # what node's String(number) prints for each
    (3e-05, "0.00003"), (1.5e-07, "1.5e-7"), (1e-06, "0.000001"), (1e21, "1e+21"),
    (1.2345678901234568e+20, "123456789012345680000"), (-2.5e-08, "-2.5e-8"), (100.0, "100"),
    (0.1, "0.1"), (5e-324, "5e-324"), (float("nan"), "NaN"), (float("-inf"), "-Infinity"),
])
def test_numbers_are_written_as_javascript_writes_them(number, text):
    from gates.style.jseval import number_text
    from gates.style.messages import print_value

    assert number_text(number) == text
    if number == number and abs(number) != float("inf"):
        assert print_value(number) == text

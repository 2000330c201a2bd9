"""gatekeeper.lifecycle: what a spec says about deprecation, sunset and stability."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from gatekeeper import load
from gatekeeper.lifecycle import (
    STABILITY_LEVELS, days_until_sunset, deprecation_date, is_deprecated, lifecycle, parse_date,
    replacement, stability_decreased, stability_level, stability_rank, sunset_date, sunset_passed,
)

D = dt.date(2026, 3, 31)


@pytest.mark.parametrize("text", [
    "2026-03-31", "2026-03-31T23:59:59Z", "2026-03-31T10:00:00+02:00",
    "Tue, 31 Mar 2026 23:59:59 GMT", "31 Mar 2026", "@1774915200",
    dt.date(2026, 3, 31), dt.datetime(2026, 3, 31, 12, 0),
])
def test_dates_in_every_documented_form(text) -> None:
    assert parse_date(text) == D


@pytest.mark.parametrize("text", ["soon", "", "2026-13-01", "31 Foo 2026", None, 20260331,
                                  True, "2026/03/31"])
def test_unreadable_dates_are_no_date(text) -> None:
    assert parse_date(text) is None


def test_deprecated_only_when_true() -> None:
    assert is_deprecated({"deprecated": True})
    assert not is_deprecated({"deprecated": "true"})
    assert not is_deprecated({})


def test_sunset_from_extension_and_from_sunset_header_of_a_plain_operation() -> None:
    assert sunset_date({"x-sunset": "2026-03-31"}) == D
    op = {"responses": {"200": {"description": "OK", "headers": {
        "sunset": {"schema": {"type": "string", "example": "Tue, 31 Mar 2026 23:59:59 GMT"}}}}}}
    assert sunset_date(op) == D
    assert sunset_date({"responses": {"200": {"description": "OK"}}}) is None


def test_dates_of_a_loaded_operation_follow_header_refs(tmp_path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(textwrap.dedent("""\
        openapi: 3.0.3
        info: {title: T, version: "1"}
        paths:
          /pets:
            get:
              deprecated: true
              description: Lists pets. Use `GET /v2/pets` instead.
              x-stability-level: beta
              responses:
                "200":
                  description: OK
                  headers:
                    Sunset: {$ref: "#/components/headers/Sunset"}
                    Deprecation: {schema: {type: string}, example: "@1767225600"}
        components:
          headers:
            Sunset: {schema: {type: string}, example: "2026-03-31"}
        """), encoding="utf-8")
    op = load(str(path)).operations[0]
    life = lifecycle(op)
    assert (life.deprecated, life.sunset, life.deprecated_at, life.stability, life.replacement) \
        == (True, D, dt.date(2026, 1, 1), "beta", "GET /v2/pets")
    assert deprecation_date(op) == dt.date(2026, 1, 1)


def test_deprecation_date_from_extension() -> None:
    assert deprecation_date({"x-deprecated-at": "2025-12-01"}) == dt.date(2025, 12, 1)
    assert deprecation_date({"responses": {"200": {"headers": {
        "Deprecation": {"example": "true"}}}}}) is None


def test_stability_levels_are_ordered() -> None:
    assert STABILITY_LEVELS == ("draft", "alpha", "beta", "stable")
    assert stability_level({"x-stability-level": "Beta"}) == "beta"
    assert stability_level({"x-stability-level": "ga"}) is None
    assert [stability_rank(x) for x in ("draft", "stable", "nope", None)] == [0, 3, None, None]
    assert stability_decreased({"x-stability-level": "stable"}, {"x-stability-level": "beta"})
    assert not stability_decreased({"x-stability-level": "beta"},
                                   {"x-stability-level": "stable"})
    assert not stability_decreased({"x-stability-level": "stable"}, {})


@pytest.mark.parametrize("description, expected", [
    ("Deprecated. Use `listPetsV2` instead.", "listPetsV2"),
    ("This endpoint is replaced by /v2/pets.", "/v2/pets"),
    ("Superseded by `GET /v2/pets`", "GET /v2/pets"),
    ("Deprecated: use fetchPets", "fetchPets"),
    ("Lists pets.", None),
])
def test_replacement_named_in_the_description(description, expected) -> None:
    assert replacement({"description": description}) == expected


def test_explicit_replacement_wins() -> None:
    assert replacement({"x-replaced-by": "GET /v3/pets",
                        "description": "Use `x` instead"}) == "GET /v3/pets"


def test_sunset_passed_and_days() -> None:
    el = {"x-sunset": "2026-03-31"}
    assert days_until_sunset(el, dt.date(2026, 3, 1)) == 30
    assert not sunset_passed(el, dt.date(2026, 3, 30))
    assert sunset_passed(el, D) and sunset_passed(el, dt.date(2027, 1, 1))
    assert not sunset_passed({}, D) and days_until_sunset({}, D) is None

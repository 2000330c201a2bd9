"""Documentation coverage against hand counts (the coverage reading of docs/conventions.md and the docs gate's docstrings)."""

from __future__ import annotations

import pytest

from gatekeeper import Config, load, run
from gates import docs

from conftest import SAMPLES


def breakdown(path: str, **options) -> dict[str, tuple[int, int]]:
    metric = docs.documentation_coverage(load(str(SAMPLES / path)), **options)
    return {p.name: (p.passed, p.total) for p in metric.breakdown if p.total}


def coverage(path: str, **options) -> float:
    return docs.documentation_coverage(load(str(SAMPLES / path)), **options).value


# Hand counts of sample_specs/parity/bookings.*: operations GET /rooms (summary), POST
# bookings (nothing), GET bookings (description); parameters limit (shared, described, once),
# floor (bare), roomId (described); properties Room.id yes, Room.seats no, Booking.room no
# (Room has no description), Booking.from yes, Booking.to no; responses 200 Rooms, 201 Booked,
# 200 '' (blank); tags rooms yes, bookings no; one undescribed security scheme.
BOOKINGS = {
    "operations": (2, 3), "parameters": (2, 3), "schema_properties": (2, 5),
    "request_bodies": (0, 1), "responses": (2, 3), "info": (1, 1), "tags": (1, 2),
    "security_schemes": (0, 1),
}
# F3 = (.3*2/3 + .2*2/3 + .25*2/5 + .1*0 + .05*2/3 + .04*1 + .03*1/2 + .03*0) / 1.0
BOOKINGS_F3 = (0.3 * 2 / 3 + 0.2 * 2 / 3 + 0.25 * 0.4 + 0.05 * 2 / 3 + 0.04 + 0.015)


@pytest.mark.parametrize("variant", ["swagger2", "openapi30", "openapi31"])
def test_same_api_in_2_0_3_0_and_3_1_has_the_same_coverage(variant: str) -> None:
    path = f"parity/bookings.{variant}.yaml"
    counts = breakdown(path)
    counts.pop("servers", None)  # 2.0 has no server objects; weight 0 anyway
    assert counts == BOOKINGS
    assert coverage(path) == pytest.approx(BOOKINGS_F3)


def test_shared_parameter_counted_once_and_authorization_header_not_counted() -> None:
    # limit (shared by two operations, bare), q (described), sort (placeholder: its own
    # name), X-Total response header (bare); Authorization is not counted.
    assert breakdown("docs/undocumented-parameter.yaml")["parameters"] == (1, 4)


def test_allof_oneof_anyof_and_ref_properties() -> None:
    # Pet: id no, owner yes (User described), breed no (Breed undescribed), kind yes (an allOf
    # branch is described), tag no (one oneOf branch undescribed), size yes (every anyOf
    # branch described); User.name yes; Breed.name no; Legacy is unused and not counted.
    assert breakdown("docs/undocumented-property.yaml")["schema_properties"] == (4, 8)


def test_path_item_summary_is_inherited_unless_switched_off() -> None:
    # GET /pets bare, POST /pets placeholder, PUT /pets described, GET /inherited inherits;
    # OPTIONS /health is excluded.
    assert breakdown("docs/undocumented-operation.yaml")["operations"] == (2, 4)
    assert breakdown("docs/undocumented-operation.yaml",
                     inherit_path_item_text=False)["operations"] == (1, 4)


def test_multi_file_spec_counts_elements_in_every_file() -> None:
    counts = breakdown("multifile/openapi.yaml")
    assert counts["operations"] == (1, 2)
    assert counts["schema_properties"] == (1, 2)


def test_fully_documented_petstore_is_100_percent() -> None:
    assert coverage("petstore.yaml") == 1.0


def test_example_b_of_gate_semantics_fails_on_weighted_and_floor(spec_from_text) -> None:
    # 40 operations, 8 bare; everything else documented -> F3 = 94 %, operations 80 %.
    ops = "\n".join(
        f"  /r{i}:\n    get:\n"
        + ("" if i < 8 else f"      summary: Operation {i}\n")
        + "      responses:\n        '200': {description: Fine}" for i in range(40))
    spec = spec_from_text(f"openapi: 3.0.3\ninfo: {{title: B, version: '1', description: d}}\n"
                          f"paths:\n{ops}\n")
    report = run(spec, [docs.GATE], Config(), raise_errors=True)
    gate = report.gate("docs")
    assert gate.metric.value == pytest.approx((0.3 * 0.8 + 0.05 + 0.04) / 0.39)
    rules = {f.rule for f in gate.findings}
    assert {"docs/below-threshold", "docs/category-below-floor"} <= rules
    assert not gate.passed


def test_flat_and_per_operation_formulas_are_available() -> None:
    flat = coverage("parity/bookings.openapi30.yaml", formula="flat")
    assert flat == pytest.approx(10 / 19)  # 10 documented of 19 elements (servers excluded)
    assert 0 <= coverage("parity/bookings.openapi30.yaml", formula="per_operation") <= 1

"""Backward compatibility: what a change to the spec breaks for existing clients.

Runs only when the spec carries a base to compare with (``gatekeeper check --base REF`` or
``--base-file``; the compare driver sets ``spec.base``); with no base it yields nothing.
Operations are matched by method and path template (path parameter names ignored),
parameters by name and location, schemas structurally from each operation down (one
recursive comparison, `gates.compat.schemadiff`). A finding sits at the head element that
changed (or its nearest surviving parent) and names the base location in its message and in
``extra["base"]``.

Every rule has a level: breaking changes are errors, potentially breaking ones warnings,
informational ones info (oasdiff's classification is the reference; each rule's docs say
where gatekeeper differs and why). A breaking change fails the gate unless the API's major
version was bumped, in ``info.version`` (``1.4.0`` to ``2.0.0``) or in the URL (``/v1`` to
``/v2``): then the findings are reported as ``info`` and the gate passes.

Modules: `common` (pairing, versions, the finding), `schemadiff` (the schema comparison) and
`patterns` (pattern supersets), and the rules: `operations`, `parameters`, `messages`,
`schemas`, `sunset` (lifecycle), `additions` (informational, for the changelog).
"""

from __future__ import annotations

from gatekeeper import Gate

from gates.compat.additions import (
    media_type_added, operation_added, operation_deprecated, parameter_added, property_added,
    response_status_added,
)
from gates.compat.common import base_of, major_bumped
from gates.compat.messages import (
    media_type_removed, optional_response_header_removed, request_body_removed,
    response_header_removed, success_status_removed,
)
from gates.compat.operations import (
    operation_id_changed, removed_operation, security_added, server_changed,
)
from gates.compat.parameters import (
    new_required_parameter, parameter_default_changed, removed_parameter,
)
from gates.compat.schemas import (
    const_changed, constraint_tightened, new_required_request_property, pattern_changed,
    request_composition_narrowed, request_enum_value_removed, request_property_removed,
    request_type_narrowed, response_composition_widened, response_constraint_loosened,
    response_enum_value_added, response_optional_property_removed,
    response_property_made_optional, response_property_removed, response_type_changed,
)
from gates.compat.sunset import (
    deprecated_without_sunset, lifecycle_unreadable, removed_after_deprecation,
    removed_before_sunset, stability_decreased, sunset_too_soon,
)

__all__ = ["GATE", "base_of", "major_bumped"]

GATE = Gate(
    "compat",
    title="Backward compatibility",
    rules=(removed_operation, removed_parameter, new_required_parameter,
           new_required_request_property, request_type_narrowed, request_enum_value_removed,
           response_enum_value_added, response_property_removed,
           response_property_made_optional, response_type_changed, success_status_removed,
           media_type_removed, security_added, server_changed, operation_id_changed,
           constraint_tightened,
           # added with levels, composition and lifecycle
           pattern_changed, const_changed, response_constraint_loosened,
           request_property_removed, response_optional_property_removed,
           request_composition_narrowed, response_composition_widened,
           parameter_default_changed, request_body_removed, response_header_removed,
           optional_response_header_removed, removed_before_sunset, removed_after_deprecation,
           deprecated_without_sunset, sunset_too_soon, stability_decreased,
           lifecycle_unreadable,
           # informational, for `gatekeeper diff` (not recommended: `check` stays quiet)
           operation_added, parameter_added, property_added, response_status_added,
           media_type_added, operation_deprecated),
    description=__doc__.split("\n")[0],
    options={"today": ""},
    applies=lambda spec: base_of(spec) is not None,
    compares_base=True,
    base_facts=lambda base, head: {"major_bump": major_bumped(base, head)},
)

"""`spectral:oas`: Spectral's built-in OpenAPI ruleset (as shipped with Spectral CLI 6.16.3),
as data in Spectral's ruleset format, exactly as the same ruleset written in YAML would load.

Rule ids, severities, `recommended` flags, `formats`, `given` paths (JSONPath-Plus, including
their JavaScript filter expressions), `then` clauses and messages are Spectral's: users' configs
name these rules, override their severities and waive their findings by id. The functions the
rules call by name are the core functions (`gates.style.functions`) and the OpenAPI-specific
ones in `gates.style.oas.functions` (`FUNCTIONS`).

Severities are written out even where they are Spectral's default (`warn`).
"""

from __future__ import annotations

__all__ = ["RULESET", "DOCUMENTATION_URL"]

DOCUMENTATION_URL = "https://meta.stoplight.io/docs/spectral/docs/reference/openapi-rules.md"

_OAS = ["oas2", "oas3", "oas3_0", "oas3_1", "oas3_2"]

# Schema-like nodes that may carry an example or a default (oas*-valid-schema-example).
_EXAMPLE_FILTER = ("[?(@property !== 'properties' && @ && (@.example !== void 0 || "
                   "@['x-example'] !== void 0 || @.default !== void 0) && (@.enum || @.type || "
                   "@.format || @.$ref || @.properties || @.items))]")
_EXAMPLE_FILTER_3 = ("[?(@property !== 'properties' && @ && (@ && @.example !== void 0 || "
                     "@.default !== void 0) && (@.enum || @.type || @.format || @.$ref || "
                     "@.properties || @.items))]")
_MEDIA_FILTER_3 = "[?(@ && @.schema && (@.example !== void 0 || @.examples))]"


def _rule(description: str | None, given: str | list[str], then: dict | list[dict], *,
          severity: str = "warn", recommended: bool = True, message: str | None = None,
          formats: list[str] | None = None, resolved: bool | None = None) -> dict:
    rule: dict = {}
    if description is not None:
        rule["description"] = description
    if message is not None:
        rule["message"] = message
    rule["severity"] = severity
    rule["recommended"] = recommended
    if formats is not None:
        rule["formats"] = formats
    if resolved is not None:
        rule["resolved"] = resolved
    rule["given"] = given
    rule["then"] = then
    return rule


def _truthy(field: str) -> dict:
    return {"field": field, "function": "truthy"}


def _pattern(field: str | None = None, **options: str) -> dict:
    then: dict = {"function": "pattern", "functionOptions": options}
    if field is not None:
        then = {"field": field, **then}
    return then


def _schema(field: str, schema: dict, dialect: str | None = "draft7") -> dict:
    options: dict = {"schema": schema}
    if dialect is not None:
        options = {"dialect": dialect, **options}
    return {"field": field, "function": "schema", "functionOptions": options}


_RULES: dict[str, dict] = {
    "operation-success-response": _rule(
        'Operation must have at least one "2xx" or "3xx" response.', "#OperationObject",
        {"field": "responses", "function": "oasOpSuccessResponse"}),
    "oas2-operation-formData-consume-check": _rule(
        'Operations with "in: formData" parameter must include '
        '"application/x-www-form-urlencoded" or "multipart/form-data" in their "consumes" '
        'property.', "#OperationObject", {"function": "oasOpFormDataConsumeCheck"},
        formats=["oas2"]),
    "operation-operationId-unique": _rule(
        'Every operation must have unique "operationId".', "$.paths",
        {"function": "oasOpIdUnique"}, severity="error"),
    "operation-parameters": _rule(
        "Operation parameters are unique and non-repeating.", "#OperationObject.parameters",
        {"function": "oasOpParams"}, message="{{error}}"),
    "operation-tag-defined": _rule(
        "Operation tags must be defined in global tags.", "$", {"function": "oasTagDefined"}),
    "path-params": _rule(
        "Path parameters must be defined and valid.", "$.paths", {"function": "oasPathParam"},
        message="{{error}}", severity="error"),
    "contact-properties": _rule(
        'Contact object must have "name", "url" and "email".', "$.info.contact",
        [_truthy("name"), _truthy("url"), _truthy("email")], recommended=False),
    "duplicated-entry-in-enum": _rule(
        "Enum values must not have duplicate entry.",
        ["$..[?(@property !== 'properties' && @ != null && @.enum && "
         "@.enum.constructor.name === 'Array')]"],
        {"field": "enum", "function": "oasSchema",
         "functionOptions": {"schema": {"type": "array", "uniqueItems": True}}},
        message="{{error}}"),
    "info-contact": _rule('Info object must have "contact" object.', "$",
                          _truthy("info.contact")),
    "info-description": _rule('Info "description" must be present and non-empty string.', "$",
                              _truthy("info.description")),
    "info-license": _rule('Info object must have "license" object.', "$",
                          _truthy("info.license"), recommended=False),
    "license-url": _rule('License object must include "url".', "$",
                         _truthy("info.license.url"), recommended=False),
    "no-eval-in-markdown": _rule('Markdown descriptions must not have "eval(".',
                                 "$..[description,title]", _pattern(notMatch="eval\\(")),
    "no-script-tags-in-markdown": _rule('Markdown descriptions must not have "<script>" tags.',
                                        "$..[description,title]",
                                        _pattern(notMatch="<script")),
    "openapi-tags-alphabetical": _rule(
        'OpenAPI object must have alphabetical "tags".', "$",
        {"field": "tags", "function": "alphabetical", "functionOptions": {"keyedBy": "name"}},
        recommended=False),
    "openapi-tags-uniqueness": _rule(
        "Each tag must have a unique name.", "$.tags", {"function": "uniquenessTags"},
        message="{{error}}", severity="error"),
    "openapi-tags": _rule('OpenAPI object must have non-empty "tags" array.', "$",
                          _schema("tags", {"type": "array", "minItems": 1}),
                          recommended=False),
    "operation-description": _rule(
        'Operation "description" must be present and non-empty string.', "#OperationObject",
        _truthy("description")),
    "operation-operationId": _rule('Operation must have "operationId".', "#OperationObject",
                                   _truthy("operationId")),
    "operation-operationId-valid-in-url": _rule(
        None, "#OperationObject",
        _pattern("operationId", match="^[A-Za-z0-9-._~:/?#\\[\\]@!\\$&'()*+,;=]*$"),
        message="operationId must not contain characters that are invalid when used in URL."),
    "operation-singular-tag": _rule(
        "Operation must not have more than a single tag.", "#OperationObject",
        {"field": "tags", "function": "length", "functionOptions": {"max": 1}},
        recommended=False),
    "operation-tags": _rule('Operation must have non-empty "tags" array.', "#OperationObject",
                            _schema("tags", {"type": "array", "minItems": 1})),
    "path-declarations-must-exist": _rule(
        None, "$.paths", _pattern("@key", notMatch="{}"),
        message='Path parameter declarations must not be empty, ex."/given/{}" is invalid.'),
    "path-keys-no-trailing-slash": _rule(None, "$.paths",
                                         _pattern("@key", notMatch=".+\\/$"),
                                         message="Path must not end with slash."),
    "path-not-include-query": _rule("Path must not include query string.", "$.paths",
                                    _pattern("@key", notMatch="\\?")),
    "tag-description": _rule('Tag object must have "description".', "$.tags[*]",
                             _truthy("description"), recommended=False),
    "no-$ref-siblings": _rule(
        "Property must not be placed among $ref", "$..[?(@property === '$ref')]",
        {"function": "refSiblings"}, message="{{error}}", severity="error",
        formats=["oas2", "oas3_0"], resolved=False),
    "array-items": _rule(
        None, "#ArrayProperties", {"function": "truthy", "field": "items"},
        message='Schemas with "type: array", require a sibling "items" field',
        severity="error", resolved=False),
    "typed-enum": _rule("Enum values must respect the specified type.",
                        "$..[?(@ && @.enum && @.type)]", {"function": "typedEnum"},
                        message="{{error}}"),
    "oas2-api-host": _rule('OpenAPI "host" must be present and non-empty string.', "$",
                           _truthy("host"), formats=["oas2"]),
    "oas2-api-schemes": _rule(
        'OpenAPI host "schemes" must be present and non-empty array.', "$",
        _schema("schemes", {"items": {"type": "string"}, "minItems": 1, "type": "array"}),
        formats=["oas2"]),
    "oas2-discriminator": _rule(
        "discriminator property must be defined and required",
        "$.definitions[?(@ && @.discriminator)]", {"function": "oasDiscriminator"},
        message="{{error}}", severity="error", formats=["oas2"]),
    "oas2-host-not-example": _rule("Host URL must not point at example.com.", "$",
                                   _pattern("host", notMatch="example\\.com"),
                                   recommended=False, formats=["oas2"]),
    "oas2-host-trailing-slash": _rule("Server URL must not have trailing slash.", "$",
                                      _pattern("host", notMatch="/$"), formats=["oas2"]),
    "oas2-parameter-description": _rule(
        'Parameter objects must have "description".', "$..parameters[?(@ && @.in)]",
        _truthy("description"), recommended=False, formats=["oas2"]),
    "oas2-operation-security-defined": _rule(
        'Operation "security" values must match a scheme defined in the '
        '"securityDefinitions" object.', "#SecurityRequirementObject",
        {"function": "oasSecurityDefined", "functionOptions": {"oasVersion": 2}},
        message="{{error}}", formats=["oas2"]),
    "oas2-valid-schema-example": _rule(
        "Examples must be valid against their defined schema.",
        [f"$..definitions..{_EXAMPLE_FILTER}", f"$..parameters..{_EXAMPLE_FILTER}",
         f"$..responses..{_EXAMPLE_FILTER}"],
        {"function": "oasExample",
         "functionOptions": {"schemaField": "$", "oasVersion": 2, "type": "schema"}},
        message="{{error}}", severity="error", formats=["oas2"]),
    "oas2-valid-media-example": _rule(
        "Examples must be valid against their defined schema.",
        "$..responses..[?(@ && @.schema && @.examples)]",
        {"function": "oasExample",
         "functionOptions": {"schemaField": "schema", "oasVersion": 2, "type": "media"}},
        message="{{error}}", severity="error", formats=["oas2"]),
    "oas2-anyOf": _rule("anyOf is not available in OpenAPI v2, it was added in OpenAPI v3",
                        "$..anyOf", {"function": "undefined"},
                        message='"anyOf" keyword must not be used in OpenAPI v2 document.',
                        formats=["oas2"]),
    "oas2-oneOf": _rule("oneOf is not available in OpenAPI v2, it was added in OpenAPI v3",
                        "$..oneOf", {"function": "undefined"},
                        message='"oneOf" keyword must not be used in OpenAPI v2 document.',
                        formats=["oas2"]),
    "oas2-schema": _rule("Validate structure of OpenAPI v2 specification.", "$",
                         {"function": "oasDocumentSchema"}, message="{{error}}.",
                         severity="error", formats=["oas2"], resolved=False),
    "oas2-unused-definition": _rule(
        "Potentially unused definition has been detected.", "$.definitions",
        {"function": "unreferencedReusableObject",
         "functionOptions": {"reusableObjectsLocation": "#/definitions"}},
        formats=["oas2"], resolved=False),
    "oas3-api-servers": _rule(
        'OpenAPI "servers" must be present and non-empty array.', "$",
        _schema("servers", {"items": {"type": "object"}, "minItems": 1, "type": "array"}),
        formats=["oas3"]),
    "oas3-examples-value-or-externalValue": _rule(
        'Examples must have either "value" or "externalValue" field.',
        ["$.components.examples[*]", "$.paths[*][*]..content[*].examples[*]",
         "$.paths[*][*]..parameters[*].examples[*]", "$.components.parameters[*].examples[*]",
         "$.paths[*][*]..headers[*].examples[*]", "$.components.headers[*].examples[*]"],
        {"function": "xor", "functionOptions": {"properties": ["externalValue", "value"]}},
        formats=["oas3"]),
    "oas3-operation-security-defined": _rule(
        'Operation "security" values must match a scheme defined in the '
        '"components.securitySchemes" object.', "#SecurityRequirementObject",
        {"function": "oasSecurityDefined", "functionOptions": {"oasVersion": 3}},
        message="{{error}}", formats=["oas3"]),
    "oas3-parameter-description": _rule(
        'Parameter objects must have "description".',
        ["#PathItem.parameters[?(@ && @.in)]", "#OperationObject.parameters[?(@ && @.in)]",
         "$.components.parameters[?(@ && @.in)]"],
        _truthy("description"), recommended=False, formats=["oas3"]),
    "oas3-server-not-example.com": _rule("Server URL must not point at example.com.",
                                         "$.servers[*].url",
                                         _pattern(notMatch="example\\.com"),
                                         recommended=False, formats=["oas3"]),
    "oas3-server-trailing-slash": _rule("Server URL must not have trailing slash.",
                                        "$.servers[*].url", _pattern(notMatch="./$"),
                                        formats=["oas3"]),
    "oas3-valid-media-example": _rule(
        "Examples must be valid against their defined schema.",
        [f"$..content..{_MEDIA_FILTER_3}", f"$..headers..{_MEDIA_FILTER_3}",
         f"$..parameters..{_MEDIA_FILTER_3}"],
        {"function": "oasExample",
         "functionOptions": {"schemaField": "schema", "oasVersion": 3, "type": "media"}},
        message="{{error}}", severity="error", formats=["oas3"]),
    "oas3-valid-schema-example": _rule(
        "Examples must be valid against their defined schema.",
        [f"$.components.schemas..{_EXAMPLE_FILTER_3}", f"$..content..{_EXAMPLE_FILTER_3}",
         f"$..headers..{_EXAMPLE_FILTER_3}", f"$..parameters..{_EXAMPLE_FILTER_3}"],
        {"function": "oasExample",
         "functionOptions": {"schemaField": "$", "oasVersion": 3, "type": "schema"}},
        message="{{error}}", severity="error", formats=["oas3"]),
    "oas3-schema": _rule("Validate structure of OpenAPI v3 specification.", "$",
                         {"function": "oasDocumentSchema"}, message="{{error}}.",
                         severity="error", formats=["oas3"], resolved=False),
    "oas3-unused-component": _rule(None, "$", {"function": "oasUnusedComponent"},
                                   message="Potentially unused component has been detected.",
                                   formats=["oas3"], resolved=False),
    "oas3-server-variables": _rule(
        "Server variables must be defined and valid and there must be no unused variables.",
        ["$.servers[*]", "#PathItem.servers[*]", "#OperationObject.servers[*]",
         "#LinkObject.server"],
        {"function": "serverVariables",
         "functionOptions": {"checkSubstitutions": True, "requireDefault": True}},
        message="{{error}}", severity="error"),
    "oas3-callbacks-in-callbacks": _rule(
        None, ["#OperationObject.callbacks[*][*][*].callbacks"], {"function": "undefined"},
        message="Callbacks should not be defined within a callback", formats=["oas3"]),
    "oas3_1-servers-in-webhook": _rule(
        None, ["$.webhooks.servers", "$.webhooks[*][*].servers"], {"function": "undefined"},
        message="Servers should not be defined in a webhook.", formats=["oas3_1", "oas3_2"]),
    "oas3_1-callbacks-in-webhook": _rule(
        None, ["$.webhooks[*][*].callbacks"], {"function": "undefined"},
        message="Callbacks should not be defined in a webhook.",
        formats=["oas3_1", "oas3_2"]),
    "oas3_2-no-deprecated-xml-attribute": _rule(
        None, ["$..[?(@ && @.xml)].xml"],
        {"function": "schema", "functionOptions": {"schema": {
            "not": {"properties": {"attribute": {"const": True}}, "required": ["attribute"]}}}},
        message='"xml.attribute" is deprecated in OAS 3.2; use "xml.nodeType: attribute" '
                'instead.', formats=["oas3_2"]),
}

for _name, _definition in _RULES.items():
    _definition["documentationUrl"] = f"{DOCUMENTATION_URL}#{_name}"

RULESET: dict = {
    "documentationUrl": DOCUMENTATION_URL,
    "formats": list(_OAS),
    "aliases": {
        "PathItem": ["$.paths[*]"],
        "OperationObject": ["#PathItem[get,put,post,delete,options,head,patch,trace]"],
        "SecurityRequirementObject": ["$.security[*]", "#OperationObject.security[*]"],
        "ResponseObject": {"targets": [
            {"formats": ["oas2"], "given": ["#OperationObject.responses[*]", "$.responses[*]"]},
            {"formats": ["oas3"],
             "given": ["#OperationObject.responses[*]", "$.components.responses[*]"]},
        ]},
        "LinkObject": {"targets": [
            {"formats": ["oas3"], "given": ["$.components.links[*]", "#ResponseObject.links[*]"]},
        ]},
        "ArrayProperties": {"targets": [
            {"formats": ["oas2", "oas3_0"], "given": ['$..[?(@ && @.type=="array")]']},
            {"formats": ["oas3_1", "oas3_2"], "given": [
                '$..[?(@ && @.type=="array")]',
                '$..[?(@ && @.type && @.type.constructor.name === "Array" && '
                '@.type.includes("array"))]',
            ]},
        ]},
    },
    "rules": _RULES,
}

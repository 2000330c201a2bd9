"""Rules about what an operation exchanges as a whole: request body, media types, status
codes, response headers."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Severity, Spec, Violation, rule

from gates.compat.common import operation_pairs, violation

__all__ = ["media_type_removed", "optional_response_header_removed", "request_body_removed",
           "response_header_removed", "success_status_removed"]


@rule("compat/success-status-removed", severity=Severity.ERROR)
def success_status_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a 2xx response code of the base that the operation no longer declares.

    ## Why is this bad?
    Clients that check for `201` see a different status (or an undocumented one).

    ## Example
    ```yaml
    responses:
      "200": {description: Created}   # was "201"
    ```
    Use instead: keep the status code.

    ## Level
    Breaking (error), as oasdiff's `response-success-status-removed`.
    """
    for old, new, base in operation_pairs(spec):
        for code, resp in old.responses.items():
            if resp.kind == "success" and code not in new.responses:
                ptr = new.pointer / "responses" if "responses" in new.data else new.pointer
                yield violation(spec, base, ptr, resp.use_pointer,
                                f"success response `{code}` of `{new.label}` was removed",
                                subject=f"{new.label} {code}", operation=new.label)


@rule("compat/media-type-removed", severity=Severity.ERROR)
def media_type_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a request or response media type of the base that the head no longer lists.

    ## Why is this bad?
    Clients that send or accept that media type get 415 or 406.

    ## Example
    ```yaml
    content:
      application/json: {...}   # application/xml was removed
    ```
    Use instead: keep the media type until the next major version.

    ## Level
    Breaking (error), as oasdiff's `request-body-media-type-removed` and
    `response-media-type-removed`.
    """
    for old, new, base in operation_pairs(spec):
        if old.request_body is not None and new.request_body is not None:
            for media, mt in old.request_body.content.items():
                if media not in new.request_body.content:
                    yield violation(spec, base, new.request_body.pointer, mt.pointer,
                                    f"request media type `{media}` of `{new.label}` was "
                                    f"removed", subject=f"{new.label} request {media}",
                                    operation=new.label)
        for code, resp in old.responses.items():
            other = new.responses.get(code)
            if other is None or not other.content:
                if other is not None and resp.content:
                    for media, mt in resp.content.items():
                        yield violation(spec, base, other.pointer, mt.pointer,
                                        f"response {code} media type `{media}` of "
                                        f"`{new.label}` was removed",
                                        subject=f"{new.label} {code} {media}", operation=new.label)
                continue
            for media, mt in resp.content.items():
                if media not in other.content:
                    yield violation(spec, base, other.pointer, mt.pointer,
                                    f"response {code} media type `{media}` of `{new.label}` "
                                    f"was removed", subject=f"{new.label} {code} {media}",
                                    operation=new.label)


@rule("compat/request-body-removed", severity=Severity.ERROR)
def request_body_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an operation that took a request body in the base and takes none in the head.

    ## Why is this bad?
    Clients keep sending the body; a server that no longer reads it drops the data, one that
    rejects unexpected bodies fails the request.

    ## Example
    ```yaml
    post:
      responses: {"204": {description: Done}}   # requestBody removed
    ```
    Use instead: keep accepting the body (and ignore it) until the next major version.

    ## Level
    Breaking (error), as oasdiff's `request-body-removed`.
    """
    for old, new, base in operation_pairs(spec):
        if old.request_body is not None and old.request_body.content \
                and new.request_body is None:
            yield violation(spec, base, new.pointer, old.request_body.use_pointer,
                            f"the request body of `{new.label}` was removed",
                            subject=f"{new.label} request body", operation=new.label)


def _header_pairs(spec: Spec) -> Iterator[tuple[object, ...]]:
    for old, new, base in operation_pairs(spec):
        for code, resp in old.responses.items():
            other = new.responses.get(code)
            if other is None:
                continue
            now = {k.lower(): h for k, h in other.headers.items()}
            for name, header in resp.headers.items():
                yield base, new, code, other, name, header, now.get(name.lower())


@rule("compat/response-header-removed", severity=Severity.ERROR)
def response_header_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a required response header of the base (`required: true`) that the head no longer
    returns, or no longer requires.

    ## Why is this bad?
    Clients read it on every response (a `Location`, an `ETag`, a rate-limit counter) and
    fail or misbehave without it.

    ## Example
    ```yaml
    headers:
      X-Rate-Limit-Remaining: {required: false, schema: {type: integer}}   # was required
    ```
    Use instead: keep returning the header.

    ## Level
    Breaking (error), as oasdiff's `required-response-header-removed` and
    `response-header-became-optional`.
    """
    for base, new, code, other, name, header, now in _header_pairs(spec):
        if header.data.get("required") is not True:
            continue
        if now is None:
            yield violation(spec, base, other.pointer, header.use_pointer,
                            f"required response {code} header `{name}` of `{new.label}` was "
                            f"removed", subject=f"{new.label} {code} header {name}",
                            operation=new.label)
        elif now.data.get("required") is not True:
            yield violation(spec, base, now.use_pointer, header.use_pointer,
                            f"response {code} header `{name}` of `{new.label}` is no longer "
                            f"required", subject=f"{new.label} {code} header {name}",
                            operation=new.label)


@rule("compat/optional-response-header-removed", severity=Severity.WARNING)
def optional_response_header_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an optional response header of the base that the head no longer documents.

    ## Why is this bad?
    Clients had to cope with its absence, but those that read it when present (paging
    links, deprecation notices) silently lose what it carried.

    ## Example
    ```yaml
    headers: {}   # `Link` was documented
    ```
    Use instead: keep documenting the header while the server sends it.

    ## Level
    Potentially breaking (warning), as oasdiff's `optional-response-header-removed`.
    """
    for base, new, code, other, name, header, now in _header_pairs(spec):
        if header.data.get("required") is not True and now is None:
            yield violation(spec, base, other.pointer, header.use_pointer,
                            f"response {code} header `{name}` of `{new.label}` was removed",
                            subject=f"{new.label} {code} header {name}", operation=new.label)

"""Authentication: every operation declares how it is secured, safely, or is listed as public.

Definition: the *effective* security of an
operation under `paths` is its own `security` if present (even `[]`), else the root's, else
it is undeclared. Undeclared operations fail; public (`[]` or only `{}`) writes fail unless
allow-listed (`public-operations`, `x-gatekeeper-public: true`); every requirement names a
defined scheme and declared OAuth scopes; credentials never travel over plain `http://`
(servers, HTTP Basic) or in query strings. OPTIONS and TRACE are exempt (CORS preflights
carry no credentials). The metric is the share of in-scope operations that are secured or
explicitly public (allow-listed, `x-gatekeeper-public`, or a well-known public endpoint).

Where a literal reading of the semantics would give a verdict an experienced reviewer laughs
at, the gate follows the reviewer; each such case, found by running the gate on the
APIs.guru corpus, is listed here:

* **Sign-in and OAuth endpoints are public by nature** (Amendments): `POST /oauth2/token`,
  `/login`, `/signup`, `/register`, `/password/reset`, ... with `security: []` are reported
  as `info`, not as unsecured writes. Health probes, `/.well-known/*` and the API
  description itself are likewise `info` when public reads.
* **Undeclared security on a sign-in endpoint** is `info` and on a health probe a warning
  (as for an unlisted public read): influxdata's `POST /signin` and Svix's
  `GET /api/v1/health/` have no `security`, which means "no credentials" in practice.
  Other undeclared operations stay errors: Svix's two undeclared background-task reads are
  genuine omissions. An API whose only operations are sign-in endpoints needs no scheme.
* **Plain `http://` to a host that never leaves the local network** (`*.local`,
  `*.localhost`, private and loopback addresses) is not reported: OpenSTF documents its
  self-hosted server as `http://openstf.local/api/v1`, a placeholder, not a deployment.
  `http://api.example.com` is still reported.
* **OpenID Connect scopes** live in the discovery document and cannot be checked; **3.1
  role lists** on any scheme type are legal. Neither is reported. Swagger 2.0 has the same
  "MUST be empty for non-OAuth schemes" rule as 3.0, so `auth/scopes-on-non-oauth-scheme`
  applies to 2.0 and 3.0.
* **Scopes on a bearer or API-key requirement in a 3.0 document** are a warning, not the
  error the semantics table gives: DigitalOcean lists the token scopes each operation needs
  on its `bearer_auth` requirement (643 operations); that is the 3.1 role-list feature used
  one version early, good documentation rather than a security gap, and no reviewer fails
  DigitalOcean's authentication for it.
* **A public operation served by another host** (operation- or path-level `servers` that
  differ from the API's, like DigitalOcean's presigned `PUT /<upload_url>`, whose signed
  URL is the credential) is `info`: the API's own security does not apply there.
* **An OAuth2 requirement with no scopes** is not reported when the scheme declares no
  scopes at all: the empty list is then the only correct value.
* **`http` scheme names compare case-insensitively** (`Basic`, `BEARER`), as OpenAPI and
  RFC 7235 say; security requirement *names* are case-sensitive, and a requirement that
  matches a scheme only by case is reported as undefined with a "did you mean".
* **An API key in the query string is an error only when some operation uses that
  scheme**: an unused query key scheme is reported as unused instead.
"""

from __future__ import annotations

from gatekeeper import Gate, Metric, Spec, is_well_known_auth_endpoint

from gates.auth.common import in_scope, listed, security_class
from gates.auth.requirements import (
    missing_scopes, no_security_schemes, optional_security, public_read_operation,
    public_write_operation, scopes_on_non_oauth_scheme, undeclared_scope, undeclared_security,
    undefined_security_scheme, unused_scope, unused_security_scheme,
)
from gates.auth.responses import (
    missing_401_response, missing_403_response, missing_www_authenticate,
)
from gates.auth.schemes import (
    disallowed_scheme_type, unregistered_http_scheme, weak_http_scheme, weak_oauth_flow,
)
from gates.auth.transport import (
    api_key_in_cookie, api_key_in_query, credential_parameter, http_basic_auth,
    insecure_oauth_url, insecure_server, manual_authorization_parameter,
)

__all__ = [
    "GATE", "api_key_in_cookie", "api_key_in_query", "auth_coverage", "credential_parameter",
    "disallowed_scheme_type", "http_basic_auth", "insecure_oauth_url", "insecure_server",
    "manual_authorization_parameter", "missing_401_response", "missing_403_response",
    "missing_scopes", "missing_www_authenticate", "no_security_schemes", "optional_security",
    "public_read_operation", "public_write_operation", "scopes_on_non_oauth_scheme",
    "security_class", "undeclared_scope", "undeclared_security", "undefined_security_scheme",
    "unregistered_http_scheme", "unused_scope", "unused_security_scheme", "weak_http_scheme",
    "weak_oauth_flow",
]

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


def auth_coverage(
    spec: Spec,
    *,
    public_operations: tuple[Any, ...],
    public_extension: str,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    empty_security_means: str = "public",
) -> Metric:
    """Share of in-scope operations that are secured (protected or optional security) or
    explicitly public (allow-listed, `x-gatekeeper-public`, or a well-known sign-in or OAuth
    endpoint)."""
    ops = in_scope(spec, exempt_methods, include_webhooks)
    passed, unsecured = 0, []
    for op in ops:
        cls = security_class(op, empty_means=empty_security_means)
        ok = cls in ("protected", "optional") or listed(op, public_operations, public_extension)
        if not ok and cls == "public":
            ok = is_well_known_auth_endpoint(op.path)
        if ok:
            passed += 1
        else:
            unsecured.append(op.label)
    return Metric.ratio(passed, len(ops), "operations secured or explicitly public",
                        unsecured=unsecured)


GATE = Gate(
    "auth",
    title="Authentication",
    rules=(no_security_schemes, undeclared_security, public_write_operation,
           public_read_operation, optional_security, undefined_security_scheme,
           undeclared_scope, scopes_on_non_oauth_scheme, missing_scopes,
           unused_security_scheme, unused_scope, insecure_server, http_basic_auth,
           api_key_in_query, api_key_in_cookie, weak_oauth_flow, weak_http_scheme,
           unregistered_http_scheme, insecure_oauth_url, manual_authorization_parameter,
           credential_parameter, missing_401_response, missing_403_response,
           missing_www_authenticate, disallowed_scheme_type),
    metric=auth_coverage,
    description=__doc__.split("\n")[0],
    mandatory=True,
    # Declared once for most rules and the metric, which take them without a default.
    # OPTIONS and TRACE are exempt: CORS preflights carry no credentials.
    options={"public_operations": (), "public_extension": "x-gatekeeper-public",
             "exempt_methods": ("options", "trace"), "include_webhooks": False,
             "write_methods": ("post", "put", "patch", "delete")},
)

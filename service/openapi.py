"""The OpenAPI 3.1 document: its configuration, and ``write_openapi`` for ``whosaid openapi``.

The committed ``openapi/openapi.json`` is :func:`render_openapi` of the app; a test regenerates
it and compares, so the contract only changes on purpose.
"""

from __future__ import annotations

from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, Tag

from service.auth import SECURITY_SCHEME, SECURITY_SCHEME_NAME
from service.page import swagger_plugin

API_VERSION = "1.0.0"
DESCRIPTION = """\
Who said this, and where? Give the words of a quotation as one outlet printed them; whosaid
answers with the statement they belong to, who made it, every outlet that reported it, each
outlet's exact wording and how that wording differs.

Articles can be added and deleted while the service answers (`POST /v1/articles`,
`DELETE /v1/articles/{article_id}`); an acknowledged write is durable and visible to lookups.
Writes need an API key in the `X-API-Key` header; reads need one only when the server is
configured so (`WHOSAID_PROTECT_READS=1`).

Errors are problem details (RFC 9457, `application/problem+json`) with a stable `type`.
"""
TAGS = [
    Tag(name="lookup", description="Attribute a text to a statement and its speaker."),
    Tag(name="statements", description="Statements and every outlet's wording of them."),
    Tag(name="speakers", description="People and organisations that statements are theirs."),
    Tag(name="outlets", description="The publications the articles come from."),
    Tag(
        name="articles",
        description="Indexed articles and the quotations in them; adding and deleting them.",
    ),
    Tag(name="health", description="Liveness and readiness probes."),
    Tag(name="metrics", description="Prometheus metrics."),
]


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="whosaid",
        version=API_VERSION,
        description=DESCRIPTION,
        tags=TAGS,
        use_handler_docstrings=True,
        path="/schema",
        components=Components(security_schemes={SECURITY_SCHEME_NAME: SECURITY_SCHEME}),
        render_plugins=[swagger_plugin()],
    )

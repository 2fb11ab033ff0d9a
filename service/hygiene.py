"""Requests refused before any handler runs: an API key in the query string.

A query string ends up in access logs, proxy logs and browser history, so a key sent there is
refused (400 ``api-key-in-query``) whether or not it is right, under a key-like parameter name
or as the value of any parameter. The key is never echoed or logged: the access log records the
route template, and the problem body says only which parameter to move.
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Request

from service.auth import API_KEY_HEADER, ApiKeys
from service.errors import KeyInQueryError

# The scope-state flag of a request refused here.
KEY_IN_QUERY: Final = "whosaid_key_in_query"
# Query parameter names that mean a key, compared without case, "-" or "_".
KEY_NAMES: Final = frozenset({"apikey", "xapikey", "key", "accesskey", "token", "accesstoken"})


def _is_key_name(name: str) -> bool:
    return name.lower().replace("-", "").replace("_", "") in KEY_NAMES


async def refuse_keys_in_query(request: Request[Any, Any, Any]) -> None:
    """``before_request`` hook: raise :class:`KeyInQueryError` for a key in the query."""
    if not request.scope.get("query_string"):
        return
    keys: ApiKeys = request.app.state.api_keys
    for name, value in request.query_params.multi_items():
        if _is_key_name(name) or (keys.configured and value and keys.accepts(value)):
            # The access log leaves this query out even where it logs queries.
            request.scope.setdefault("state", {})[KEY_IN_QUERY] = True
            raise KeyInQueryError(
                f"API keys go in the {API_KEY_HEADER} header, never in the query string "
                f"(parameter {name[:40]!r}); this request was not run"
            )

"""The request class: JSON bodies that cannot be decoded are the client's mistake (400).

litestar turns a malformed JSON body into a 400, but lets two failures of the decoder through
as exceptions of ours (500): bytes that are not UTF-8, and nesting deeper than the decoder's
recursion limit. This request class reports both as the client errors they are, and a client
that goes away before its body has arrived as a disconnect (counted apart, never a 5xx).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException, InternalServerException

from service.errors import ClientDisconnectedError

# What litestar's request stream raises when the client disconnects mid-body.
DISCONNECTED = "client disconnected prematurely"


class JsonRequest(Request[Any, Any, Any]):
    async def body(self) -> bytes:
        try:
            return await super().body()
        except InternalServerException as exc:
            if exc.detail != DISCONNECTED:
                raise
            raise ClientDisconnectedError("the client went away before its body arrived") from exc

    async def json(self) -> Any:
        try:
            return await super().json()
        except UnicodeDecodeError as exc:
            raise ClientException(detail=f"the body is not UTF-8: {exc.reason}") from exc
        except RecursionError as exc:
            raise ClientException(detail="the body's JSON is nested too deeply") from exc

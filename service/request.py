"""The request class: JSON bodies that cannot be decoded are the client's mistake (400).

litestar turns a malformed JSON body into a 400, but lets two failures of the decoder through
as exceptions of ours (500): bytes that are not UTF-8, and nesting deeper than the decoder's
recursion limit. This request class reports both as the client errors they are.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException


class JsonRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            return await super().json()
        except UnicodeDecodeError as exc:
            raise ClientException(detail=f"the body is not UTF-8: {exc.reason}") from exc
        except RecursionError as exc:
            raise ClientException(detail="the body's JSON is nested too deeply") from exc

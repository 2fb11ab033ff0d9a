"""API keys: who may write, and, when the settings say so, who may read.

Keys come from ``WHOSAID_API_KEYS`` (comma-separated) and ``WHOSAID_API_KEYS_FILE`` (one a
line; blank lines and lines starting with ``#`` are skipped), read once when the app is
created. A request presents its key in the ``X-API-Key`` header. The key is compared with
every configured key in constant time (digests of equal length, no early exit), so neither
the position of a match nor a key's length shows in the timing.

Guards raise; the error table (``service.errors``) answers 401 for a missing key, 403 for a
wrong one, and 403 ``writes-disabled`` when the server has no key at all: with no key
configured nobody can write, rather than everybody.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any, Final

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import SecurityRequirement, SecurityScheme

from index import WhosaidError
from service.errors import MissingKeyError, WritesDisabledError, WrongKeyError
from service.settings import Settings

API_KEY_HEADER: Final = "X-API-Key"
SECURITY_SCHEME_NAME: Final = "ApiKey"
SECURITY_SCHEME: Final = SecurityScheme(
    type="apiKey",
    name=API_KEY_HEADER,
    security_scheme_in="header",
    description="A key from the server's `WHOSAID_API_KEYS` or `WHOSAID_API_KEYS_FILE`. "
    "Writes always need one; reads only when the server sets `WHOSAID_PROTECT_READS=1`.",
)
# Writes need the key. Reads declare no security: a client calls them with no key (a server
# that sets WHOSAID_PROTECT_READS asks one anyway, as the scheme's description says).
WRITE_SECURITY: Final[list[SecurityRequirement]] = [{SECURITY_SCHEME_NAME: []}]
READ_SECURITY: Final[list[SecurityRequirement] | None] = None

NO_KEYS_DETAIL = (
    "no API key is configured on this server, so it accepts no writes; set WHOSAID_API_KEYS "
    "or WHOSAID_API_KEYS_FILE"
)


class KeyConfigError(WhosaidError):
    """The API keys file cannot be read, or reads are keyed with no key to give."""


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()


class ApiKeys:
    """The configured keys, kept as digests only."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._digests = tuple(_digest(key) for key in dict.fromkeys(keys) if key)

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiKeys:
        keys = [key.strip() for key in settings.api_keys.split(",")]
        if settings.api_keys_file is not None:
            try:
                lines = settings.api_keys_file.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise KeyConfigError(
                    f"cannot read the API keys file {settings.api_keys_file}: {exc}"
                ) from exc
            keys.extend(line.strip() for line in lines if not line.lstrip().startswith("#"))
        found = cls(key for key in keys if key)
        if settings.protect_reads and not found.configured:
            raise KeyConfigError(
                "WHOSAID_PROTECT_READS is set but no API key is configured: nobody could read; "
                "set WHOSAID_API_KEYS or WHOSAID_API_KEYS_FILE"
            )
        return found

    @property
    def configured(self) -> bool:
        return bool(self._digests)

    def accepts(self, presented: str) -> bool:
        """Whether ``presented`` is one of the keys: every key is compared, always."""
        candidate = _digest(presented)
        found = False
        for digest in self._digests:
            found |= hmac.compare_digest(candidate, digest)
        return found

    def require(self, presented: str | None) -> None:
        """Raise unless ``presented`` is a configured key."""
        if not self.configured:
            raise WritesDisabledError(NO_KEYS_DETAIL)
        if not presented:
            raise MissingKeyError(f"this operation needs an API key in the {API_KEY_HEADER} header")
        if not self.accepts(presented):
            raise WrongKeyError(f"the key in the {API_KEY_HEADER} header is not accepted")


def _keys_of(connection: ASGIConnection[Any, Any, Any, Any]) -> ApiKeys:
    keys: ApiKeys = connection.app.state.api_keys
    return keys


def require_write_key(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard of the write routes: a valid key, always."""
    _keys_of(connection).require(connection.headers.get(API_KEY_HEADER))


def require_read_key(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard of the read routes: a valid key when the settings protect reads."""
    settings: Settings = connection.app.state.settings
    if settings.protect_reads:
        _keys_of(connection).require(connection.headers.get(API_KEY_HEADER))

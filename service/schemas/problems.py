"""Problem details (RFC 9457): the body of every error answer."""

from __future__ import annotations

import msgspec


class FieldError(msgspec.Struct, frozen=True, kw_only=True):
    """One invalid part of a request."""

    message: str
    key: str | None
    source: str | None


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An error, as problem details (RFC 9457). ``type`` is stable: branch on it, not on
    ``title`` or ``detail``."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: tuple[FieldError, ...] | None = None

"""The errors the pipeline and the index raise. The service maps them to HTTP statuses."""

from __future__ import annotations

from collections.abc import Mapping


class WhosaidError(Exception):
    """Base of every error whosaid raises on purpose."""


class ArticleError(WhosaidError):
    """An article or an articles source cannot be read or is malformed."""


class IndexFormatError(WhosaidError):
    """An index folder is missing, incomplete, or built by an incompatible version or model."""


class GoldError(WhosaidError):
    """A gold file for ``eval`` is malformed or names files that are not there."""


class UnknownIdError(WhosaidError):
    """A statement, speaker or article id that the index does not hold."""

    def __init__(self, kind: str, id_: str) -> None:
        super().__init__(f"no {kind} with id {id_!r}")


class InvalidCursorError(WhosaidError):
    """A pagination cursor this index did not hand out (or one from a rebuilt index)."""

    def __init__(self) -> None:
        super().__init__("the cursor is not one this service handed out; start from the first page")


class OverBudgetError(WhosaidError):
    """A lookup ran past its time budget; ``headers`` (``Retry-After``) say when to try again."""

    headers: Mapping[str, str] = {}

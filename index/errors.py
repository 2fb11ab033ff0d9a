"""The errors the pipeline and the index raise. The service maps them to HTTP statuses."""

from __future__ import annotations


class WhosaidError(Exception):
    """Base of every error whosaid raises on purpose."""


class ArticleError(WhosaidError):
    """An article or an articles source cannot be read or is malformed."""


class IndexFormatError(WhosaidError):
    """An index folder is missing, incomplete, or built by an incompatible version or model."""


class GoldError(WhosaidError):
    """A gold file for ``eval`` is malformed or names files that are not there."""

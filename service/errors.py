"""Errors as problem details (RFC 9457), mapped in one table.

Handlers raise; they never catch. Every exception that reaches the app is turned into an
``application/problem+json`` response by :func:`problem_response`, using :data:`PROBLEMS` to pick
the status and the stable ``type`` URI. Client mistakes are 4xx; only a fault of ours is a 5xx.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Final

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    ValidationException,
)
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

from index import (
    ArticleConflictError,
    ArticleRejectedError,
    IndexFormatError,
    InvalidCursorError,
    JournalError,
    OverBudgetError,
    UnknownIdError,
    WhosaidError,
)
from service.schemas import MAX_BODY_BYTES, MAX_INGEST_BODY_BYTES, FieldError, Problem

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
PROBLEM_BASE: Final = "https://whosaid.dev/problems/"

log = logging.getLogger("whosaid.service")


class ServiceError(WhosaidError):
    """Base of the errors the service raises on purpose."""

    # Response headers the error comes with (say, WWW-Authenticate on a 401).
    headers: Mapping[str, str] = {}


class NotReadyError(ServiceError):
    """The index and model are still loading (or being built on a first start)."""


class IndexUnavailableError(ServiceError):
    """Loading the index failed; the service cannot answer until it is fixed and restarted."""


class MissingKeyError(ServiceError):
    """A keyed operation called without an API key."""

    headers: Mapping[str, str] = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'}


class WrongKeyError(ServiceError):
    """An API key that is not one of the server's."""


class WritesDisabledError(ServiceError):
    """This server accepts no writes: no API key is configured, or it runs several workers."""


class ClientDisconnectedError(ServiceError):
    """The client went away before its request arrived whole; nobody reads the answer."""


class KeyInQueryError(ServiceError):
    """An API key sent in the query string, where logs and proxies keep it."""


class ProblemType(msgspec.Struct, frozen=True, kw_only=True):
    status: int
    slug: str
    title: str

    @property
    def uri(self) -> str:
        return PROBLEM_BASE + self.slug


INVALID_INPUT = ProblemType(status=400, slug="invalid-input", title="Invalid input")
INVALID_CURSOR = ProblemType(status=400, slug="invalid-cursor", title="Invalid cursor")
NOT_FOUND = ProblemType(status=404, slug="not-found", title="Not found")
KEY_REQUIRED = ProblemType(status=401, slug="api-key-required", title="API key required")
KEY_REJECTED = ProblemType(status=403, slug="api-key-rejected", title="API key not accepted")
WRITES_DISABLED = ProblemType(status=403, slug="writes-disabled", title="Writes disabled")
ARTICLE_CONFLICT = ProblemType(status=409, slug="article-conflict", title="Article conflict")
ARTICLE_REJECTED = ProblemType(
    status=422, slug="article-rejected", title="Article too costly to analyse"
)
METHOD_NOT_ALLOWED = ProblemType(status=405, slug="method-not-allowed", title="Method not allowed")
BODY_TOO_LARGE = ProblemType(status=413, slug="body-too-large", title="Request body too large")
NOT_READY = ProblemType(status=503, slug="not-ready", title="Index not ready")
INDEX_UNAVAILABLE = ProblemType(status=503, slug="index-unavailable", title="Index unavailable")
JOURNAL_UNAVAILABLE = ProblemType(
    status=503, slug="journal-unavailable", title="Journal unavailable"
)
KEY_IN_QUERY = ProblemType(status=400, slug="api-key-in-query", title="API key in the query")
# nginx's code for a client that closed the connection first; never seen by that client, and
# the metrics count it apart from the answered requests.
CLIENT_DISCONNECTED = ProblemType(
    status=499, slug="client-disconnected", title="Client closed the request"
)
OVER_BUDGET = ProblemType(status=503, slug="over-budget", title="Lookup over its time budget")
INTERNAL = ProblemType(status=500, slug="internal-error", title="Internal error")

# The one mapping from exceptions to problems. Lookup walks the exception's MRO, so the most
# specific entry wins; an HTTPException not listed keeps its status with type "about:blank".
PROBLEMS: Final[Mapping[type[Exception], ProblemType]] = {
    ValidationException: INVALID_INPUT,
    ClientException: INVALID_INPUT,  # malformed JSON and other unreadable requests
    InvalidCursorError: INVALID_CURSOR,
    UnknownIdError: NOT_FOUND,
    NotFoundException: NOT_FOUND,
    MissingKeyError: KEY_REQUIRED,
    WrongKeyError: KEY_REJECTED,
    WritesDisabledError: WRITES_DISABLED,
    KeyInQueryError: KEY_IN_QUERY,
    ClientDisconnectedError: CLIENT_DISCONNECTED,
    ArticleConflictError: ARTICLE_CONFLICT,
    ArticleRejectedError: ARTICLE_REJECTED,
    MethodNotAllowedException: METHOD_NOT_ALLOWED,
    RequestEntityTooLarge: BODY_TOO_LARGE,
    NotReadyError: NOT_READY,
    IndexUnavailableError: INDEX_UNAVAILABLE,
    IndexFormatError: INDEX_UNAVAILABLE,
    JournalError: JOURNAL_UNAVAILABLE,
    OverBudgetError: OVER_BUDGET,
}


# A detail or a field's message is cut to this many characters, so no input is echoed whole; a
# query string in an echoed URL is dropped (it holds the input, maybe a key); a 5xx detail names
# no file or folder of the server (only each path's last part).
MAX_DETAIL: Final = 300
_QUERY = re.compile(r"(?<=[^\s?])\?[^\s]+")
_PATH = re.compile(r"(?:[^\s'\"`:;,()]*/)+([^\s'\"`:;,()/]*)")


def excerpt(text: str, limit: int = MAX_DETAIL) -> str:
    """``text`` without query strings, at most ``limit`` characters (cut with an ellipsis)."""
    text = _QUERY.sub("", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def without_paths(text: str) -> str:
    """``text`` with every file path shortened to its last part."""
    return _PATH.sub(lambda match: "…/" + match.group(1), text)


def problem_type_of(exc: Exception) -> ProblemType | None:
    """The table's entry for ``exc``; None for an HTTP error whose status the entry disagrees
    with (say, a 401 that would otherwise fall back to the ``ClientException`` row)."""
    for cls in type(exc).__mro__:
        if cls in PROBLEMS:
            kind = PROBLEMS[cls]
            if isinstance(exc, HTTPException) and exc.status_code != kind.status:
                return None
            return kind
    return None


def _field_errors(extra: object) -> tuple[FieldError, ...] | None:
    if not isinstance(extra, list) or not extra:
        return None
    errors = []
    for item in extra:
        if isinstance(item, Mapping):
            errors.append(
                FieldError(
                    message=excerpt(str(item.get("message", ""))),
                    key=None if item.get("key") is None else str(item.get("key")),
                    source=None if item.get("source") is None else str(item.get("source")),
                )
            )
    return tuple(errors) or None


def to_problem(exc: Exception, instance: str | None = None) -> tuple[Problem, dict[str, str]]:
    """The problem document (and any headers, such as ``Allow``) for an exception."""
    kind = problem_type_of(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, HTTPException):
        headers = dict(exc.headers or {})
        if kind is None:
            status = exc.status_code
            phrase = HTTPStatus(status).phrase
            return Problem(
                type="about:blank", title=phrase, status=status, instance=instance
            ), headers
        detail = exc.detail
        errors = _field_errors(exc.extra)
    elif kind is not None:
        headers = dict(getattr(exc, "headers", None) or {})
        detail = str(exc)
        errors = None
    else:
        kind, detail, errors = INTERNAL, "the service failed to answer; not your fault", None
    if detail and kind.status >= 500:
        detail = without_paths(detail)
    problem = Problem(
        type=kind.uri,
        title=kind.title,
        status=kind.status,
        detail=excerpt(detail) if detail else None,
        instance=instance,
        errors=errors,
    )
    return problem, headers


def problem_response(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """The app's exception handler for every exception (registered for ``Exception``)."""
    problem, headers = to_problem(exc, instance=excerpt(request.url.path))
    if problem.status >= 500 and not isinstance(exc, WhosaidError):  # ours say what is wrong
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response(
        content=problem,
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


# ---------------------------------------------------------------------------------------------
# OpenAPI: the problem responses each route documents.


class _Documented(msgspec.Struct, frozen=True, kw_only=True):
    description: str
    examples: tuple[Problem, ...]


def _example(kind: ProblemType, detail: str, *errors: FieldError) -> Problem:
    return Problem(
        type=kind.uri, title=kind.title, status=kind.status, detail=detail, errors=errors or None
    )


_DOCUMENTED: Final[Mapping[int, _Documented]] = {
    400: _Documented(
        description="Invalid input: a parameter or body field is missing, empty, too long, out "
        "of range or unknown (`invalid-input`), a pagination cursor this service did not "
        "hand out (`invalid-cursor`), or an API key in the query string, where logs keep it "
        "(`api-key-in-query`; send it in the `X-API-Key` header).",
        examples=(
            _example(
                INVALID_INPUT,
                "Validation failed for POST /v1/lookup",
                FieldError(message="Expected `str` of length >= 1", key="text", source="body"),
            ),
        ),
    ),
    401: _Documented(
        description="No API key in the `X-API-Key` header (`api-key-required`).",
        examples=(
            _example(KEY_REQUIRED, "this operation needs an API key in the X-API-Key header"),
        ),
    ),
    403: _Documented(
        description="The API key is not one of the server's (`api-key-rejected`), or the "
        "server accepts no writes: it has no API key configured, or runs several worker "
        "processes (`writes-disabled`).",
        examples=(
            _example(KEY_REJECTED, "the key in the X-API-Key header is not accepted"),
            _example(
                WRITES_DISABLED,
                "no API key is configured on this server, so it accepts no writes; set "
                "WHOSAID_API_KEYS or WHOSAID_API_KEYS_FILE",
            ),
        ),
    ),
    404: _Documented(
        description="No resource with that id.",
        examples=(_example(NOT_FOUND, "no statement with id 'st_0000'"),),
    ),
    409: _Documented(
        description="An article id the index already holds with another outlet or text "
        "(`article-conflict`); nothing of the batch was added. Delete the article first to "
        "replace it.",
        examples=(
            _example(
                ARTICLE_CONFLICT,
                "article 'wire-2024-0001' is already indexed with another outlet or text; "
                "delete it first to replace it",
            ),
        ),
    ),
    413: _Documented(
        description=f"The request body is larger than the operation accepts: {MAX_BODY_BYTES} "
        f"bytes, {MAX_INGEST_BODY_BYTES} for adding articles.",
        examples=(_example(BODY_TOO_LARGE, "Request Entity Too Large"),),
    ),
    422: _Documented(
        description="An article that would take the analysis far longer than any news article "
        "(`article-rejected`): a run of more than 500 characters without a space, more than "
        "1,000 quotations, or paragraphs crowded with quotations. Nothing of the batch was "
        "added.",
        examples=(
            _example(
                ARTICLE_REJECTED,
                "article 'wire-2024-0001' is not taken: it has a run of more than 500 "
                "characters without a space",
            ),
        ),
    ),
    503: _Documented(
        description="The index is still loading (`not-ready`), loading it failed "
        "(`index-unavailable`), the journal of added articles cannot be written "
        "(`journal-unavailable`), or a lookup ran past its time budget (`over-budget`, with "
        "`Retry-After`).",
        examples=(
            _example(NOT_READY, "the index is loading; try again shortly"),
            _example(
                INDEX_UNAVAILABLE,
                "loading the index failed: no index folder at …/index",
            ),
        ),
    ),
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """``responses=`` entries documenting these error statuses as problem details."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DOCUMENTED[status].description,
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
            examples=[
                Example(summary=example.title, value=msgspec.to_builtins(example))
                for example in _DOCUMENTED[status].examples
            ],
        )
        for status in statuses
    }

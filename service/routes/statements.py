"""Statements: one by id with all its variants, or a filtered, paginated list."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from index import InvalidCursorError
from service import convert
from service import examples as ex
from service.auth import READ_SECURITY, require_read_key
from service.errors import problem_responses
from service.routes.filters import check_outlets, resolve_speaker
from service.runtime import IndexDep
from service.schemas import (
    DEFAULT_MAX_VARIANTS,
    DEFAULT_PAGE_SIZE,
    MAX_NAME_LENGTH,
    CursorParam,
    MaxVariantsParam,
    PageSizeParam,
    Statement,
    StatementPage,
    VariantsCursorParam,
    id_parameter,
)
from service.variants import decode_cursor as variant_offset


def encode_cursor(statement_id: str) -> str:
    return base64.urlsafe_b64encode(statement_id.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidCursorError() from exc


class StatementController(Controller):
    path = "/statements"
    tags = ("statements",)
    guards = (require_read_key,)
    security = READ_SECURITY

    @get(
        "/",
        operation_id="listStatements",
        summary="List statements",
        responses={
            200: ex.ok(StatementPage, "A page of statements.", ex.example(ex.PAGE, "A page")),
            **problem_responses(400, 401, 403, 503),
        },
    )
    async def list_statements(
        self,
        index: IndexDep,
        speaker: Annotated[
            str | None,
            QueryParameter(
                description="Only statements attributed to this speaker: an id, or a name or "
                "alias (case-insensitive). An unknown speaker is a 400.",
                min_length=1,
                max_length=MAX_NAME_LENGTH,
                examples=[ex.example(ex.SPEAKER.id, "A speaker id")],
            ),
        ] = None,
        outlet: Annotated[
            str | None,
            QueryParameter(
                description="Only statements this outlet printed (outlet name, "
                "case-insensitive). An unknown outlet is a 400.",
                min_length=1,
                max_length=MAX_NAME_LENGTH,
                examples=[ex.example(ex.OUTLET, "An outlet")],
            ),
        ] = None,
        limit: PageSizeParam = DEFAULT_PAGE_SIZE,
        cursor: CursorParam = None,
    ) -> StatementPage:
        """The statements of the index in a stable order, optionally only one speaker's or one
        outlet's, a page at a time. Pass the `next_cursor` of a page to get the next one."""
        after = None if cursor is None else decode_cursor(cursor)
        check_outlets(index, [] if outlet is None else [outlet], "outlet")
        speaker_id = resolve_speaker(index, speaker)
        groups, last = index.catalog.page(
            speaker=speaker_id, outlet=outlet, after=after, limit=limit
        )
        return StatementPage(
            items=tuple(convert.statement_summary(g, index.catalog) for g in groups),
            next_cursor=None if last is None else encode_cursor(last),
        )

    @get(
        "/{statement_id:str}",
        operation_id="getStatement",
        summary="Get one statement",
        responses={
            200: ex.ok(
                Statement,
                "The statement, its speaker, and every outlet's variant with its differences.",
                ex.example(ex.STATEMENT, "A statement printed by two outlets"),
            ),
            **problem_responses(400, 401, 403, 404, 503),
        },
    )
    async def get_statement(
        self,
        index: IndexDep,
        statement_id: Annotated[
            str, id_parameter("A statement id, as lookups and lists return it.", ex.STATEMENT_ID)
        ],
        max_variants: MaxVariantsParam = DEFAULT_MAX_VARIANTS,
        variants_cursor: VariantsCursorParam = None,
    ) -> Statement:
        """One statement: its canonical wording, its speaker, and its outlets' variants with
        the wording differences against the canonical text, `max_variants` rows at a time
        (fragments folded under the full variant they are part of); `next_variants_cursor`
        continues."""
        offset = variant_offset(variants_cursor)
        group = index.catalog.statement(statement_id)
        return convert.statement(group, index.catalog, max_variants, offset, index.searcher)

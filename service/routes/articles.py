"""Articles: one indexed article with its quotations; adding and deleting articles."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import Body, QueryParameter

from index import InvalidCursorError, UnknownIdError, select_articles
from service import convert
from service import examples as ex
from service.auth import READ_SECURITY, WRITE_SECURITY, require_read_key, require_write_key
from service.errors import problem_responses
from service.routes.filters import check_outlets
from service.routes.statements import decode_cursor, encode_cursor
from service.runtime import IndexDep, RuntimeDep
from service.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_INGEST_ARTICLES,
    MAX_INGEST_BODY_BYTES,
    MAX_NAME_LENGTH,
    MAX_PUBLISHED_LENGTH,
    Article,
    ArticlePage,
    CursorParam,
    IngestRequest,
    IngestResponse,
    PageSizeParam,
    id_parameter,
)

DATE = QueryParameter(
    description="An ISO date (YYYY-MM-DD); articles without a date are left out.",
    min_length=4,
    max_length=MAX_PUBLISHED_LENGTH,
)


class ArticleController(Controller):
    path = "/articles"
    tags = ("articles",)

    @get(
        "/",
        operation_id="listArticles",
        summary="List articles",
        guards=[require_read_key],
        security=READ_SECURITY,
        responses={
            200: ex.ok(ArticlePage, "A page of articles.", ex.example(ex.ARTICLE_PAGE, "A page")),
            **problem_responses(400, 401, 403, 503),
        },
    )
    async def list_articles(
        self,
        index: IndexDep,
        outlet: Annotated[
            str | None,
            QueryParameter(
                description="Only this outlet's articles (case-insensitive). An unknown outlet "
                "is a 400.",
                min_length=1,
                max_length=MAX_NAME_LENGTH,
            ),
        ] = None,
        published_from: Annotated[str | None, DATE] = None,
        published_to: Annotated[str | None, DATE] = None,
        limit: PageSizeParam = DEFAULT_PAGE_SIZE,
        cursor: CursorParam = None,
    ) -> ArticlePage:
        """The indexed articles in a stable order, optionally one outlet's or those published
        in a date range, a page at a time. Pass the `next_cursor` of a page for the next."""
        check_outlets(index, [] if outlet is None else [outlet], "outlet")
        rows = select_articles(index.searcher.corpus.articles, outlet, published_from, published_to)
        start = 0
        if cursor is not None:
            after = decode_cursor(cursor)
            ids = [article.id for article in rows]
            if after not in ids:
                raise InvalidCursorError()
            start = ids.index(after) + 1
        page = rows[start : start + limit]
        more = start + limit < len(rows)
        return ArticlePage(
            items=tuple(convert.article_summary(a, index.catalog) for a in page),
            next_cursor=encode_cursor(page[-1].id) if more and page else None,
        )

    @get(
        "/{article_id:str}",
        operation_id="getArticle",
        summary="Get one article",
        guards=[require_read_key],
        security=READ_SECURITY,
        responses={
            200: ex.ok(
                Article,
                "The article's text and its quotes with character offsets.",
                ex.example(ex.ARTICLE, "An article with one quote"),
            ),
            **problem_responses(400, 401, 403, 404, 503),
        },
    )
    async def get_article(
        self,
        index: IndexDep,
        article_id: Annotated[
            str, id_parameter("An article id, as variants and quotes name it.", ex.ARTICLE_ID)
        ],
    ) -> Article:
        """One article as indexed: outlet, title, text, and each quotation with its offsets
        into the text, its speaker and the statement it belongs to."""
        return convert.article(index.catalog.article(article_id), index.catalog)

    @post(
        "/",
        operation_id="addArticles",
        summary="Add articles",
        status_code=200,
        guards=[require_write_key],
        security=WRITE_SECURITY,
        request_max_body_size=MAX_INGEST_BODY_BYTES,
        responses={
            200: ex.ok(
                IngestResponse,
                "One result per article sent, in order: `created` or `unchanged`, with the "
                "quotations found in it.",
                ex.example(ex.INGESTED, "One new article"),
                ex.example(ex.INGESTED_AGAIN, "The same article sent twice"),
            ),
            **problem_responses(400, 401, 403, 409, 413, 422, 503),
        },
    )
    async def add_articles(
        self,
        runtime: RuntimeDep,
        data: Annotated[
            IngestRequest,
            Body(
                description=f"1 to {MAX_INGEST_ARTICLES} articles (the fields of a JSON Lines "
                "article record).",
                examples=[ex.example(ex.INGEST_REQUEST, "One article")],
            ),
        ],
    ) -> IngestResponse:
        """Add articles to the index while it serves. Each article's quotations are found,
        attributed and grouped into the statements the index holds (or new ones); once the
        answer arrives, the articles are recorded durably and lookups find them.

        Idempotent: an article whose id the index holds with the same outlet and text, or
        whose outlet and text it holds under another id, is `unchanged` and added once. An
        id the index holds with another text is a conflict (409) and nothing of the batch is
        added. Needs an API key in the `X-API-Key` header."""
        records = [convert.article_record(article) for article in data.articles]
        outcomes, index = await runtime.write("ingest", lambda live: live.ingest(records))
        for outcome in outcomes:
            runtime.metrics.articles_written.labels(outcome.status).inc()
        return IngestResponse(
            results=tuple(convert.ingested(outcome, index.catalog) for outcome in outcomes)
        )

    @delete(
        "/{article_id:str}",
        operation_id="deleteArticle",
        summary="Delete an article",
        guards=[require_write_key],
        security=WRITE_SECURITY,
        responses=problem_responses(400, 401, 403, 404, 503),
    )
    async def delete_article(
        self,
        runtime: RuntimeDep,
        article_id: Annotated[str, id_parameter("The id of the article to delete.", ex.ARTICLE_ID)],
    ) -> None:
        """Remove an article and its quotations from the index; the statements they were in
        are regrouped without them (a statement left with no quotation is gone). Durable once
        answered. 404 when the index does not hold the id. Needs an API key in the
        `X-API-Key` header."""
        remaining = await runtime.write("delete", lambda live: live.delete(article_id))
        if remaining is None:
            raise UnknownIdError("article", article_id)
        runtime.metrics.articles_written.labels("deleted").inc()

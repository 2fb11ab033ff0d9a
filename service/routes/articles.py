"""Articles: one indexed article with its quotations; adding and deleting articles."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import Body

from index import UnknownIdError
from service import convert
from service import examples as ex
from service.auth import READ_SECURITY, WRITE_SECURITY, require_read_key, require_write_key
from service.errors import problem_responses
from service.runtime import IndexDep, RuntimeDep
from service.schemas import (
    MAX_INGEST_ARTICLES,
    MAX_INGEST_BODY_BYTES,
    Article,
    IngestRequest,
    IngestResponse,
    id_parameter,
)


class ArticleController(Controller):
    path = "/articles"
    tags = ("articles",)

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

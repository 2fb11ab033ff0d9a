"""Articles: one indexed article with its quotations and their offsets."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get

from service import convert
from service import examples as ex
from service.errors import problem_responses
from service.runtime import IndexDep
from service.schemas import Article, id_parameter


class ArticleController(Controller):
    path = "/articles"
    tags = ("articles",)

    @get(
        "/{article_id:str}",
        operation_id="getArticle",
        summary="Get one article",
        responses={
            200: ex.ok(
                Article,
                "The article's text and its quotes with character offsets.",
                ex.example(ex.ARTICLE, "An article with one quote"),
            ),
            **problem_responses(400, 404, 503),
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

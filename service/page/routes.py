"""The page's routes: ask (``/``), browse (speakers, statements, articles), add an article.

HTML for people, rendered on the server from the page's view models; none of these routes is
part of the API contract (``include_in_schema=False``), so the OpenAPI document is unchanged.
Errors render as an HTML page with the status the API would give.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template

from service.auth import require_read_key
from service.errors import ServiceError, to_problem
from service.page import browse, present
from service.runtime import IndexDep, RuntimeDep
from service.schemas import MAX_NAME_LENGTH, MAX_TEXT_LENGTH

log = logging.getLogger("whosaid.service")
# Candidates an answer page considers (the best, and the weaker ones below it).
CANDIDATES = 5
VARIANTS_PER_PAGE = 50
SPEAKERS_PER_PAGE = 50
STATEMENTS_PER_PAGE = 30
MAX_PAGE = 1_000_000

Query = Annotated[str | None, QueryParameter(max_length=MAX_TEXT_LENGTH)]
SaidBy = Annotated[str | None, QueryParameter(max_length=MAX_NAME_LENGTH)]
Name = Annotated[str | None, QueryParameter(max_length=MAX_NAME_LENGTH)]
PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)]
Id = Annotated[str, PathParameter(min_length=1, max_length=MAX_NAME_LENGTH)]


class PageController(Controller):
    """Every page route; the app serves it at the root, beside ``/v1``."""

    include_in_schema = False
    guards = (require_read_key,)
    exception_handlers = {Exception: lambda request, exc: error_page(request, exc)}  # noqa: RUF012

    @get("/", name="page:ask")
    async def ask(self, runtime: RuntimeDep, q: Query = None, said_by: SaidBy = None) -> Template:
        """The ask page, and the answer when the URL carries a query (the empty form needs no
        index, so it shows while the index loads)."""
        text = (q or "").strip()
        claimed = (said_by or "").strip()
        if not text:
            return Template(template_name="ask.html", context={"q": "", "said_by": claimed})
        index = runtime.index
        searcher = index.searcher

        def both() -> tuple[Any, Any]:
            passing = searcher.lookup(text, k=CANDIDATES, claimed_speaker=claimed or None)
            nearby = searcher.lookup(text, k=CANDIDATES, min_score=-1.0)
            return passing, nearby

        with runtime.metrics.time_lookup("page", 1):
            passing, nearby = await runtime.run_cpu(both)
        view = present.answer_view(
            passing, nearby, index.catalog, said_by=claimed, variant_limit=VARIANTS_PER_PAGE
        )
        return Template(
            template_name="ask.html", context={"q": text, "said_by": claimed, "answer": view}
        )

    @get("/speakers", name="page:speakers")
    async def speakers(self, index: IndexDep, name: Name = None, page: PageNumber = 1) -> Template:
        """Every speaker, most statements first; searchable by name or alias."""
        wanted = (name or "").strip()
        rows = [r for r in index.catalog.speakers if not wanted or browse.matches_name(r, wanted)]
        start = (page - 1) * SPEAKERS_PER_PAGE
        return Template(
            template_name="speakers.html",
            context={
                "name": wanted,
                "rows": [browse.speaker_row(r) for r in rows[start : start + SPEAKERS_PER_PAGE]],
                "pager": browse.pager(len(rows), page, SPEAKERS_PER_PAGE, name=wanted),
            },
        )

    @get("/speakers/{speaker_id:str}", name="page:speaker")
    async def speaker(self, index: IndexDep, speaker_id: Id, page: PageNumber = 1) -> Template:
        """One speaker and their statements."""
        row = index.catalog.speaker(speaker_id)
        statements = index.catalog.statements_of(speaker_id)
        start = (page - 1) * STATEMENTS_PER_PAGE
        return Template(
            template_name="speaker.html",
            context={
                "speaker": browse.speaker_row(row),
                "statements": [
                    browse.statement_row(g) for g in statements[start : start + STATEMENTS_PER_PAGE]
                ],
                "pager": browse.pager(len(statements), page, STATEMENTS_PER_PAGE),
            },
        )

    @get("/statements/{statement_id:str}", name="page:statement")
    async def statement(self, index: IndexDep, statement_id: Id, page: PageNumber = 1) -> Template:
        """One statement: every variant with its differences, first appearance, timeline."""
        group = index.catalog.statement(statement_id)
        view = present.statement_view(
            group,
            index.catalog,
            offset=(page - 1) * VARIANTS_PER_PAGE,
            limit=VARIANTS_PER_PAGE,
        )
        return Template(
            template_name="statement.html",
            context={
                "statement": view,
                "pager": browse.pager(view.row_count, page, VARIANTS_PER_PAGE),
            },
        )

    @get("/articles/{article_id:str}", name="page:article")
    async def article(self, index: IndexDep, article_id: Id) -> Template:
        """An article's text with each quotation marked and its speaker named."""
        view = browse.article_view(index.catalog.article(article_id), index.catalog)
        return Template(template_name="article.html", context={"article": view})

    @get("/add", name="page:add")
    async def add(self) -> Template:
        """A form that sends an article to ``POST /v1/articles`` with a key the user types."""
        return Template(template_name="add.html", context={})


def error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    """An error as a page, with the status and wording of the API's problem details."""
    problem, headers = to_problem(exc, instance=request.url.path)
    if problem.status >= 500 and not isinstance(exc, ServiceError):
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    engine = request.app.template_engine
    assert engine is not None
    return Response(
        content=engine.get_template("error.html").render(problem=problem),
        status_code=problem.status,
        media_type=MediaType.HTML,
        headers=headers,
    )

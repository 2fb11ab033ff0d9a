"""Lookup: who said this text, and how did each outlet word it?"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Body

from index import LoadedIndex
from service import convert
from service import examples as ex
from service.auth import READ_SECURITY, require_read_key
from service.errors import problem_responses
from service.routes.filters import check_outlets
from service.runtime import IndexDep, Runtime, RuntimeDep
from service.schemas import (
    DEFAULT_K,
    DEFAULT_MAX_VARIANTS,
    BatchLookupRequest,
    BatchLookupResponse,
    ClaimedSpeakerParam,
    IncludeWeakParam,
    LookupRequest,
    LookupResponse,
    MaxVariantsParam,
    MinScoreParam,
    OldOutletsParam,
    OutletsParam,
    TextParam,
    TopKParam,
)

LOOKUP_OK = ex.ok(
    LookupResponse,
    "The best statements, with speaker, variants and differences; or no match.",
    ex.example(ex.LOOKUP, "A match"),
    ex.example(ex.LOOKUP_CLAIM, "A match whose claimed speaker does not hold"),
    ex.example(ex.NO_MATCH, "No statement close enough"),
)


async def lookup_one(
    runtime: Runtime,
    index: LoadedIndex,
    text: str,
    *,
    k: int,
    min_score: float | None,
    claimed_speaker: str | None,
    outlet: Sequence[str],
    outlets: Sequence[str] = (),
    include_weak: bool = False,
    max_variants: int = DEFAULT_MAX_VARIANTS,
) -> LookupResponse:
    """One lookup; ``outlets`` is the outlet filter's former name (both are kept)."""
    check_outlets(index, outlet, "outlet")
    check_outlets(index, outlets, "outlets")
    outlets = [*outlet, *outlets]
    work = partial(
        index.searcher.lookup,
        text,
        k=k,
        min_score=min_score,
        claimed_speaker=claimed_speaker,
        outlets=tuple(outlets) or None,
        include_weak=include_weak,
    )
    with runtime.metrics.time_lookup("single", 1):
        answer = await runtime.run_cpu(work)
    return convert.lookup_response(answer, max_variants, index.searcher)


class LookupController(Controller):
    path = "/lookup"
    tags = ("lookup",)
    guards = (require_read_key,)
    security = READ_SECURITY

    @get(
        "/",
        operation_id="lookupByQuery",
        summary="Who said this? (query string)",
        responses={200: LOOKUP_OK, **problem_responses(400, 401, 403, 503)},
    )
    async def lookup_by_query(
        self,
        runtime: RuntimeDep,
        index: IndexDep,
        text: TextParam,
        k: TopKParam = DEFAULT_K,
        min_score: MinScoreParam = None,
        claimed_speaker: ClaimedSpeakerParam = None,
        outlet: OutletsParam = None,
        outlets: OldOutletsParam = None,
        include_weak: IncludeWeakParam = False,
        max_variants: MaxVariantsParam = DEFAULT_MAX_VARIANTS,
    ) -> LookupResponse:
        """Find the statements in the index closest to `text`: who made each one, the outlets
        that printed it, each outlet's exact wording and how it differs from the canonical
        wording. With `claimed_speaker`, the answer also says whether the corpus agrees."""
        return await lookup_one(
            runtime,
            index,
            text,
            k=k,
            min_score=min_score,
            claimed_speaker=claimed_speaker,
            outlet=outlet or (),
            outlets=outlets or (),
            include_weak=include_weak,
            max_variants=max_variants,
        )

    @post(
        "/",
        operation_id="lookup",
        summary="Who said this? (JSON body)",
        status_code=200,
        responses={200: LOOKUP_OK, **problem_responses(400, 401, 403, 413, 503)},
    )
    async def lookup(
        self,
        runtime: RuntimeDep,
        index: IndexDep,
        data: Annotated[
            LookupRequest,
            Body(
                description="The text to attribute, and optional filters.",
                examples=[
                    ex.example(ex.LOOKUP_REQUEST, "Just the text"),
                    ex.example(ex.LOOKUP_REQUEST_FILTERED, "With a claimed speaker and outlets"),
                ],
            ),
        ],
    ) -> LookupResponse:
        """The same lookup as `GET /v1/lookup`, with the query in a JSON body: find the
        statements closest to `text`, their speaker, every outlet's variant and the wording
        differences. Unknown fields are refused."""
        return await lookup_one(
            runtime,
            index,
            data.text,
            k=data.k,
            min_score=data.min_score,
            claimed_speaker=data.claimed_speaker,
            outlet=data.outlet,
            outlets=data.outlets,
            include_weak=data.include_weak,
            max_variants=data.max_variants,
        )

    @post(
        "/batch",
        operation_id="lookupBatch",
        summary="Look up many texts in one call",
        status_code=200,
        responses={
            200: ex.ok(
                BatchLookupResponse,
                "One answer per text, in the order sent.",
                ex.example(ex.BATCH, "Two texts: one match, one miss"),
            ),
            **problem_responses(400, 401, 403, 413, 503),
        },
    )
    async def lookup_batch(
        self,
        runtime: RuntimeDep,
        index: IndexDep,
        data: Annotated[
            BatchLookupRequest,
            Body(
                description="The texts and the options that apply to each.",
                examples=[ex.example(ex.BATCH_REQUEST, "Two texts")],
            ),
        ],
    ) -> BatchLookupResponse:
        """Attribute several texts at once; the texts are encoded together, which is much
        cheaper than one call each. Answers come back in the order of `texts`."""
        check_outlets(index, data.outlet, "outlet")
        check_outlets(index, data.outlets, "outlets")
        work = partial(
            index.searcher.lookup_many,
            list(data.texts),
            k=data.k,
            min_score=data.min_score,
            outlets=(*data.outlet, *data.outlets) or None,
            include_weak=data.include_weak,
        )
        with runtime.metrics.time_lookup("batch", len(data.texts)):
            answers = await runtime.run_cpu(work, parts=len(data.texts))
        return BatchLookupResponse(
            results=tuple(
                convert.lookup_response(a, data.max_variants, index.searcher) for a in answers
            )
        )

"""Speakers: the people and organisations statements are attributed to."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get

from service import convert
from service import examples as ex
from service.auth import READ_SECURITY, require_read_key
from service.errors import problem_responses
from service.runtime import IndexDep
from service.schemas import SpeakerDetail, SpeakerList, id_parameter


class SpeakerController(Controller):
    path = "/speakers"
    tags = ("speakers",)
    guards = (require_read_key,)
    security = READ_SECURITY

    @get(
        "/",
        operation_id="listSpeakers",
        summary="List speakers",
        responses={
            200: ex.ok(
                SpeakerList, "Every speaker with counts.", ex.example(ex.SPEAKERS, "Speakers")
            ),
            **problem_responses(401, 403, 503),
        },
    )
    async def list_speakers(self, index: IndexDep) -> SpeakerList:
        """Every speaker the corpus attributes a quote to, with how many statements and quotes
        are theirs; most statements first."""
        return SpeakerList(items=tuple(convert.speaker_summary(r) for r in index.catalog.speakers))

    @get(
        "/{speaker_id:str}",
        operation_id="getSpeaker",
        summary="Get one speaker",
        responses={
            200: ex.ok(
                SpeakerDetail,
                "The speaker, their aliases and their statements.",
                ex.example(ex.SPEAKER_DETAIL, "A speaker"),
            ),
            **problem_responses(400, 401, 403, 404, 503),
        },
    )
    async def get_speaker(
        self,
        index: IndexDep,
        speaker_id: Annotated[
            str,
            id_parameter(
                "A speaker id, as the speaker list and statements return it.", ex.SPEAKER.id
            ),
        ],
    ) -> SpeakerDetail:
        """One speaker: their canonical name, the other names the articles use for them, and
        every statement attributed to them."""
        return convert.speaker_detail(index.catalog.speaker(speaker_id), index.catalog)

"""Outlets: the publications the indexed articles come from."""

from __future__ import annotations

from litestar import Controller, get

from service import convert
from service import examples as ex
from service.auth import READ_SECURITY, require_read_key
from service.errors import problem_responses
from service.runtime import IndexDep
from service.schemas import OutletList


class OutletController(Controller):
    path = "/outlets"
    tags = ("outlets",)
    guards = (require_read_key,)
    security = READ_SECURITY

    @get(
        "/",
        operation_id="listOutlets",
        summary="List outlets",
        responses={
            200: ex.ok(OutletList, "Every outlet with counts.", ex.example(ex.OUTLETS, "Outlets")),
            **problem_responses(401, 403, 503),
        },
    )
    async def list_outlets(self, index: IndexDep) -> OutletList:
        """Every outlet in the index, by name, with its numbers of articles, quotes and
        statements. Use a name as the `outlet` filter of lookups and statement lists."""
        return OutletList(items=tuple(convert.outlet_summary(r) for r in index.catalog.outlets))

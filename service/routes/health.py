"""Health: liveness (the process answers) and readiness (the index is loaded)."""

from __future__ import annotations

from litestar import Controller, get

from service import convert
from service import examples as ex
from service.errors import problem_responses
from service.runtime import IndexDep
from service.schemas import Liveness, Readiness


class HealthController(Controller):
    path = "/health"
    tags = ("health",)

    @get(
        "/live",
        operation_id="liveness",
        summary="Liveness",
        responses={200: ex.ok(Liveness, "The process is up.", ex.example(ex.LIVENESS, "Up"))},
    )
    async def liveness(self) -> Liveness:
        """200 whenever the process can answer, even while the index is still loading."""
        return Liveness()

    @get(
        "/ready",
        operation_id="readiness",
        summary="Readiness",
        responses={
            200: ex.ok(
                Readiness,
                "The index is loaded: its model, counts and build time.",
                ex.example(ex.READINESS, "Ready"),
            ),
            **problem_responses(503),
        },
    )
    async def readiness(self, index: IndexDep) -> Readiness:
        """200 once the index and the model are loaded, with the model that built the index,
        what it holds and when it was built; 503 (problem details) until then, or for good if
        loading failed."""
        return convert.readiness(index.searcher.manifest)

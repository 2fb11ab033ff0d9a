"""Health: liveness (the process answers) and readiness (the index is loaded).

Both answer ``HEAD`` too, with the status ``GET`` would have and no body, for probes that send
it (left out of the OpenAPI document, which HEAD would only repeat)."""

from __future__ import annotations

from litestar import Controller, get, head

from service import convert
from service import examples as ex
from service.errors import problem_responses
from service.runtime import IndexDep, RuntimeDep
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
        return Liveness(status="ok")

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
    async def readiness(self, index: IndexDep, runtime: RuntimeDep) -> Readiness:
        """200 once the index and the model are loaded, with the model that built the index,
        what it holds and when it was built, and whether writes can be journaled now (if not,
        why); 503 (problem details) until then, or for good if loading failed."""
        return convert.readiness(index.searcher.manifest, runtime.writes_problem())

    @head("/live", include_in_schema=False)
    async def liveness_head(self) -> None:
        """200 whenever the process can answer."""

    @head("/ready", include_in_schema=False)
    async def readiness_head(self, index: IndexDep) -> None:
        """200 once the index is loaded, else the 503 that ``GET`` gives (without its body)."""

"""Prometheus metrics in the text exposition format."""

from __future__ import annotations

from litestar import Controller, MediaType, get

from service import examples as ex
from service.runtime import RuntimeDep


class MetricsController(Controller):
    path = "/metrics"
    tags = ("metrics",)

    @get(
        "/",
        operation_id="metrics",
        summary="Prometheus metrics",
        media_type=MediaType.TEXT,
        responses={
            200: ex.ok(
                str,
                "Metrics in the Prometheus text format.",
                ex.example(ex.METRICS, "An excerpt"),
                media_type=MediaType.TEXT,
            )
        },
    )
    async def metrics(self, runtime: RuntimeDep) -> str:
        """Requests and latencies by route, lookup latency, and the size of the loaded index,
        for Prometheus to scrape."""
        return runtime.metrics.render()

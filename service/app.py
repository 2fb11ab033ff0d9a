"""The litestar application: ``create_app`` builds it and loads nothing.

The index and the model load in the lifespan (``service.runtime``); handlers get them by
dependency injection. ``app_from_env`` is the factory uvicorn workers call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide

from service.auth import ApiKeys
from service.errors import problem_response
from service.hygiene import refuse_keys_in_query
from service.metrics import Metrics, MetricsMiddleware
from service.openapi import openapi_config
from service.page import template_config
from service.request import JsonRequest
from service.routes import route_handlers
from service.runtime import Runtime, lifespan, provide_index, provide_runtime
from service.schemas import MAX_BODY_BYTES
from service.settings import Settings, load_settings

if TYPE_CHECKING:
    from index import Embedder, Searcher


def create_app(
    settings: Settings | None = None,
    searcher: Searcher | None = None,
    *,
    embedder: Embedder | None = None,
) -> Litestar:
    """The app for ``settings`` (default: from ``WHOSAID_*``).

    With ``searcher``, the app serves it (and writes on top of it) instead of opening
    ``settings.index_dir``, and replays no journal. With ``embedder``, the index folder is
    opened (or built) with it instead of the model the settings name. Either way nothing loads
    before startup; only the API keys are read here, so a bad keys file fails at once.
    """
    settings = settings if settings is not None else load_settings()
    metrics = Metrics()
    keys = ApiKeys.from_settings(settings)
    runtime = Runtime(settings, metrics, searcher, embedder=embedder)
    return Litestar(
        route_handlers=route_handlers(),
        dependencies={
            "runtime": Provide(provide_runtime, sync_to_thread=False),
            "index": Provide(provide_index, sync_to_thread=False),
        },
        exception_handlers={Exception: problem_response},
        middleware=[MetricsMiddleware(metrics, log_queries=settings.log_queries)],
        before_request=refuse_keys_in_query,
        lifespan=[lifespan],
        state=State({"runtime": runtime, "api_keys": keys, "settings": settings}),
        openapi_config=openapi_config(),
        request_max_body_size=MAX_BODY_BYTES,
        request_class=JsonRequest,
        template_config=template_config(),
        # Logging is configured once, by the CLI and uvicorn (service.logs); litestar's own
        # default would reset the root logger to INFO and let third-party chatter through.
        logging_config=None,
    )


def app_from_env() -> Litestar:
    """App factory for ``uvicorn --factory`` (several workers): settings from the environment."""
    return create_app(load_settings())

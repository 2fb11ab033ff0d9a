"""One controller per resource. ``v1`` is the versioned API; metrics sit outside it.

A new resource is one more entry in :data:`V1_CONTROLLERS`. Reads are guarded by
``service.auth.require_read_key`` (a no-op unless the settings key them), writes by
``require_write_key``.
"""

from __future__ import annotations

from litestar import Router
from litestar.types import ControllerRouterHandler

from service.page import PageController, asset_routers
from service.routes.articles import ArticleController
from service.routes.health import HealthController
from service.routes.lookup import LookupController
from service.routes.metrics import MetricsController
from service.routes.outlets import OutletController
from service.routes.speakers import SpeakerController
from service.routes.statements import StatementController

V1_CONTROLLERS: tuple[ControllerRouterHandler, ...] = (
    LookupController,
    StatementController,
    SpeakerController,
    OutletController,
    ArticleController,
    HealthController,
)


def route_handlers() -> list[ControllerRouterHandler]:
    """Everything the app serves: the ``/v1`` router, the metrics endpoint, and the page for
    people (``/``) with its static files (none of which is in the API contract)."""
    return [
        Router(path="/v1", route_handlers=list(V1_CONTROLLERS)),
        MetricsController,
        PageController,
        *asset_routers(),
    ]

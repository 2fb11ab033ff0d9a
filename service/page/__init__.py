"""The page for people: ask who said something, browse speakers, statements and articles.

Server-rendered HTML (Jinja templates in ``service/templates``, CSS and a little JavaScript in
``service/static``, all inside the package, so no request leaves the server's origin). The
modules: ``routes`` (the controller); ``present`` (index records to the ask and statement view
models) and ``browse`` (the browse pages' view models); ``views`` (the view models); ``diff``
(inline differences) and ``timeline`` (the SVG's geometry), pure functions; ``assets`` (the
templates, the static files and the OpenAPI viewer's).
"""

from service.page.assets import asset_routers, swagger_plugin, template_config
from service.page.routes import PageController

__all__ = ["PageController", "asset_routers", "swagger_plugin", "template_config"]

"""What the page and the OpenAPI viewer load, all from inside the installed packages.

The templates and the page's own CSS and JavaScript are package data of ``service``; Swagger
UI's script and stylesheet come from the ``swagger-ui-bundle-v2`` package, served under
``/static/swagger``. So ``/`` and ``/schema`` render with the network cut off.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

STATIC_PATH = "/static"
SWAGGER_PATH = f"{STATIC_PATH}/swagger"
FAVICON = f"<link rel='icon' type='image/svg+xml' href='{STATIC_PATH}/favicon.svg'>"
_CACHE = CacheControlHeader(max_age=3600, public=True)


def static_folder() -> Path:
    """The page's CSS, JavaScript and icon, inside the package."""
    return Path(str(files("service") / "static"))


def swagger_folder() -> Path:
    """Swagger UI's files as the ``swagger-ui-bundle-v2`` package ships them."""
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja over ``service/templates``: every value escaped, an unknown name an error."""
    environment = Environment(
        loader=PackageLoader("service", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def asset_routers() -> list[Router]:
    return [
        create_static_files_router(
            path=SWAGGER_PATH, directories=[swagger_folder()], name="swagger", cache_control=_CACHE
        ),
        create_static_files_router(
            path=STATIC_PATH, directories=[static_folder()], name="static", cache_control=_CACHE
        ),
    ]


def swagger_plugin() -> SwaggerRenderPlugin:
    """Swagger UI at ``/schema``, its assets served by this server, not a CDN."""
    return SwaggerRenderPlugin(
        js_url=f"{SWAGGER_PATH}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER_PATH}/swagger-ui-standalone-preset.js",
        favicon=FAVICON,
    )

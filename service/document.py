"""The app's OpenAPI document, as ``whosaid openapi`` writes it and the committed file holds it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from service.app import create_app
from service.settings import Settings


def openapi_document() -> dict[str, Any]:
    """The app's OpenAPI document as plain data (building the app loads nothing)."""
    return create_app(Settings()).openapi_schema.to_schema()


def render_openapi() -> str:
    """The document as the committed file holds it: indented JSON, one trailing newline."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


def write_openapi(path: Path) -> Path:
    """Write the document to ``path`` (``whosaid openapi --out``); returns the path written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_openapi(), encoding="utf-8")
    return path

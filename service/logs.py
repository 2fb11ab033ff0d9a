"""Logging: whosaid's own lines at the chosen level, third-party libraries at warnings only.

One ``dictConfig`` for the CLI and for uvicorn (which applies it again in each worker process).
The root logger gets the one handler and stays at WARNING, so a library that logs at INFO (the
FAISS loader's "Could not load library with AVX2 support", which only means that this
faiss-cpu picks its SIMD code at run time; the ONNX quantiser's progress) says nothing at the
default level, and a library's own ``logging.basicConfig`` finds a handler in place and does
nothing. The access log (``whosaid.access``) is ours, written by the metrics middleware: route
template, status and time, not the query (``WHOSAID_LOG_QUERIES=1`` adds the path and query).
"""

from __future__ import annotations

import logging.config
from typing import Any

# Loggers of libraries that are chatty at INFO; held at WARNING whatever the level.
QUIET = ("faiss", "onnxruntime", "onnx")
FORMAT = "%(levelprefix)s %(message)s"


def logging_config(level: str = "info") -> dict[str, Any]:
    """The ``logging.config.dictConfig`` dictionary for ``level`` (uvicorn's names)."""
    level = level.upper()
    formatter = {"()": "uvicorn.logging.DefaultFormatter", "fmt": FORMAT, "use_colors": None}
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "stream": "ext://sys.stderr",
    }
    loggers: dict[str, Any] = {
        "whosaid": {"level": level},
        "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
        "uvicorn.error": {"level": level},
        # uvicorn's access log writes the whole request line; whosaid.access replaces it.
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    }
    for name in QUIET:
        loggers[name] = {"level": "WARNING"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "loggers": loggers,
        "root": {"handlers": ["default"], "level": "WARNING"},
    }


def configure_logging(level: str = "info") -> None:
    """Apply :func:`logging_config` in this process; a root logger that has handlers already
    (an embedding program's, pytest's) keeps them and its level."""
    config = logging_config(level)
    if logging.getLogger().handlers:
        del config["root"]
    logging.config.dictConfig(config)

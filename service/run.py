"""``whosaid serve``: run the app under uvicorn."""

from __future__ import annotations

import os
import socket

import uvicorn

from service.settings import PREFIX, Settings

FACTORY = "service.app:app_from_env"


def settings_environ(settings: Settings) -> dict[str, str]:
    """``WHOSAID_*`` variables that make ``load_settings`` in a worker return ``settings``."""
    import msgspec

    values = msgspec.structs.asdict(settings)
    return {
        PREFIX + name.upper(): str(value) for name, value in values.items() if value is not None
    }


def serve(settings: Settings) -> None:
    """Serve until interrupted. One worker serves the app object directly; several workers
    each build the app from the environment, so the index is built here first if missing and
    brought up to date with the journal (once, not once per worker). Several workers serve
    reads only: each would hold its own copy of a live index."""
    if settings.workers <= 1:
        from service.app import create_app

        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
        )
        return

    from index import catch_up

    catch_up(settings.serving())
    os.environ.update(settings_environ(settings))
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
    )
    # The workers share one listening socket; accepted connections inherit TCP_NODELAY from
    # it. Without it, keep-alive responses wait ~40 ms for the client's delayed ACK
    # (BENCHMARKS.md: 43.96 ms p50 stock against 0.30 ms).
    sock = config.bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()

"""``whosaid serve``: check what can be checked at once, then run the app under uvicorn.

Before the server starts, ``index.preflight`` fails fast, with one line, on what would
otherwise leave a server answering 503 for good (an unreadable manifest or articles source, no
articles, an index built from other articles than the ones named). With one worker, a load that
fails after start (a damaged index file) stops the server, which then exits non-zero.
"""

from __future__ import annotations

import os
import socket
from typing import Any

import uvicorn

from index import preflight
from service.http import MAX_HEAD_BYTES, WhosaidProtocol, use_timeouts
from service.logs import logging_config
from service.settings import PREFIX, Settings

FACTORY = "service.app:app_from_env"


def settings_environ(settings: Settings) -> dict[str, str]:
    """``WHOSAID_*`` variables that make ``load_settings`` in a worker return ``settings``."""
    import msgspec

    values = msgspec.structs.asdict(settings)
    return {
        PREFIX + name.upper(): str(value) for name, value in values.items() if value is not None
    }


def uvicorn_config(settings: Settings, app: Any, **options: Any) -> uvicorn.Config:
    """uvicorn's configuration: whosaid's logging (no uvicorn access log: the app writes its
    own), its h11 protocol with read timeouts and problem bodies for over-long heads."""
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=logging_config(settings.log_level),
        access_log=False,
        http=WhosaidProtocol,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        **options,
    )


def serve(settings: Settings, *, check_articles: bool = False) -> int:
    """Serve until interrupted; the exit code (1 when the index failed to load).

    One worker serves the app object directly; several workers each build the app from the
    environment, so the index is built here first if missing and brought up to date with the
    journal (once, not once per worker). Every worker takes writes: they share the journal and
    each applies the others' rows (:meth:`index.LiveIndex.follow`); one of them checkpoints."""
    preflight(settings.serving(), check_articles=check_articles, allow_empty=settings.allow_empty)
    use_timeouts(head_timeout=settings.head_timeout, body_timeout=settings.body_timeout)
    if settings.workers <= 1:
        from service.app import create_app

        app = create_app(settings)
        server = uvicorn.Server(uvicorn_config(settings, app))
        runtime = app.state.runtime

        def stop() -> None:
            server.should_exit = True

        runtime.on_failure = stop
        server.run()
        return 1 if runtime.failure is not None else 0

    from index import catch_up

    catch_up(settings.serving())
    os.environ.update(settings_environ(settings))
    from uvicorn.supervisors import Multiprocess

    config = uvicorn_config(settings, FACTORY, factory=True, workers=settings.workers)
    # The workers share one listening socket; accepted connections inherit TCP_NODELAY from
    # it. Without it, keep-alive responses wait ~40 ms for the client's delayed ACK
    # (BENCHMARKS.md: 43.96 ms p50 stock against 0.30 ms).
    sock = config.bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()
    return 0

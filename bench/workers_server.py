"""``whosaid serve --workers N`` as stock uvicorn runs it (``--stock``: no TCP_NODELAY on the
shared listening socket), or with TCP_NODELAY set there, which is what ``whosaid serve`` does.

Stock uvicorn binds one socket in the supervisor and hands it to the workers; responses on
keep-alive connections then wait for the client's delayed ACK (about 40 ms) because Nagle's
algorithm holds the body back behind the headers. Accepted sockets inherit TCP_NODELAY from
the listening socket on Linux, so setting it there once removes the wait. bench.http
compares the two with ``whosaid serve``.

    python -m bench.workers_server --index var/bench/index-10000 --port 8000 --workers 2 [--stock]
"""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description="multi-worker server with TCP_NODELAY")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stock", action="store_true", help="leave TCP_NODELAY off")
    args = parser.parse_args()
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from service.run import FACTORY, settings_environ
    from service.settings import load_settings

    settings = load_settings(index_dir=args.index, port=args.port, workers=args.workers)
    os.environ.update(settings_environ(settings))
    config = uvicorn.Config(
        FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="warning",
    )
    sock = config.bind_socket()
    if not args.stock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()


if __name__ == "__main__":
    main()

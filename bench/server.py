"""The HTTP service over a bench index with the ONNX int8 query encoder, for bench.http.

``create_app(settings, searcher=…)`` serves a Searcher built here, so the benchmark runs the
service's own app, routes and limiter with the encoder the benchmark chose. It prints how
long each start-up step took, then serves until killed.

    python -m bench.server --index var/bench/index-1000000 --port 8765
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description="bench server")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    import uvicorn

    from bench.lookup import open_searcher
    from service.app import create_app
    from service.settings import Settings

    imported = time.perf_counter() - STARTED
    searcher, timings = open_searcher(args.index)
    searcher.lookup("warm-up query")
    settings = Settings(host="127.0.0.1", port=args.port, index_dir=args.index, log_level="warning")
    app = create_app(settings, searcher=searcher)
    print(
        json.dumps(
            {"imports_s": round(imported, 3), **timings, "ready_s": time.perf_counter() - STARTED}
        ),
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")


if __name__ == "__main__":
    main()

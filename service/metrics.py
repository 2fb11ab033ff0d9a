"""Prometheus metrics: requests and latencies by route, lookup latency, index size.

Each app owns a :class:`Metrics` with its own registry (so apps in one process, as in tests,
never share counters); a pure ASGI middleware records every request under its route template,
and writes the access log (``whosaid.access``): method, route template, status and time, never
the query text unless ``log_queries`` is set. A client that went away before its request
arrived whole is counted in ``whosaid_http_client_disconnects``, not as a request answered.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from index import Searcher

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Requests that matched no route share one label, so unknown paths cannot explode cardinality.
UNMATCHED = "<unmatched>"
# The status the app gives a request whose client disconnected (service.errors).
DISCONNECTED = 499
access_log = logging.getLogger("whosaid.access")


class Metrics:
    """The service's metrics, on a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "whosaid_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "whosaid_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.disconnects = Counter(
            "whosaid_http_client_disconnects",
            "Requests whose client went away before the request arrived whole, by route.",
            ["method", "route"],
            registry=self.registry,
        )
        self.lookup_seconds = Histogram(
            "whosaid_lookup_duration_seconds",
            "Time to encode and search the texts of one lookup call (single or batch).",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.lookup_texts = Counter(
            "whosaid_lookup_texts",
            "Texts looked up, by kind of call.",
            ["kind"],
            registry=self.registry,
        )
        self.write_seconds = Histogram(
            "whosaid_write_duration_seconds",
            "Time to apply one write (ingest or delete) to the live index and the journal.",
            ["kind"],
            buckets=(*LATENCY_BUCKETS, 30.0, 60.0),
            registry=self.registry,
        )
        self.articles_written = Counter(
            "whosaid_articles_written",
            "Articles sent for ingest or deletion, by what became of them.",
            ["outcome"],
            registry=self.registry,
        )
        self.index_size = Gauge(
            "whosaid_index_size",
            "Records in the loaded index, by kind.",
            ["kind"],
            registry=self.registry,
        )
        self.ready = Gauge(
            "whosaid_ready",
            "1 once the index and the model are loaded, else 0.",
            registry=self.registry,
        )
        self.warm = Gauge(
            "whosaid_warm",
            "1 once what follows readiness is loaded too (browse indexes; spaCy for writes).",
            registry=self.registry,
        )

    def observe_index(self, searcher: Searcher) -> None:
        counts = searcher.manifest.counts
        for kind, value in (
            ("articles", counts.articles),
            ("quotes", counts.quotes),
            ("speakers", counts.speakers),
            ("statements", counts.groups),
            ("vectors", counts.vectors),
        ):
            self.index_size.labels(kind).set(value)
        self.ready.set(1)

    @contextmanager
    def time_lookup(self, kind: str, texts: int) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.lookup_seconds.labels(kind).observe(time.perf_counter() - start)
            self.lookup_texts.labels(kind).inc(texts)

    @contextmanager
    def time_write(self, kind: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.write_seconds.labels(kind).observe(time.perf_counter() - start)

    def render(self) -> str:
        """The registry in the Prometheus text exposition format."""
        return generate_latest(self.registry).decode("utf-8")


class MetricsMiddleware(ASGIMiddleware):
    """Counts and times every HTTP request under its route template (``/v1/statements/{id}``)."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, metrics: Metrics, *, log_queries: bool = False) -> None:
        self.metrics = metrics
        self.log_queries = log_queries

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        start = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await next_app(scope, receive, send_and_record)
        finally:
            seconds = time.perf_counter() - start
            route = str(scope.get("path_template") or UNMATCHED)
            method = str(scope.get("method", ""))
            if status == DISCONNECTED:
                self.metrics.disconnects.labels(method, route).inc()
            else:
                self.metrics.requests.labels(method, route, str(status)).inc()
                self.metrics.request_seconds.labels(method, route).observe(seconds)
            if access_log.isEnabledFor(logging.INFO):
                self._log(scope, method, route, status, seconds)

    def _log(self, scope: Scope, method: str, route: str, status: int, seconds: float) -> None:
        target = route
        if self.log_queries:
            query = scope.get("query_string", b"").decode("latin-1")
            if scope.get("state", {}).get("whosaid_key_in_query"):  # service.hygiene
                query = "(left out: it held an API key)"
            target = scope.get("path", "") + (f"?{query}" if query else "")
        access_log.info("%s %s %d %.1fms", method, target, status, seconds * 1000)

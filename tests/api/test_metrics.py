"""Prometheus metrics: requests by route template, lookup latency, index size."""

from __future__ import annotations

import time

from litestar import Litestar
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

from index.search.searcher import Searcher


def samples(client: TestClient[Litestar]) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_requests_are_counted_by_route_template(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    group = searcher.corpus.groups[0].id
    client.get(f"/v1/statements/{group}")
    client.get("/v1/statements/no-such-statement")
    client.get("/v1/lookup", params={"text": "support"})
    client.post("/v1/lookup/batch", json={"texts": ["a", "b", "c"]})
    seen = samples(client)

    def requests(method: str, route: str, status: str) -> float:
        labels = frozenset({"method": method, "route": route, "status": status}.items())
        return seen.get(("whosaid_http_requests_total", labels), 0.0)

    assert requests("GET", "/v1/statements/{statement_id}", "200") == 1
    assert requests("GET", "/v1/statements/{statement_id}", "404") == 1
    assert requests("GET", "/v1/lookup", "200") == 1
    assert seen[("whosaid_lookup_duration_seconds_count", frozenset({("kind", "single")}))] == 1
    assert seen[("whosaid_lookup_duration_seconds_count", frozenset({("kind", "batch")}))] == 1
    assert seen[("whosaid_lookup_texts_total", frozenset({("kind", "batch")}))] == 3


def test_index_size_and_readiness_are_gauges(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    seen = samples(client)
    counts = searcher.manifest.counts
    assert seen[("whosaid_index_size", frozenset({("kind", "statements")}))] == counts.groups
    assert seen[("whosaid_index_size", frozenset({("kind", "vectors")}))] == counts.vectors
    assert seen[("whosaid_ready", frozenset())] == 1


def test_warm_follows_readiness(client: TestClient[Litestar]) -> None:
    """Browse indexes and spaCy load after readiness; the gauge says when they are there."""
    for _ in range(600):
        if samples(client)[("whosaid_warm", frozenset())] == 1:
            return
        time.sleep(0.1)
    raise AssertionError("whosaid_warm never became 1")


def test_not_ready_while_loading(loading_client: TestClient[Litestar]) -> None:
    assert samples(loading_client)[("whosaid_ready", frozenset())] == 0
    assert samples(loading_client)[("whosaid_warm", frozenset())] == 0

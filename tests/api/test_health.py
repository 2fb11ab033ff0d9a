"""Liveness, readiness and the loading lifecycle."""

from __future__ import annotations

import faiss
import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from index.search.searcher import Searcher
from service import schemas


def test_readiness_reports_the_loaded_index(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    response = client.get("/v1/health/ready")
    assert response.status_code == 200
    ready = msgspec.json.decode(response.content, type=schemas.Readiness)
    manifest = searcher.manifest
    assert ready.model == schemas.ModelInfo(
        name=manifest.model.name, dimension=manifest.model.dimension, encoder="custom"
    )
    assert (ready.search.factory, ready.search.parameters) == ("Flat", {})
    assert ready.counts.statements == manifest.counts.groups == len(searcher.corpus.groups)
    assert ready.counts.quotes == len(searcher.corpus.quotes)
    assert ready.built_at == manifest.created
    assert ready.input_checksum == manifest.input_checksum


def test_alive_while_loading_but_not_ready(loading_client: TestClient[Litestar]) -> None:
    assert loading_client.get("/v1/health/live").status_code == 200
    ready = loading_client.get("/v1/health/ready")
    assert ready.status_code == 503
    assert ready.json()["type"].endswith("/not-ready")


def test_a_failed_load_says_why(failed_client: TestClient[Litestar]) -> None:
    ready = failed_client.get("/v1/health/ready")
    assert ready.status_code == 503
    detail = ready.json()["detail"]
    assert detail.startswith("loading the index failed")
    assert "missing" in detail  # the articles path the settings name


def test_readiness_says_which_simd_level_faiss_uses(client: TestClient[Litestar]) -> None:
    """faiss-cpu dispatches at run time; readiness names the level it picked, the same one
    faiss reports (its loader's "Could not load library with AVX2 support" means no more)."""
    simd = client.get("/v1/health/ready").json()["search"]["simd"]
    assert simd == faiss.SIMDConfig.get_level_name()
    assert simd in {"NONE", "AVX2", "AVX512", "AVX512_SPR", "ARM_NEON", "ARM_SVE", "RISCV_RVV"}


def test_health_routes_answer_head(
    client: TestClient[Litestar], loading_client: TestClient[Litestar]
) -> None:
    for route in ("/v1/health/live", "/v1/health/ready"):
        answer = client.head(route)
        assert (answer.status_code, answer.content) == (200, b"")
    assert loading_client.head("/v1/health/live").status_code == 200
    assert loading_client.head("/v1/health/ready").status_code == 503

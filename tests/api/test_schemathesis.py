"""Property-based: schemathesis over every operation of the committed OpenAPI document.

The app runs in process (ASGI) on the hash-embedder index, with its own journal and folder.
Every request carries the API key, so writes get past the guard and reach the pipeline. Each
answer must be no 5xx, and conform to the document (status documented, body valid against
its schema, problem details for errors).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance

from index.search.searcher import Searcher
from service.app import create_app
from tests.api.conftest import API_KEY, own_settings
from tests.conftest import REPO

# Cases per operation and generation phase: some 14 operations × (examples + coverage +
# fuzzing) make a few hundred requests.
EXAMPLES = 20

schema = schemathesis.openapi.from_path(REPO / "openapi" / "openapi.json")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, searcher: Searcher) -> Iterator[Litestar]:
    workdir: Path = tmp_path_factory.mktemp("schemathesis")
    application = create_app(own_settings(workdir), searcher=searcher)
    yield application
    asgi.shutdown_lifespans()  # the final checkpoint, before the folder goes


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_to_the_document(case: schemathesis.Case, app: Litestar) -> None:
    case.call_and_validate(
        app=app,
        headers={"X-API-Key": API_KEY},
        checks=[not_a_server_error, response_schema_conformance],
    )

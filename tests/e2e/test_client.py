"""End to end: a real ``whosaid serve`` on a loopback port, called through a client generated
from the committed OpenAPI document (and with plain HTTP where the client cannot look).

The server starts with no index, so it builds the seeds index with the real model on its
first start (the lifespan does it, off the event loop) before it turns ready.
"""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.model]

CLIENT_PACKAGE = "whosaid_client"
READY_TIMEOUT = 600.0  # a first start builds the index; generous for slow CI machines
QUERY = "firm support on core interests"
API_KEY = "e2e-key-3b7c0d"


def generate_client(document: Path, into: Path) -> ModuleType:
    """Generate the client package from ``document`` into ``into`` and import it."""
    config = into / "config.yaml"
    config.write_text("post_hooks: []\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(document),
            "--meta",
            "none",
            "--output-path",
            str(into / CLIENT_PACKAGE),
            "--config",
            str(config),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(into))
    try:
        return importlib.import_module(CLIENT_PACKAGE)
    finally:
        sys.path.remove(str(into))


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Iterator[Any]:
    package = generate_client(
        repo_root / "openapi" / "openapi.json", tmp_path_factory.mktemp("client")
    )
    yield package
    for name in [m for m in sys.modules if m.split(".")[0] == CLIENT_PACKAGE]:
        del sys.modules[name]


def api(module: str) -> Any:
    """A generated module: ``api("api.lookup.lookup")``, ``api("models")``."""
    return importlib.import_module(f"{CLIENT_PACKAGE}.{module}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"server exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base_url}/v1/health/ready", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.25)
    pytest.fail(f"server not ready after {READY_TIMEOUT} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def base_url(
    tmp_path_factory: pytest.TempPathFactory, repo_root: Path, seeds_dir: Path
) -> Iterator[str]:
    """A running server that built the seeds index on its first start."""
    work = tmp_path_factory.mktemp("server")
    port = free_port()
    log = work / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOSAID_")}
    env["WHOSAID_API_KEYS"] = API_KEY
    env["WHOSAID_JOURNAL"] = str(work / "journal.sqlite3")
    command = [
        sys.executable, "-m", "service.cli", "serve",
        "--host", "127.0.0.1", "--port", str(port),
        "--index", str(work / "index"), "--articles", str(seeds_dir),
    ]  # fmt: skip
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=repo_root, env=env, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert (work / "index" / "manifest.json").is_file()


@pytest.fixture(scope="module")
def client(client_package: Any, base_url: str) -> Iterator[Any]:
    with client_package.Client(
        base_url=base_url, raise_on_unexpected_status=True, timeout=httpx.Timeout(60.0)
    ) as generated:
        yield generated


@pytest.fixture(scope="module")
def writer(client_package: Any, base_url: str) -> Iterator[Any]:
    """The generated client with the API key in the header the document names."""
    with client_package.AuthenticatedClient(
        base_url=base_url,
        token=API_KEY,
        prefix="",
        auth_header_name="X-API-Key",
        raise_on_unexpected_status=True,
        timeout=httpx.Timeout(120.0),
    ) as generated:
        yield generated


def test_who_said_it_by_get_and_post(client: Any) -> None:
    models = api("models")
    by_get = api("api.lookup.lookup_by_query").sync(client=client, text=QUERY)
    by_post = api("api.lookup.lookup").sync(
        client=client, body=models.LookupRequest(text=QUERY, k=3)
    )
    for answer in (by_get, by_post):
        assert isinstance(answer, models.LookupResponse)
        assert answer.matched
        best = answer.matches[0]
        assert best.speaker is not None
        assert best.speaker.name == "Xi Jinping"
        assert len({variant.outlet for variant in best.variants}) >= 2
        assert any(variant.differences for variant in best.variants)
    assert by_get.matches[0].statement_id == by_post.matches[0].statement_id


def test_claimed_speaker_and_outlet_filter(client: Any) -> None:
    models = api("models")
    answer = api("api.lookup.lookup").sync(
        client=client,
        body=models.LookupRequest(text=QUERY, claimed_speaker="Vladimir Putin", outlet=["AFP"]),
    )
    assert isinstance(answer, models.LookupResponse)
    assert isinstance(answer.claim, models.ClaimCheck)
    assert answer.claim.holds is False
    assert {v.outlet for m in answer.matches for v in m.variants} <= {"AFP"}


def test_batch(client: Any) -> None:
    models = api("models")
    texts = [QUERY, "an entirely unrelated sentence about gardening tips"]
    batch = api("api.lookup.lookup_batch").sync(
        client=client, body=models.BatchLookupRequest(texts=texts, k=1)
    )
    assert isinstance(batch, models.BatchLookupResponse)
    assert [r.query for r in batch.results] == texts
    assert batch.results[0].matches[0].speaker.name == "Xi Jinping"


def test_statements_speakers_outlets_articles(client: Any) -> None:
    models = api("models")
    first = api("api.statements.list_statements").sync(client=client, limit=2)
    assert isinstance(first, models.StatementPage)
    assert len(first.items) == 2 and isinstance(first.next_cursor, str)
    second = api("api.statements.list_statements").sync(
        client=client, limit=2, cursor=first.next_cursor
    )
    assert not {s.id for s in first.items} & {s.id for s in second.items}

    speakers = api("api.speakers.list_speakers").sync(client=client)
    assert isinstance(speakers, models.SpeakerList)
    xi = next(s for s in speakers.items if s.name == "Xi Jinping")
    speaker = api("api.speakers.get_speaker").sync(xi.id, client=client)
    assert isinstance(speaker, models.SpeakerDetail)
    assert speaker.statements and speaker.quote_count >= len(speaker.statements)

    statement = api("api.statements.get_statement").sync(speaker.statements[0].id, client=client)
    assert isinstance(statement, models.Statement)
    assert statement.speaker.id == xi.id
    by_speaker = api("api.statements.list_statements").sync(client=client, speaker=xi.id)
    assert {s.id for s in by_speaker.items} == {s.id for s in speaker.statements}

    outlets = api("api.outlets.list_outlets").sync(client=client)
    assert isinstance(outlets, models.OutletList)
    assert len(outlets.items) >= 4

    variant = statement.variants[0]
    article = api("api.articles.get_article").sync(variant.article_id, client=client)
    assert isinstance(article, models.Article)
    assert article.text[variant.start : variant.end] == variant.text
    for quote in article.quotes:
        assert article.text[quote.start : quote.end] == quote.text


def test_health_and_metrics(client: Any) -> None:
    models = api("models")
    assert isinstance(api("api.health.liveness").sync(client=client), models.Liveness)
    ready = api("api.health.readiness").sync(client=client)
    assert isinstance(ready, models.Readiness)
    assert ready.model.name == "sentence-transformers/all-MiniLM-L6-v2"
    assert ready.counts.articles == 5
    assert ready.counts.statements > 0
    metrics = api("api.metrics.metrics").sync(client=client)
    assert 'whosaid_http_requests_total{method="GET",route="/v1/lookup"' in metrics
    assert "whosaid_lookup_duration_seconds_bucket" in metrics
    assert 'whosaid_index_size{kind="articles"} 5.0' in metrics


def test_errors_are_problems(client: Any, base_url: str) -> None:
    models = api("models")
    missing = api("api.statements.get_statement").sync_detailed("no-such-id", client=client)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.Problem)
    assert missing.parsed.type_ == "https://whosaid.dev/problems/not-found"
    empty = api("api.lookup.lookup_by_query").sync_detailed(client=client, text=" ")
    assert empty.status_code == 400
    assert empty.parsed.type_ == "https://whosaid.dev/problems/invalid-input"
    # What the client cannot send: an unknown field, and a body that is too large.
    unknown = httpx.post(f"{base_url}/v1/lookup", json={"text": QUERY, "speaker": "x"})
    assert unknown.status_code == 400
    assert unknown.headers["content-type"] == "application/problem+json"
    huge = httpx.post(f"{base_url}/v1/lookup", json={"text": "x" * 600_000})
    assert huge.status_code == 413
    assert huge.json()["type"] == "https://whosaid.dev/problems/body-too-large"


def test_add_find_and_delete_an_article(client: Any, writer: Any, base_url: str) -> None:
    models = api("models")
    text = (
        "The harbour master spoke on Monday.\n"
        '"Every berth in the new terminal will be electrified by next spring," '
        "harbour master Ines Molnar said."
    )
    article = models.ArticleInput(id="e2e-harbour-0001", outlet="Harbour Herald", text=text)
    added = api("api.articles.add_articles").sync(
        client=writer, body=models.IngestRequest(articles=[article])
    )
    assert isinstance(added, models.IngestResponse)
    [result] = added.results
    assert result.status == models.IngestStatus.CREATED
    [quote] = result.quotes
    assert text[quote.start : quote.end] == quote.text
    assert quote.speaker.name == "Ines Molnar"

    again = api("api.articles.add_articles").sync(
        client=writer, body=models.IngestRequest(articles=[article])
    )
    assert again.results[0].status == models.IngestStatus.UNCHANGED

    stored = api("api.articles.get_article").sync("e2e-harbour-0001", client=client)
    assert isinstance(stored, models.Article)
    assert [q.text for q in stored.quotes] == [quote.text]
    answer = api("api.lookup.lookup").sync(
        client=client, body=models.LookupRequest(text="every berth in the new terminal electrified")
    )
    assert answer.matched and answer.matches[0].statement_id == quote.statement_id
    assert answer.matches[0].speaker.name == "Ines Molnar"

    # Without the key the write is refused; the client cannot even send it, so plain HTTP.
    refused = httpx.delete(f"{base_url}/v1/articles/e2e-harbour-0001")
    assert refused.status_code == 401
    assert refused.json()["type"] == "https://whosaid.dev/problems/api-key-required"

    deleted = api("api.articles.delete_article").sync_detailed("e2e-harbour-0001", client=writer)
    assert deleted.status_code == 204
    gone = api("api.articles.get_article").sync_detailed("e2e-harbour-0001", client=client)
    assert gone.status_code == 404
    ready = api("api.health.readiness").sync(client=client)
    assert ready.counts.articles == 5

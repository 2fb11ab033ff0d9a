"""How a caller uses the generated client; type-checked under mypy --strict."""

from whosaid_client import AuthenticatedClient, Client
from whosaid_client.api.articles import add_articles
from whosaid_client.api.lookup import lookup, lookup_by_query
from whosaid_client.models import (
    ArticleInput,
    IngestRequest,
    IngestResponse,
    LookupRequest,
    LookupResponse,
)


def who_said(base_url: str, text: str) -> str | None:
    with Client(base_url=base_url) as client:
        answer = lookup.sync(client=client, body=LookupRequest(text=text, outlet=["AFP"]))
        also = lookup_by_query.sync(client=client, text=text)
    if not isinstance(answer, LookupResponse) or not isinstance(also, LookupResponse):
        return None
    threshold: float = answer.threshold
    best = answer.matches[0] if answer.matches else answer.nearest
    if best is None or best.speaker is None or best.score < threshold:
        return None
    count: int = best.variant_count
    return f"{best.speaker.name} ({count} variants)"


def add(base_url: str, key: str, article: ArticleInput) -> int:
    with AuthenticatedClient(
        base_url=base_url, token=key, auth_header_name="X-API-Key", prefix=""
    ) as writer:
        result = add_articles.sync(client=writer, body=IngestRequest(articles=[article]))
    return len(result.results) if isinstance(result, IngestResponse) else 0

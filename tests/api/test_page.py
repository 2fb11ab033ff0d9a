"""The page for people, in-process over the hash index: what each page says, its errors as
pages, escaping, the OpenAPI viewer's local assets, and that the contract holds no page route."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from index import Searcher
from service.page import routes
from tests.api.conftest import API_KEY

HOSTILE = "<script>alert('owned')</script>"
HOSTILE_ARTICLE = {
    "id": "hostile-0001",
    "outlet": "Night <b>Desk</b>",
    "title": "<img src=x onerror=alert(1)> Bridge",
    "url": "javascript:alert(1)",
    "published": "2024-03-01",
    "text": (
        f"Mayor Anna Berg spoke on Friday. {HOSTILE}\n"
        '"We will open the <em>new</em> bridge in May, two months early," Anna Berg said.'
    ),
}


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def page(client: TestClient[Litestar], path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def a_full_quote(searcher: Searcher) -> tuple[str, str]:
    """A statement's canonical text and its speaker's name, from the index itself."""
    for group in searcher.corpus.groups:
        speaker = searcher.speaker(group.speaker) if group.speaker else None
        if speaker is not None and len(group.canonical_text.split()) >= 8:
            return group.canonical_text, speaker.name
    raise AssertionError("the seeds have no attributed statement of eight words")


def test_the_ask_page_labels_every_control(client: TestClient[Litestar]) -> None:
    for path in ("/", "/speakers", "/add"):
        tags = parse(page(client, path)).tags
        labelled = {a["for"] for t, a in tags if t == "label"}
        controls = [a for t, a in tags if t in ("input", "textarea", "select")]
        assert controls, path
        assert all(a.get("id") in labelled for a in controls), path


def test_an_exact_quote_is_said_by_its_speaker_with_variants_and_timeline(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    text, name = a_full_quote(searcher)
    html = page(client, "/?" + urlencode({"q": text}))
    assert 'data-kind="said_by"' in html
    assert f"Said by {name}" in html
    assert 'class="variant-row' in html
    assert '<svg class="timeline"' in html
    assert "First appearance:" in html


def test_a_wrong_claimed_speaker_is_said_by_someone_else(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    text, name = a_full_quote(searcher)
    html = page(client, "/?" + urlencode({"q": text, "said_by": "Zebedee Quorn"}))
    assert 'data-kind="said_by_other"' in html
    assert f"Said by someone else: {name}" in html
    assert 'value="Zebedee Quorn"' in html  # the form keeps the question


def test_nonsense_is_not_found(client: TestClient[Litestar]) -> None:
    html = page(client, "/?" + urlencode({"q": "qwxz vbnm plokij uhygt"}))
    assert 'data-kind="not_found"' in html
    assert "Nobody in the corpus said this" in html


def test_bad_queries_and_unknown_ids_are_pages_with_the_api_s_status(
    client: TestClient[Litestar],
) -> None:
    assert 'data-status="400"' in page(client, "/?" + urlencode({"q": "x" * 1001}), 400)
    assert 'data-status="404"' in page(client, "/statements/st-nope", 404)
    assert 'data-status="404"' in page(client, "/speakers/nobody-at-all", 404)
    assert 'data-status="404"' in page(client, "/articles/no-such-article", 404)
    assert 'data-status="400"' in page(client, "/speakers?page=0", 400)


def test_speakers_search_leads_to_statements_and_statement_pages(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    speaker = max(searcher.corpus.speakers, key=lambda s: len(s.name))
    listing = page(client, "/speakers?" + urlencode({"name": speaker.name.split()[-1].upper()}))
    assert f'href="/speakers/{speaker.id}"' in listing
    others = [s for s in searcher.corpus.speakers if speaker.name.split()[-1].casefold()
              not in " ".join((s.name, *s.aliases)).casefold()]  # fmt: skip
    assert all(f'href="/speakers/{s.id}"' not in listing for s in others)
    detail = page(client, f"/speakers/{speaker.id}")
    statement_ids = re.findall(r'href="/statements/([^"]+)"', detail)
    groups = [g for g in searcher.corpus.groups if g.speaker == speaker.id]
    assert sorted(statement_ids) == sorted(g.id for g in groups)
    group = groups[0]
    html = page(client, f"/statements/{group.id}")
    assert html.count('class="variant-row') == len({v.article_id for v in group.variants})
    quoted = set(re.findall(r'data-quote-id="([^"]+)"', html))  # rows and folded quotes
    assert quoted == {v.quote_id for v in group.variants}
    dated = html.count('class="mark"') + html.count('class="mark first"')
    assert dated == len(group.variants)  # every seed article has a date


def test_an_article_page_marks_each_quote_and_names_its_speaker(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    article = searcher.corpus.articles[0]
    quotes = searcher.quotes_of(article.id)
    html = page(client, f"/articles/{article.id}")
    marked = set(re.findall(r'<mark class="quote [a-z]+" id="q-([^"]+)"', html))
    assert marked == {q.id for q in quotes}
    for quote in quotes:
        if quote.speaker is not None:
            speaker = searcher.speaker(quote.speaker)
            assert speaker is not None and speaker.name in html


def test_article_text_that_holds_html_shows_as_text(writer_client: TestClient[Litestar]) -> None:
    response = writer_client.post(
        "/v1/articles", json={"articles": [HOSTILE_ARTICLE]}, headers={"X-API-Key": API_KEY}
    )
    assert response.status_code == 200, response.text
    html = page(writer_client, "/articles/hostile-0001")
    tags = parse(html)
    assert [t for t, _ in tags.tags if t in ("script", "img", "b", "em")] == []
    assert not any(str(a.get("href", "")).startswith("javascript:") for _, a in tags.tags)
    text = "".join(tags.text)  # the markup is there as text (a quote mark may split it)
    assert "<script>alert(" in text and "<em>new</em>" in text and "Night <b>Desk</b>" in text
    assert "<img src=x onerror=alert(1)> Bridge" in text


def test_the_openapi_viewer_loads_only_this_server_s_assets(client: TestClient[Litestar]) -> None:
    html = client.get("/schema").text
    tags = parse(html).tags
    sources = [a.get("src") or a.get("href") for t, a in tags if t in ("script", "link")]
    sources = [s for s in sources if s]
    assert sources and all(s.startswith("/static/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source


def test_page_routes_are_not_in_the_api_contract(client: TestClient[Litestar]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert all(path.startswith("/v1/") or path == "/metrics" for path in paths), sorted(paths)


def test_a_wheel_holds_every_template_and_static_file(repo_root: Path) -> None:
    config = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["service"]
    service = repo_root / "service"
    files = [
        p.relative_to(service).as_posix()
        for folder in ("templates", "static")
        for p in (service / folder).rglob("*")
        if p.is_file()
    ]
    assert files
    assert [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)] == []


def test_long_lists_page_and_the_pages_cover_each_item_once(
    client: TestClient[Litestar], searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes, "SPEAKERS_PER_PAGE", 3)
    path: str | None = "/speakers"
    seen: list[str] = []
    while path is not None:
        html = page(client, path)
        seen += re.findall(r'<th scope="row"><a href="/speakers/([^"]+)"', html)
        found = re.search(r'<a rel="next" href="([^"]+)"', html)
        path = None if found is None else "/speakers" + found.group(1).replace("&amp;", "&")
    assert sorted(seen) == sorted(s.id for s in searcher.corpus.speakers)
    assert len(seen) > 3


def test_while_the_index_loads_the_form_shows_and_browsing_is_a_503_page(
    loading_client: TestClient[Litestar],
) -> None:
    assert 'id="q"' in page(loading_client, "/")
    assert 'data-status="503"' in page(loading_client, "/speakers", 503)
    assert 'data-status="503"' in page(loading_client, "/?q=anything", 503)


def test_keyed_reads_key_the_pages_too(keyed_client: TestClient[Litestar]) -> None:
    assert 'data-status="401"' in page(keyed_client, "/speakers", 401)
    response = keyed_client.get("/speakers", headers={"X-API-Key": API_KEY})
    assert response.status_code == 200

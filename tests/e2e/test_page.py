"""The page for people in a real browser: Debian's Chromium, headless, driven by Playwright,
against a real ``whosaid serve`` over the seeds index built with the real model.

Every test records the requests the browser makes and fails on one to another origin (they are
aborted, as on a network with no way out). Queries come from the seeds' gold file, so no phrase
is written here. The answer page's screenshot is saved in the test's folder; with
``WHOSAID_UPDATE_SCREENSHOT=1`` it is also copied to ``docs/screenshot-answer.png`` (the README's).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from tests.e2e.live_server import API_KEY, LiveServer
from tests.system import require_tool

pytestmark = [pytest.mark.e2e, pytest.mark.model]

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
NONSENSE = "The purple giraffe recited seventeen sonnets to the refrigerator at dawn"
DESKTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}


def gold_query(repo_root: Path, why: str) -> dict[str, Any]:
    gold = json.loads((repo_root / "tests/data/seeds-gold.json").read_text(encoding="utf-8"))
    query: dict[str, Any] = next(q for q in gold["queries"] if q["why"] == why)
    return query


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, real_seeds_index: Path, repo_root: Path
) -> Iterator[LiveServer]:
    work = tmp_path_factory.mktemp("page")
    shutil.copytree(real_seeds_index, work / "index")
    live = LiveServer(work, repo_root)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_tool("chromium")
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Visit:
    """A browser page on the server, with every request it makes recorded."""

    def __init__(self, browser: Any, server: LiveServer, viewport: dict[str, int]) -> None:
        self.origin = server.url
        self.context = browser.new_context(viewport=viewport)
        self.requests: list[str] = []
        self.foreign: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if urlsplit(url).scheme in ("data", "blob", "about") or self._own(url):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()  # as on a network that reaches nothing but this server

    def _own(self, url: str) -> bool:
        parts, origin = urlsplit(url), urlsplit(self.origin)
        return (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc)

    def open(self, path: str) -> Any:
        response = self.page.goto(self.origin + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def close(self) -> None:
        self.context.close()
        assert self.foreign == [], f"requests to other origins: {self.foreign}"
        assert self.requests, "the browser made no request"


@pytest.fixture
def visit(browser: Any, server: LiveServer) -> Iterator[Visit]:
    seen = Visit(browser, server, DESKTOP)
    yield seen
    seen.close()


def ask(visit: Visit, text: str, said_by: str = "") -> Any:
    """Ask through the form with the keyboard alone: Tab to each control, type, Enter."""
    page = visit.page
    visit.open("/")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    else:
        raise AssertionError("the question box is not reachable with Tab")
    page.keyboard.type(text)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "said_by"
    page.keyboard.type(said_by)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    query = {"q": text, "said_by": said_by}
    assert page.url == f"{visit.origin}/?{urlencode(query)}"  # the answer can be linked
    return page


def every_quote(statement: dict[str, Any]) -> list[dict[str, Any]]:
    """A statement's quotes: its variant rows and the fragments folded under them."""
    return [q for v in statement["variants"] for q in (v, *v["fragments"])]


def statement_of(server: LiveServer, path: str) -> dict[str, Any]:
    """``GET /v1{path}`` with every variant row on one page."""
    response = httpx.get(f"{server.url}/v1{path}", params={"max_variants": 200})
    statement: dict[str, Any] = response.json()
    assert statement["next_variants_cursor"] is None
    return statement


def marked_rows(page: Any) -> dict[str, bool]:
    """Each variant row's quote id, and whether any difference is highlighted in it."""
    rows: dict[str, bool] = page.eval_on_selector_all(
        ".variant-row",
        """rows => Object.fromEntries(rows.map(row => [row.dataset.quoteId,
            row.querySelector('.wording del, .wording ins, .wording .d-minor') !== null]))""",
    )
    return rows


def test_an_exact_quote_shows_speaker_verdict_and_highlighted_variants(
    visit: Visit, server: LiveServer, repo_root: Path, tmp_path: Path
) -> None:
    query = gold_query(repo_root, "exact")
    page = ask(visit, query["q"])
    assert page.get_attribute("#verdict", "data-kind") == "said_by"
    assert page.get_attribute("#speaker a", "href") == f"/speakers/{query['speaker']}"
    statement_id = page.get_attribute("#answer-title ~ dl a[href^='/statements/']", "href")
    assert statement_id is not None
    statement = statement_of(server, statement_id)
    quotes = every_quote(statement)
    rows = marked_rows(page)  # one row per article, its fullest quote of the statement
    assert len(rows) == len({q["article_id"] for q in quotes})
    assert set(rows) <= {q["quote_id"] for q in quotes}
    # A full variant's row is highlighted exactly when the API reports differences for it (a
    # fragment's row stands for an article that printed only part of the statement).
    differs = {v["quote_id"]: bool(v["differences"]) for v in statement["variants"]}
    assert {q: marked for q, marked in rows.items() if q in differs} == {
        q: differs[q] for q in rows if q in differs
    }
    assert any(rows.values()), "the seeds statement should have differing wordings"
    assert page.locator("svg.timeline .mark").count() == len(quotes) == statement["variant_count"]
    assert page.locator(".first-seen .first-outlet").inner_text() in statement["outlets"]
    page.screenshot(path=str(tmp_path / "answer.png"), full_page=True)
    if os.environ.get("WHOSAID_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(tmp_path / "answer.png", repo_root / "docs/screenshot-answer.png")


def test_a_paraphrase_finds_its_speaker(visit: Visit, repo_root: Path) -> None:
    query = gold_query(repo_root, "paraphrase")
    page = ask(visit, query["q"])
    assert page.get_attribute("#verdict", "data-kind") == "said_by"
    assert page.get_attribute("#speaker a", "href") == f"/speakers/{query['speaker']}"
    assert page.locator(".variant-row").count() >= len(query["files"])


def test_a_misattribution_says_who_said_it(visit: Visit, repo_root: Path) -> None:
    query = gold_query(repo_root, "exact")
    page = ask(visit, query["q"], said_by="Somebody Else Entirely")
    assert page.get_attribute("#verdict", "data-kind") == "said_by_other"
    name = page.locator("#speaker a").inner_text()
    assert page.locator("#verdict").inner_text().endswith(f"Said by someone else: {name}")


def test_nonsense_is_said_by_nobody_with_the_nearest_candidate_offered(visit: Visit) -> None:
    page = ask(visit, NONSENSE)
    assert page.get_attribute("#verdict", "data-kind") == "not_found"
    assert "Nobody in the corpus said this" in page.locator(".nobody").inner_text()
    assert page.locator(".variant-row").count() == 0
    nearest = page.locator(".nearest .candidate")
    assert nearest.count() == 1 and "weak" in nearest.inner_text().lower()


def test_a_statement_page_has_one_timeline_mark_per_dated_variant(
    visit: Visit, server: LiveServer
) -> None:
    items = httpx.get(f"{server.url}/v1/statements", params={"limit": 100}).json()["items"]
    summary = max(items, key=lambda s: (s["variant_count"], s["id"]))
    statement = statement_of(server, f"/statements/{summary['id']}")
    quotes = every_quote(statement)
    dated = 0
    for quote in quotes:
        article = httpx.get(f"{server.url}/v1/articles/{quote['article_id']}").json()
        dated += article["published"] is not None
    visit.open("/speakers")
    visit.page.get_by_label("Name or alias contains").fill(statement["speaker"]["name"])
    visit.page.get_by_role("button", name="Search").click()
    visit.page.get_by_role("link", name=statement["speaker"]["name"]).first.click()
    visit.page.locator(f"a[href='/statements/{summary['id']}']").click()
    visit.page.wait_for_load_state("networkidle")
    assert visit.page.url == f"{server.url}/statements/{summary['id']}"
    assert visit.page.locator("svg.timeline .mark").count() == dated
    assert visit.page.locator("svg.timeline .mark.first").count() == (1 if dated else 0)
    assert visit.page.locator(".undated li").count() == len(quotes) - dated
    articles = {q["article_id"] for q in quotes}
    assert visit.page.locator(".variant-row").count() == len(articles)


def test_an_article_added_through_the_form_renders_its_html_inert(
    browser: Any, server: LiveServer
) -> None:
    visit = Visit(browser, server, PHONE)
    dialogs: list[str] = []
    visit.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    visit.open("/add")
    page = visit.page
    text = (
        "Council member Ruth Okoye spoke on Tuesday. <script>window.owned = 1; alert(1)</script>\n"
        '"We will repaint the <img src=/x onerror="window.owned = 2"> footbridge before the '
        'festival," council member Ruth Okoye said.'
    )
    page.get_by_label("API key").fill(API_KEY)
    page.get_by_label("Article id").fill("inert-html-0001")
    page.get_by_label("Outlet").fill("Valley <b>Courier</b>")
    page.get_by_label("Published (optional, e.g. 2024-03-01)").fill("2024-03-01")
    page.get_by_label("Text").fill(text)
    page.get_by_role("button", name="Add the article").click()
    page.wait_for_selector("#add-result a")
    assert "Added" in page.locator("#add-result").inner_text()
    assert page.get_by_label("API key").input_value() == ""  # not kept in the page
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    page.locator("#add-result a").click()
    page.wait_for_load_state("networkidle")
    body = page.locator(".article-text").inner_text()
    assert "<script>window.owned = 1; alert(1)</script>" in body
    assert '<img src=/x onerror="window.owned = 2">' in body
    assert page.locator(".article-text script, .article-text img").count() == 0
    assert page.evaluate("window.owned") is None and dialogs == []
    assert "Valley <b>Courier</b>" in page.locator(".byline").inner_text()
    assert page.locator("mark.quote").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    visit.close()
    assert API_KEY not in server.log.read_text(errors="replace")  # the key is not logged


def test_the_api_viewer_renders_without_leaving_the_origin(visit: Visit) -> None:
    visit.open("/schema")
    visit.page.wait_for_selector(".swagger-ui .info .title")
    assert "whosaid" in visit.page.locator(".swagger-ui .info .title").inner_text()
    assert visit.page.locator(".opblock").count() > 5


def test_pages_fit_a_phone_s_width(browser: Any, server: LiveServer, repo_root: Path) -> None:
    visit = Visit(browser, server, PHONE)
    query = gold_query(repo_root, "exact")
    for path in ("/?" + urlencode({"q": query["q"]}), "/speakers"):
        visit.open(path)
        assert visit.page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth + 1"
        ), path
    visit.close()

"""The browse pages' layout: pages of a long list, an article's paragraphs."""

from __future__ import annotations

from service.page import browse
from service.page.views import QuoteMark, TextRun


def test_pager_links_keep_the_query_and_stop_at_the_ends() -> None:
    first = browse.pager(120, 1, 50, name="lopes")
    assert (first.pages, first.previous, first.next) == (3, None, "?name=lopes&page=2")
    last = browse.pager(120, 3, 50, name="")
    assert (last.previous, last.next) == ("?page=2", None)
    assert browse.pager(0, 1, 50).pages == 1


def test_paragraphs_split_runs_at_line_breaks_and_keep_quote_marks() -> None:
    mark = QuoteMark(quote_id="q", speaker=None, statement_id=None, kind="full")
    runs = [
        TextRun(text="Intro.\n\nShe said "),
        TextRun(text="one\ntwo", quote=mark),
        TextRun(text="."),
    ]
    paragraphs = browse.paragraphs(runs)
    assert [[r.text for r in p] for p in paragraphs] == [
        ["Intro."],
        ["She said ", "one"],
        ["two", "."],
    ]
    assert paragraphs[1][1].quote == mark and paragraphs[2][0].quote == mark

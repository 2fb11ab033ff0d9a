"""Quote extraction: one row per quotation form, on invented sentences."""

from __future__ import annotations

import pytest

from index.analyse.extract import extract_quotes, is_display_line
from index.models import Article


def quotes_of(text: str) -> list[str]:
    return [q.text for q in extract_quotes(Article(id="a", outlet="o", text=text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('She said "we will win" today.', ["we will win"], id="straight-double"),
        pytest.param("She said “we will win” today.", ["we will win"], id="curly-double"),
        pytest.param('She said “we will win" today.', ["we will win"], id="mixed-curly-straight"),
        pytest.param('She said "we will win” today.', ["we will win"], id="mixed-straight-curly"),
        pytest.param(
            "Le ministre a dit « nous gagnerons » hier.", [" nous gagnerons "], id="guillemets"
        ),
        pytest.param("Er sagte „wir gewinnen“ gestern.", ["wir gewinnen"], id="low-high-german"),
        pytest.param("Talks hit a ‘new low’, officials said.", ["new low"], id="curly-single"),
        pytest.param("Talks hit a 'new low', officials said.", ["new low"], id="straight-single"),
        pytest.param("The country’s leader visited Xi’an.", [], id="apostrophes-not-quotes"),
        pytest.param("Prices rose in the ’90s and the ’80s.", [], id="decade-elision"),
        pytest.param("Nigeria´s president spoke.", [], id="acute-accent-apostrophe"),
        pytest.param(
            "The ministers’ ‘grand bargain’ failed.", ["grand bargain"], id="plural-possessive"
        ),
        pytest.param(
            "He called it ‘the farmers’ revolt’ on air.",
            ["the farmers’ revolt"],
            id="plural-possessive-inside-single",
        ),
        pytest.param(
            "“He told me ‘never again’ twice,” she said.",
            ["He told me ‘never again’ twice,", "never again"],
            id="nested",
        ),
        pytest.param(
            "“The plan is dead,” he said. “We start again.”",
            ["The plan is dead,", "We start again."],
            id="two-in-a-paragraph",
        ),
        pytest.param("He said “we will win and left.", ["we will win and left."], id="unbalanced"),
        pytest.param('Height 5\'10" and "tall" too.', ["tall"], id="prime-marks"),
        pytest.param("“”", [], id="empty-quote"),
    ],
)
def test_quote_forms(text: str, expected: list[str]) -> None:
    assert quotes_of(text) == expected


def test_offsets_slice_the_text() -> None:
    text = "Intro line\n\nThe mayor said “roads will reopen” on Monday.\n"
    article = Article(id="a", outlet="o", text=text)
    [quote] = extract_quotes(article)
    assert text[quote.start : quote.end] == quote.text == "roads will reopen"
    assert text[quote.start - 1] == "“" and text[quote.end] == "”"


def test_quotation_over_several_paragraphs() -> None:
    text = (
        "“The first part of the statement goes on\n\n"
        "“and the second part ends here,” the minister said.\n"
    )
    quotes = extract_quotes(Article(id="a", outlet="o", text=text))
    assert [q.text for q in quotes] == [
        "The first part of the statement goes on",
        "and the second part ends here,",
    ]
    assert [q.continues for q in quotes] == [True, False]


def test_headline_quotes_are_marked() -> None:
    text = "Union warns of ‘summer of strikes’\n\nThe union said talks had failed.\n"
    [quote] = extract_quotes(Article(id="a", outlet="o", text=text))
    assert quote.headline and quote.text == "summer of strikes"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        pytest.param('He said: "We are ready to talk to anyone."', "full", id="full-colon"),
        pytest.param('"We are ready to talk," he said.', "full", id="full-leading"),
        pytest.param('He wants a "fair and lasting peace" soon.', "partial", id="partial"),
        pytest.param('He denounced the "elites" again.', "scare", id="scare-one-word"),
        pytest.param('The so-called "peace dividend" vanished.', "scare", id="scare-so-called"),
    ],
)
def test_kinds(text: str, kind: str) -> None:
    [quote] = extract_quotes(Article(id="a", outlet="o", text=text))
    assert quote.kind == kind


def test_many_marks_do_not_crash_or_hang() -> None:
    text = ("“a” " * 2500) + "‘" * 10 + '"' * 7
    quotes = extract_quotes(Article(id="a", outlet="o", text=text))
    assert len(quotes) >= 2500


@pytest.mark.parametrize(
    ("line", "display"),
    [
        ("Markets rally as central bank holds rates", True),
        ("The central bank held rates on Tuesday.", False),
        ("“We will not back down,” the minister said.", False),
    ],
)
def test_display_lines(line: str, display: bool) -> None:
    assert is_display_line(line) is display


def test_doubled_apostrophes_are_one_double_mark() -> None:
    text = (
        "''We will not back down,'' the mayor said of the ''temporary'' plan.\n"
        "''It's over,'' she said, ''and we're done.''"
    )
    assert quotes_of(text) == [
        "We will not back down,",
        "temporary",
        "It's over,",
        "and we're done.",
    ]

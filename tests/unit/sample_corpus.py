"""A small invented, analysed and grouped corpus for the index tests (no pipeline, no model).

Three outlets report two statements: a minister's on harbour trade (one outlet with a changed
word) and a union leader's on a strike (two sentences, so it gets sentence units).
"""

from __future__ import annotations

from index.models import Article, Corpus, Edit, Group, Quote, Speaker, Variant

TRADE_A = "Harbour trade grew by 12% last year and will keep rising"
TRADE_B = "Harbour trade grew by 12% last year and will keep growing"
STRIKE = "The strike will continue until wages rise. Workers deserve better pay for their work."
FEES = "We will not raise port fees"

ARTICLES = (
    Article(
        id="a1",
        outlet="Daily Post",
        text=f"Minister Elena Varga spoke on Monday. “{TRADE_A},” Varga said. “{FEES},” she added.",
    ),
    Article(
        id="a2",
        outlet="Wire Service",
        text=f"“{TRADE_B},” said Elena Varga. Union leader Tom Brandt said: “{STRIKE}”",
    ),
    Article(
        id="a3",
        outlet="Evening Times",
        text=f"Tom Brandt was defiant. “{STRIKE}” he told workers.",
    ),
)

SPEAKERS = (
    Speaker(id="varga", name="Elena Varga", kind="person", aliases=("Varga", "Minister Varga")),
    Speaker(id="brandt", name="Tom Brandt", kind="person", aliases=("Brandt", "Union leader")),
)


def _quote(quote_id: str, article: Article, text: str, speaker: str) -> Quote:
    start = article.text.index(text)
    return Quote(
        id=quote_id,
        article_id=article.id,
        start=start,
        end=start + len(text),
        text=text,
        kind="full",
        paragraph=0,
        speaker=speaker,
    )


QUOTES = (
    _quote("q1", ARTICLES[0], TRADE_A, "varga"),
    _quote("q2", ARTICLES[0], FEES, "varga"),
    _quote("q3", ARTICLES[1], TRADE_B, "varga"),
    _quote("q4", ARTICLES[1], STRIKE, "brandt"),
    _quote("q5", ARTICLES[2], STRIKE, "brandt"),
)


def _variant(quote: Quote, outlet: str, edits: tuple[Edit, ...] = ()) -> Variant:
    return Variant(
        quote_id=quote.id,
        article_id=quote.article_id,
        outlet=outlet,
        start=quote.start,
        end=quote.end,
        text=quote.text,
        edits=edits,
    )


RISING = TRADE_A.index("rising")
GROWING = TRADE_B.index("growing")
GROUPS = (
    Group(
        id="g-trade",
        speaker="varga",
        canonical_quote_id="q1",
        canonical_text=TRADE_A,
        variants=(
            _variant(QUOTES[0], "Daily Post"),
            _variant(
                QUOTES[2],
                "Wire Service",
                (
                    Edit(
                        op="substitution",
                        canonical="rising",
                        variant="growing",
                        canonical_start=RISING,
                        canonical_end=RISING + len("rising"),
                        variant_start=GROWING,
                        variant_end=GROWING + len("growing"),
                    ),
                ),
            ),
        ),
    ),
    Group(
        id="g-fees",
        speaker="varga",
        canonical_quote_id="q2",
        canonical_text=FEES,
        variants=(_variant(QUOTES[1], "Daily Post"),),
    ),
    Group(
        id="g-strike",
        speaker="brandt",
        canonical_quote_id="q4",
        canonical_text=STRIKE,
        variants=(_variant(QUOTES[3], "Wire Service"), _variant(QUOTES[4], "Evening Times")),
    ),
)


def sample_corpus() -> Corpus:
    return Corpus(articles=ARTICLES, quotes=QUOTES, speakers=SPEAKERS, groups=GROUPS)
